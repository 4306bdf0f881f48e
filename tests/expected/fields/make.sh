#!/bin/bash
# Regenerates the tshark field outputs the decoder test compares with (tshark 4.0, default
# preferences, no name resolution). Columns empty on every frame are dropped to keep files small.
#   make.sh          -> the selection below, into this directory (committed)
#   make.sh DIR      -> every capture of the corpus, into DIR (for a local full run:
#                       TRACEMATCH_FIELDS_ORACLE=DIR cargo test --test decode_corpus more_fields)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
captures=${CAPTURES:-$here/../../../../shared/captures/public}
[ -d "$captures" ] || captures=/work/shared/captures/public
FIELDS="frame.number frame.time_epoch frame.time_relative frame.interface_id frame.len frame.cap_len frame.protocols eth.src eth.dst eth.type vlan.id vlan.etype ieee8021ad.id
sll.etype ip.src ip.dst ip.addr ip.proto ip.id ip.ttl ip.len ip.hdr_len ip.dsfield ip.flags ip.frag_offset
ip.checksum ipv6.src ipv6.dst ipv6.addr ipv6.nxt ipv6.hlim ipv6.plen tcp.srcport tcp.dstport tcp.port
tcp.seq_raw tcp.ack_raw tcp.flags tcp.len tcp.window_size_value tcp.hdr_len udp.srcport udp.dstport udp.port
udp.length icmp.type icmp.code icmpv6.type icmpv6.code arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4
esp.spi esp.sequence ah.spi gre.proto vxlan.vni dns.id dns.flags.response"
SELECTION="arkime__80211http.pcap arkime__ah-esp.pcap arkime__arkime_synthetic.pcap arkime__gre-erspan-vxlan.pcap
arkime__pppoe.pcap arkime__vxlan.pcap arkime__mqtt_synthetic.pcap pcapplusplus__GrePackets.pcap pcapplusplus__IPv4Frag.pcap
pcapplusplus__dns_over_tcp.pcapng pcapplusplus__frag_http_req.pcap pcapplusplus__ipv6_options.pcap
scapy__ikev2_nat_t.pcapng suricata-verify__eve-flow-esp_input.pcap suricata-verify__frag-ppp-ip-tcp-syn.pcap
suricata-verify__hdlc-http_1tx.pcap suricata-verify__decode-sll2-01_input.pcap tcpdump__dns_tcp.pcap
tcpdump__ieee802.11_exthdr.pcap tcpdump__ipv6_mobility_1.pcap tcpdump__mpls-traceroute.pcap
tcpdump__tcp-handshake-nano.pcap zeek__erspan.pcap zeek__gre-over-udp-4754.pcap zeek__ipv6-http-atomic-frag.pcap
zeek__linux_dlt_sll2.pcap zeek__pubsub.pcap zeek__q-in-q.pcap zeek__vlan-pcp-dei.pcapng
libpcap__Network_Join_Nokia_Mobile.pcap tcpreplay__test.rewrite_vlan802.1ad.pcap suricata-verify__covert_send6.pcap
pcap-parser__test016-le.pcapng pcap-parser__test017-le.pcapng gopacket__le_test008.pcapng pcapplusplus__many_interfaces-1.pcapng
zeek__gap-data-missing.pcapng zeek__1000-requests-one-dropped-response.pcap.gz ndpi__quic-v2.pcapng"
out=$here
list=$SELECTION
if [ $# -ge 1 ]; then
  out=$1
  list=$(cd "$captures" && ls | grep -v -e '^MANIFEST' -e '^oracle$')
fi
mkdir -p "$out"
args=()
for f in $FIELDS; do args+=(-e "$f"); done
# Frames kept per capture in the committed selection (0 = all).
limit_for() {
  if [ "$out" != "$here" ]; then echo 0; return; fi
  case $1 in
    *.gz|tcpreplay__*) echo 100 ;;
    *) echo 700 ;;
  esac
}
home=$(mktemp -d)
for c in $list; do
  LC_ALL=C TZ=UTC HOME=$home XDG_CONFIG_HOME=$home tshark -n -r "$captures/$c" -T fields -E header=y "${args[@]}" 2>/dev/null |
    python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin]
limit = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if limit and len(rows) > limit + 1:
    rows = rows[:limit + 1]  # the first frames are enough for the committed selection
if rows:
    keep = [i for i in range(len(rows[0])) if i == 0 or any(i < len(r) and r[i] for r in rows[1:])]
    for r in rows:
        print("\t".join(r[i] if i < len(r) else "" for i in keep))
' "$(limit_for "$c")" > "$out/$c.tsv" || true
done
rm -rf "$home"
