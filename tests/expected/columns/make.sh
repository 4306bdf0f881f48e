#!/bin/bash
# tshark 4.0's packet-list columns for a selection of corpus captures, with raw TCP sequence
# numbers and without TCP analysis / desegmentation (the notes that need per-stream state), for
# the describe() test. First 400 frames of each capture.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
captures=${CAPTURES:-$here/../../../../shared/captures/public}
[ -d "$captures" ] || captures=/work/shared/captures/public
SELECTION="arkime__arkime_synthetic.pcap arkime__80211http.pcap arkime__ah-esp.pcap pcapplusplus__IPv4Frag.pcap
pcapplusplus__example.pcap ndpi__1kxun.pcap zeek__erspan.pcap tcpdump__mpls-traceroute.pcap
suricata-verify__tcp-fastopen-10-syn-data-ignore_input.pcap pcap-parser__wireshark_samples-test.pcapng
zeek__linux_dlt_sll2.pcap arkime__vxlan.pcap"
home=$(mktemp -d)
for c in $SELECTION; do
  LC_ALL=C TZ=UTC HOME=$home XDG_CONFIG_HOME=$home tshark -n -r "$captures/$c" \
    -o tcp.relative_sequence_numbers:FALSE -o tcp.analyze_sequence_numbers:FALSE -o tcp.desegment_tcp_streams:FALSE \
    -c 400 -T fields -E header=y -e frame.number -e _ws.col.Source -e _ws.col.Destination -e _ws.col.Protocol -e _ws.col.Info \
    2>/dev/null > "$here/$c.tsv"
done
rm -rf "$home"
