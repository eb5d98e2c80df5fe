#!/usr/bin/env bash
# Runs Edge on its embedded simulated rig (edge run --rig sim), with a local MQTT broker to watch it.
#
#   deploy/run-sim.sh [edge run options…]       e.g. deploy/run-sim.sh --duration 60s
#
# 1. Makes sure a broker answers on localhost:1883: starts Debian's mosquitto if it is installed (installs it with
#    apt-get first when run as root or with passwordless sudo); without one, Edge still runs and says so.
# 2. Prints the mosquitto_sub line that shows Edge's live state.
# 3. Runs: dotnet run --project src/Edge -c Release -- run --rig sim "$@"
set -euo pipefail
cd "$(dirname "$0")/.."

port="${EDGE_Mqtt__Port:-1883}"
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

if ! listening; then
  if ! command -v mosquitto >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(false); fi
    if [ "${sudo[0]:-}" != false ]; then
      echo "run-sim: installing mosquitto and mosquitto-clients (apt-get)…"
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto mosquitto-clients >/dev/null || true
    fi
  fi
  if command -v mosquitto >/dev/null 2>&1; then
    echo "run-sim: starting a local mosquitto on 127.0.0.1:$port"
    conf=$(mktemp)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" > "$conf"
    mosquitto -c "$conf" -d
    for _ in $(seq 50); do listening && break; sleep 0.1; done
  else
    echo "run-sim: no MQTT broker on localhost:$port and mosquitto is not installed: Edge runs without publishing."
  fi
fi

if listening; then
  echo "run-sim: watch Edge's state with:   mosquitto_sub -h localhost -p $port -t 'edge/#' -v"
fi
exec dotnet run --project src/Edge -c Release -- run --rig sim "$@"
