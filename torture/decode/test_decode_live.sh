#!/bin/bash
# mailslot decode -i: live capture.  In a private network namespace (its
# own loopback, nothing else), `mailslot decode -i lo -c N --json` runs
# while `mailslot write --standalone` sends datagrams; asserts what it
# printed (fields and values), that -c stops it, that the port filter
# leaves other UDP out, that -p selects another port, and that a missing
# interface fails with a clear message.  Root only (namespaces, capture);
# otherwise SKIPPED.  Last line: "decode_live: N passed, N failed, N skipped".
HERE=$(cd "$(dirname "$0")" && pwd)
MAILSLOT_SOURCE_DIR=${MAILSLOT_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
MAILSLOT_BUILD_DIR=${MAILSLOT_BUILD_DIR:-$MAILSLOT_SOURCE_DIR/build}
MAILSLOT=$MAILSLOT_BUILD_DIR/tools/mailslot
NS=msl-live-$$
PASS=0 FAIL=0 SKIP=0
TMP=

summary() {
	echo "decode_live: $PASS passed, $FAIL failed, $SKIP skipped"
	[ "$FAIL" -eq 0 ]
}

skip_all() {
	echo "SKIPPED: $*"
	SKIP=1
	summary
	exit 0
}

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() {
	FAIL=$((FAIL + 1))
	echo "FAIL - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed -e 's/^/#   /' | head -n 30
	return 0
}

cleanup() {
	[ -n "$DEC_PID" ] && kill "$DEC_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ -n "$TMP" ] && [ -z "$KEEP" ] && rm -rf "$TMP"
}

[ "$(id -u)" = 0 ] || skip_all "needs root (a network namespace and a live capture)"
command -v ip >/dev/null || skip_all "ip not installed (Debian: iproute2)"
[ -x "$MAILSLOT" ] || skip_all "no $MAILSLOT (build first)"
ip netns add "$NS" 2>/dev/null || skip_all "network namespaces unavailable"
trap cleanup EXIT
ip -n "$NS" link set lo up || skip_all "cannot bring up lo in $NS"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/msl-live.XXXXXX")

in_ns() { timeout 20 ip netns exec "$NS" "$@"; }

# send_until PID PORT TEXT: standalone writes (every 0.1 s, 100 at
# most) until the decoder PID has exited: a capture opens asynchronously,
# so the first datagrams may come before it listens.  KEEP=1 keeps $TMP.
send_until() {
	local pid=$1 port=$2 text=$3 i
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		# UDP to 139 and 5353 in between: no NBT datagram, not shown
		in_ns python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b"x" * 20, ("127.0.0.1", p)) for p in (139, 5353)]' 2>/dev/null
		in_ns "$MAILSLOT" write --standalone --interface 127.0.0.1/8 \
			--target 127.0.0.1 --port "$port" --netbios-name LIVESRC \
			'\\LIVEDST\mailslot\live' "$text #$i" >/dev/null 2>&1
		sleep 0.1
	done
	return 1
}

# 1. two datagrams to 138, with unrelated UDP around them
DEC_PID=
ip netns exec "$NS" timeout 20 "$MAILSLOT" decode -i lo -c 2 --json \
	>"$TMP/live.json" 2>"$TMP/live.err" &
DEC_PID=$!
if send_until "$DEC_PID" 138 "hello from a live test"; then
	wait "$DEC_PID"
	rc=$?
	DEC_PID=
	if [ "$rc" -eq 0 ]; then
		ok "decode -i lo -c 2 stops by itself after 2 datagrams (exit 0)"
	else
		not_ok "decode -i lo -c 2 exits 0" "exit $rc" "$(cat "$TMP/live.err")"
	fi
else
	not_ok "decode -i lo -c 2 stops by itself after 2 datagrams" \
		"still running after 100 writes" "$(cat "$TMP/live.err")"
	kill "$DEC_PID" 2>/dev/null
	wait "$DEC_PID" 2>/dev/null
	DEC_PID=
fi
if out=$(python3 - "$TMP/live.json" <<-'EOF'
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
	want = {
	    "decode.status": "ok",
	    "ip.src": "127.0.0.1", "ip.dst": "127.0.0.1",
	    "udp.dstport": "138", "nbdgm.type": "16",
	    "nbdgm.source_name": "LIVESRC<00>",
	    "nbdgm.destination_name": "LIVEDST<00>",
	    "mailslot.name": "\\MAILSLOT\\live",
	}
	if len(lines) != 2:
	    print("%d objects, want 2:" % len(lines), *map(json.dumps, lines))
	    sys.exit(1)
	for o in lines:
	    bad = {k: (o.get(k), v) for k, v in want.items() if o.get(k) != v}
	    if bad:
	        print("fields (ours, want):", bad)
	        sys.exit(1)
	    data = bytes.fromhex(o.get("data.data", "").replace(":", ""))
	    if not data.startswith(b"hello from a live test #"):
	        print("data.data:", o.get("data.data"))
	        sys.exit(1)
	EOF
); then
	ok "decode -i: 2 JSON objects, DIRECT_UNIQUE LIVESRC<00> -> LIVEDST<00>, \\MAILSLOT\\live, the text; UDP 139/5353 left out"
else
	not_ok "decode -i: the datagrams' fields" "$out" "$(head -c 2000 "$TMP/live.json")"
fi

# 2. -p selects another port; summary mode
ip netns exec "$NS" timeout 20 "$MAILSLOT" decode -i lo -c 1 -p 13138 \
	>"$TMP/port.txt" 2>"$TMP/port.err" &
DEC_PID=$!
if send_until "$DEC_PID" 13138 "on another port"; then
	wait "$DEC_PID"
	DEC_PID=
	if grep -q 'LIVESRC<00>.*LIVEDST<00>.*\\MAILSLOT\\live' "$TMP/port.txt"; then
		ok "decode -i lo -p 13138: the summary line of a datagram to port 13138"
	else
		not_ok "decode -i lo -p 13138: summary line" "$(cat "$TMP/port.txt" "$TMP/port.err")"
	fi
else
	not_ok "decode -i lo -p 13138 -c 1 stops after one datagram" "$(cat "$TMP/port.err")"
	kill "$DEC_PID" 2>/dev/null
	wait "$DEC_PID" 2>/dev/null
	DEC_PID=
fi

# 3. no such interface: a message and a non-zero exit, at once
in_ns "$MAILSLOT" decode -i no-such-if0 -c 1 >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "no-such-if0" "$TMP/bad.err"; then
	ok "decode -i no-such-if0: exit $rc, the message names the interface"
else
	not_ok "decode -i no-such-if0 fails with a message" "exit $rc" "$(cat "$TMP/bad.err")"
fi

summary
