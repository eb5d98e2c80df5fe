#!/usr/bin/env bash
# Runs every command example of every README (every line that starts with `mosquitto_rr ` in a Markdown file of the
# repository) against a running sim daemon, exactly as written except where it reaches the broker: `-h HOST` becomes
# this run's loopback broker and port, `-p N` and `--cafile F` (the TLS listener) go. Each must print a reply with
# "ok":true. Examples without a password (`-P`) run against an anonymous mosquitto (as deploy/run-sim.sh gives); examples with
# `-u alice -P "$ALICE_PASSWORD"` against the shipped deploy/mosquitto configuration with accounts made by its setup.sh.
#
#   tests/readme-examples.sh            (needs a built src/Edge: dotnet build src/Edge -c Release)
#   EDGE=/path/to/edge tests/readme-examples.sh
#
# Exit 0 when every example answered ok, 1 otherwise (each failure printed with its output). Needs mosquitto,
# mosquitto-clients, python3; under CI=true a missing one fails the run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
edge=${EDGE:-$repo/src/Edge/bin/Release/net10.0/edge}
for tool in mosquitto mosquitto_rr mosquitto_passwd python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "readme-examples: $tool is missing (apt-get install mosquitto mosquitto-clients python3)" >&2
        exit 1
    fi
done
[ -x "$edge" ] || { echo "readme-examples: $edge is not built (dotnet build src/Edge -c Release)" >&2; exit 1; }

work=$(mktemp -d /tmp/edge-readme-examples.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Every example, with the file it came from.
mapfile -t examples < <(cd "$repo" && git ls-files '*.md' | while read -r f; do
    grep -h '^mosquitto_rr ' "$f" | sed "s|^|$f\t|" || true
done)
[ "${#examples[@]}" -gt 0 ] || { echo "readme-examples: no mosquitto_rr example found" >&2; exit 1; }
echo "readme-examples: ${#examples[@]} examples"

start_broker() { # CONF -> sets broker_pid; waits for "running"
    mosquitto -c "$1" >"$1.log" 2>&1 &
    broker_pid=$!
    pids+=("$broker_pid")
    disown "$broker_pid"
    for _ in $(seq 1 150); do
        grep -q ' running' "$1.log" && return 0
        sleep 0.1
    done
    echo "readme-examples: mosquitto did not start:" >&2; cat "$1.log" >&2; exit 1
}

start_edge() { # STATE_DIR PORT [extra settings…] -> sets edge_pid; waits until Edge answers a command
    local state=$1 port=$2; shift 2
    "$edge" run --rig sim "Edge:StateDirectory=$state" Edge:LiveView=off Mqtt:Host=127.0.0.1 "Mqtt:Port=$port" "$@" \
        >"$state.log" 2>&1 &
    edge_pid=$!
    pids+=("$edge_pid")
    disown "$edge_pid"
}

wait_ready() { # RR-ARGS… : a harmless mode auto command until one is answered (the subscription is in place)
    for _ in $(seq 1 30); do
        local id; id=$(cat /proc/sys/kernel/random/uuid)
        if mosquitto_rr "$@" -W 2 -m "{\"id\":\"$id\",\"expires_at\":\"$(date -u -d '+60 sec' +%FT%TZ)\",\"mode\":\"auto\"}" 2>/dev/null | grep -q "\"$id\""; then
            return 0
        fi
        kill -0 "$edge_pid" 2>/dev/null || { echo "readme-examples: edge exited:" >&2; tail -30 "$state_log" >&2; exit 1; }
    done
    echo "readme-examples: Edge never answered:" >&2; tail -30 "$state_log" >&2; exit 1
}

failed=0
run_examples() { # PORT CREDENTIALED(0|1)
    local port=$1 want=$2 entry file line cmd out
    for entry in "${examples[@]}"; do
        file=${entry%%$'\t'*}
        line=${entry#*$'\t'}
        if [[ "$line" == *" -P "* ]]; then [ "$want" = 1 ] || continue; else [ "$want" = 0 ] || continue; fi
        cmd=$(printf '%s' "$line" | sed -E 's/ -p [0-9]+//; s/ --cafile [^ ]+//; s/ -h [^ ]+/ -h 127.0.0.1 -p '"$port"'/')
        sleep 0.6 # pacing, not synchronisation: an operator may send 2 commands/s (Mqtt:Commands:RatePerS, burst 5)
        if out=$(timeout 30 bash -c "$cmd" 2>&1) && [[ "$out" == *'"ok":true'* ]]; then
            echo "ok   $file: ${out}"
        else
            echo "FAIL $file: $line" >&2
            echo "     ran: $cmd" >&2
            echo "     got: $out" >&2
            failed=$((failed + 1))
        fi
    done
}

# 1. Anonymous broker, as deploy/run-sim.sh gives.
port=$(free_port)
cat >"$work/anon.conf" <<CONF
user $(id -un)
listener $port 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
CONF
start_broker "$work/anon.conf"
state_log="$work/anon-state.log"
start_edge "$work/anon-state" "$port"
wait_ready -h 127.0.0.1 -p "$port" -t edge/site1/edge1/cmd/readme/mode -e edge/site1/edge1/reply/readme/mode
run_examples "$port" 0
kill -9 "$edge_pid" "$broker_pid" 2>/dev/null || true

# 2. The shipped configuration (its loopback listener; the TLS listener needs certificates) and setup.sh's accounts.
port=$(free_port)
mkdir -p "$work/broker/conf.d"
sh "$repo/deploy/mosquitto/setup.sh" --dir "$work/broker" --secrets "$work/broker/secrets" node site1 edge1 >/dev/null
sh "$repo/deploy/mosquitto/setup.sh" --dir "$work/broker" --secrets "$work/broker/secrets" operator alice >/dev/null
sed -e '/^listener 8883$/,$d' -e "s|/etc/mosquitto/|$work/broker/|g" -e "s|^listener 1883 127.0.0.1$|listener $port 127.0.0.1|" \
    "$repo/deploy/mosquitto/edge.conf" >"$work/broker/conf.d/edge.conf"
grep -q "^listener $port 127.0.0.1$" "$work/broker/conf.d/edge.conf" || { echo "readme-examples: edge.conf's loopback listener changed" >&2; exit 1; }
printf 'user %s\npersistence false\nlog_dest stderr\ninclude_dir %s\n' "$(id -un)" "$work/broker/conf.d" >"$work/secured.conf"
start_broker "$work/secured.conf"
state_log="$work/secured-state.log"
start_edge "$work/secured-state" "$port" Mqtt:Credentials:Username=edge-site1-edge1 \
    "Mqtt:Credentials:PasswordFile=$work/broker/secrets/edge-site1-edge1.password"
ALICE_PASSWORD=$(cat "$work/broker/secrets/alice.password")
export ALICE_PASSWORD
wait_ready -h 127.0.0.1 -p "$port" -u alice -P "$ALICE_PASSWORD" -t edge/site1/edge1/cmd/alice/mode -e edge/site1/edge1/reply/alice/mode
run_examples "$port" 1

if [ "$failed" -gt 0 ]; then
    echo "readme-examples: $failed of ${#examples[@]} examples failed" >&2
    exit 1
fi
echo "readme-examples: all ${#examples[@]} examples answered ok"
