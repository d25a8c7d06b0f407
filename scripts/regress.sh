#!/usr/bin/env bash
# Nightly regression of the sample case (cron wrapper around `residency regress`).
# Keeps every run's JSON report as REGRESS_DIR/reports/report-<UTC time>.json and appends the diff and the
# exit code of each run to REGRESS_DIR/regress.log. Exits with regress's code: 0 no drift, 3 drift, 2 bad input.
#
#   REGRESS_DIR   where reports and the log go (default: regress-runs/ in the repository)
#   CLAIMS        claims file (default: captures/claims.yaml)
#   EXPECTED      expected-report folder (default: captures/expected)
#   RESIDENCY     command to run the CLI (default: node dist/bin/residency.cjs, built by `npm run build`)
#
# crontab (03:17 every night; cron mails the output when MAILTO is set):
#   17 3 * * * cd /path/to/residency && REGRESS_DIR=/var/lib/residency/regress scripts/regress.sh
set -u
cd "$(dirname "$0")/.."

REGRESS_DIR="${REGRESS_DIR:-regress-runs}"
CLAIMS="${CLAIMS:-captures/claims.yaml}"
EXPECTED="${EXPECTED:-captures/expected}"
RESIDENCY="${RESIDENCY:-node dist/bin/residency.cjs}"

stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$REGRESS_DIR/reports"
report="$REGRESS_DIR/reports/report-$stamp.json"
log="$REGRESS_DIR/regress.log"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

# shellcheck disable=SC2086  # RESIDENCY may hold a command and its arguments
$RESIDENCY regress "$CLAIMS" --expected "$EXPECTED" --save-report "$report" >"$out" 2>&1
code=$?

{
  echo "=== $stamp exit $code ($([ "$code" -eq 0 ] && echo 'no drift' || { [ "$code" -eq 3 ] && echo 'DRIFT' || echo 'error'; }))"
  echo "report: $report"
  cat "$out"
} >>"$log"
cat "$out"
exit "$code"
