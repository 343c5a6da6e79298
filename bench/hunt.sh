#!/usr/bin/env bash
# bench/hunt.sh: the speed bar of shared/spec/hunt.md, measured.
#
#   bench/hunt.sh                         # 1,000,000 UAL records + 200,000 sign-ins
#   UAL=100000 SIGNINS=20000 bench/hunt.sh   # a tenth, quicker
#
# 1. generates the input with bench/huntgen into $DIR (default
#    /tmp/tenantgate-hunt-bench; kept between runs for the same sizes),
# 2. builds tenantgate, runs `tenantgate hunt` over the portal sign-in CSVs
#    and the Search-UnifiedAuditLog CSV under GNU time (/usr/bin/time -v;
#    Debian: apt-get install -y time),
# 3. prints input size, wall time, peak RSS and the exit code (1 expected:
#    the embedded incident makes Johanna compromised), and the per-line cost
#    beside the PowerShell analyzers' (UAL-Analyzer.ps1: 15 lines/s).
#
# Environment: UAL, SIGNINS (record counts), DIR (input directory), INPUT
# (csv | graph: sign-ins as portal CSV or Graph beta JSON pages), EXTRA (more
# hunt flags).
set -euo pipefail
cd "$(dirname "$0")/.."
UAL=${UAL:-1000000}
SIGNINS=${SIGNINS:-200000}
DIR=${DIR:-/tmp/tenantgate-hunt-bench}/${UAL}-${SIGNINS}
INPUT=${INPUT:-csv}
EXTRA=${EXTRA:-}
[ -x /usr/bin/time ] || { echo "bench/hunt.sh: needs GNU time at /usr/bin/time (apt-get install -y time)" >&2; exit 2; }

if [ ! -s "$DIR/UAL.csv" ]; then
  rm -rf "$DIR"
  echo "== generating $UAL UAL records + $SIGNINS sign-ins into $DIR" >&2
  go run ./bench/huntgen -out "$DIR" -ual "$UAL" -signins "$SIGNINS"
fi
go build -o bin/tenantgate ./cmd/tenantgate
if ! bin/tenantgate hunt --help >/dev/null 2>&1; then
  echo "bench/hunt.sh: this tenantgate has no hunt command yet" >&2
  exit 2
fi
case $INPUT in
  csv)   inputs=("$DIR/InteractiveSignIns.csv" "$DIR/NonInteractiveSignIns.csv" "$DIR/UAL.csv") ;;
  graph) inputs=("$DIR/graph" "$DIR/UAL.csv") ;;
  *) echo "INPUT must be csv or graph" >&2; exit 2 ;;
esac
bytes=$(du -cb "${inputs[@]}" | tail -1 | cut -f1)
lines=$(cat "$DIR/InteractiveSignIns.csv" "$DIR/NonInteractiveSignIns.csv" "$DIR/UAL.csv" | wc -l)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set +e
# shellcheck disable=SC2086
/usr/bin/time -v -o "$out/time" bin/tenantgate hunt "${inputs[@]}" --format json --output "$out/result.json" $EXTRA 2>"$out/stderr"
code=$?
set -e
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/time")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time")
cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u+s}' "$out/time")
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
# CPU seconds beside wall time: on a shared machine (load average printed)
# the wall time says more about the neighbours than about hunt.
echo "| input | size | lines | wall | CPU s | load | peak RSS | exit | lines/s (wall) | PowerShell analyzer at 15 lines/s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -v i="$INPUT" -v b="$bytes" -v l="$lines" -v w="$wall" -v s="$secs" -v cpu="$cpu" -v ld="$load" -v r="$rss" -v c="$code" 'BEGIN {
  ps = l / 15; printf "| %s | %.2f GB | %d | %s | %s | %s | %.0f MB | %d | %.0f | %.1f h |\n", i, b/1e9, l, w, cpu, ld, r/1024, c, (s > 0 ? l/s : 0), ps/3600 }'
if [ "$code" -ne 1 ]; then
  echo "bench/hunt.sh: exit $code, expected 1 (Johanna compromised); stderr:" >&2
  tail -5 "$out/stderr" >&2
fi
