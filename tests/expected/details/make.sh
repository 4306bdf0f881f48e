#!/bin/sh
# Regenerates tshark 4.0's packet-details fields for tests/details_corpus.rs: for the first
# $FRAMES frames of every capture below, one line "FRAME<TAB>NAME<TAB>POS<TAB>SIZE<TAB>SHOW" per
# visible (not hide="yes") PDML field, in tree order, in <capture>.tsv. TCP desegmentation is off
# so that HTTP and TLS are dissected in the segment that carries them, as tracematch's tree (one
# frame at a time) does. Run once, commit the output.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
captures=${CAPTURES:-$here/../../../../shared/captures/public}
[ -d "$captures" ] || captures=/work/shared/captures/public
FRAMES=${FRAMES:-60}
FILES="arkime__arkime_synthetic.pcap arkime__v6-http.pcap zeek__q-in-q.pcap zeek__linux_dlt_sll2.pcap pcapplusplus__sll.pcap suricata-verify__icmpv4-ping.pcap pcapplusplus__tls2.pcap tcpdump__dns_tcp.pcap"
for f in $FILES; do
    LC_ALL=C TZ=UTC HOME= XDG_CONFIG_HOME= tshark -n -r "$captures/$f" -c "$FRAMES" -T pdml \
        -o tcp.desegment_tcp_streams:FALSE 2>/dev/null |
    python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.stdin).getroot()
for n, packet in enumerate(root.iter("packet"), 1):
    def walk(e):
        for c in e:
            if c.tag == "field" and c.get("hide") != "yes" and c.get("name") and c.get("pos") and c.get("size"):
                show = (c.get("show") or "").replace("\t", " ").replace("\n", " ")
                print("\t".join([str(n), c.get("name"), c.get("pos") or "", c.get("size") or "", show]))
            walk(c)
    for proto in packet.findall("proto"):
        if proto.get("name") != "geninfo":
            walk(proto)
' > "$here/$f.tsv"
done
