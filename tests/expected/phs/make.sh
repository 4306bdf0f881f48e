#!/bin/bash
# Regenerates tshark 4.0's protocol hierarchy (`tshark -n -q -z io,phs -r F`) for the selection
# below, one F.txt each; read by tests/phs_corpus.rs. Default preferences, no name resolution.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
captures=${CAPTURES:-$here/../../../../shared/captures/public}
[ -d "$captures" ] || captures=/work/shared/captures/public
SELECTION="arkime__gre-erspan-vxlan.pcap zeek__q-in-q.pcap zeek__linux_dlt_sll2.pcap pcapplusplus__ipv6_options.pcap
suricata-verify__eve-flow-esp_input.pcap arkime__pppoe.pcap tcpdump__mpls-traceroute.pcap pcapplusplus__dns_over_tcp.pcapng
tcpreplay__test.pcap arkime__ah-esp.pcap pcapplusplus__IPv4Frag.pcap ndpi__1kxun.pcap pcapplusplus__GrePackets.pcap
zeek__vlan-pcp-dei.pcapng arkime__80211http.pcap arkime__wireshark-retrans.pcap"
for c in $SELECTION; do
  LC_ALL=C TZ=UTC HOME= XDG_CONFIG_HOME= tshark -n -q -z io,phs -r "$captures/$c" > "$here/$c.txt" 2>/dev/null
done
