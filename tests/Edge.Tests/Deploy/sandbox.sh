#!/usr/bin/env bash
# sandbox.sh DIR COMMAND [ARGS...] — runs COMMAND as on a throwaway copy of this machine: in a private mount namespace
# where /etc, /opt, /usr and /var are overlays whose changes go to DIR and vanish with the namespace. The tests use it
# to run install.sh and dpkg for real (users, ownership, maintainer scripts) without touching the machine.
# Needs root (CAP_SYS_ADMIN). Any failure to set up stops before COMMAND runs.
set -euo pipefail
dir=$(realpath -- "$1")
shift
case $dir/ in
    /etc/*|/opt/*|/usr/*|/var/*) echo "sandbox.sh: $dir must not be inside an overlaid tree" >&2; exit 2 ;;
esac
if [ "${EDGE_SANDBOX_INSIDE:-}" != 1 ]; then
    exec env EDGE_SANDBOX_INSIDE=1 unshare --mount --propagation private -- bash "$0" "$dir" "$@"
fi
for d in etc opt usr var; do
    mkdir -p "$dir/$d.upper" "$dir/$d.work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$dir/$d.upper,workdir=$dir/$d.work" "/$d"
done
echo "sandbox.sh: ready" >&2
exec "$@"
