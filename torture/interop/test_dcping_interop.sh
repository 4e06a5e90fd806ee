#!/bin/bash
# mailslot dcping against Samba's nmbd (an NT4-style PDC of INTEROP) in
# network namespaces: nmbd answers LOGON_PRIMARY_QUERY with 0x0c and
# LOGON_SAM_LOGON_REQUEST with an NT40 0x13.  Checks the decoded fields in
# --standalone mode and through mailslotd.  Root only; SKIPs otherwise.
# DCPING_SHOW=1 prints the command's output (docs/dcping.md shows it).

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=netns.sh
source "$INTEROP_DIR/netns.sh"

MAILSLOT_BUILD_DIR=${MAILSLOT_BUILD_DIR:-$INTEROP_DIR/../../build}
MAILSLOT=$MAILSLOT_BUILD_DIR/tools/mailslot
MAILSLOTD=
for f in "$MAILSLOT_BUILD_DIR/tools/mailslotd" "$MAILSLOT_BUILD_DIR/tools/mailslotd/mailslotd"; do
	[ -f "$f" ] && [ -x "$f" ] && MAILSLOTD=$f
done

CHECKS=(
	"standalone: exit 0 (a DC answered)"
	"standalone: LOGON_PRIMARY_RESPONSE (0x0c) with PDC name PEER, domain INTEROP"
	"standalone: LOGON_SAM_LOGON_RESPONSE (0x13), NT40 format, server PEER, domain INTEROP"
	"standalone: the datagram source 10.99.0.1 is reported"
	"standalone: no DC of NODOMAIN: exit 4"
	"mailslotd: 0x0c and 0x13 from PEER for INTEROP"
)

interop_init
if [ "$(id -u)" != 0 ] || ! command -v nmbd >/dev/null || [ ! -x "$MAILSLOT" ]; then
	for c in "${CHECKS[@]}"; do skip "$c" "needs root, nmbd and $MAILSLOT"; done
	interop_summary
	exit 0
fi
if ! netns_setup; then
	for c in "${CHECKS[@]}"; do skip "$c" "network namespaces unavailable"; done
	interop_summary
	exit 0
fi
if ! nmbd_start PEER INTEROP PEERALIAS; then
	for c in "${CHECKS[@]}"; do fail "$c" "nmbd did not start"; done
	interop_summary
	exit 1
fi
# nmbd registers INTEROP<1c> about 5 s after start and ignores datagrams
# to it before; it never owns INTEROP<1b> in this setup
wait_for 20 nmbd_log_grep "now a logon server for workgroup INTEROP on subnet $INTEROP_PEER_IP" || sleep 6

out=$INTEROP_TMP/standalone.json
ip netns exec "$NS_CLI" "$MAILSLOT" dcping --standalone \
	--interface "$INTEROP_CLI_IP/24" --netbios-name CLIONE --json INTEROP >"$out" 2>&1
rc=$?
[ "${DCPING_SHOW:-0}" = 1 ] && {
	ip netns exec "$NS_CLI" "$MAILSLOT" dcping --standalone \
		--interface "$INTEROP_CLI_IP/24" --netbios-name CLIONE INTEROP
	cat "$out"
}
check_eq "${CHECKS[0]}" 0 "$rc"
check "${CHECKS[1]}" grep -q '"opcode":12,"type":"LOGON_PRIMARY_RESPONSE","format":"","netbios_name":"PEER","netbios_domain":"INTEROP"' "$out"
check "${CHECKS[2]}" grep -q '"opcode":19,"type":"LOGON_SAM_LOGON_RESPONSE","format":"NT40","netbios_name":"PEER","netbios_domain":"INTEROP"' "$out"
check "${CHECKS[3]}" grep -q '"ip":"10.99.0.1"' "$out"
ip netns exec "$NS_CLI" "$MAILSLOT" dcping --standalone --wait 1 \
	--interface "$INTEROP_CLI_IP/24" --netbios-name CLIONE NODOMAIN >/dev/null 2>&1
check_eq "${CHECKS[4]}" 4 "$?"

if [ -z "$MAILSLOTD" ]; then
	skip "${CHECKS[5]}" "no mailslotd in $MAILSLOT_BUILD_DIR"
else
	dir=$INTEROP_TMP/CLIONE
	mkdir -p "$dir/run"
	cat >"$dir/smb.conf" <<-EOC
	[global]
	    netbios name = CLIONE
	    workgroup = INTEROP
	    interfaces = $INTEROP_CLI_IP/24
	    bind interfaces only = yes
	    mailslot runtime dir = $dir/run
	EOC
	netns_spawn "$NS_CLI" "$dir/log.mailslotd" "mailslotd CLIONE" \
		"MAILSLOT_RUNTIME_DIR=$dir/run" "$MAILSLOTD" -F -d 3 -s "$dir/smb.conf"
	wait_for 10 test -S "$dir/run/mailslotd.sock"
	# nmbd answers to CLIONE<00>: the daemon must own it by then
	wait_for 15 name_active "$NS_CLI" "$dir/run" 'CLIONE<00>' ||
		echo "# CLIONE<00> not active after 15 s: nmbd's replies may not reach us"
	ip netns exec "$NS_CLI" env MAILSLOT_RUNTIME_DIR="$dir/run" \
		"$MAILSLOT" dcping INTEROP >"$INTEROP_TMP/daemon.txt" 2>&1
	rc=$?
	[ "${DCPING_SHOW:-0}" = 1 ] && cat "$INTEROP_TMP/daemon.txt"
	check "${CHECKS[5]}" bash -c "[ $rc = 0 ] &&
		grep -q 'LOGON_PRIMARY_RESPONSE (0x0c)' '$INTEROP_TMP/daemon.txt' &&
		grep -q 'LOGON_SAM_LOGON_RESPONSE (0x13), NT40' '$INTEROP_TMP/daemon.txt' &&
		grep -q 'netbios name:  PEER' '$INTEROP_TMP/daemon.txt'"
fi
interop_summary
