#!/usr/bin/env bash
# Runs every test of Edge: unit, property, integration (against real peers) and the CLI end to end.
#
#   tests/run.sh            # from the repository root, on Debian 12 with the .NET 10 SDK
#
# The integration tests talk to real software nobody here wrote (mosquitto, NATS, RabbitMQ, paho-mqtt, pymodbus, mbpoll, protoc, scipy,
# cyclictest). This script installs them from Debian when they are missing (needs root or passwordless sudo).
# Under CI=true a missing peer fails the run instead of being skipped.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."

peers=(mosquitto mosquitto-clients nats-server rabbitmq-server python3-paho-mqtt python3-pymodbus python3-serial mbpoll protobuf-compiler python3-protobuf rt-tests stress-ng systemd openssl python3-numpy python3-scipy python3-serial-asyncio nodejs)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: Debian's package, unless the nodejs in use already brings its own.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "tests/run.sh: installing test peers: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(); fi
  if [ "$(id -u)" = 0 ] || ((${#sudo[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The broker tests start private nodes of their own; a system RabbitMQ the install may have started is not needed.
    if [[ " ${missing[*]} " == *" rabbitmq-server "* ]]; then
      "${sudo[@]}" systemctl stop rabbitmq-server >/dev/null 2>&1 || true
    fi
  elif [ "${CI:-}" = true ]; then
    echo "tests/run.sh: cannot install ${missing[*]} (not root, no sudo) and CI=true: failing." >&2
    exit 1
  else
    echo "tests/run.sh: warning: cannot install ${missing[*]}; the tests that need them will fail or be reported." >&2
  fi
fi

# A shell started in the background without job control (nohup … &, a CI step's subshell) hands SIGINT down ignored, and
# a process that starts with SIGINT ignored keeps ignoring it — edge too, as a Unix program should. The tests that stop
# edge with Ctrl-C would then wait in vain (seen: "no the stop's first line within 60 s"). Bash cannot undo an ignore
# it inherited, so python3 restores the default (and SIGPIPE's and SIGXFSZ's, which python itself ignores) and runs this
# script again, once.
sigign=$(awk '/^SigIgn:/ { print $2 }' /proc/self/status 2>/dev/null || true)
if [ -n "$sigign" ] && (( 16#$sigign & 2 )) && [ -z "${EDGE_TESTS_SIGINT_RESTORED:-}" ] && command -v python3 >/dev/null 2>&1; then
  echo "tests/run.sh: SIGINT is ignored in this shell (a background start); restoring its default for the tests"
  export EDGE_TESTS_SIGINT_RESTORED=1
  exec python3 -c 'import os, signal, sys; [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ)]; os.execvp(sys.argv[1], sys.argv[1:])' bash "$self" "$@"
fi

# Eclipse Tahu's Sparkplug payload codec (npm sparkplug-payload, pinned by its package-lock.json), the independent
# decoder of the Sparkplug tests.
tahu=tests/Edge.Mqtt.Tests/Scripts/tahu
if [ ! -f "$tahu/node_modules/sparkplug-payload/package.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "tests/run.sh: installing $tahu/node_modules (npm ci)"
    if ! npm ci --prefix "$tahu" --no-audit --no-fund --loglevel=error; then
      [ "${CI:-}" = true ] && { echo "tests/run.sh: npm ci failed and CI=true: failing." >&2; exit 1; }
      echo "tests/run.sh: warning: npm ci failed; the Sparkplug/Tahu test will install or report it." >&2
    fi
  elif [ "${CI:-}" = true ]; then
    echo "tests/run.sh: npm is missing and CI=true: failing." >&2
    exit 1
  fi
fi

dotnet build Edge.sln -c Release -nologo -clp:ErrorsOnly
dotnet test Edge.sln -c Release --no-build -nologo --logger "console;verbosity=minimal" "$@"
