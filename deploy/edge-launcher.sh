#!/bin/sh
# /opt/edge/edge — starts Edge (installed by deploy/install.sh and the .deb; @DOTNET_MAJOR@ is filled in then).
#
# Edge ships as portable, framework-dependent managed code (/opt/edge/lib/edge.dll): one build for x64, arm64 and
# arm32. This launcher finds a .NET @DOTNET_MAJOR@ runtime and execs `dotnet edge.dll` in its own PID, so under systemd
# the daemon is still the unit's main process (READY=1 and WATCHDOG=1 come from it).
#
# Where it looks, first hit wins:
#   1. $DOTNET_ROOT, if set (then nowhere else)
#   2. the directory named in /opt/edge/dotnet-root (written by install.sh for a runtime in an unusual place)
#   3. /etc/dotnet/install_location_<arch>, /etc/dotnet/install_location (as .NET's own app hosts do)
#   4. /usr/share/dotnet, /usr/lib/dotnet, /opt/dotnet, /usr/local/share/dotnet
#   5. the directory of `dotnet` on PATH
# With EDGE_LAUNCHER_CHECK=1 it prints "dotnet=<path> runtime=<version>" and exits 0 instead of starting Edge.
# Exit code 127 (and a message saying how to install the runtime) when none is found.
set -u
major=@DOTNET_MAJOR@
self=$(readlink -f "$0")
here=${self%/*}
app="$here/lib/edge.dll"

# Prints the runtime versions of $major under $1 (comma-separated), or nothing.
runtime_in() {
    found=""
    for d in "$1"/shared/Microsoft.NETCore.App/"$major".*; do
        [ -d "$d" ] && found="$found${found:+,}${d##*/}"
    done
    [ -n "$found" ] && [ -x "$1/dotnet" ] && printf '%s\n' "$found"
}

root=""
version=""
try() {
    [ -n "$root" ] && return 0
    [ -n "$1" ] || return 0
    v=$(runtime_in "$1") || return 0
    [ -n "$v" ] && { root=$1; version=$v; }
    return 0
}

if [ -n "${DOTNET_ROOT:-}" ]; then
    try "$DOTNET_ROOT"
    where="DOTNET_ROOT=$DOTNET_ROOT"
else
    [ -r "$here/dotnet-root" ] && try "$(cat "$here/dotnet-root")"
    case $(uname -m) in
        x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; armv7*|armv6*|armhf) arch=arm ;; *) arch=$(uname -m) ;;
    esac
    for f in "/etc/dotnet/install_location_$arch" /etc/dotnet/install_location; do
        [ -r "$f" ] && try "$(head -n 1 "$f")"
    done
    for d in /usr/share/dotnet /usr/lib/dotnet /opt/dotnet /usr/local/share/dotnet; do
        try "$d"
    done
    if [ -z "$root" ] && command -v dotnet >/dev/null 2>&1; then
        d=$(readlink -f "$(command -v dotnet)")
        try "${d%/*}"
    fi
    where="$here/dotnet-root, /etc/dotnet/install_location*, /usr/share/dotnet, /usr/lib/dotnet, /opt/dotnet, /usr/local/share/dotnet and PATH"
fi

if [ -z "$root" ]; then
    cat >&2 <<EOF
edge: no .NET $major runtime found (looked in $where).
Install it system-wide, then start Edge again:
  * Debian 12/13 or Ubuntu on x64/arm64 (Microsoft's package feed), e.g. Debian 12:
      wget https://packages.microsoft.com/config/debian/12/packages-microsoft-prod.deb
      sudo dpkg -i packages-microsoft-prod.deb && sudo apt-get update
      sudo apt-get install dotnet-runtime-$major.0
  * any Linux, also 32-bit Raspberry Pi OS (Microsoft's install script):
      curl -fsSLO https://dot.net/v1/dotnet-install.sh
      sudo bash dotnet-install.sh --runtime dotnet --channel $major.0 --install-dir /opt/dotnet
(The service cannot see a runtime under /home or /root: ProtectHome=yes.) See /opt/edge/DEPLOY.md.
EOF
    exit 127
fi

if [ "${EDGE_LAUNCHER_CHECK:-}" = 1 ]; then
    printf 'dotnet=%s runtime=%s\n' "$root/dotnet" "$version"
    exit 0
fi

if [ ! -f "$app" ]; then
    echo "edge: $app is missing: reinstall Edge (deploy/install.sh or the .deb)." >&2
    exit 127
fi

exec "$root/dotnet" "$app" "$@"
