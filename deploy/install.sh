#!/usr/bin/env bash
# Installs Edge onto a Raspberry Pi or an industrial PC as a systemd service (see deploy/README.md).
#
#   sudo deploy/install.sh                       # build with the .NET SDK here, then install
#   sudo deploy/install.sh --from DIR            # install a build made elsewhere:
#                                                #   dotnet publish src/Edge -c Release -o DIR --no-self-contained
#   deploy/install.sh --root /tmp/stage --from DIR   # stage the tree only (packaging, tests): no user, no systemctl
#   deploy/install.sh --dry-run ...              # say what would be done, change nothing
#
# What it installs:
#   /opt/edge/edge              launcher (execs `dotnet /opt/edge/lib/edge.dll`; finds the .NET runtime)
#   /opt/edge/lib/              the framework-dependent build (portable: x64, arm64 and arm32 alike)
#   /opt/edge/{DEPLOY.md,README.md,VERSION,appsettings.example.json,rigs/,mosquitto/}
#   /etc/edge/appsettings.json  from deploy/appsettings.example.json or --config; an existing one is never touched
#   /etc/edge/rig.json          from --rig FILE, if given; an existing one is never touched
#   /etc/edge/mqtt.password     empty, if missing: the edge user's broker password goes there (root:edge 0640)
#   /etc/systemd/system/edge.service and edge-guard.service, /etc/udev/rules.d/60-edge.rules, /usr/local/bin/edge -> /opt/edge/edge
# and, unless --root: the `edge` system user (in the i2c, gpio and dialout groups where they exist), /var/lib/edge,
# `systemctl daemon-reload` and `systemctl enable edge` (not start) when systemd is running.
# Running it again upgrades the program files and keeps the configuration.
#
# Exit codes: 0 done, 1 failed, 2 bad command line, 3 no .NET runtime (the message says how to install one).
set -euo pipefail
umask 022

me=install.sh
deploy_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$deploy_dir")

usage() {
    cat <<EOF
Usage: $me [options]
  --from DIR            install this publish output of src/Edge (default: build it with dotnet publish)
  --config FILE         first /etc/edge/appsettings.json (default: deploy/appsettings.example.json)
  --rig FILE            first /etc/edge/rig.json (a hardware/rigs file, edited for this site)
  --root DIR            install under DIR as a staging root: no user, no chown, no systemctl, no udevadm
  --unit-dir DIR        where edge.service goes (default /etc/systemd/system)
  --udev-dir DIR        where 60-edge.rules goes (default /etc/udev/rules.d)
  --bin-link PATH       symlink to the launcher (default /usr/local/bin/edge; "none" for no link)
  --version V           version recorded in /opt/edge/VERSION (default: git describe, else "unknown")
  --skip-runtime-check  install even if no .NET runtime is found (install the runtime before starting Edge)
  --no-enable           do not enable the service
  --dry-run             print what would be done; change nothing
  -h, --help            this text
EOF
}

say() { printf '%s: %s\n' "$me" "$*"; }
warn() { printf '%s: warning: %s\n' "$me" "$*" >&2; }
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s\nRun %s --help for the options.\n' "$me" "$*" "$me" >&2; exit 2; }

from=""; config=""; rig=""; root=""; version=""
unit_dir=/etc/systemd/system; udev_dir=/etc/udev/rules.d; bin_link=/usr/local/bin/edge
skip_runtime_check=0; enable=1; dry_run=0
need_value() { if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi; }
while [ $# -gt 0 ]; do
    case $1 in
        --from) need_value "$@"; from=$2; shift 2 ;;
        --config) need_value "$@"; config=$2; shift 2 ;;
        --rig) need_value "$@"; rig=$2; shift 2 ;;
        --root) need_value "$@"; root=$2; shift 2 ;;
        --unit-dir) need_value "$@"; unit_dir=$2; shift 2 ;;
        --udev-dir) need_value "$@"; udev_dir=$2; shift 2 ;;
        --bin-link) need_value "$@"; bin_link=$2; shift 2 ;;
        --version) need_value "$@"; version=$2; shift 2 ;;
        --skip-runtime-check) skip_runtime_check=1; shift ;;
        --no-enable) enable=0; shift ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown option '$1'" ;;
    esac
done

for p in "$unit_dir" "$udev_dir"; do
    case $p in /*) ;; *) usage_error "'$p' must be an absolute path (inside the target system)" ;; esac
done
case $bin_link in none|/*) ;; *) usage_error "--bin-link '$bin_link' must be an absolute path or 'none'" ;; esac
if [ -n "$root" ]; then
    root=$(realpath -m -- "$root")
    [ "$root" != / ] || usage_error "--root / is the live system: leave --root out instead"
elif [ "$dry_run" = 0 ] && [ "$(id -u)" != 0 ]; then
    die "installing onto this system needs root: run it with sudo (or stage a tree with --root DIR)"
fi
for f in "$config" "$rig"; do
    [ -z "$f" ] || [ -f "$f" ] || die "'$f' does not exist or is not a file"
done

# --- Actions: printed under --dry-run, run otherwise ------------------------------------------------------------
run() {
    if [ "$dry_run" = 1 ]; then
        printf '  would run: %s\n' "$*"
    else
        "$@"
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- The build ------------------------------------------------------------------------------------------------------
if [ -n "$from" ]; then
    [ -d "$from" ] || die "--from '$from' is not a directory"
    from=$(cd "$from" && pwd)
    if [ ! -f "$from/edge.dll" ] || [ ! -f "$from/edge.runtimeconfig.json" ]; then
        die "'$from' is not a publish output of src/Edge (no edge.dll / edge.runtimeconfig.json); make one with: dotnet publish src/Edge -c Release -o DIR --no-self-contained"
    fi
    if grep -q '"includedFrameworks"' "$from/edge.runtimeconfig.json"; then
        die "'$from' is a self-contained build; Edge installs the portable, framework-dependent one (--no-self-contained)"
    fi
    build=$from
elif [ "$dry_run" = 1 ]; then
    say "would build: dotnet publish $repo_dir/src/Edge -c Release --no-self-contained -p:UseAppHost=false"
    build=""
else
    [ -f "$repo_dir/src/Edge/Edge.csproj" ] ||
        die "no --from DIR given and no source tree at $repo_dir/src/Edge to build from"
    if ! command -v dotnet >/dev/null 2>&1 || [ -z "$(dotnet --list-sdks 2>/dev/null)" ]; then
        die "no --from DIR given and no .NET SDK here to build with. Build on another machine with
    dotnet publish src/Edge -c Release -o edge-publish --no-self-contained
copy edge-publish/ here and run: sudo $0 --from edge-publish"
    fi
    say "building: dotnet publish src/Edge -c Release --no-self-contained (takes a minute or two)"
    dotnet publish "$repo_dir/src/Edge" -c Release -o "$tmp/publish" --no-self-contained -p:UseAppHost=false \
        -nologo -clp:ErrorsOnly || die "dotnet publish failed (see above)"
    build=$tmp/publish
fi

# The .NET major version the build needs, from its runtimeconfig ("tfm": "net10.0").
major=10
if [ -n "$build" ]; then
    major=$(sed -n 's/.*"tfm"[[:space:]]*:[[:space:]]*"net\([0-9][0-9]*\)\..*/\1/p' "$build/edge.runtimeconfig.json" | head -n 1)
    [ -n "$major" ] || die "cannot read the target framework (\"tfm\": \"netN.M\") from $build/edge.runtimeconfig.json"
fi

if [ -z "$version" ]; then
    version=$(git -C "$repo_dir" describe --tags --always --dirty 2>/dev/null || echo unknown)
fi

sed "s/@DOTNET_MAJOR@/$major/g" "$deploy_dir/edge-launcher.sh" >"$tmp/edge"
chmod 0755 "$tmp/edge"

# --- The .NET runtime -----------------------------------------------------------------------------------------------
# The launcher's own search decides; an install the service would not find by itself is recorded in dotnet-root.
dotnet_root_file=""
if [ "$skip_runtime_check" = 0 ]; then
    if ! found=$(EDGE_LAUNCHER_CHECK=1 "$tmp/edge" 2>"$tmp/runtime.err"); then
        cat "$tmp/runtime.err" >&2
        printf '%s: error: no .NET %s runtime: install it as shown above and run %s again (or pass --skip-runtime-check).\n' \
            "$me" "$major" "$me" >&2
        exit 3
    fi
    dotnet=${found#dotnet=}; dotnet=${dotnet%% *}
    dotnet_dir=${dotnet%/dotnet}
    case $dotnet_dir/ in
        /home/*|/root/*|/run/user/*)
            hint="the .NET runtime found is in $dotnet_dir, which the service cannot see (ProtectHome=yes). Install it system-wide, e.g.: sudo bash dotnet-install.sh --runtime dotnet --channel $major.0 --install-dir /opt/dotnet"
            if [ -n "$root" ]; then warn "$hint"; else printf '%s: error: %s\n' "$me" "$hint" >&2; exit 3; fi ;;
    esac
    say "found the .NET runtime: $found"
    service_view=$(env -u DOTNET_ROOT PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        EDGE_LAUNCHER_CHECK=1 "$tmp/edge" 2>/dev/null || true)
    if [ "$service_view" != "$found" ]; then
        dotnet_root_file=$dotnet_dir
        say "the service would not find it by itself: recording $dotnet_dir in /opt/edge/dotnet-root"
    fi
fi

# --- Files ----------------------------------------------------------------------------------------------------------
R=$root
opt=$R/opt/edge
# Checked before anything changes: only ever our own link at --bin-link (a file, a directory or someone else's link
# there is never replaced).
if [ "$bin_link" != none ] && { [ -e "$R$bin_link" ] || [ -L "$R$bin_link" ]; }; then
    if [ ! -L "$R$bin_link" ] || [ "$(readlink "$R$bin_link")" != /opt/edge/edge ]; then
        die "refusing to replace $bin_link: it is not Edge's link to /opt/edge/edge (choose another --bin-link, or 'none')"
    fi
fi
if [ "$dry_run" = 1 ]; then
    say "dry run: would install Edge $version into ${root:-/} (nothing changes)"
else
    say "installing Edge $version into ${root:-/}"
fi

run install -d -m 0755 "$opt" "$R/etc/edge" "$R$unit_dir" "$R$udev_dir"

# Program files: staged beside the old ones, then swapped in, so a failed copy leaves the old version intact.
run rm -rf "$opt/lib.new" "$opt/lib.old"
if [ -n "$build" ]; then
    # Everything but an app host: it is native code for the build machine, the launcher replaces it.
    run mkdir -p "$opt/lib.new"
    if [ "$dry_run" = 1 ]; then
        say "would copy $build/ (without the app host 'edge') to $opt/lib/"
    else
        (cd "$build" && find . -mindepth 1 -maxdepth 1 ! -name edge -exec cp -R -- {} "$opt/lib.new/" \;)
        find "$opt/lib.new" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
    fi
    if [ -e "$opt/lib" ]; then run mv "$opt/lib" "$opt/lib.old"; fi
    run mv "$opt/lib.new" "$opt/lib"
    run rm -rf "$opt/lib.old"
fi
run install -m 0755 "$tmp/edge" "$opt/edge"
if [ -n "$dotnet_root_file" ]; then
    if [ "$dry_run" = 1 ]; then say "would write $dotnet_root_file to $opt/dotnet-root"; else
        printf '%s\n' "$dotnet_root_file" >"$opt/dotnet-root"; fi
elif [ -e "$opt/dotnet-root" ] && [ "$skip_runtime_check" = 0 ]; then
    run rm -f "$opt/dotnet-root"
fi
if [ "$dry_run" = 1 ]; then say "would write $version to $opt/VERSION"; else printf '%s\n' "$version" >"$opt/VERSION"; fi
run install -m 0644 "$deploy_dir/README.md" "$opt/DEPLOY.md"
if [ -f "$repo_dir/README.md" ]; then run install -m 0644 "$repo_dir/README.md" "$opt/README.md"; fi
run install -m 0644 "$deploy_dir/appsettings.example.json" "$opt/appsettings.example.json"
run install -d -m 0755 "$opt/mosquitto"
run install -m 0644 "$deploy_dir/mosquitto/edge.conf" "$deploy_dir/mosquitto/edge.acl" "$opt/mosquitto/"
run install -m 0755 "$deploy_dir/mosquitto/setup.sh" "$opt/mosquitto/"
if compgen -G "$repo_dir/hardware/rigs/*.json" >/dev/null; then
    run install -d -m 0755 "$opt/rigs"
    run install -m 0644 "$repo_dir"/hardware/rigs/*.json "$opt/rigs/"
fi

# Configuration: written once, never overwritten. Readable by the edge group only (it may hold the MQTT password).
install_config() { # SOURCE TARGET
    if [ -e "$R$2" ]; then
        say "kept the existing $2"
        if ! cmp -s "$1" "$R$2" && [ "$1" != "$deploy_dir/appsettings.example.json" ]; then
            warn "$2 differs from $1, which was NOT installed; merge by hand if needed"
        fi
    else
        run install -m 0640 "$1" "$R$2"
        if [ -z "$root" ] && getent passwd edge >/dev/null 2>&1; then run chgrp edge "$2"; fi
    fi
}
install_config "${config:-$deploy_dir/appsettings.example.json}" /etc/edge/appsettings.json
if [ -n "$rig" ]; then install_config "$rig" /etc/edge/rig.json; fi
# The MQTT password of the edge user (Mqtt:Credentials:PasswordFile): never in appsettings.json, never overwritten.
if [ ! -e "$R/etc/edge/mqtt.password" ]; then
    run install -m 0640 /dev/null "$R/etc/edge/mqtt.password"
    if [ -z "$root" ] && getent passwd edge >/dev/null 2>&1; then run chgrp edge /etc/edge/mqtt.password; fi
    say "created an empty /etc/edge/mqtt.password: put the broker password of the edge user there"
fi

run install -m 0644 "$deploy_dir/edge.service" "$R$unit_dir/edge.service"
run install -m 0644 "$deploy_dir/edge-guard.service" "$R$unit_dir/edge-guard.service"
run install -m 0644 "$deploy_dir/60-edge.rules" "$R$udev_dir/60-edge.rules"
if [ "$bin_link" != none ]; then
    run install -d -m 0755 "$R$(dirname "$bin_link")"
    run ln -sfn /opt/edge/edge "$R$bin_link"
fi

if [ -n "$root" ]; then
    say "staged under $root (no user, ownership, udev or systemd changes)"
    exit 0
fi

# --- The live system ------------------------------------------------------------------------------------------------
if ! getent passwd edge >/dev/null 2>&1; then
    nologin=$(command -v nologin || echo /usr/sbin/nologin)
    run useradd --system --user-group --home-dir /var/lib/edge --no-create-home --shell "$nologin" \
        --comment "Edge daemon" edge
    if [ "$dry_run" = 1 ]; then say "would give the files in /etc/edge to group edge"; fi
    for f in /etc/edge/appsettings.json /etc/edge/rig.json /etc/edge/mqtt.password; do
        if [ -e "$f" ]; then run chgrp edge "$f"; fi
    done
fi
for g in i2c gpio dialout; do
    if getent group "$g" >/dev/null 2>&1; then
        run usermod -a -G "$g" edge
    else
        say "no '$g' group on this machine: skipped (see hardware/README.md for udev rules on non-Pi machines)"
    fi
done
run install -d -m 0750 -o edge -g edge /var/lib/edge
[ -n "$rig" ] || [ -e /etc/edge/rig.json ] || warn "/etc/edge/rig.json does not exist yet: copy one of /opt/edge/rigs/*.json there and edit it (or set Edge:Rig to \"sim\")"

if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
    run udevadm control --reload
    run udevadm trigger --subsystem-match=misc --sysname-match=cpu_dma_latency
fi

if [ -d /run/systemd/system ]; then
    run systemctl daemon-reload
    if [ "$enable" = 1 ]; then run systemctl enable edge-guard.service edge.service; fi
    if systemctl is-active --quiet edge.service; then
        say "edge is running the previous version: 'sudo systemctl restart edge-guard', then 'sudo systemctl restart edge' switches (with the guard running, the daemon hands the batteries over and the new one resumes at their power; docs/guard.md)"
    else
        say "next: edit /etc/edge/appsettings.json, check the rig with 'sudo -u edge /opt/edge/edge check --config /etc/edge/appsettings.json',"
        say "      then 'sudo systemctl start edge' and 'journalctl -u edge -f'"
    fi
else
    say "systemd is not running here: the unit is installed; enable it with 'systemctl enable edge' once it is"
fi
if [ "$dry_run" = 1 ]; then say "dry run done: nothing was changed"; else say "done"; fi
