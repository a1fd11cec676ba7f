#!/usr/bin/env bash
# The web app's download, against the budget of the visualizer issue: what a browser
# fetches before the app starts (wasm + JS + CSS in www/dist), raw and gzip -9.
# Usage: bash tests/tools/web-report.sh [DIST]   (after `trunk build --release`)
set -euo pipefail
dist=${1:-www/dist}
budget_kb=400
total_raw=0
total_gz=0
shopt -s nullglob
files=("$dist"/*.wasm "$dist"/*.js "$dist"/*.css "$dist"/index.html)
[ ${#files[@]} -gt 1 ] || { echo "no build in $dist: run make web first" >&2; exit 1; }
printf '%-52s %10s %10s\n' "file" "bytes" "gzip -9"
for f in "${files[@]}"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + gz))
    printf '%-52s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-52s %10d %10d\n' "initial download" "$total_raw" "$total_gz"
echo "budget: ${budget_kb} KB gzipped; now $((total_gz / 1000)) KB ($((total_gz * 100 / (budget_kb * 1000)))% of it)"
