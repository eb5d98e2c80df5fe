#!/usr/bin/env bash
# Soak (issue 11): the daemon on the simulated rig at a 1 ms period under stress-ng, for --minutes M (default 10),
# with a private mosquitto and an independent subscriber (mosquitto_sub). Not part of CI (tests/run.sh does not call
# it). Prints and writes soak-report.json (path printed): overruns, lateness percentiles (of the 100 ms state windows'
# maxima), compute maximum, RSS at 30 s and at the end (growth), state messages lost (seq contiguity), outbox drops.
#   tests/soak.sh --minutes 10 [--stress "--cpu 1 --vm 1 --vm-bytes 128M"] [--out DIR]
set -euo pipefail
minutes=10
stress="--cpu 1 --vm 1 --vm-bytes 128M --io 1"
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --stress) stress="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n 2,6p "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument '$1' (--minutes M, --stress ARGS, --out DIR)" >&2; exit 2 ;;
  esac
done
[[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak.sh: --minutes must be a number" >&2; exit 2; }
for tool in mosquitto mosquitto_sub stress-ng python3; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || { echo "soak.sh: $tool is missing (apt-get install mosquitto mosquitto-clients stress-ng python3)" >&2; exit 2; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/edge-soak.XXXXXX)"
out="${out:-$work}"
mkdir -p "$out"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "soak: building edge (Release) …"
dotnet build "$root/src/Edge" -c Release -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
edge=("$root/src/Edge/bin/Release/net10.0/edge")
[[ -x "${edge[0]}" ]] || edge=(dotnet "$root/src/Edge/bin/Release/net10.0/edge.dll")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'edge/soak/edge1/state' >"$work/state.jsonl" 2>"$work/sub.log" & pids+=($!)
seconds=$(python3 -c "print(int(float('$minutes')*60))")
echo "soak: stress-ng $stress for ${seconds} s; edge at 1 ms; broker on port $port; files in $work; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
stress-ng $stress --timeout "$((seconds + 30))s" >"$work/stress.log" 2>&1 & pids+=($!)
"${edge[@]}" run --rig sim --duration "${seconds}s" Loop:PeriodMs=1 Edge:LiveView=off Edge:Site=soak Edge:Node=edge1 \
  "Edge:StateDirectory=$work/state" Mqtt:Host=127.0.0.1 "Mqtt:Port=$port" Loop:FaultAfterConsecutiveMisses=100000 \
  >"$work/edge.log" 2>&1 & edge_pid=$!
pids+=("$edge_pid")

: >"$work/rss.tsv"
start=$(date +%s)
next_note=0
while kill -0 "$edge_pid" 2>/dev/null; do
  now=$(($(date +%s) - start))
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$edge_pid/status" 2>/dev/null || true)
  [[ -n "$rss" ]] && printf '%s\t%s\n' "$now" "$rss" >>"$work/rss.tsv"
  if (( now >= next_note )); then
    echo "soak: ${now}/${seconds} s, RSS ${rss:-?} kB, $(wc -l <"$work/state.jsonl") state messages"
    next_note=$((next_note + 60))
  fi
  sleep 5
done
wait "$edge_pid" || { echo "soak: edge exited with $? (log: $work/edge.log)"; }
sleep 1

python3 - "$work" "$out/soak-report.json" "$minutes" "$stress" <<'PY'
import json, sys
work, report, minutes, stress = sys.argv[1:5]
states = [json.loads(l) for l in open(f"{work}/state.jsonl") if l.startswith("{")]
rss = [tuple(map(int, l.split())) for l in open(f"{work}/rss.tsv") if l.strip()]
lost = gaps = disorder = 0
for a, b in zip(states, states[1:]):
    first = b["seq"] - b["loop"]["cycles"] + 1
    if b["seq"] <= a["seq"]: disorder += 1
    elif first != a["seq"] + 1: gaps += 1; lost += first - a["seq"] - 1
late = sorted(s["loop"]["lateness_us"]["max"] for s in states if s["loop"]["lateness_us"]["max"] is not None)
def pct(p): return late[min(len(late) - 1, int(p / 100 * len(late)))] if late else None
rss30 = next((kb for t, kb in rss if t >= 30), rss[0][1] if rss else None)
r = {
    "minutes": float(minutes), "period_ms": 1, "stress": stress, "state_messages": len(states),
    "cycles": (states[-1]["seq"] - states[0]["seq"]) if states else 0,
    "overruns": (states[-1]["loop"]["overruns"] - states[0]["loop"]["overruns"]) if states else None,
    "lateness_window_max_us": {"p50": pct(50), "p99": pct(99), "p99.9": pct(99.9), "max": late[-1] if late else None},
    "compute_max_us": max((s["loop"]["compute_us"]["max"] or 0) for s in states) if states else None,
    "rss_kb_at_30s": rss30, "rss_kb_end": rss[-1][1] if rss else None,
    "rss_growth_kb": (rss[-1][1] - rss30) if rss and rss30 else None,
    "state_cycles_missing": lost, "state_gaps": gaps, "state_out_of_order": disorder,
    "outbox_drops": states[-1]["dropped"]["outbox"] if states else None,
    "handoff_drops": states[-1]["dropped"]["handoff"] if states else None,
    "loadavg_at_end": open("/proc/loadavg").read().split()[:3],
}
json.dump(r, open(report, "w"), indent=2)
print(json.dumps(r, indent=2))
print(f"soak report: {report}")
PY
