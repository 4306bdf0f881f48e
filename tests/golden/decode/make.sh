#!/bin/bash
# Regenerates the hand-made captures and tshark 4.0's fields for them.
set -euo pipefail
cd "$(dirname "$0")"
python3 make_captures.py
FIELDS="frame.number eth.type ip.src ip.dst ip.proto ip.id tcp.srcport tcp.dstport tcp.port tcp.seq_raw tcp.ack_raw
tcp.flags tcp.len tcp.hdr_len tcp.window_size_value icmp.type icmp.code frame.protocols"
args=()
for f in $FIELDS; do args+=(-e "$f"); done
home=$(mktemp -d)
for c in *.pcap; do
  LC_ALL=C TZ=UTC HOME=$home XDG_CONFIG_HOME=$home tshark -n -r "$c" -T fields -E header=y "${args[@]}" > "$c.tsv" 2>/dev/null
done
rm -rf "$home"
