#!/usr/bin/env bash
# Measures Edge's control loop against the physical limit of this machine: Debian's cyclictest (rt-tests), run at the
# same period, with the same real-time settings (SCHED_FIFO 80, mlockall, /dev/cpu_dma_latency = 0, unpinned), on the
# same machine, in the same run, one after the other (alternating order over --rounds). Prints our wake-up lateness
# p99 / max as a ratio of cyclictest's, and our overruns next to cyclictest's wake-ups later than one period.
#
#   tests/Edge.Benchmarks/loop-vs-cyclictest.sh [--stress] [--period-ms 1] [--cycles 100000] [--rounds 1]
#                                               [--out DIR] [--edge PATH] [-- extra 'edge bench loop' options]
#
#   --stress     adds stress-ng CPU load on every core (one worker per online CPU) for the whole measurement
#   --edge PATH  the edge executable to use (default: builds src/Edge in Release and uses that)
#   --out DIR    where the raw results go (default: a new temporary directory); summary.json is written there
#
# Needs root (or CAP_SYS_NICE + unlimited memlock + write access to /dev/cpu_dma_latency) for both programs to get
# their real-time settings; cyclictest itself refuses to run without them. Goal (issue 3): edge p99 ≤ 1.5× cyclictest,
# and edge overruns ≤ cyclictest's late wake-ups (this VM stalls for milliseconds on its own; Edge must add none).
set -euo pipefail
cd "$(dirname "$0")/../.."

period_ms=1
cycles=100000
rounds=1
stress=false
out=""
edge=""
extra=()
while (($#)); do
  case "$1" in
    --stress) stress=true ;;
    --period-ms) period_ms="$2"; shift ;;
    --cycles) cycles="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --out) out="$2"; shift ;;
    --edge) edge="$2"; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "loop-vs-cyclictest.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in cyclictest /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "loop-vs-cyclictest.sh: $tool is missing (apt-get install rt-tests python3)" >&2; exit 1; }
done
if $stress; then
  command -v stress-ng >/dev/null || { echo "loop-vs-cyclictest.sh: stress-ng is missing (apt-get install stress-ng)" >&2; exit 1; }
fi

period_us=$(/usr/bin/python3 -c "import sys; v=float(sys.argv[1])*1000; assert v>=100 and v==int(v), 'period must be a whole number of µs >= 100'; print(int(v))" "$period_ms")
[ -n "$out" ] || out=$(mktemp -d -t edge-loop-vs-cyclictest.XXXXXX)
mkdir -p "$out"

if [ -z "$edge" ]; then
  echo "== building edge (Release)"
  dotnet build src/Edge -c Release -nologo -clp:ErrorsOnly >/dev/null
  edge=src/Edge/bin/Release/net10.0/edge
fi

stress_pid=""
cleanup() { if [ -n "$stress_pid" ]; then kill "$stress_pid" 2>/dev/null || true; wait "$stress_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM
if $stress; then
  echo "== starting stress-ng --cpu 0 (one CPU hog per online core)"
  stress-ng --cpu 0 --cpu-method all --quiet &
  stress_pid=$!
  sleep 2
fi

run_cyclictest() {
  local r=$1
  echo "== round $r: cyclictest -m -p 80 -i $period_us -l $cycles -q -h 100000"
  # -h 100000: 1 µs buckets up to 100 ms, so VM stalls land in the histogram; longer ones count as overflows.
  cyclictest -m -p 80 -i "$period_us" -l "$cycles" -q -h 100000 --json="$out/cyclictest-$r.json" >"$out/cyclictest-$r.txt"
}

run_edge() {
  local r=$1
  echo "== round $r: edge bench loop --period-ms $period_ms --cycles $cycles ${extra[*]:-}"
  "$edge" bench loop --period-ms "$period_ms" --cycles "$cycles" --json "$out/edge-$r.json" "${extra[@]}" >"$out/edge-$r.txt" 2>"$out/edge-$r.err"
}

for ((r = 1; r <= rounds; r++)); do
  # Alternate the order so that a slow drift of the machine's load does not always favour the same side.
  if ((r % 2)); then run_cyclictest "$r"; run_edge "$r"; else run_edge "$r"; run_cyclictest "$r"; fi
done

/usr/bin/python3 - "$out" "$rounds" "$period_us" "$stress" <<'PY'
import json, math, sys

out, rounds, period_us, stress = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "true"

def percentile(hist, total, q):
    # Same definition as Edge's histogram: the smallest value v with at least ceil(q * total) samples <= v.
    rank = max(1, math.ceil(q * total))
    seen = 0
    for us in sorted(hist):
        seen += hist[us]
        if seen >= rank:
            return float(us)
    return math.inf  # in the overflow (beyond the histogram)

rows = []
for r in range(1, rounds + 1):
    ct = json.load(open(f"{out}/cyclictest-{r}.json"))["thread"]["0"]
    hist = {int(k): int(v) for k, v in ct["histogram"].items()}
    total = int(ct["cycles"])
    overflow = total - sum(hist.values())
    ct_row = {
        "p50": percentile(hist, total, 0.50), "p99": percentile(hist, total, 0.99),
        "p999": percentile(hist, total, 0.999), "max": float(ct["max"]),
        "late": sum(c for us, c in hist.items() if us >= period_us) + overflow, "cycles": total,
        "at_least_us": {str(t): sum(c for us, c in hist.items() if us >= t) + overflow
                        for t in (period_us // 2, period_us * 9 // 10, period_us, period_us * 2)},
    }
    ed = json.load(open(f"{out}/edge-{r}.json"))
    ed_row = dict(ed["lateness_us"], late=ed["late_wakeups"], overruns=ed["overruns"], cycles=ed["cycles"],
                  alloc=ed["allocated_bytes_per_cycle"], gc_pause_ms=ed["gc_pause_ms"], s2s=ed["sensor_to_setpoint_us"],
                  at_least_us=ed.get("wakeups_at_least_us", {}))
    rows.append((ct_row, ed_row))

print()
print(f"period {period_us} µs, {'WITH stress-ng on every core' if stress else 'no extra load'}; wake-up lateness in µs")
print(f"{'round':<6}{'who':<12}{'p50':>9}{'p99':>9}{'p99.9':>10}{'max':>10}{'late≥1P':>9}{'overruns':>10}")
for i, (c, e) in enumerate(rows, 1):
    print(f"{i:<6}{'cyclictest':<12}{c['p50']:>9.1f}{c['p99']:>9.1f}{c['p999']:>10.1f}{c['max']:>10.1f}{c['late']:>9}{'':>10}")
    print(f"{'':<6}{'edge':<12}{e['p50']:>9.1f}{e['p99']:>9.1f}{e['p999']:>10.1f}{e['max']:>10.1f}{e['late']:>9}{e['overruns']:>10}")

def ratio(a, b):
    return a / b if b > 0 else math.inf

summary = []
for i, (c, e) in enumerate(rows, 1):
    s = {
        "round": i, "period_us": period_us, "stress": stress,
        "cyclictest": c, "edge": e,
        "ratio_p50": ratio(e["p50"], c["p50"]), "ratio_p99": ratio(e["p99"], c["p99"]), "ratio_max": ratio(e["max"], c["max"]),
        "edge_overruns": e["overruns"], "cyclictest_late_wakeups": c["late"],
    }
    s["p99_goal_met"] = s["ratio_p99"] <= 1.5
    s["overrun_goal_met"] = e["overruns"] <= c["late"]
    summary.append(s)
    print()
    print(f"round {i}: edge/cyclictest  p50 {s['ratio_p50']:.2f}×  p99 {s['ratio_p99']:.2f}× (goal ≤ 1.5×: {'met' if s['p99_goal_met'] else 'MISSED'})  max {s['ratio_max']:.2f}×")
    print(f"         overruns: edge {e['overruns']} vs cyclictest wake-ups ≥ 1 period late {c['late']} "
          f"({'met' if s['overrun_goal_met'] else 'MISSED'}: edge adds no misses of its own)")
    thresholds = "  ".join(f"≥{t} µs: {e['at_least_us'].get(t, '?')} vs {c['at_least_us'][t]}" for t in c["at_least_us"])
    print(f"         late wake-ups edge vs cyclictest by threshold: {thresholds}")
    print(f"         edge: {e['alloc']} bytes allocated per cycle, GC pause {e['gc_pause_ms']} ms, "
          f"sample→setpoint p50/p99/max {e['s2s']['p50']}/{e['s2s']['p99']}/{e['s2s']['max']} µs")

json.dump(summary, open(f"{out}/summary.json", "w"), indent=2)
print()
print(f"raw results and summary.json in {out}")
PY
