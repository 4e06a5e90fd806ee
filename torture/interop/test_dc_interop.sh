#!/bin/bash
# mailslot dcping against a Samba AD DC (`samba`, server services nbt and
# cldap) of EXAMPLE / example.test, provisioned into a private temporary
# directory and run in a network namespace of its own (10.99.0.3); the
# client (mailslotd, mailslot dcping) in another (10.99.0.2), joined by a
# bridge in a third.  Asserts the decoded replies per NtVersion:
#   6 (V5|V5EX), the default 0x0B: 0x17 LOGON_SAM_LOGON_RESPONSE_EX with DNS
#   names, site and DS flags; --user nosuchuser: 0x19 USER_UNKNOWN_EX;
#   1: 0x13 NT40; 3 (V1|V5): 0x13 NT5 format; 0xE: 0x17 with the sockaddr.
# Root only; SKIPPED (one skip) without root, namespaces, samba or
# samba-tool.  Takes ~15-25 s, most of it provisioning.
# DC_SHOW=1 prints dcping's output (docs/dcping.md shows it); INTEROP_KEEP=1
# keeps the run directory (provision log, samba's log) under
# $MAILSLOT_BUILD_DIR/interop-artifacts.

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=netns.sh
source "$INTEROP_DIR/netns.sh"

MAILSLOT_BUILD_DIR=${MAILSLOT_BUILD_DIR:-$INTEROP_DIR/../../build}
MAILSLOT=$MAILSLOT_BUILD_DIR/tools/mailslot
MAILSLOTD=
for f in "$MAILSLOT_BUILD_DIR/tools/mailslotd" "$MAILSLOT_BUILD_DIR/tools/mailslotd/mailslotd"; do
	[ -f "$f" ] && [ -x "$f" ] && MAILSLOTD=$f
done

DC_IP=$INTEROP_SUBNET_PREFIX.3
DC_NAME=MSLDC
DC_DOMAIN=EXAMPLE
DC_REALM=example.test
CLI_NAME=CLIONE
NS_DC=$INTEROP_TAG-dc
DC_RUN=
DC_PID=

# the closing line `./waf test` reads
dc_summary() {
	echo "dc-interop: $INTEROP_PASS passed, $INTEROP_FAIL failed, $INTEROP_SKIP skipped"
	[ "$INTEROP_FAIL" -eq 0 ]
}

dc_skip_all() {
	echo "SKIPPED: $*"
	INTEROP_SKIP=1
	dc_summary
	exit 0
}

# hub + DC + client namespaces (netns.sh's helpers; nothing in the root
# namespace)
dc_netns_setup() {
	local ns
	for ns in "$NS_HUB" "$NS_DC" "$NS_CLI"; do
		if ip netns list | awk '{print $1}' | grep -qx -- "$ns"; then
			echo "# namespace $ns exists already; not touching it" >&2
			return 1
		fi
	done
	netns_add "$NS_HUB" || return 1
	ip -n "$NS_HUB" link add br0 type bridge || return 1
	ip -n "$NS_HUB" link set br0 type bridge stp_state 0 forward_delay 0 2>/dev/null
	ip -n "$NS_HUB" link set br0 up || return 1
	netns_add "$NS_DC" || return 1
	netns_add "$NS_CLI" || return 1
	netns_attach "$NS_DC" v-dc "$DC_IP/24" || return 1
	netns_attach "$NS_CLI" v-cli "$INTEROP_CLI_IP/24" || return 1
	wait_for 5 dc_links_ready
}

dc_links_ready() {
	local ns port
	for ns in "$NS_DC" "$NS_CLI"; do
		ip -n "$ns" -br link show dev eth0 | grep -qw UP || return 1
	done
	for port in v-dc v-cli; do
		ip -n "$NS_HUB" -d link show dev "$port" | grep -q 'state forwarding' || return 1
	done
}

# Provision EXAMPLE.TEST into $DC_RUN; every path Samba would take from
# /var/lib/samba, /run/samba or /var/log/samba is inside it (targetdir
# covers private, state, cache, lock, binddns; the rest by --option).
dc_provision() {
	local d
	DC_RUN=$INTEROP_TMP/dc
	for d in log pid ncalrpc winbindd ntp_signd nmbd-sock; do
		mkdir -p "$DC_RUN/$d" || return 1
	done
	# samba-tool runs in the DC namespace too: it never needs the network,
	# and nothing it might try can reach a real interface
	timeout 120 ip netns exec "$NS_DC" samba-tool domain provision \
		--targetdir="$DC_RUN" --realm=EXAMPLE.TEST --domain="$DC_DOMAIN" \
		--server-role=dc --dns-backend=NONE --host-name="$DC_NAME" \
		--host-ip="$DC_IP" \
		--option="server services = nbt cldap" \
		--option="interfaces = $DC_IP/24" \
		--option="bind interfaces only = yes" \
		--option="name resolve order = bcast" \
		--option="pid directory = $DC_RUN/pid" \
		--option="ncalrpc dir = $DC_RUN/ncalrpc" \
		--option="winbindd socket directory = $DC_RUN/winbindd" \
		--option="ntp signd socket directory = $DC_RUN/ntp_signd" \
		--option="nmbd:socket dir = $DC_RUN/nmbd-sock" \
		--option="log file = $DC_RUN/log/log.%m" \
		>"$DC_RUN/provision.log" 2>&1
}

# DC answers a unicast name query for EXAMPLE<1c> with its address
dc_owns_1c() {
	nmblookup_in "$NS_CLI" "$INTEROP_CLI_IP" -U "$DC_IP" "$DC_DOMAIN#1c" 2>/dev/null |
		grep -q "^$DC_IP $DC_DOMAIN<1c>"
}

dc_start() {
	netns_spawn "$NS_DC" "$DC_RUN/log/samba.out" samba \
		samba -F -M single --no-process-group --debug-stdout -d 4 \
		-l "$DC_RUN/log" -s "$DC_RUN/etc/smb.conf"
	DC_PID=$SPAWNED_PID
	if ! wait_for 20 dc_owns_1c; then
		echo "# samba did not answer a name query for $DC_DOMAIN<1c> within 20 s" >&2
		proc_alive "$DC_PID" || echo "# samba (pid $DC_PID) has exited" >&2
		tail -n 20 "$DC_RUN/log/samba.out" 2>/dev/null | interop_detail >&2
		return 1
	fi
}

# dc_reply FILE OPCODE COND...: FILE (dcping --json) holds a reply with
# this opcode meeting every COND: KEY=VALUE (equal), KEY~WORD (the
# |-separated words include WORD), KEY!WORD (do not include it),
# KEY&MASK (numeric field has every bit of MASK).  Prints the replies if
# none matches.
dc_reply() {
	python3 - "$@" <<-'EOF'
	import json, sys
	path, opcode, conds = sys.argv[1], int(sys.argv[2], 0), sys.argv[3:]
	try:
	    replies = json.load(open(path))
	except Exception as e:
	    print("not JSON (%s):" % e, open(path).read())
	    sys.exit(1)
	def ok(r):
	    if r.get("opcode") != opcode:
	        return False
	    for c in conds:
	        op = min((c.index(o), o) for o in "=~!&" if o in c)[1]
	        k, v = c.split(op, 1)
	        if op == "~" and v not in str(r.get(k, "")).split("|"):
	            return False
	        if op == "!" and v in str(r.get(k, "")).split("|"):
	            return False
	        if op == "&" and (int(r.get(k, 0)) & int(v, 0)) != int(v, 0):
	            return False
	        if op == "=" and str(r.get(k)) != v:
	            return False
	    return True
	if any(ok(r) for r in replies):
	    sys.exit(0)
	print("no reply with opcode 0x%02x and %s among:" % (opcode, " ".join(conds)))
	for r in replies:
	    print(json.dumps(r))
	sys.exit(1)
	EOF
}

# dc_count FILE OPCODE: how many replies of this opcode
dc_count() {
	python3 -c 'import json,sys; print(sum(1 for r in json.load(open(sys.argv[1])) if r.get("opcode")==int(sys.argv[2],0)))' "$@" 2>/dev/null || echo "?"
}

interop_init
if [ "$(id -u)" != 0 ]; then
	dc_skip_all "needs root (network namespaces)"
fi
for t in samba samba-tool nmblookup python3 ip; do
	command -v "$t" >/dev/null || dc_skip_all "$t not installed (Debian: samba samba-common-bin samba-ad-provision samba-dsdb-modules)"
done
if [ ! -x "$MAILSLOT" ]; then
	dc_skip_all "no $MAILSLOT (build first)"
fi
if ! dc_netns_setup; then
	dc_skip_all "network namespaces unavailable"
fi
t0=$EPOCHREALTIME
if ! dc_provision; then
	fail "provision EXAMPLE.TEST into a private directory" "$(tail -n 20 "$DC_RUN/provision.log")"
	dc_summary
	exit 1
fi
interop_log "provisioned in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
if ! dc_start; then
	fail "samba (AD DC) answers for $DC_DOMAIN<1c>" "see samba.out"
	dc_summary
	exit 1
fi
interop_log "samba answers for $DC_DOMAIN<1c>"

# optional: the client's view, kept with the artifacts (INTEROP_KEEP=1 or a
# failure)
capture_start "$NS_CLI" eth0 "$INTEROP_TMP/cli.pcapng" ||
	interop_log "no capture (dumpcap/tshark missing)"

# dcping MODE OUTNAME args...: one dcping run (MODE standalone or daemon),
# --json output to $INTEROP_TMP/OUTNAME.json; exit status to OUTNAME.rc
DAEMON_DIR=$INTEROP_TMP/$CLI_NAME
dcping() {
	local mode=$1 name=$2
	shift 2
	if [ "$mode" = standalone ]; then
		timeout 15 ip netns exec "$NS_CLI" "$MAILSLOT" dcping --standalone \
			--interface "$INTEROP_CLI_IP/24" --netbios-name "$CLI_NAME" \
			--wait 1 --json "$@" "$DC_DOMAIN" >"$INTEROP_TMP/$name.json" 2>&1
	else
		timeout 15 ip netns exec "$NS_CLI" env MAILSLOT_RUNTIME_DIR="$DAEMON_DIR/run" \
			"$MAILSLOT" dcping --wait 1 --json "$@" "$DC_DOMAIN" \
			>"$INTEROP_TMP/$name.json" 2>&1
	fi
	echo $? >"$INTEROP_TMP/$name.rc"
	if [ "${DC_SHOW:-0}" = 1 ]; then
		echo "# $mode: mailslot dcping $* $DC_DOMAIN"
		if [ "$mode" = standalone ]; then
			timeout 15 ip netns exec "$NS_CLI" "$MAILSLOT" dcping --standalone \
				--interface "$INTEROP_CLI_IP/24" --netbios-name "$CLI_NAME" \
				--wait 1 "$@" "$DC_DOMAIN"
		else
			timeout 15 ip netns exec "$NS_CLI" env MAILSLOT_RUNTIME_DIR="$DAEMON_DIR/run" \
				"$MAILSLOT" dcping --wait 1 "$@" "$DC_DOMAIN"
		fi
		cat "$INTEROP_TMP/$name.json"
	fi
}

# The EX reply's identity, as the DC was provisioned.  DS flags: Samba
# sets PDC, GC, DS, WRITABLE, CLOSEST (client and DC in the same site) on
# a writable PDC; LDAP and KDC only when those services run, and this DC
# runs nbt and cldap only, so they must be absent.
EX_IDENT=(netbios_name="$DC_NAME" netbios_domain="$DC_DOMAIN"
	dns_host_name="${DC_NAME,,}.$DC_REALM" dns_domain_name="$DC_REALM"
	forest="$DC_REALM" site=Default-First-Site-Name
	client_site=Default-First-Site-Name format=EX)
EX_FLAGS=(flags~PDC flags~GC flags~DS flags~WRITABLE flags~CLOSEST
	flags!LDAP flags!KDC)

# dc_checks MODE: the assertions, for one way of running dcping
dc_checks() {
	local m=$1 ip_ex ip_plain
	if [ "$m" = standalone ]; then
		ip_ex=$DC_IP ip_plain=$DC_IP       # the datagram's source
	else
		ip_ex=$DC_IP ip_plain=             # only a sockaddr says it
	fi
	dcping "$m" "$m-default"
	check_eq "$m: default (NtVersion 0x0B): exit 0" 0 "$(cat "$INTEROP_TMP/$m-default.rc")"
	check "$m: default: 0x17 LOGON_SAM_LOGON_RESPONSE_EX, example.test, $DC_NAME, site, sockaddr $DC_IP" \
		dc_reply "$INTEROP_TMP/$m-default.json" 0x17 type=LOGON_SAM_LOGON_RESPONSE_EX \
		"${EX_IDENT[@]}" user= ip="$ip_ex" nt_version~V5EX_WITH_IP
	check "$m: default: DS flags PDC|GC|DS|WRITABLE|CLOSEST, no LDAP/KDC (services nbt cldap), words match the value" \
		dc_reply "$INTEROP_TMP/$m-default.json" 0x17 "${EX_FLAGS[@]}" flags_value\&0x195
	check "$m: default: 0x0c LOGON_PRIMARY_RESPONSE from $DC_NAME of $DC_DOMAIN" \
		dc_reply "$INTEROP_TMP/$m-default.json" 0x0c type=LOGON_PRIMARY_RESPONSE \
		netbios_name="$DC_NAME" netbios_domain="$DC_DOMAIN"

	dcping "$m" "$m-v6" --nt-version 6
	check "$m: NtVersion 6: 0x17 without sockaddr, DNS names, site, flags" \
		dc_reply "$INTEROP_TMP/$m-v6.json" 0x17 "${EX_IDENT[@]}" "${EX_FLAGS[@]}" \
		nt_version=V1\|V5EX ip="$ip_plain"

	dcping "$m" "$m-unknown" --user nosuchuser
	check "$m: --user nosuchuser: 0x19 LOGON_SAM_USER_UNKNOWN_EX, user nosuchuser" \
		dc_reply "$INTEROP_TMP/$m-unknown.json" 0x19 type=LOGON_SAM_USER_UNKNOWN_EX \
		"${EX_IDENT[@]}" user=nosuchuser
	check_eq "$m: --user nosuchuser: no 0x17" 0 "$(dc_count "$INTEROP_TMP/$m-unknown.json" 0x17)"

	dcping "$m" "$m-v1" --nt-version 1
	check "$m: NtVersion 1: 0x13 LOGON_SAM_LOGON_RESPONSE, NT40 format, $DC_NAME of $DC_DOMAIN" \
		dc_reply "$INTEROP_TMP/$m-v1.json" 0x13 type=LOGON_SAM_LOGON_RESPONSE format=NT40 \
		netbios_name="$DC_NAME" netbios_domain="$DC_DOMAIN" dns_host_name= nt_version=V1

	dcping "$m" "$m-v3" --nt-version 3
	check "$m: NtVersion 3: 0x13 in NT5 format with DNS names and flags" \
		dc_reply "$INTEROP_TMP/$m-v3.json" 0x13 type=LOGON_SAM_LOGON_RESPONSE format=NT5 \
		netbios_name="$DC_NAME" netbios_domain="$DC_DOMAIN" \
		dns_host_name="${DC_NAME,,}.$DC_REALM" dns_domain_name="$DC_REALM" \
		forest="$DC_REALM" "${EX_FLAGS[@]}" nt_version=V1\|V5
	check_eq "$m: NtVersion 1 and 3: no EX reply" "0 0" \
		"$(dc_count "$INTEROP_TMP/$m-v1.json" 0x17) $(dc_count "$INTEROP_TMP/$m-v3.json" 0x17)"
}

dc_checks standalone

# Samba's own test of a DC's NETLOGON mailslot, smbtorture
# nbt.dgram.netlogon, from the client namespace against the same DC.  We
# do not answer as a DC (docs/interop.md), so our side here is the
# analyser: the conversation of another implementation's client is
# captured, and `mailslot decode` must read every datagram of it as
# tshark does.  Before mailslotd, because smbtorture binds port 138.
dc_smbtorture() {
	local pcap=$INTEROP_TMP/smbtorture.pcapng out=$INTEROP_TMP/smbtorture.out
	local conf cap_pid rc json
	local -a st_opts
	if ! command -v smbtorture >/dev/null; then
		skip "smbtorture nbt.dgram.netlogon" "smbtorture not installed (Debian: samba-testsuite)"
		return
	fi
	if ! capture_start "$NS_CLI" eth0 "$pcap"; then
		skip "smbtorture nbt.dgram.netlogon" "no dumpcap/tshark to capture it"
		return
	fi
	cap_pid=${INTEROP_CAPTURES[-1]%%|*}
	conf=$(nmblookup_conf "$NS_CLI" "$INTEROP_CLI_IP")
	st_opts=(-s "$conf" -U% --option="workgroup=$DC_DOMAIN"
		--option="netbios name=STCLIENT")
	timeout 60 ip netns exec "$NS_CLI" smbtorture "${st_opts[@]}" \
		"//$DC_IP/ipc\$" nbt.dgram.netlogon >"$out" 2>&1
	rc=$?
	sleep 0.5 # the last reply into the capture file
	proc_stop "$cap_pid"
	check "smbtorture nbt.dgram.netlogon against $DC_NAME: success" \
		grep -q "^success: netlogon" "$out" || tail -n 20 "$out" | interop_detail
	check_eq "smbtorture nbt.dgram.netlogon: exit 0" 0 "$rc"
	json=$INTEROP_TMP/smbtorture.json
	"$MAILSLOT" decode --json "$pcap" >"$json" 2>"$json.err"
	check "decode: smbtorture's LOGON_PRIMARY_QUERY (0x07) and $DC_NAME's LOGON_PRIMARY_RESPONSE (0x0c)" \
		python3 - "$json" <<-'EOF'
		import json, sys
		seen = set()
		for line in open(sys.argv[1]):
		    c = json.loads(line).get("smb_netlogon.command")
		    if c is not None:
		        seen.add(c)
		if not {"0x07", "0x0c"} <= seen:
		    print("NETLOGON commands decoded:", sorted(seen))
		    sys.exit(1)
		EOF
	check "decode --json equals tshark -T json on every NBDS frame of the smbtorture run" \
		python3 "$INTEROP_DIR/../decode/accuracy.py" "$MAILSLOT" - \
		"$(command -v tshark)" --pcap "$pcap"
}
dc_smbtorture

if [ -z "$MAILSLOTD" ]; then
	skip "mailslotd: the same replies through mailslotd" "no mailslotd in $MAILSLOT_BUILD_DIR"
else
	mkdir -p "$DAEMON_DIR/run"
	cat >"$DAEMON_DIR/smb.conf" <<-EOC
	[global]
	    netbios name = $CLI_NAME
	    workgroup = $DC_DOMAIN
	    interfaces = $INTEROP_CLI_IP/24
	    bind interfaces only = yes
	    mailslot runtime dir = $DAEMON_DIR/run
	EOC
	netns_spawn "$NS_CLI" "$DAEMON_DIR/log.mailslotd" "mailslotd $CLI_NAME" \
		"MAILSLOT_RUNTIME_DIR=$DAEMON_DIR/run" "$MAILSLOTD" -F -d 3 -s "$DAEMON_DIR/smb.conf"
	if wait_for 10 test -S "$DAEMON_DIR/run/mailslotd.sock"; then
		# the DC answers to CLIONE<00>: the daemon must own it by then
		wait_for 15 name_active "$NS_CLI" "$DAEMON_DIR/run" "$CLI_NAME<00>" ||
			echo "# $CLI_NAME<00> not active after 15 s: the DC's replies may not reach us"
		dc_checks mailslotd
	else
		fail "mailslotd: the same replies through mailslotd" \
			"mailslotd did not open its socket in 10 s: $(tail -n 5 "$DAEMON_DIR/log.mailslotd")"
	fi
fi
interop_log "done"
dc_summary
