# impair.bash - a slow, lossy link to one namespace host (netns.bash), for
# tests/faults.bats.  Load it after helpers/netns and helpers/common.
#
#   impair_link I MS PCT   give host I's link a one-way latency of MS ms on
#                          what the host sends and a loss of PCT percent of
#                          the packets each way; sets IMPAIR_HOW (the
#                          mechanism, in words); skips the test, saying
#                          why, when neither netem nor the tools of the
#                          netfilter way (nft, iptables) are there
#   impair_rtt_ms I PORT   milliseconds a TCP connect from the client to
#                          host I's PORT takes (a SYN there, a SYN-ACK
#                          back: at least MS when the latency is on)
#   impair_counts I        "PACKETS DROPPED": packets that reached the loss
#                          points of host I's link so far and how many of
#                          them were dropped (netem counts drops only: its
#                          PACKETS is what its qdiscs sent)
#   impair_stop I          end the delay of host I's packets (after the run,
#                          to read the delaying process's own count): sets
#                          IMPAIR_HELD to what it says it held ("held N
#                          packets, each for at least MS ms; K notices
#                          lost"), empty with netem.  Not in a subshell:
#                          it waits for that process
#
# Mechanisms, in order of preference:
#  1. tc netem (sch_netem): delay and loss on the host's eth0, loss on the
#     switch's port toward the host, as on a real slow line.
#  2. Where the kernel has no netem (a VM or container kernel without
#     modules), netfilter: an iptables NFQUEUE rule in the host's namespace
#     hands every IP packet the host sends to pd_delay (tests/unit/
#     pd_delay.c), which lets each through MS ms later, in order; the packets
#     stay in the kernel, so a SYN, a retransmission and a bare ACK are
#     delayed alike.  nft rules drop PCT% of packets at random (numgen) as
#     they arrive: at the host's eth0 (ingress hook) for what the client
#     sends, and at the switch's port (ingress hook) for what the host
#     sends, so the sender's TCP never sees the drop and must retransmit
#     (a drop in the sender's own output path would be reported to it).
# With both, packets leave the client's and the host's eth0 no bigger than
# the MTU (gso_max_segs 1), so a loss is one packet's, as on a wire; and the
# client and the host know each other's Ethernet address for good
# (permanent neighbour entries), as the two ends of a real slow line (a WAN)
# resolve their neighbours on their own LANs, away from its loss.  Here the
# loss is on the Ethernet itself: 3 ARP requests in a row lost (netem and
# the nft rules drop ARP frames too) fail a connect with "No route to
# host", which a CI run saw.

IMPAIR_HOW=
IMPAIR_HELD=
IMPAIR_DELAY_PID=
IMPAIR_IPT=

# Tables, chains and the queue used here.
IMPAIR_TABLE=pdimpair
IMPAIR_QUEUE=0

impair_link() {
	local i=$1 ms=$2 pct=$3 h=${NS_PREFIX}h$1 err why_netem ipt

	# Frames the size of the MTU, not GSO super-packets.
	if ! err=$(ip -n "$h" link set eth0 gso_max_segs 1 2>&1 && ip -n "$NS_CLIENT" link set eth0 gso_max_segs 1 2>&1); then
		echo "ip link set eth0 gso_max_segs 1: $err"
		return 1
	fi
	if ! err=$(_impair_pin_neighbours "$i" 2>&1); then
		echo "permanent neighbour entries for host $i and the client: $err"
		return 1
	fi
	if command -v tc >/dev/null; then
		if err=$(tc -n "$h" qdisc add dev eth0 root netem delay "${ms}ms" loss "$pct%" 2>&1); then
			if ! err=$(tc -n "$NS_SWITCH" qdisc add dev "h$i" root netem loss "$pct%" 2>&1); then
				echo "tc netem on the switch's port h$i: $err"
				return 1
			fi
			IMPAIR_HOW="tc netem: $ms ms delay and $pct% loss on host $i's eth0, $pct% loss on the switch port toward it"
			return 0
		fi
		why_netem="tc netem: $err"
	else
		why_netem="no tc (iproute2)"
	fi
	# Without netem the tools of the netfilter way must be there; once
	# they are, a failure to set it up fails the test (it is not skipped).
	command -v nft >/dev/null || skip "no netem ($why_netem) and no nft (Debian package nftables)"
	[ -x "$B/tests/pd_delay" ] || { echo "no $B/tests/pd_delay (run make)"; return 1; }
	for ipt in iptables iptables-legacy; do
		command -v "$ipt" >/dev/null && IMPAIR_IPT=$ipt && break
	done
	[ -n "$IMPAIR_IPT" ] || skip "no netem ($why_netem) and no iptables (Debian package iptables)"
	echo "no netem ($why_netem): using netfilter"
	_impair_netfilter "$i" "$ms" "$pct"
}

# Namespace $1's Ethernet address on its eth0.
_impair_mac() { ip -n "$1" -br link show dev eth0 | awk '{ print $3 }'; }

# The client and host I each get a permanent neighbour entry for the other.
_impair_pin_neighbours() {
	local h=${NS_PREFIX}h$1 hmac cmac

	hmac=$(_impair_mac "$h") && cmac=$(_impair_mac "$NS_CLIENT") || return 1
	ip -n "$NS_CLIENT" neigh replace "198.18.0.$(($1 + 1))" lladdr "$hmac" dev eth0 nud permanent &&
		ip -n "$h" neigh replace "$NS_CLIENT_ADDR" lladdr "$cmac" dev eth0 nud permanent
}

# The netfilter mechanism (2 above).
_impair_netfilter() {
	local i=$1 ms=$2 pct=$3 h=${NS_PREFIX}h$1 err

	if ! err=$(_impair_nft_drop "$h" eth0 "$pct" 2>&1 && _impair_nft_drop "$NS_SWITCH" "h$i" "$pct" 2>&1); then
		echo "nft: $err"
		return 1
	fi
	# The queue first: packets queued while nobody has bound it are lost.
	# (ip netns exec execs it: $! is pd_delay's own pid.)
	ip netns exec "$h" "$B/tests/pd_delay" "$IMPAIR_QUEUE" "$ms" >"$NS_DIR/delay.out" 2>&1 3>&- &
	IMPAIR_DELAY_PID=$!
	if ! NS_WAIT=10 _ns_until _impair_ready "$IMPAIR_DELAY_PID" || _ns_gone "$IMPAIR_DELAY_PID"; then
		echo "pd_delay did not bind its queue: $(cat "$NS_DIR/delay.out")"
		return 1
	fi
	if ! err=$(ip netns exec "$h" "$IMPAIR_IPT" -w 10 -t mangle -A POSTROUTING -o eth0 \
		-j NFQUEUE --queue-num "$IMPAIR_QUEUE" 2>&1); then
		echo "$IMPAIR_IPT NFQUEUE: $err"
		return 1
	fi
	IMPAIR_HOW="netfilter (no netem): every packet host $i sends held $ms ms by pd_delay through $IMPAIR_IPT NFQUEUE;"
	IMPAIR_HOW+=" $pct% dropped by nft at random on arrival, each way"
}

# pd_delay has bound its queue, or has exited.
_impair_ready() { grep -q '^ready$' "$NS_DIR/delay.out" 2>/dev/null || _ns_gone "$1"; }

# In namespace NS, drop PCT% of the packets arriving on device DEV,
# counting all of them and the dropped ones.
_impair_nft_drop() {
	ip netns exec "$1" nft -f - <<-EOF
	table netdev $IMPAIR_TABLE {
		chain loss {
			type filter hook ingress device "$2" priority 0; policy accept;
			counter
			numgen random mod 100 < $3 counter drop
		}
	}
	EOF
}

impair_rtt_ms() {
	netns_client env LC_ALL=C bash -c '
		t0=${EPOCHREALTIME/./}
		exec 3<>"/dev/tcp/$0/$1" || exit 1
		t1=${EPOCHREALTIME/./}
		echo $(((t1 - t0) / 1000))' "198.18.0.$(($1 + 1))" "$2"
}

impair_counts() {
	local h=${NS_PREFIX}h$1

	if [ -z "$IMPAIR_IPT" ]; then
		{
			tc -s -n "$h" qdisc show dev eth0
			tc -s -n "$NS_SWITCH" qdisc show dev "h$1"
		} | awk '/ Sent / { p += $4; gsub(",", "", $7); d += $7 } END { print p + 0, d + 0 }'
		return
	fi
	# The first counter of each chain counts every packet, the second the drops.
	{
		ip netns exec "$h" nft list table netdev "$IMPAIR_TABLE"
		ip netns exec "$NS_SWITCH" nft list table netdev "$IMPAIR_TABLE"
	} | awk '/counter packets/ { for (f = 1; f < NF; f++) if ($f == "packets") n = $(f + 1)
			if (/drop/) d += n; else p += n }
		END { print p + 0, d + 0 }'
}

impair_stop() {
	local st=0

	IMPAIR_HELD=
	[ -n "$IMPAIR_DELAY_PID" ] || return 0
	ip netns exec "${NS_PREFIX}h$1" "$IMPAIR_IPT" -w 10 -t mangle -D POSTROUTING -o eth0 \
		-j NFQUEUE --queue-num "$IMPAIR_QUEUE" || return 1
	kill -TERM "$IMPAIR_DELAY_PID" || return 1
	wait "$IMPAIR_DELAY_PID" || st=$?
	IMPAIR_DELAY_PID=
	[ "$st" -eq 0 ] || { echo "pd_delay exited with status $st: $(cat "$NS_DIR/delay.out")"; return 1; }
	IMPAIR_HELD=$(grep '^held ' "$NS_DIR/delay.out")
}
