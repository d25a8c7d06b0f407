#!/usr/bin/env bash
# Proves the README's quick start works as written: clones the committed tree into a fresh folder beside this one
# (so ../shared resolves the same way), then runs the first two commands of the README's opening code block.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d "$(dirname "$repo")/residency-fresh-clone.XXXXXX")
trap 'rm -rf "$dest"' EXIT
git clone --quiet "$repo" "$dest"
cd "$dest"
# The README opens with a fenced block holding exactly the two commands.
mapfile -t cmds < <(awk 'NR==1 && /^```/ {inblock=1; next} inblock && /^```/ {exit} inblock {print}' README.md)
if [ "${#cmds[@]}" -ne 2 ]; then
  echo "fresh-clone: README must open with a code block of exactly two commands (found ${#cmds[@]})" >&2
  exit 1
fi
for c in "${cmds[@]}"; do
  echo "fresh-clone: \$ $c"
  bash -c "$c"
done
test -s reports/demo/report.html || { echo "fresh-clone: the demo wrote no report" >&2; exit 1; }
echo "fresh-clone: quick start OK in $dest"
