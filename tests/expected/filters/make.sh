#!/bin/sh
# Regenerates tshark 4.0's expected results for tests/filter_corpus.rs: for every capture below and
# every filter of filters.txt, one line "FILTER<TAB>RESULT" in <capture>.txt, where RESULT is the
# comma-joined matching frame numbers (`tshark -n -r F -Y FILTER -T fields -e frame.number`),
# empty when none match, or `ERROR` when tshark rejects the filter. Run once, commit the output.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
captures=${CAPTURES:-$here/../../../../shared/captures/public}
[ -d "$captures" ] || captures=/work/shared/captures/public
FILES="arkime__arkime_synthetic.pcap arkime__wireshark-retrans.pcap arkime__v6-http.pcap arkime__gre-erspan-vxlan.pcap zeek__q-in-q.pcap pcapplusplus__IPv4Frag.pcap"
one() {
    f=$1
    out="$here/$f.txt"
    : > "$out.tmp"
    grep -v '^#' "$here/filters.txt" | while IFS= read -r filter; do
        if result=$(tshark -n -r "$captures/$f" -Y "$filter" -T fields -e frame.number 2>/dev/null); then
            printf '%s\t%s\n' "$filter" "$(printf '%s' "$result" | paste -sd, -)" >> "$out.tmp"
        else
            printf '%s\tERROR\n' "$filter" >> "$out.tmp"
        fi
    done
    mv "$out.tmp" "$out"
}
if [ $# -gt 0 ]; then one "$1"; exit; fi
for f in $FILES; do echo "$f"; done | xargs -P 2 -n 1 sh "$0"
