#!/usr/bin/env bash
# The natively compiled edge (deploy/build-native.sh) under the rig tests that start edge as a process — the sim and
# hil rigs, the guard and the daemon's death, signals, the state directory's lock, the planner, the embedded broker,
# `edge check` — with EDGE_EXECUTABLE pointing at it; FootprintTests then holds it to the 60 MB goal. .ci/run runs it
# after tests/run.sh (which builds everything and installs the peers).
#
#   tests/native.sh                 (about 6 minutes to compile and 6 to test on two cores)
#
# Exit 0 when it built and every test passed.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || missing+=(gcc)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if ((${#missing[@]})); then
  echo "tests/native.sh: installing ${missing[*]} (Native AOT links with them)"
  if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo -n); fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
out=$(mktemp -d /tmp/edge-native.XXXXXX)
trap 'rm -rf "$out"' EXIT
native=$(deploy/build-native.sh --out "$out")
echo "tests/native.sh: replay with the planner and GLOP, natively"
"$native" replay --profile ai-training --planner --planner-solver glop --bound --quiet >/dev/null
echo "tests/native.sh: the rig tests that start edge as a process, against $native"
dotnet build tests/Edge.Rig.Tests -c Release -nologo -clp:ErrorsOnly
EDGE_EXECUTABLE=$native dotnet test tests/Edge.Rig.Tests -c Release --no-build -nologo --logger "console;verbosity=minimal" \
  --filter "FullyQualifiedName~FootprintTests|FullyQualifiedName~StopSignalTests|FullyQualifiedName~InstanceLockTests|FullyQualifiedName~HilRigTests|FullyQualifiedName~HilAttachTests|FullyQualifiedName~DaemonDeathTests|FullyQualifiedName~StateSurvivesKillTests|FullyQualifiedName~PlannerDaemonTests|FullyQualifiedName~EmbeddedBrokerTests|FullyQualifiedName~CheckMeasureTests|FullyQualifiedName~OutputPolicyTests" "$@"
