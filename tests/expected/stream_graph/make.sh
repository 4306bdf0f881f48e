#!/bin/bash
# Regenerates the SACK blocks tshark 4.0 shows (relative edges, two-pass) for the captures of
# tests/expected/tcp_analysis_extra that carry SACK options; read by tests/stream_graph_corpus.rs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
captures=${CAPTURES:-$here/../../../../shared/captures/public}
[ -d "$captures" ] || captures=/work/shared/captures/public
for c in ndpi__1kxun.pcap ndpi__heuristic_tcp_ack_payload.pcap ndpi__ocs.pcap \
  suricata-verify__TLPW1-tcp-174.56.47.59-10.3.11.101-tcp-80-49309.pcap \
  suricata-verify__tls-subjectaltname_input.pcap zeek__206_example_b.pcap; do
  LC_ALL=C TZ=UTC HOME= XDG_CONFIG_HOME= tshark -n -r "$captures/$c" -2 -Y tcp.options.sack_le \
    -T fields -E header=y -e frame.number -e tcp.stream -e tcp.options.sack_le -e tcp.options.sack_re \
    > "$here/$c.sack.tsv"
done
