#!/usr/bin/env bash
# bench/run.sh: the benchmarks of docs/performance.md, printed as one
# markdown table (also written to bench/results/results.md).
#
#   bench/run.sh                 # everything, on a fresh clone
#   N=200 REPEAT=1 bench/run.sh  # quicker
#
# Requirements: Go (the version of go.mod; modules come from the module cache
# or the Go module proxy), GNU time at /usr/bin/time (Debian: apt-get install
# -y time), and coreutils/findutils/awk. About 3-4 minutes on 2 cores, most of
# it the 1,000 opa eval processes.
#
# Environment:
#   N         fleet size (default 1000)
#   REPEAT    timed runs of each throughput side; the median is reported (3)
#   PARALLEL  concurrency of BOTH sides: tenantgate --parallel and xargs -P
#             for the opa eval processes (default: nproc). Both sides get the
#             same cores; PARALLEL=1 compares them sequentially.
#
# What is measured:
#  1. evaluation: go test -bench 'Evaluate|Input|DecodeSnapshot' ./internal/engine/
#     (demo tenant; large tenant = 200 CA policies, 100 named locations).
#  2. throughput: N generated snapshots audited by ONE tenantgate process
#     (fleet mode, per-tenant JSON reports written) vs N separate
#     `opa eval -d <policies> -i <input> data.tenantgate.main` processes (the
#     peers' method), each input being exactly the document the engine gives
#     OPA (snapshot + input.baseline, written by bench/gen). Wall-time ratio.
#     A spot check first proves both sides reach the same verdicts.
#  3. collection: round trips and wall time for one tenant and for 50 tenants
#     against the Graph emulator (100 ms latency, throttling), from the
#     CollectDemo / CollectFleet benchmarks when they exist.
#  4. peak RSS of the N-snapshot fleet run (max over all its runs).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/results
N=${N:-1000}
REPEAT=${REPEAT:-3}
PARALLEL=${PARALLEL:-$(nproc)}
TIME=/usr/bin/time

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "go is not on PATH"
[ -x "$TIME" ] && "$TIME" -f %e true 2>/dev/null || die "GNU time is required at $TIME (Debian/Ubuntu: apt-get install -y time)"

mkdir -p "$OUT"
TG=$OUT/tenantgate
OPA=$OUT/opa
FLEET=$OUT/fleet
INPUTS=$OUT/opa-input
POL=$OUT/policies
REPORTS=$OUT/reports
BASELINE=$ROOT/internal/demo/baseline.yaml

# ---- build -------------------------------------------------------------------
log "building tenantgate and opa (github.com/open-policy-agent/opa from go.mod)"
go build -o "$TG" ./cmd/tenantgate
go mod download github.com/open-policy-agent/opa
go build -o "$OPA" github.com/open-policy-agent/opa
GO_VERSION=$(go env GOVERSION)
OPA_VERSION=$("$OPA" version | awk -F': ' '/^Version/ {print $2}')

# ---- inputs ------------------------------------------------------------------
log "generating $N fleet snapshots, their opa inputs, and the large tenant"
rm -rf "$FLEET" "$INPUTS" "$POL" "$REPORTS"
go run ./bench/gen -fleet "$N" -out "$FLEET" -opa-inputs "$INPUTS" -baseline "$BASELINE" -large "$OUT/large.json"

# The policies opa eval loads: every .rego of policies/ except the tests.
(cd policies && find . -name '*.rego' ! -name '*_test.rego' -print) | while IFS= read -r f; do
	mkdir -p "$POL/$(dirname "$f")"
	cp "policies/$f" "$POL/$f"
done
[ -n "$(find "$POL" -name '*.rego')" ] || die "no policies copied"

# ---- 1. evaluation -------------------------------------------------------------
log "engine benchmarks"
go test -run '^$' -bench 'Evaluate|Input|DecodeSnapshot' -benchmem ./internal/engine/ | tee "$OUT/engine-bench.txt" >&2
# bench_field NAME UNIT: the value before UNIT on NAME's line (NAME-<procs>).
bench_field() {
	awk -v n="$1" -v u="$2" '$1 ~ "^"n"(-[0-9]+)?$" { for (i = 2; i <= NF; i++) if ($i == u) { print $(i-1); exit } }' "$3"
}
ms() { awk -v v="$1" 'BEGIN { if (v == "") print "n/a"; else printf "%.2f ms", v / 1e6 }'; }
num() { [ -n "$1" ] && printf '%s' "$1" || printf 'n/a'; }
EB=$OUT/engine-bench.txt

# ---- 2 + 4. throughput and peak RSS ----------------------------------------------
# tg_fleet [reports|summary]: one fleet audit of every snapshot; with
# "reports" (the default) each tenant's JSON report is written as well.
tg_fleet() {
	local code=0 extra=()
	rm -rf "$REPORTS"
	[ "${1:-reports}" = reports ] && extra=(--report-dir "$REPORTS" --report-format json)
	"$TIME" -f '%e %M' -o "$OUT/tg-time.txt" \
		"$TG" audit --snapshot "$FLEET/" --baseline "$BASELINE" \
		--format json --output "$OUT/fleet-summary.json" "${extra[@]}" \
		--parallel "$PARALLEL" --fail-on never || code=$?
	# 0 passed, 1 gate failed, 3 incomplete (the denied-source tenants): all
	# mean every tenant was audited. 2 or 4 mean one could not be.
	case $code in 0 | 1 | 3) ;; *) die "tenantgate fleet audit exited $code" ;; esac
}

opa_fleet() { # [processes at once, default $PARALLEL]
	"$TIME" -f '%e' -o "$OUT/opa-time.txt" sh -c \
		'find "$1" -name "tenant-*.json" -print0 | xargs -0 -P "$2" -I{} "$3" eval -d "$4" -i {} data.tenantgate.main >/dev/null' \
		_ "$INPUTS" "${1:-$PARALLEL}" "$OPA" "$POL"
}

log "spot check: opa eval and tenantgate agree"
tg_fleet
for i in 0000 0001 0024; do
	f=$INPUTS/tenant-$i.json
	[ -f "$f" ] || continue
	"$OPA" eval -d "$POL" -i "$f" data.tenantgate.main >"$OUT/opa-check.json"
	go run ./bench/gen -verify "$OUT/opa-check.json" -report "$REPORTS/tenant-$i.json" >&2
done

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
tg_times=() tgs_times=() opa_times=() rss=()
for r in $(seq 1 "$REPEAT"); do
	log "run $r/$REPEAT: tenantgate fleet audit of $N snapshots (--parallel $PARALLEL)"
	tg_fleet
	# GNU time prepends "Command exited with non-zero status N" when N != 0.
	read -r t m < <(tail -n 1 "$OUT/tg-time.txt")
	tg_times+=("$t") rss+=("$m")
	log "  ${t}s, peak RSS ${m} KB"
	tg_fleet summary
	read -r t m < <(tail -n 1 "$OUT/tg-time.txt")
	tgs_times+=("$t") rss+=("$m")
	log "  summary only: ${t}s, peak RSS ${m} KB"
	log "run $r/$REPEAT: $N opa eval processes (xargs -P $PARALLEL)"
	opa_fleet
	read -r t < <(tail -n 1 "$OUT/opa-time.txt")
	opa_times+=("$t")
	log "  ${t}s"
done
# The peers' own method: one opa process after another (ScubaGear runs
# opa eval per product in sequence). Measured once: it takes minutes.
log "$N opa eval processes one after another (the peers' method)"
opa_fleet 1
read -r OPA_SEQ_S < <(tail -n 1 "$OUT/opa-time.txt")
log "  ${OPA_SEQ_S}s"
TG_S=$(printf '%s\n' "${tg_times[@]}" | median)
TGS_S=$(printf '%s\n' "${tgs_times[@]}" | median)
OPA_S=$(printf '%s\n' "${opa_times[@]}" | median)
RSS_KB=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
RATIO=$(awk -v a="$OPA_S" -v b="$TG_S" 'BEGIN { printf "%.1f", a / b }')
RATIO_S=$(awk -v a="$OPA_S" -v b="$TGS_S" 'BEGIN { printf "%.1f", a / b }')
RATIO_SEQ=$(awk -v a="$OPA_SEQ_S" -v b="$TG_S" 'BEGIN { printf "%.1f", a / b }')
RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.0f", k / 1024 }')

# ---- 3. collection -------------------------------------------------------------
log "collection benchmarks"
go test -run '^$' -bench 'CollectDemo|CollectFleet' -benchtime 3x ./internal/collect/ ./cmd/tenantgate/ 2>&1 | tee "$OUT/collect-bench.txt" >&2 || true
CB=$OUT/collect-bench.txt
coll_row() { # label benchmark
	local ns rt
	ns=$(bench_field "$2" ns/op "$CB")
	rt=$(bench_field "$2" roundtrips/op "$CB")
	if [ -z "$ns" ]; then
		printf '| %s | n/a (Benchmark%s not found) | |\n' "$1" "${2#Benchmark}"
	else
		printf '| %s | %s round trips, %s s wall | %s |\n' "$1" "$(num "$rt")" "$(awk -v v="$ns" 'BEGIN { printf "%.2f", v / 1e9 }')" "$2"
	fi
}

# ---- table -----------------------------------------------------------------------
verdict() { awk -v r="$1" -v m="$RSS_MB" 'BEGIN { print ((r + 0 >= 20 && m + 0 > 0 && m + 0 < 200) ? "met" : "NOT met") }'; }
{
	echo "## tenantgate benchmarks"
	echo
	echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM; $GO_VERSION; OPA $OPA_VERSION; $(date -u +%Y-%m-%d)"
	echo
	echo "| Measure | Result | Source |"
	echo "|---|---|---|"
	for t in Demo Large; do
		n=BenchmarkEvaluate$t
		echo "| evaluation, $(echo $t | tr DL dl) tenant | $(ms "$(bench_field $n ns/op $EB)")/op, $(num "$(bench_field $n allocs/op $EB)") allocs/op, $(num "$(bench_field $n B/op $EB)") B/op | $n |"
	done
	for t in demo large; do
		echo "| input conversion, $t | $(ms "$(bench_field BenchmarkInput/$t ns/op $EB)")/op, $(num "$(bench_field BenchmarkInput/$t allocs/op $EB)") allocs/op | BenchmarkInput/$t |"
		echo "| snapshot decoding, $t | $(ms "$(bench_field BenchmarkDecodeSnapshot/$t ns/op $EB)")/op | BenchmarkDecodeSnapshot/$t |"
	done
	echo "| $N snapshots, one tenantgate process | ${TG_S} s (median of $REPEAT; --parallel $PARALLEL) | audit --snapshot DIR/ --report-dir (per-tenant JSON reports) |"
	echo "| same, summary only | ${TGS_S} s (median of $REPEAT) | audit --snapshot DIR/ (no --report-dir) |"
	echo "| $N \`opa eval\` processes | ${OPA_S} s (median of $REPEAT; xargs -P $PARALLEL) | opa eval -d policies -i input.json |"
	echo "| $N \`opa eval\` processes one after another (the peers' method) | ${OPA_SEQ_S} s (one run) | same, xargs -P 1 |"
	echo "| **throughput ratio, peers' method** | **${RATIO_SEQ}×** with per-tenant reports (target ≥ 20×) | sequential opa time / tenantgate time |"
	echo "| **throughput ratio, opa on all cores too** | **${RATIO}×** with per-tenant reports, ${RATIO_S}× summary only (target ≥ 20×) | parallel opa time / tenantgate time |"
	echo "| **peak RSS, $N-snapshot run** | **${RSS_MB} MB** (target < 200 MB) | /usr/bin/time %M, max of all runs |"
	coll_row "collection, 1 tenant (emulator)" BenchmarkCollectDemo
	coll_row "collection, 1 tenant (CLI path)" BenchmarkCollectFleet1
	coll_row "collection, 50 tenants" BenchmarkCollectFleet50
	echo
	echo "Acceptance (≥ 20× and < 200 MB) against the peers' method (sequential opa eval): $(verdict "$RATIO_SEQ")"
	echo "Acceptance (≥ 20× and < 200 MB) against opa eval spread over all cores: $(verdict "$RATIO")"
} | tee "$OUT/results.md"
