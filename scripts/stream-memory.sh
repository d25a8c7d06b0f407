#!/usr/bin/env bash
# stream-memory.sh MODE MAXBYTES SECONDS LIMIT_MB -- CMD...
# Memory and throughput probe (same interface as ../shared/repro/stream-memory.sh, which calls a gen_stream.py
# that does not exist): pipes gen-stream.py's endless capture (MODE: newflows | longlived | dns) into CMD, which
# reads stdin, and every INTERVAL seconds (default 10) prints the command's RSS, its high-water RSS (VmHWM, so
# short peaks between samples are not missed), the bytes it has read (/proc/PID/io rchar) and its throughput over
# the interval, with the CPU seconds it used (utime + stime: on a shared machine, MB per CPU-second is the steadier
# speed). Stops at SECONDS, when RSS passes LIMIT_MB, or when the stream ends (MAXBYTES).
# GEN overrides the generator path (default: ../shared/repro/gen-stream.py beside the repository).
# Example: NF=60000 scripts/stream-memory.sh longlived 1e13 120 8000 -- node dist/bin/residency.cjs flows - --no-geo
set -u
here=$(cd "$(dirname "$0")" && pwd)
gen=${GEN:-$here/../../shared/repro/gen-stream.py}
every=${INTERVAL:-10}
if [[ ! -f $gen ]]; then echo "stream-memory.sh: generator not found at $gen (set GEN)" >&2; exit 2; fi
mode=$1 maxb=$2 dur=$3 lim=$4; shift 4; [[ ${1:-} == -- ]] && shift
err=$(mktemp)
python3 "$gen" "$mode" "$maxb" | "$@" >/dev/null 2>"$err" &
pid=$!; start=$(date +%s.%N); peak=0; stop=end; prev_b=0; prev_t=0; prev_c=0; first_rate=; last_rate=; first_cpu=; last_cpu=
field() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/$2" 2>/dev/null; }
hz=$(getconf CLK_TCK)
cpu() { awk -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat" 2>/dev/null; }
sleep 1
while kill -0 $pid 2>/dev/null; do
  now=$(date +%s.%N); el=$(awk -v a="$now" -v b="$start" 'BEGIN { printf "%.0f", a - b }')
  rss=$(field VmRSS status); hwm=$(field VmHWM status); rd=$(field rchar io); c=$(cpu)
  rss=$(( ${rss:-0} / 1024 )); hwm=$(( ${hwm:-0} / 1024 )); rd=${rd:-0}; c=${c:-0}
  (( hwm > peak )) && peak=$hwm
  rate=$(awk -v b="$rd" -v pb="$prev_b" -v t="$el" -v pt="$prev_t" 'BEGIN { d = t - pt; if (d <= 0) d = 1; printf "%.1f", (b - pb) / 1e6 / d }')
  cpurate=$(awk -v b="$rd" -v pb="$prev_b" -v c="$c" -v pc="$prev_c" 'BEGIN { d = c - pc; if (d <= 0) d = 0.01; printf "%.1f", (b - pb) / 1e6 / d }')
  if (( prev_t > 0 )); then
    [[ -z $first_rate ]] && first_rate=$rate && first_cpu=$cpurate
    last_rate=$rate; last_cpu=$cpurate
  fi
  echo "t=${el}s rss=${rss}MB hwm=${hwm}MB read=$(( rd / 1000000 ))MB rate=${rate}MB/s cpu=${c}s per_cpu_s=${cpurate}MB"
  prev_b=$rd; prev_t=$el; prev_c=$c
  if (( rss > lim )); then stop="rss>${lim}MB"; kill -9 $pid; break; fi
  if (( el >= dur )); then stop=duration; kill $pid; sleep 2; kill -9 $pid 2>/dev/null; break; fi
  sleep "$every"
done
wait $pid; rc=$?
echo "RESULT mode=$mode rc=$rc peak=${peak}MB first_rate=${first_rate:-?}MB/s last_rate=${last_rate:-?}MB/s first_per_cpu_s=${first_cpu:-?}MB last_per_cpu_s=${last_cpu:-?}MB read=$(( prev_b / 1000000 ))MB cpu=${prev_c}s stopped=$stop"
head -c 600 "$err"; rm -f "$err"
