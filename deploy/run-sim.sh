#!/usr/bin/env bash
# Runs Edge on its embedded simulated rig (edge run --rig sim). Needs only the .NET 10 SDK: no apt, no root, and no
# network beyond the NuGet restore of the first build.
#
#   deploy/run-sim.sh [edge run options…]       e.g. deploy/run-sim.sh --duration 60s
#
# 1. Builds Edge (Release) with visible progress. The first build on a fresh machine restores packages and compiles
#    every project: about 4–5 minutes on a 2-core machine. Later runs rebuild nothing and start in seconds.
# 2. Runs: edge run --rig sim "$@". MQTT: if a broker answers on localhost:1883 (or EDGE_Mqtt__Port / Mqtt:Port=…),
#    Edge publishes to it; if nothing accepts there within 2 s, Edge serves that port itself with its embedded broker
#    (Mqtt:EmbeddedBroker=auto) and logs the mosquitto_sub line to watch it with. The embedded broker lives inside the
#    edge process and stops with it: this script starts no other process and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
started=$SECONDS
echo "run-sim: building Edge (Release). The first build on a fresh machine restores NuGet packages and compiles every"
echo "run-sim: project — about 4–5 minutes on 2 cores; later runs take seconds."
if [ -t 1 ]; then
  # On a terminal, .NET's terminal logger draws live per-project progress with elapsed times.
  dotnet build src/Edge -c Release -nologo --tl:on -v:minimal
else
  # Redirected (CI, logs): one line per finished project, plus a heartbeat so a long first build is never silent.
  dotnet build src/Edge -c Release -nologo --tl:off -v:minimal -clp:NoSummary &
  build=$!
  while kill -0 "$build" 2>/dev/null; do
    sleep 1
    if (( (SECONDS - started) % 20 == 0 )) && kill -0 "$build" 2>/dev/null; then echo "run-sim: still building… $((SECONDS - started)) s"; fi
  done
  wait "$build"
fi
echo "run-sim: built in $((SECONDS - started)) s; starting: edge run --rig sim $*"

edge=src/Edge/bin/Release/net10.0/edge
if [ -x "$edge" ]; then
  exec "$edge" run --rig sim "$@"
fi
exec dotnet src/Edge/bin/Release/net10.0/edge.dll run --rig sim "$@"
