#!/usr/bin/env bash
# bench/startup.sh: wall time of one short tenantgate process, start to exit
# (docs/performance.md, "Start-up"). Uses hyperfine (Debian: apt-get install
# -y hyperfine).
#
#   bench/startup.sh                 # the working tree
#   BASE=main bench/startup.sh       # the working tree against a git ref
#   RUNS=100 bench/startup.sh
#
# hyperfine's mean is skewed by whatever else runs on the machine; read the
# median and min too (exported to bench/results/startup.json), and the user +
# system CPU, which other load disturbs less.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-60}
OUT=bench/results
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/tenantgate" ./cmd/tenantgate
cmds=("$tmp/tenantgate audit --demo --format json" "$tmp/tenantgate controls" "$tmp/tenantgate version")
if [ -n "${BASE:-}" ]; then
  mkdir "$tmp/base"
  git archive "$BASE" | tar -x -C "$tmp/base"
  (cd "$tmp/base" && go build -o "$tmp/tenantgate-base" ./cmd/tenantgate)
  cmds=("$tmp/tenantgate-base audit --demo --format json" "${cmds[@]}")
fi
# -N: no shell in between; -i: audit --demo exits 1 (the demo fails controls).
hyperfine -N -i --warmup 5 --runs "$RUNS" --export-json "$OUT/startup.json" "${cmds[@]}"
if command -v jq >/dev/null 2>&1; then
  jq -r '.results[] | "\(.command | sub(".*/"; "")): median \(.median*1000 | floor) ms, min \(.min*1000 | floor) ms, user \(.user*1000 | floor) ms, system \(.system*1000 | floor) ms"' "$OUT/startup.json"
fi
