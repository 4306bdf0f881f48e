#!/bin/sh
# Regenerates the order in which `mergecap -w` (Wireshark 4.0) merges two captures, as
# INPUT<TAB>FRAME lines (input 1 = client.pcap, 2 = server.pcap): demo_mergecap_order.tsv for the
# demo pair (`tracematch synth demo`; the server clock runs 41 s late, so it concatenates) and
# direct_mergecap_order.tsv for ../shared/captures/twopoint/direct (interleaved). Each mergecap output record is attributed to the input whose next frame has the
# same time, IP id, raw TCP sequence number and length. Needs tshark, mergecap and the CLI built.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli=${CLI:-$here/../../../target/debug/tracematch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cli" synth demo "$tmp" >/dev/null
key() { tshark -r "$1" -T fields -e frame.time_epoch -e ip.id -e tcp.seq_raw -e frame.len 2>/dev/null; }
attribute() {
mergecap -w "$tmp/merged.pcapng" "$1" "$2"
key "$1" >"$tmp/a"
key "$2" >"$tmp/b"
key "$tmp/merged.pcapng" >"$tmp/m"
python3 - "$tmp/a" "$tmp/b" "$tmp/m" >"$3" <<'PY'
import sys
a, b, m = (open(p).read().splitlines() for p in sys.argv[1:4])
i = j = 0
for line in m:
    if i < len(a) and a[i] == line:
        i += 1
        print(f"1\t{i}")
    elif j < len(b) and b[j] == line:
        j += 1
        print(f"2\t{j}")
    else:
        sys.exit(f"record {line!r} is the next frame of neither input")
assert i == len(a) and j == len(b)
PY
}
attribute "$tmp/client.pcap" "$tmp/server.pcap" "$here/demo_mergecap_order.tsv"
twopoint=$here/../../../../shared/captures/twopoint/direct
[ -d "$twopoint" ] || twopoint=/work/shared/captures/twopoint/direct
attribute "$twopoint/client.pcap" "$twopoint/server.pcap" "$here/direct_mergecap_order.tsv"
