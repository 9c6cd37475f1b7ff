# Network namespace + veth rig for live tests.  Source after tests/lib.sh.
#
#   netns_require            skip the whole file unless root can make
#                            namespaces and veth pairs here
#   netns_pair TAG           two new namespaces joined by a veth pair; sets
#                            NS_A NS_B (names) IF_A IF_B (interfaces, one in
#                            each); IPv6 is off so the link stays silent;
#                            everything is removed at exit, even on failure
#   in_ns NS cmd...          run cmd in NS's network namespace only.  Unlike
#                            'ip netns exec' this keeps the mount namespace,
#                            so /sys/fs/bpf pins and /dev/shm rings are the
#                            ones every other process sees
#   wait_for SECONDS cmd...  retry cmd every 0.1 s until it succeeds
#
# Names carry the test's pid and a random part, so parallel runs and other
# rigs never collide.

netns_require() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root for network namespaces"
	command -v ip >/dev/null || skip_all "iproute2 (ip) is not installed"
	command -v nsenter >/dev/null || skip_all "nsenter (util-linux) is not installed"
	local probe=iiot-probe-$$-$RANDOM
	ip netns add "$probe" 2>/dev/null || skip_all "cannot create network namespaces"
	ip netns del "$probe"
}

netns_pair() {
	local tag=${1:-t} id
	id=$(printf '%x%02x' $$ $((RANDOM % 256)))
	NS_A=iiot-$tag-$id-a
	NS_B=iiot-$tag-$id-b
	IF_A=${tag:0:4}${id}a
	IF_B=${tag:0:4}${id}b
	ip netns add "$NS_A" || return 1
	cleanup_push "ip netns del $NS_A"
	ip netns add "$NS_B" || return 1
	cleanup_push "ip netns del $NS_B"
	local ns
	for ns in "$NS_A" "$NS_B"; do
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
	done
	ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B" || return 1
	ip -n "$NS_A" link set "$IF_A" up && ip -n "$NS_B" link set "$IF_B" up
}

in_ns() {
	local ns=$1; shift
	nsenter --net="/run/netns/$ns" "$@"
}

wait_for() {
	local secs=$1 i; shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
