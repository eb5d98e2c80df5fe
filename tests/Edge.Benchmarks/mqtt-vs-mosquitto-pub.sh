#!/usr/bin/env bash
# Edge's MQTT client against mosquitto_pub (the C client from mosquitto-clients), same run, same broker.
#
#   tests/Edge.Benchmarks/mqtt-vs-mosquitto-pub.sh            # N=50000 INFLIGHT=20 ROUNDS=5
#   N=20000 ROUNDS=1 tests/Edge.Benchmarks/mqtt-vs-mosquitto-pub.sh
#
# Starts its own mosquitto on a free loopback port (never a system service). For QoS 0 and 1, ROUNDS times each,
# alternating: `edge bench mqtt` publishes N messages of the state topic's size with an inflight window of INFLIGHT
# and a subscriber in the same process, counting until the last PUBACK (QoS 1) / last byte written (QoS 0);
# `mosquitto_pub -l -M INFLIGHT` publishes the same N lines of the same payload while `mosquitto_sub` consumes them,
# timed from process start to exit (it exits once everything was sent and, at QoS 1, acknowledged; its start-up and
# connect, a few ms, are included). N must stay ≤ 65535: mosquitto_pub 2.0.11 -l disconnects when the PUBACK for the
# message id of its last line arrives, and message ids wrap at 65535, so beyond that it quits early, short of N (the
# script checks what mosquitto_sub received and says so). Prints medians and our throughput as a ratio of
# mosquitto_pub's (goal ≥ 1.0× at QoS 1), then subscriber latency percentiles of a paced run (RATE msg/s, no queueing)
# and of the flood itself. JSON summary: $OUT (default: the temp dir).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-50000}
INFLIGHT=${INFLIGHT:-20}
ROUNDS=${ROUNDS:-5}
RATE=${RATE:-1000}
PACED_N=${PACED_N:-5000}
PY=/usr/bin/python3

if ((N > 65535)); then
  echo "$0: N=$N: mosquitto_pub -l stops early beyond 65535 messages (message ids wrap); use N ≤ 65535" >&2
  exit 2
fi

for tool in mosquitto mosquitto_pub mosquitto_sub; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing (apt-get install mosquitto mosquitto-clients)" >&2; exit 1; }
done

work=$(mktemp -d)
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_inflight_messages 0
set_tcp_nodelay true
CONF
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

echo "building edge (Release)…" >&2
dotnet build src/Edge -c Release -nologo -clp:ErrorsOnly >&2
edge=(dotnet src/Edge/bin/Release/net10.0/edge.dll)

"${edge[@]}" bench mqtt --host 127.0.0.1 --port "$port" --count 1 --qos 0 --payload-file "$work/payload.txt" >/dev/null 2>&1
size=$(($(wc -c < "$work/payload.txt") - 1))
$PY - "$work/payload.txt" "$N" "$work/lines.txt" <<'PYCODE'
import sys
line = open(sys.argv[1], "rb").read()
with open(sys.argv[3], "wb") as f:
    f.write(line * int(sys.argv[2]))
PYCODE
echo "broker 127.0.0.1:$port, N=$N messages of $size bytes, inflight $INFLIGHT, $ROUNDS rounds" >&2

mosq_run() { # qos → messages/s (only when the subscriber got all N at QoS 1)
  local qos=$1 topic="bench/mosquitto/q$1"
  mosquitto_sub -h 127.0.0.1 -p "$port" -t "$topic" -q "$qos" -C "$N" > "$work/sub.txt" &
  local sub=$!
  sleep 0.5 # let the subscription land (a benchmark script, not a test)
  local t0 t1
  t0=$(date +%s%N)
  mosquitto_pub -h 127.0.0.1 -p "$port" -t "$topic" -q "$qos" -M "$INFLIGHT" -l < "$work/lines.txt"
  t1=$(date +%s%N)
  # QoS 0 may lose messages under overload; do not wait forever for the subscriber.
  for _ in $(seq 100); do kill -0 "$sub" 2>/dev/null || break; sleep 0.1; done
  kill "$sub" 2>/dev/null || true
  local got
  got=$(wc -l < "$work/sub.txt")
  if ((qos == 1 && got != N)); then
    echo "mosquitto_pub delivered $got of $N messages at QoS 1: run invalid" >&2
    exit 1
  fi
  echo "  mosquitto_sub received $got/$N" >&2
  $PY -c "print($N / (($t1 - $t0) / 1e9))"
}

edge_run() { # qos round → messages/s (JSON kept)
  local out="$work/edge-q$1-r$2.json"
  "${edge[@]}" bench mqtt --host 127.0.0.1 --port "$port" --count "$N" --qos "$1" --inflight "$INFLIGHT" --json "$out" >&2
  $PY -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['messages_per_s'])" "$out"
}

declare -A edge_rates mosq_rates
for round in $(seq "$ROUNDS"); do
  for qos in 0 1; do
    e=$(edge_run "$qos" "$round")
    m=$(mosq_run "$qos")
    echo "round $round qos $qos: edge $e msg/s, mosquitto_pub $m msg/s" >&2
    edge_rates[$qos]+="$e "
    mosq_rates[$qos]+="$m "
  done
done

"${edge[@]}" bench mqtt --host 127.0.0.1 --port "$port" --count "$PACED_N" --qos 1 --inflight "$INFLIGHT" --rate "$RATE" --json "$work/edge-paced.json" >&2

OUT=${OUT:-$work/summary.json}
$PY - "$work" "$ROUNDS" "$N" "$size" "$INFLIGHT" "$RATE" "$OUT" "${edge_rates[0]}" "${mosq_rates[0]}" "${edge_rates[1]}" "${mosq_rates[1]}" <<'PYCODE'
import json, statistics, sys
work, rounds, n, size, inflight, rate, out = sys.argv[1:8]
e0, m0, e1, m1 = ([float(x) for x in a.split()] for a in sys.argv[8:12])
def med(xs): return statistics.median(xs)
flood = json.load(open(f"{work}/edge-q1-r{rounds}.json"))["results"][0]["latency_us"]
paced = json.load(open(f"{work}/edge-paced.json"))["results"][0]["latency_us"]
summary = {
    "n": int(n), "payload_bytes": int(size), "inflight": int(inflight), "rounds": int(rounds),
    "qos0": {"edge_msg_per_s": med(e0), "mosquitto_pub_msg_per_s": med(m0), "ratio": med(e0) / med(m0)},
    "qos1": {"edge_msg_per_s": med(e1), "mosquitto_pub_msg_per_s": med(m1), "ratio": med(e1) / med(m1)},
    "edge_latency_us_qos1_paced": dict(paced, rate_hz=float(rate)),
    "edge_latency_us_qos1_flood": flood,
}
json.dump(summary, open(out, "w"), indent=2)
print(f"{'':6} {'edge msg/s':>12} {'mosquitto_pub msg/s':>20} {'ratio':>7}")
for q in ("qos0", "qos1"):
    s = summary[q]
    print(f"{q:6} {s['edge_msg_per_s']:12.0f} {s['mosquitto_pub_msg_per_s']:20.0f} {s['ratio']:6.2f}x")
print(f"edge QoS 1 end-to-end latency, paced at {float(rate):.0f} msg/s: p50 {paced['p50']} µs, p99 {paced['p99']} µs, max {paced['max']} µs")
print(f"edge QoS 1 end-to-end latency, flood (queueing included): p50 {flood['p50']} µs, p99 {flood['p99']} µs")
print(f"summary: {out}")
PYCODE
