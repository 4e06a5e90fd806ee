# shellcheck shell=bash
# netns.sh: a sourced library for interoperability tests in network
# namespaces (see docs/interop.md and /work/shared/docs/interop-peers.md).
#
#   source torture/interop/netns.sh
#   interop_init              # temp dir, traps, counters
#   netns_setup || ...        # NAME-hub (bridge br0), NAME-peer 10.99.0.1,
#                             # NAME-cli 10.99.0.2, NAME-cli2 10.99.0.3
#   nmbd_start || ...         # PEER / PEERALIAS, PDC+LMB of INTEROP
#   check "name" cmd...; check_eq "name" expected actual; skip "name" why
#   interop_summary           # "interop: N passed, N failed, N skipped"
#
# Safety rules, kept by every function here:
#   - nothing is created in, or changed on, the root namespace: every veth
#     is created inside the hub and moved straight into its peer namespace;
#   - namespace names carry the test's pid (INTEROP_TAG, default msl<pid>),
#     and only namespaces this shell created are deleted;
#   - only processes this shell started are signalled, by pid, after
#     checking /proc/PID/exe and the pid's namespace are still the ones
#     recorded at start;
#   - every wait is bounded; teardown runs on EXIT, INT and TERM.
#
# Needs bash 4+, iproute2, root.  Uses no `set -e`: check failures are
# counted, not fatal.

INTEROP_TAG=${INTEROP_TAG:-msl$$}
INTEROP_SUBNET_PREFIX=${INTEROP_SUBNET_PREFIX:-10.99.0}
INTEROP_BCAST=$INTEROP_SUBNET_PREFIX.255
INTEROP_PEER_IP=$INTEROP_SUBNET_PREFIX.1
INTEROP_CLI_IP=$INTEROP_SUBNET_PREFIX.2
INTEROP_CLI2_IP=$INTEROP_SUBNET_PREFIX.3

NS_HUB=$INTEROP_TAG-hub
NS_PEER=$INTEROP_TAG-peer
NS_CLI=$INTEROP_TAG-cli
NS_CLI2=$INTEROP_TAG-cli2

INTEROP_PASS=0
INTEROP_FAIL=0
INTEROP_SKIP=0
INTEROP_TMP=
INTEROP_NETNS_CREATED=()    # namespaces we created, deleted at teardown
INTEROP_PROCS=()            # "pid|netns|exe|label" of processes we started
INTEROP_CAPTURES=()         # pcap files written by capture_start
INTEROP_TORN_DOWN=0
INTEROP_KEEP=${INTEROP_KEEP:-0}   # 1: keep artifacts even when all pass
INTEROP_VERBOSE=${INTEROP_VERBOSE:-0}
INTEROP_T0=${EPOCHREALTIME:-0}

NMBD_PID=
NMBD_RUNDIR=
NMBD_LOG=

SPAWNED_PID=

# ---------------------------------------------------------------- output

interop_log() {
	printf '# [%6.2fs] %s\n' "$(interop_elapsed)" "$*"
}

interop_elapsed() {
	# seconds since interop_init, 2 decimals, without forking bc
	local now=${EPOCHREALTIME:-0}
	awk -v a="$INTEROP_T0" -v b="$now" 'BEGIN { printf "%.2f", b - a }'
}

# Indent a block of text as test detail ("#   ...").
interop_detail() {
	sed -e 's/^/#   /' | head -n "${INTEROP_DETAIL_LINES:-40}"
}

# ------------------------------------------------------------ assertions

# check NAME cmd...: ok if cmd exits 0; the output of a failing cmd is
# shown as detail.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		INTEROP_PASS=$((INTEROP_PASS + 1))
		echo "ok - $name"
		if [ "$INTEROP_VERBOSE" = 1 ] && [ -n "$out" ]; then
			printf '%s\n' "$out" | interop_detail
		fi
	else
		INTEROP_FAIL=$((INTEROP_FAIL + 1))
		echo "FAIL - $name"
		echo "#   command: $* (exit $rc)"
		[ -n "$out" ] && printf '%s\n' "$out" | interop_detail
	fi
	return "$rc"
}

# check_eq NAME expected actual
check_eq() {
	local name=$1 expected=$2 actual=$3
	if [ "$expected" == "$actual" ]; then
		INTEROP_PASS=$((INTEROP_PASS + 1))
		echo "ok - $name"
		return 0
	fi
	INTEROP_FAIL=$((INTEROP_FAIL + 1))
	echo "FAIL - $name"
	printf '%s\n' "expected: $expected" "actual:   $actual" | interop_detail
	return 1
}

# check_within NAME TIMEOUT_S cmd...: ok once cmd succeeds within
# TIMEOUT_S (polled by wait_for); on failure the output of one last run is
# the detail.
check_within() {
	local name=$1 timeout=$2 out rc
	shift 2
	if wait_for "$timeout" "$@"; then
		INTEROP_PASS=$((INTEROP_PASS + 1))
		echo "ok - $name"
		return 0
	fi
	out=$("$@" 2>&1)
	rc=$?
	INTEROP_FAIL=$((INTEROP_FAIL + 1))
	echo "FAIL - $name (not within ${timeout} s)"
	echo "#   command: $* (exit $rc)"
	[ -n "$out" ] && printf '%s\n' "$out" | interop_detail
	return 1
}

# fail NAME detail...: an unconditional failure (a step the checks need).
fail() {
	local name=$1
	shift
	INTEROP_FAIL=$((INTEROP_FAIL + 1))
	echo "FAIL - $name"
	[ $# -gt 0 ] && printf '%s\n' "$*" | interop_detail
	return 1
}

# skip NAME reason
skip() {
	INTEROP_SKIP=$((INTEROP_SKIP + 1))
	echo "skip - $1: $2"
}

# interop_summary: the closing line `./waf test` reads; returns 1 if any
# check failed.
interop_summary() {
	echo "interop: $INTEROP_PASS passed, $INTEROP_FAIL failed, $INTEROP_SKIP skipped"
	[ "$INTEROP_FAIL" -eq 0 ]
}

# ------------------------------------------------------------- waiting

# wait_for TIMEOUT_S cmd...: run cmd every 0.2 s until it succeeds or
# TIMEOUT_S seconds (may be fractional) have passed.  0 if it succeeded.
wait_for() {
	local timeout=$1
	shift
	local deadline now
	deadline=$(awk -v t="$timeout" -v n="${EPOCHREALTIME}" 'BEGIN { printf "%.3f", n + t }')
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		now=${EPOCHREALTIME}
		if awk -v n="$now" -v d="$deadline" 'BEGIN { exit !(n >= d) }'; then
			# one last try at the deadline
			"$@" >/dev/null 2>&1
			return
		fi
		sleep 0.2
	done
}

# proc_alive PID: the process exists and is not a zombie.
proc_alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_exit TIMEOUT_S PID: wait (bounded) for a child of ours to end;
# returns its exit status, or 124 if it is still running.
wait_exit() {
	local timeout=$1 pid=$2
	if ! wait_for "$timeout" eval "! proc_alive $pid"; then
		return 124
	fi
	wait "$pid" 2>/dev/null
}

# ---------------------------------------------------------- namespaces

# netns_exec NS cmd...
netns_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

netns_add() {
	local ns=$1
	if ! ip netns add "$ns"; then
		return 1
	fi
	INTEROP_NETNS_CREATED+=("$ns")
	ip -n "$ns" link set lo up
}

# netns_attach NS HUBPORT ADDR/PREFIX: a veth pair made inside the hub,
# one end (eth0) moved straight into NS, the other enslaved to br0.
netns_attach() {
	local ns=$1 port=$2 addr=$3
	ip -n "$NS_HUB" link add "$port" type veth peer name eth0 netns "$ns" || return 1
	ip -n "$NS_HUB" link set "$port" master br0 || return 1
	ip -n "$NS_HUB" link set "$port" up || return 1
	ip -n "$ns" addr add "$addr" brd + dev eth0 || return 1
	ip -n "$ns" link set eth0 up || return 1
}

# netns_setup: the whole topology.  1 on any failure (teardown still
# removes what was made).
netns_setup() {
	local ns
	for ns in "$NS_HUB" "$NS_PEER" "$NS_CLI" "$NS_CLI2"; do
		if ip netns list | awk '{print $1}' | grep -qx -- "$ns"; then
			echo "# namespace $ns exists already (pid reused?); not touching it" >&2
			return 1
		fi
	done
	netns_add "$NS_HUB" || return 1
	ip -n "$NS_HUB" link add br0 type bridge || return 1
	# forward at once: no STP listening/learning delay
	ip -n "$NS_HUB" link set br0 type bridge stp_state 0 forward_delay 0 2>/dev/null
	ip -n "$NS_HUB" link set br0 up || return 1
	netns_add "$NS_PEER" || return 1
	netns_add "$NS_CLI" || return 1
	netns_add "$NS_CLI2" || return 1
	netns_attach "$NS_PEER" v-peer "$INTEROP_PEER_IP/24" || return 1
	netns_attach "$NS_CLI" v-cli "$INTEROP_CLI_IP/24" || return 1
	netns_attach "$NS_CLI2" v-cli2 "$INTEROP_CLI2_IP/24" || return 1
	# links come up asynchronously: wait until every end is UP and every
	# bridge port forwards (no ping on minimal hosts; this needs iproute2 only)
	wait_for 5 netns_links_ready || return 1
	return 0
}

netns_links_ready() {
	local ns port
	for ns in "$NS_PEER" "$NS_CLI" "$NS_CLI2"; do
		ip -n "$ns" -br link show dev eth0 | grep -qw UP || return 1
	done
	for port in v-peer v-cli v-cli2; do
		ip -n "$NS_HUB" -d link show dev "$port" | grep -q 'state forwarding' || return 1
	done
}

# ----------------------------------------------------------- processes

# netns_spawn NS OUTFILE LABEL [VAR=value...] cmd...: start cmd in the
# background inside NS, stdout+stderr to OUTFILE, stdin from /dev/null.
# Sets SPAWNED_PID and records the process for teardown.  `ip netns exec`
# (and env, for VAR=value) exec the command without forking, so $! ends up
# being the command's own pid.
netns_spawn() {
	local ns=$1 out=$2 label=$3 exe
	shift 3
	local -a envs=()
	while [ $# -gt 0 ] && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		envs+=("$1")
		shift
	done
	SPAWNED_PID=
	exe=$(command -v -- "$1")
	exe=$(readlink -f -- "$exe" 2>/dev/null || echo "$exe")
	if [ ${#envs[@]} -gt 0 ]; then
		ip netns exec "$ns" env "${envs[@]}" "$@" >"$out" 2>&1 </dev/null &
	else
		ip netns exec "$ns" "$@" >"$out" 2>&1 </dev/null &
	fi
	SPAWNED_PID=$!
	INTEROP_PROCS+=("$SPAWNED_PID|$ns|$exe|$label")
	return 0
}

# proc_is_ours PID NS EXE: PID still runs EXE inside namespace NS (so a
# recycled pid is never signalled).  Right after the fork PID may still be
# ip or env (both exec EXE without forking); that is ours too.
proc_is_ours() {
	local pid=$1 ns=$2 exe=$3 cur pns
	proc_alive "$pid" || return 1
	cur=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	cur=${cur% (deleted)}
	case $cur in
	"$exe") ;;
	"$(readlink -f "$(command -v ip)")" | "$(readlink -f "$(command -v env)")")
		return 0 ;;
	*) return 1 ;;
	esac
	pns=$(ip netns identify "$pid" 2>/dev/null)
	[ "$pns" = "$ns" ]
}

# proc_stop PID: TERM, up to 3 s, then KILL; only if proc_is_ours.
proc_stop() {
	local want=$1 entry pid ns exe label i
	for entry in "${INTEROP_PROCS[@]}"; do
		IFS='|' read -r pid ns exe label <<<"$entry"
		[ "$pid" = "$want" ] || continue
		if proc_is_ours "$pid" "$ns" "$exe"; then
			kill -TERM "$pid" 2>/dev/null
			for i in $(seq 1 30); do
				proc_alive "$pid" || break
				sleep 0.1
			done
			if proc_is_ours "$pid" "$ns" "$exe"; then
				echo "# $label (pid $pid) ignored SIGTERM; SIGKILL" >&2
				kill -KILL "$pid" 2>/dev/null
			fi
		fi
		wait "$pid" 2>/dev/null
		return 0
	done
	return 1
}

# --------------------------------------------------------------- nmbd

# nmblookup_conf NS IP: path of a private minimal smb.conf for nmblookup
# run inside NS (made on first use).
nmblookup_conf() {
	local ns=$1 ip=$2 dir=$INTEROP_TMP/nmblookup-$1
	if [ ! -f "$dir/smb.conf" ]; then
		mkdir -p "$dir/lock" "$dir/state" "$dir/cache" "$dir/private" "$dir/log"
		cat >"$dir/smb.conf" <<-EOF
		[global]
		    workgroup = INTEROP
		    netbios name = LOOKUP$(echo "$ns" | tail -c 2)
		    interfaces = $ip/24
		    bind interfaces only = yes
		    name resolve order = bcast
		    lock directory = $dir/lock
		    state directory = $dir/state
		    cache directory = $dir/cache
		    private dir = $dir/private
		    pid directory = $dir/lock
		    ncalrpc dir = $dir/lock
		    log file = $dir/log/log.%m
		    load printers = no
		EOF
	fi
	echo "$dir/smb.conf"
}

# nmblookup_in NS IP args...: nmblookup with a private config, bounded.
nmblookup_in() {
	local ns=$1 ip=$2 conf
	shift 2
	conf=$(nmblookup_conf "$ns" "$ip")
	timeout 10 ip netns exec "$ns" nmblookup -s "$conf" "$@"
}

# nmbd_start [NAME [WORKGROUP [ALIAS]]]: render nmbd.conf.in into
# $INTEROP_TMP/peer, start nmbd in the peer namespace, wait (5 s) until it
# answers a unicast name query for NAME.
nmbd_start() {
	local name=${1:-PEER} wg=${2:-INTEROP} alias=${3:-PEERALIAS}
	local tmpl=${INTEROP_DIR:-$(dirname "${BASH_SOURCE[0]}")}/nmbd.conf.in d
	NMBD_RUNDIR=$INTEROP_TMP/peer
	for d in log lock state cache pid private ncalrpc binddns winbindd ntp_signd nmbd-sock; do
		mkdir -p "$NMBD_RUNDIR/$d"
	done
	sed -e "s|@RUNDIR@|$NMBD_RUNDIR|g" -e "s|@NETBIOS_NAME@|$name|g" \
	    -e "s|@WORKGROUP@|$wg|g" -e "s|@ALIAS@|$alias|g" \
	    -e "s|@INTERFACES@|$INTEROP_PEER_IP/24|g" \
	    "$tmpl" >"$NMBD_RUNDIR/smb.conf" || return 1
	NMBD_LOG=$NMBD_RUNDIR/log/log.nmbd
	netns_spawn "$NS_PEER" "$NMBD_RUNDIR/log/nmbd.out" nmbd \
		nmbd -F --no-process-group -d 10 -l "$NMBD_RUNDIR/log" \
		-s "$NMBD_RUNDIR/smb.conf"
	NMBD_PID=$SPAWNED_PID
	if ! wait_for 8 nmblookup_in "$NS_CLI" "$INTEROP_CLI_IP" -U "$INTEROP_PEER_IP" "$name"; then
		echo "# nmbd did not answer a name query for $name within 8 s" >&2
		proc_alive "$NMBD_PID" || echo "# nmbd (pid $NMBD_PID) has exited" >&2
		tail -n 20 "$NMBD_RUNDIR/log/nmbd.out" "$NMBD_LOG" 2>/dev/null | interop_detail >&2
		return 1
	fi
	return 0
}

# nmbd_log_grep PATTERN: the fixed string PATTERN is in nmbd's log.
nmbd_log_grep() {
	grep -qF -- "$1" "$NMBD_LOG" 2>/dev/null
}

# nmbd_log_grep_re REGEX: an extended regex matches a line of nmbd's log.
nmbd_log_grep_re() {
	grep -qE -- "$1" "$NMBD_LOG" 2>/dev/null
}

# name_active NS RUNDIR NAME: `$MAILSLOT status --json` in NS lists NAME
# (like CLIONE<00>) as active, so the daemon takes datagrams to it
name_active() {
	timeout 10 ip netns exec "$1" env "MAILSLOT_RUNTIME_DIR=$2" \
		"$MAILSLOT" status --json 2>/dev/null |
		grep -q "{\"name\":\"$3\",\"group\":[a-z]*,\"state\":\"active\"}"
}

# ------------------------------------------------------------ captures

# capture_start NS IFACE FILE: dumpcap (or tshark) on IFACE inside NS,
# for post-mortem; waits (3 s) until the capture file exists.  Optional:
# returns 1 without failing anything if no capture tool is installed.
capture_start() {
	local ns=$1 iface=$2 file=$3 tool
	tool=$(command -v dumpcap || command -v tshark) || return 1
	netns_spawn "$ns" "$file.log" capture "$tool" -q -i "$iface" -w "$file"
	INTEROP_CAPTURES+=("$SPAWNED_PID|$file")
	wait_for 3 test -s "$file"
}

capture_stop_all() {
	local entry pid file
	for entry in "${INTEROP_CAPTURES[@]}"; do
		IFS='|' read -r pid file <<<"$entry"
		proc_stop "$pid"
	done
}

# ------------------------------------------------------------ lifecycle

# interop_init: temp dir, traps.  Call once, before netns_setup.
interop_init() {
	INTEROP_T0=${EPOCHREALTIME:-0}
	INTEROP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mailslot-interop.XXXXXX") || return 1
	chmod 755 "$INTEROP_TMP"
	trap 'interop_teardown' EXIT
	trap 'echo "# interrupted" >&2; exit 130' INT
	trap 'echo "# terminated" >&2; exit 143' TERM
}

# interop_save_artifacts: logs, configs and captures to
# $MAILSLOT_BUILD_DIR/interop-artifacts/<tag>/.
interop_save_artifacts() {
	local base=${MAILSLOT_BUILD_DIR:-$PWD}/interop-artifacts dest
	dest=$base/$INTEROP_TAG-$(date +%Y%m%d-%H%M%S)
	mkdir -p "$dest" || return 1
	cp -a "$INTEROP_TMP/." "$dest/"
	echo "# artifacts kept in $dest" >&2
}

# interop_teardown: stop our processes (by pid), delete our namespaces,
# keep artifacts if something failed (or INTEROP_KEEP=1), remove the temp
# dir.  Idempotent; runs from the EXIT trap.
interop_teardown() {
	local rc=$? entry pid ns exe label i
	[ "$INTEROP_TORN_DOWN" = 1 ] && return
	INTEROP_TORN_DOWN=1
	trap - INT TERM
	capture_stop_all
	# newest first: clients before the peer
	for ((i = ${#INTEROP_PROCS[@]} - 1; i >= 0; i--)); do
		IFS='|' read -r pid ns exe label <<<"${INTEROP_PROCS[$i]}"
		proc_stop "$pid"
	done
	# Anything still inside our own namespaces was started by us (they
	# exist only for this test); stop it by pid before deleting them.
	for ns in "${INTEROP_NETNS_CREATED[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			[ "$pid" = "$$" ] && continue
			echo "# stray pid $pid in $ns: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for ((i = ${#INTEROP_NETNS_CREATED[@]} - 1; i >= 0; i--)); do
		ip netns del "${INTEROP_NETNS_CREATED[$i]}" 2>/dev/null
	done
	INTEROP_NETNS_CREATED=()
	if [ -n "$INTEROP_TMP" ] && [ -d "$INTEROP_TMP" ]; then
		if [ "$INTEROP_FAIL" -gt 0 ] || [ "$INTEROP_KEEP" = 1 ] || [ "$rc" -ge 128 ]; then
			interop_save_artifacts
		fi
		rm -rf -- "$INTEROP_TMP"
	fi
	return "$rc"
}
