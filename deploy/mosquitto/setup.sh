#!/bin/sh
# Adds broker accounts for Edge to a mosquitto configured with edge.conf: the password (random, 24 bytes) to
# edge.passwd with mosquitto_passwd, the account's ACL block to edge.acl (copied from this directory on first use),
# the password into a file only root and group edge can read (Edge's Mqtt:Credentials:PasswordFile). Then reload
# mosquitto (systemctl reload mosquitto: it re-reads both files on SIGHUP).
#
#   setup.sh [--dir /etc/mosquitto] [--secrets /etc/edge/mqtt] node SITE NODE [SPARKPLUG_GROUP [SPARKPLUG_NODE]]
#       edge-SITE-NODE        the daemon: publishes edge/SITE/NODE/{status,state,alarm,sensors/#,inverters/#,reply/#},
#                             reads edge/SITE/NODE/cmd/#
#       edge-SITE-NODE-spb    its Sparkplug B connection: spBv1.0/GROUP/{NBIRTH,NDATA,NDEATH}/NODE and
#                             spBv1.0/GROUP/{DBIRTH,DDATA,DDEATH}/NODE/DEVICE, reads NCMD and STATE
#                             (GROUP and NODE default to SITE and NODE: set Sparkplug:GroupId/EdgeNodeId to match)
#       edge-SITE-NODE-check  edge check: connects and reads edge/SITE/NODE/#
#   setup.sh ... operator NAME   reads every node's status/state/alarm/sensors/inverters and spBv1.0/#; commands as
#                                NAME (edge/+/+/cmd/NAME/#) and reads only its own replies (edge/+/+/reply/NAME/#)
#   setup.sh ... viewer NAME     reads the same data; publishes nothing, reads no commands or replies
#   setup.sh ... bench NAME      NAME-pub and NAME-sub for edge bench mqtt (--user/--sub-user): publish and read
#                                edge-bench/# only
#   setup.sh ... agent SITE NAME a node agent (edge agent gpu|flex, a training framework; docs/agents.md): publishes
#                                edge/SITE/agents/NAME/{status,capabilities,telemetry,announce,reply/#}, reads its cmd/#
#
# Exit 2 on bad arguments or an account that already exists (remove it first: mosquitto_passwd -D, and its block).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir=/etc/mosquitto
secrets=/etc/edge/mqtt

usage() {
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "setup.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
        --dir) [ $# -ge 2 ] || usage; dir=$2; shift 2 ;;
        --secrets) [ $# -ge 2 ] || usage; secrets=$2; shift 2 ;;
        -h|--help) usage ;;
        --*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || usage
kind=$1
shift

command -v mosquitto_passwd >/dev/null 2>&1 || die "mosquitto_passwd not found (apt-get install mosquitto)"
passwd="$dir/edge.passwd"
acl="$dir/edge.acl"
mkdir -p "$dir" "$secrets"
[ -f "$acl" ] || cp "$here/edge.acl" "$acl"

# The name checks match the whole argument (a shell pattern), not line by line as grep would: a name carrying a
# newline must not pass on its first line and put its second one into the ACL as a rule.
level() { # a topic level: letters, digits, _ and -
    case $1 in
        ''|*[!A-Za-z0-9_-]*) die "'$1' must be 1-48 of A-Z a-z 0-9 _ -" ;;
    esac
    [ ${#1} -le 48 ] || die "'$1' must be 1-48 of A-Z a-z 0-9 _ -"
}

account() { # NAME: a user name that is also a valid operator topic level
    case $1 in
        ''|*[!A-Za-z0-9._@-]*) die "account '$1' must be 1-64 of A-Z a-z 0-9 . _ @ -" ;;
    esac
    [ ${#1} -le 64 ] || die "account '$1' must be 1-64 of A-Z a-z 0-9 . _ @ -"
    if grep -qx "user $1" "$acl" || { [ -f "$passwd" ] && grep -q "^$1:" "$passwd"; }; then
        die "account '$1' already exists in $acl or $passwd"
    fi
}

add() { # NAME: password into edge.passwd and $secrets/NAME.password
    pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
    if [ -f "$passwd" ]; then
        mosquitto_passwd -b "$passwd" "$1" "$pw"
    else
        mosquitto_passwd -c -b "$passwd" "$1" "$pw"
    fi
    umask 077
    printf '%s\n' "$pw" > "$secrets/$1.password"
    if getent group edge >/dev/null 2>&1; then
        chgrp edge "$secrets/$1.password" && chmod 0640 "$secrets/$1.password"
    fi
    if getent group mosquitto >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        chown root:mosquitto "$passwd" "$acl" && chmod 0640 "$passwd" && chmod 0644 "$acl"
    fi
    echo "  $1: password in $secrets/$1.password"
}

case "$kind" in
    node)
        [ $# -ge 2 ] && [ $# -le 4 ] || usage
        site=$1 node=$2 group=${3:-$1} spnode=${4:-$2}
        level "$site"; level "$node"; level "$group"; level "$spnode"
        base="edge-$site-$node"
        for a in "$base" "$base-spb" "$base-check"; do account "$a"; done
        cat >> "$acl" <<ACL

# Node $site/$node: the daemon, its Sparkplug B connection, edge check (setup.sh node $site $node $group $spnode)
user $base
topic deny edge/+/+/cmd/$base/#
topic write edge/$site/$node/status
topic write edge/$site/$node/state
topic write edge/$site/$node/alarm
topic write edge/$site/$node/throttle
topic write edge/$site/$node/sensors/#
topic write edge/$site/$node/inverters/#
topic write edge/$site/$node/reply/#
topic read edge/$site/$node/cmd/#
topic read edge/$site/agents/#
topic write edge/$site/agents/+/cmd/$base/#

user $base-spb
topic deny edge/+/+/cmd/$base-spb/#
topic write spBv1.0/$group/NBIRTH/$spnode
topic write spBv1.0/$group/NDATA/$spnode
topic write spBv1.0/$group/NDEATH/$spnode
topic write spBv1.0/$group/DBIRTH/$spnode/+
topic write spBv1.0/$group/DDATA/$spnode/+
topic write spBv1.0/$group/DDEATH/$spnode/+
topic read spBv1.0/$group/NCMD/$spnode
topic read spBv1.0/STATE/#

user $base-check
topic deny edge/+/+/cmd/$base-check/#
topic read edge/$site/$node/#
ACL
        echo "setup.sh: node $site/$node"
        for a in "$base" "$base-spb" "$base-check"; do add "$a"; done
        echo "  Edge: Mqtt:Credentials {Username $base, PasswordFile $secrets/$base.password};"
        echo "        Sparkplug:Credentials {Username $base-spb, PasswordFile $secrets/$base-spb.password};"
        echo "        Mqtt:CheckCredentials {Username $base-check, PasswordFile $secrets/$base-check.password}"
        ;;
    operator)
        [ $# -eq 1 ] || usage
        account "$1"
        cat >> "$acl" <<ACL

# Operator $1: reads every node's data, commands as $1 and reads its own replies (the patterns above); Sparkplug host
user $1
topic read edge/+/+/status
topic read edge/+/+/state
topic read edge/+/+/alarm
topic read edge/+/+/throttle
topic read edge/+/+/sensors/#
topic read edge/+/+/inverters/#
topic read spBv1.0/#
topic write spBv1.0/+/NCMD/#
topic write spBv1.0/STATE/$1
ACL
        echo "setup.sh: operator $1"
        add "$1"
        ;;
    viewer)
        [ $# -eq 1 ] || usage
        account "$1"
        cat >> "$acl" <<ACL

# Viewer $1: reads every node's data, publishes nothing
user $1
topic deny edge/+/+/cmd/$1/#
topic read edge/+/+/status
topic read edge/+/+/state
topic read edge/+/+/alarm
topic read edge/+/+/throttle
topic read edge/+/+/sensors/#
topic read edge/+/+/inverters/#
topic read spBv1.0/#
ACL
        echo "setup.sh: viewer $1"
        add "$1"
        ;;
    bench)
        [ $# -eq 1 ] || usage
        level "$1"
        for a in "$1-pub" "$1-sub"; do account "$a"; done
        cat >> "$acl" <<ACL

# Bench $1: edge bench mqtt's publisher and subscriber (one connection per account), edge-bench/# only
user $1-pub
topic deny edge/+/+/cmd/$1-pub/#
topic write edge-bench/#

user $1-sub
topic deny edge/+/+/cmd/$1-sub/#
topic read edge-bench/#
ACL
        echo "setup.sh: bench $1"
        for a in "$1-pub" "$1-sub"; do add "$a"; done
        echo "  edge bench mqtt ... --user $1-pub --password-file $secrets/$1-pub.password --sub-user $1-sub --sub-password-file $secrets/$1-sub.password"
        ;;
    agent)
        # Node agents (issue 15): each publishes only its own tree and reads only commands to itself.
        [ $# -eq 2 ] || usage
        site=$1
        level "$site"
        case $2 in
            ''|*[!A-Za-z0-9._-]*) die "agent '$2' must be 1-64 of A-Z a-z 0-9 . _ -" ;;
        esac
        [ ${#2} -le 64 ] || die "agent '$2' must be 1-64 of A-Z a-z 0-9 . _ -"
        account "$2"
        cat >> "$acl" <<ACL

# Agent $2 at $site: its own status (also its Will), capabilities, telemetry, announcements and replies; its commands
user $2
topic deny edge/+/+/cmd/$2/#
topic write edge/$site/agents/$2/status
topic write edge/$site/agents/$2/capabilities
topic write edge/$site/agents/$2/telemetry
topic write edge/$site/agents/$2/announce
topic write edge/$site/agents/$2/reply/#
topic read edge/$site/agents/$2/cmd/#
ACL
        echo "setup.sh: agent $2 at $site"
        add "$2"
        echo "  edge agent …: --username $2 --password-file $secrets/$2.password"
        ;;
    *) usage ;;
esac
echo "setup.sh: now reload mosquitto (sudo systemctl reload mosquitto)"
