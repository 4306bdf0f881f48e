#!/usr/bin/env bash
# The big-capture benchmark (issue: "10 GB captures in the browser"): generates a pcapng of SIZE
# (default 10G) with the project's generator, then indexes it with the real page in headless
# Chromium, sampling the indexer's wasm memory and the page's JS heap; also indexes it natively
# (tracematch index) for the index size per packet. Prints time, MB/s, peak wasm memory, peak JS
# heap, and the wasm memory not explained by the index. Not a test; needs ~SIZE of free disk.
# usage: bash scripts/bench_big.sh [SIZE]   (env BENCH_DIR, default bench-data/)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SIZE=${1:-10G}
DIR=${BENCH_DIR:-bench-data}
PORT=${BENCH_PORT:-8766}
mkdir -p "$DIR"
FILE="$DIR/bulk-$SIZE.pcapng"

bash scripts/setup.sh
bash scripts/build.sh
TM=target/release/tracematch
if [ ! -s "$FILE" ]; then
  gib=$(numfmt --from=iec "$SIZE")
  streams=$(( gib / 1073741824 * 120000 ))
  [ "$streams" -ge 120000 ] || streams=120000
  say "generating $FILE ($streams streams)"
  $TM synth bulk "$FILE" --bytes "$SIZE" --streams "$streams" --seed 1 --pcapng
fi

say "native index (tracematch index)"
native=$($TM index "$FILE" --json)
say "the page in headless Chromium"
python3 -m http.server --bind 127.0.0.1 "$PORT" >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
sleep 1
page=$(node scripts/bench/page_big.mjs "http://127.0.0.1:$PORT/" "$FILE")

python3 - "$native" "$page" <<'PY'
import json, sys
n = json.loads(sys.argv[1]); p = json.loads(sys.argv[2])
mb = p['input_bytes'] / 1e6
index_bytes = n['index_bytes_per_packet'] * p['frames']
print()
print(f"capture: {mb:.0f} MB pcapng, {p['frames']} packets, {n['tcp_streams']} TCP + {n['udp_streams']} UDP streams")
print(f"native index    {n['mb_per_s']:7.0f} MB/s   index {n['index_bytes_per_packet']:.1f} B/packet = {index_bytes/2**20:.0f} MB   peak RSS {n['peak_rss_bytes']//2**20} MB")
print(f"page            {p['seconds']:7.1f} s   {p['mb_per_s']:5.0f} MB/s   {p['packets_per_s']:9.0f} packets/s")
print(f"memory          peak wasm {p['peak_wasm_bytes']/2**20:.0f} MB (index {index_bytes/2**20:.0f} MB, the rest {max(0, p['peak_wasm_bytes']-index_bytes)/2**20:.0f} MB)   peak page JS heap {p['peak_js_heap_bytes']/2**20:.0f} MB")
print("wasm memory by quarter of the packets: " + ", ".join(
    f"{q['frames']} pkts → {q['wasm_bytes']/2**20:.0f} MB" for q in p['wasm_by_quarter'] if q))
PY
