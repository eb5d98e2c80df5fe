#!/usr/bin/env bash
# Builds edge_<version>_all.deb with dpkg-deb (see deploy/README.md).
#
#   deploy/build-deb.sh                          # build with dotnet publish, version from git describe
#   deploy/build-deb.sh --from DIR --version 1.2.0 --out dist
#
# The package holds portable, framework-dependent managed code, so it is Architecture: all and installs on x64, arm64
# and armhf alike; it Depends on dotnet-runtime-N.0 (N from the build's runtimeconfig), which Debian itself does not
# ship: add Microsoft's package feed first (deploy/README.md), or use deploy/install.sh instead.
# Layout: the same tree deploy/install.sh --root stages, with the unit in /lib/systemd/system, the udev rule in
# /lib/udev/rules.d and the command at /usr/bin/edge; /etc/edge/appsettings.json is a conffile.
#
# Exit codes: 0 built, 1 failed, 2 bad command line.
set -euo pipefail
umask 022

me=build-deb.sh
deploy_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$deploy_dir")

usage() {
    cat <<EOF
Usage: $me [options]
  --from DIR        package this publish output of src/Edge (default: build it with dotnet publish)
  --version V       package version, e.g. 1.2.0 (default: from git describe; a Debian version, starts with a digit)
  --out DIR         where the .deb goes (default: the current directory)
  --maintainer TXT  Maintainer field (default: "Edge maintainers <edge@localhost>")
  -h, --help        this text
EOF
}
# Progress goes to stderr: stdout is only the path of the .deb (scripts capture it).
say() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s\nRun %s --help for the options.\n' "$me" "$*" "$me" >&2; exit 2; }
need_value() { if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi; }

from=""; version=""; out=.; maintainer="Edge maintainers <edge@localhost>"
while [ $# -gt 0 ]; do
    case $1 in
        --from) need_value "$@"; from=$2; shift 2 ;;
        --version) need_value "$@"; version=$2; shift 2 ;;
        --out) need_value "$@"; out=$2; shift 2 ;;
        --maintainer) need_value "$@"; maintainer=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown option '$1'" ;;
    esac
done
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is missing (Debian package dpkg)"

# A Debian version from git: v1.2.0 -> 1.2.0; 3 commits later -> 1.2.0+3.g1a2b3c4; no tag -> 0.0.0+git20250101.1a2b3c4.
if [ -z "$version" ]; then
    git -C "$repo_dir" rev-parse --git-dir >/dev/null 2>&1 || die "not in a git checkout: pass --version V"
    if described=$(git -C "$repo_dir" describe --tags --abbrev=7 --match '[v0-9]*' 2>/dev/null); then
        version=$(printf '%s' "${described#v}" | sed 's/-\([0-9][0-9]*\)-g\([0-9a-f]*\)$/+\1.g\2/')
    else
        version="0.0.0+git$(git -C "$repo_dir" log -1 --format=%cd --date=format:%Y%m%d).$(git -C "$repo_dir" rev-parse --short=7 HEAD)"
    fi
    if [ -n "$(git -C "$repo_dir" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
        version="$version.dirty"
    fi
fi
if ! dpkg --validate-version -- "$version" 2>/dev/null; then
    usage_error "'$version' is not a valid Debian version (it must start with a digit; letters, digits and . + ~ - only)"
fi

mkdir -p "$out" || die "cannot create --out '$out'"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "$from" ]; then
    command -v dotnet >/dev/null 2>&1 || die "no --from DIR and no dotnet to build with"
    say "building: dotnet publish src/Edge -c Release --no-self-contained"
    dotnet publish "$repo_dir/src/Edge" -c Release -o "$tmp/publish" --no-self-contained -p:UseAppHost=false \
        -nologo -clp:ErrorsOnly || die "dotnet publish failed (see above)"
    from=$tmp/publish
fi

# The tree, laid out by the installer itself so the two can never disagree.
pkg=$tmp/pkg
say "staging the package tree from $from (install.sh --root)"
"$deploy_dir/install.sh" --root "$pkg" --from "$from" --version "$version" --skip-runtime-check --no-enable \
    --unit-dir /lib/systemd/system --udev-dir /lib/udev/rules.d --bin-link /usr/bin/edge >/dev/null ||
    die "staging the tree with install.sh failed (see above)"
# The broker password file is per machine and secret: postinst creates it, the package never ships one.
rm -f "$pkg/etc/edge/mqtt.password"
# A Debian package runs on Linux only: the native libraries NuGet packages carry for Windows and macOS (OR-Tools'
# alone are ~180 MB) would only fill a Pi's SD card. The linux-* and unix folders stay (x64 and arm64: Architecture all).
if [ -d "$pkg/opt/edge/lib/runtimes" ]; then
    before_kb=$(du -sk "$pkg/opt/edge/lib/runtimes" | cut -f1)
    find "$pkg/opt/edge/lib/runtimes" -mindepth 1 -maxdepth 1 -type d ! -name 'linux-*' ! -name 'unix' -exec rm -rf {} +
    after_kb=$(du -sk "$pkg/opt/edge/lib/runtimes" | cut -f1)
    say "left out the Windows and macOS native libraries: runtimes/ $((before_kb / 1024)) MB -> $((after_kb / 1024)) MB"
fi

major=$(sed -n 's/.*"tfm"[[:space:]]*:[[:space:]]*"net\([0-9][0-9]*\)\..*/\1/p' "$pkg/opt/edge/lib/edge.runtimeconfig.json" | head -n 1)
[ -n "$major" ] || die "cannot read the target framework from edge.runtimeconfig.json"

say "writing the control files (maintainer scripts, conffiles, md5sums)"
install -d -m 0755 "$pkg/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$deploy_dir/debian/$script" "$pkg/DEBIAN/$script"
done
echo /etc/edge/appsettings.json >"$pkg/DEBIAN/conffiles"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
installed_kb=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)

cat >"$pkg/DEBIAN/control" <<EOF
Package: edge
Version: $version
Architecture: all
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: dotnet-runtime-$major.0, passwd
Recommends: systemd
Suggests: mosquitto, mosquitto-clients, i2c-tools, gpiod
Section: misc
Priority: optional
Description: battery smoothing controller for AI GPU racks
 Edge samples rack power sensors, runs a fixed-period control loop that commands
 battery inverters so the power an AI cluster draws from the grid is
 ramp-limited, free of 0.1-20 Hz oscillation and within its cap, and publishes
 its state over MQTT.
 .
 Portable managed code: needs the .NET $major runtime (dotnet-runtime-$major.0,
 from Microsoft's package feed). Installs the systemd unit edge.service, enabled
 but not started: configure /etc/edge first.
EOF

deb=$out/edge_${version}_all.deb
say "building the package with dpkg-deb (xz compression: this takes a minute or two)"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null || die "dpkg-deb --build failed"
say "built $deb"
echo "$deb"
