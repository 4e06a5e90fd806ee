#!/bin/bash
# `mailslot browse` against Samba's nmbd, in network namespaces (root only;
# skips itself otherwise).  nmbd (PEER, workgroup INTEROP) becomes local
# master; mailslotd runs in cli as CLIONE.  Checks, all judged by nmbd:
#   b1. browse --json hears PEER as INTEROP's master (its
#       LocalMasterAnnouncement / DomainAnnouncement or backup list)
#   b2. browse --announce puts CLIONE into nmbd's browse.dat with our type
#       and comment, and its ServerType 0 on exit takes it out again
# Closing line: "browse_interop: N passed, N failed, N skipped".

set -u

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MAILSLOT_SOURCE_DIR=${MAILSLOT_SOURCE_DIR:-$(cd "$INTEROP_DIR/../.." && pwd)}
MAILSLOT_BUILD_DIR=${MAILSLOT_BUILD_DIR:-$MAILSLOT_SOURCE_DIR/build}
export MAILSLOT_SOURCE_DIR MAILSLOT_BUILD_DIR

skip_all() {
	echo "SKIPPED: $1"
	echo "browse_interop: 0 passed, 0 failed, 1 skipped"
	exit 0
}

[ "$(id -u)" = 0 ] || skip_all "not root (network namespaces need root)"
for tool in ip nmbd nmblookup timeout awk grep; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool is not installed"
done
probe_ns=msb$$-probe
ip netns add "$probe_ns" 2>/dev/null || skip_all "ip netns does not work here"
ip netns del "$probe_ns" 2>/dev/null
MAILSLOT=$MAILSLOT_BUILD_DIR/tools/mailslot
MAILSLOTD=$MAILSLOT_BUILD_DIR/tools/mailslotd/mailslotd
[ -x "$MAILSLOT" ] && [ -x "$MAILSLOTD" ] ||
	skip_all "mailslot or mailslotd not built in $MAILSLOT_BUILD_DIR"

INTEROP_TAG=msb$$
# shellcheck source=netns.sh
source "$INTEROP_DIR/netns.sh"
interop_init || skip_all "cannot make a temporary directory"
netns_setup || skip_all "cannot build the namespaces"
nmbd_start PEER INTEROP PEERALIAS || skip_all "nmbd did not start"

RUN=$INTEROP_TMP/CLIONE/run
mkdir -p "$RUN"
chmod 755 "$INTEROP_TMP/CLIONE" "$RUN"
cat >"$INTEROP_TMP/CLIONE/smb.conf" <<EOF
[global]
    netbios name = CLIONE
    workgroup = INTEROP
    interfaces = $INTEROP_CLI_IP/24
    bind interfaces only = yes
    mailslot runtime dir = $RUN
EOF
netns_spawn "$NS_CLI" "$INTEROP_TMP/CLIONE/log" "mailslotd CLIONE" \
	"MAILSLOT_RUNTIME_DIR=$RUN" "$MAILSLOTD" -F -d 3 \
	-s "$INTEROP_TMP/CLIONE/smb.conf"
wait_for 8 test -S "$RUN/mailslotd.sock" || skip_all "mailslotd did not start"

ms() {
	timeout 60 ip netns exec "$NS_CLI" env "MAILSLOT_RUNTIME_DIR=$RUN" \
		"$MAILSLOT" "$@"
}

lmb() {
	nmblookup_in "$NS_CLI" "$INTEROP_CLI_IP" -U "$INTEROP_PEER_IP" \
		'INTEROP#1d' | grep -q "INTEROP<1d>"
}

browse_dat_line() {
	# a unicast query wakes nmbd's main loop, which rewrites browse.dat
	nmblookup_in "$NS_CLI" "$INTEROP_CLI_IP" -U "$INTEROP_PEER_IP" PEER \
		>/dev/null
	grep -i "^\"$1\" " "$NMBD_RUNDIR/cache/browse.dat" 2>/dev/null
}

has_clione() {
	browse_dat_line CLIONE | grep -q '"interop browse"'
}

lacks_clione() {
	[ -f "$NMBD_RUNDIR/cache/browse.dat" ] && ! browse_dat_line CLIONE
}

T_B1="b1. mailslot browse --json names PEER as INTEROP's master browser"
T_B2="b2. mailslot browse --announce: CLIONE in nmbd's browse.dat"
T_B3="b3. its ServerType 0 on SIGTERM takes CLIONE out of browse.dat"

if ! wait_for 60 lmb; then
	skip "$T_B1" "nmbd did not become local master in 60 s"
	skip "$T_B2" "nmbd is not local master"
	skip "$T_B3" "nmbd is not local master"
	interop_summary | sed 's/^interop:/browse_interop:/'
	exit 0
fi

out=$INTEROP_TMP/browse.json
ms browse --workgroup INTEROP --wait 6 --json -s "$INTEROP_TMP/CLIONE/smb.conf" \
	>"$out" 2>&1
interop_detail <"$out"
check "$T_B1" grep -q '"master":"PEER"' "$out"

ann_out=$INTEROP_TMP/announce.txt
netns_spawn "$NS_CLI" "$ann_out" "mailslot browse --announce" \
	"MAILSLOT_RUNTIME_DIR=$RUN" "$MAILSLOT" browse --workgroup INTEROP \
	--announce --comment "interop browse" --period 5000 \
	-s "$INTEROP_TMP/CLIONE/smb.conf"
ann_pid=$SPAWNED_PID
check_within "$T_B2" 30 has_clione
proc_stop "$ann_pid"
interop_detail <"$ann_out"
check_within "$T_B3" 30 lacks_clione
interop_summary | sed 's/^interop:/browse_interop:/'
