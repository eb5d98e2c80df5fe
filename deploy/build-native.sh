#!/usr/bin/env bash
# Builds a natively compiled edge (.NET Native AOT) for THIS machine's architecture (see deploy/README.md).
#
#   deploy/build-native.sh                      # → artifacts/native/edge
#   deploy/build-native.sh --out /opt/edge-native
#
# The result is one self-contained executable (plus OR-Tools' native library beside it): no .NET runtime needed on
# the box, ~50 MB resident on the sim rig instead of ~75 MB with the JIT, and a faster start. Native AOT does not
# cross-compile between architectures here: build it on the Pi (arm64) for the Pi. Needs gcc or clang and zlib1g-dev
# (apt-get install -y gcc zlib1g-dev); the compiler package comes from NuGet with the SDK's version.
# stdout is only the path of the executable (scripts capture it); progress goes to stderr.
#
# Exit codes: 0 built, 1 failed, 2 bad command line.
set -euo pipefail

me=build-native.sh
deploy_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$deploy_dir")

usage() {
    cat <<EOF
Usage: $me [options]
  --out DIR     where the executable goes (default: artifacts/native in the repository)
  -h, --help    this text
EOF
}
say() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s\nRun %s --help for the options.\n' "$me" "$*" "$me" >&2; exit 2; }

out="$repo_dir/artifacts/native"
while [ $# -gt 0 ]; do
    case $1 in
        --out) if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "--out needs a value"; fi; out=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown argument '$1'" ;;
    esac
done

case $(uname -m) in
    x86_64) rid=linux-x64 ;;
    aarch64|arm64) rid=linux-arm64 ;;
    *) die "Native AOT builds for x86_64 and aarch64 only (this is $(uname -m)); use deploy/install.sh (JIT) here" ;;
esac
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || die "no C compiler/linker: apt-get install -y gcc zlib1g-dev"
[ -e /usr/include/zlib.h ] || die "zlib1g-dev is missing: apt-get install -y zlib1g-dev"

mkdir -p "$out"
say "compiling src/Edge natively for $rid into $out (about 2–4 minutes on two cores)…"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! dotnet publish "$repo_dir/src/Edge" -c Release -r "$rid" -p:PublishAot=true -nologo -clp:ErrorsOnly -o "$out" >"$log" 2>&1; then
    cat "$log" >&2
    die "dotnet publish -p:PublishAot=true failed (above)"
fi
# Debug symbols and XML docs are not needed to run it.
rm -f "$out"/*.dbg "$out"/*.pdb "$out"/*.xml
size=$(du -h "$out/edge" | cut -f1)
say "built $out/edge ($size); try: $out/edge run --rig sim --duration 20s"
printf '%s\n' "$out/edge"
