#!/usr/bin/env bash
# The benchmark: builds a large capture with the project's own generator (default 1 GiB, mixed
# TCP/UDP, >= 100k streams), then measures in ONE run, side by side:
#   - `tracematch conv FILE tcp` vs `tshark -n -q -z conv,tcp -r FILE` (time, peak RSS);
#   - the native indexer vs the wasm indexer on in-memory data (Node), MB/s, packets/s, memory;
#   - the real page in headless Chromium indexing the file end to end vs a plain read of the same
#     File in the same worker (the browser's read ceiling);
#   - `tracematch follow` of the largest TCP stream vs `tshark -q -z follow,tcp,raw,N`;
#   - the same stream in the page: time to first screen of Follow, and a whole-stream wasm follow;
#   - `tracematch match` of two captures of the same traffic at two points (each MATCH_SIZE,
#     default 500M; scripts/bench/match_pair.sh, which also runs alone).
# Prints the figures and the ratios against the goals. Not a test: nothing here fails a build.
# usage: bash scripts/bench.sh [SIZE]   (SIZE like 1G, 300M; env BENCH_DIR, default bench-data/;
#        env MATCH_SIZE, default 500M)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SIZE=${1:-1G}
DIR=${BENCH_DIR:-bench-data}
PORT=${BENCH_PORT:-8765}
mkdir -p "$DIR"
FILE="$DIR/bulk-$SIZE.pcap"

bash scripts/setup.sh
bash scripts/build.sh
command -v tshark >/dev/null || { say "installing tshark (Debian) for the comparison"; \
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y tshark >/dev/null; }
[ -x /usr/bin/time ] || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y time >/dev/null
TM=target/release/tracematch

if [ ! -s "$FILE" ]; then
  say "generating $FILE"
  $TM synth bulk "$FILE" --bytes "$SIZE" --streams 120000 --seed 1
fi
BYTES=$(stat -c %s "$FILE")
cat "$FILE" > /dev/null   # warm the page cache so every contender reads from memory

timed() { # command... -> "seconds peak_rss_kb" on stdout, the command's own output discarded
  local t; t=$(mktemp)
  /usr/bin/time -o "$t" -f '%e %M' "$@" > /dev/null 2>&1 || true
  tail -n 1 "$t"; rm -f "$t"
}

say "tracematch conv tcp"
read -r tm_s tm_kb <<<"$(timed $TM conv "$FILE" tcp)"
say "tshark -q -z conv,tcp"
read -r ts_s ts_kb <<<"$(timed tshark -n -q -z conv,tcp -r "$FILE")"

say "native indexer (tracematch index)"
native=$($TM index "$FILE" --json)
say "wasm indexer in Node (in-memory)"
wasm=$(node scripts/bench/wasm_index.mjs "$FILE")

largest=$($TM conv "$FILE" tcp --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(max(r, key=lambda c: c["bytes"])["stream"])')

say "the page in headless Chromium (indexing, read ceiling, Follow of TCP stream $largest)"
python3 -m http.server --bind 127.0.0.1 "$PORT" >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
sleep 1
page=$(node scripts/bench/page_index.mjs "http://127.0.0.1:$PORT/" "$FILE" "$largest")

say "follow of the largest TCP stream ($largest)"
read -r tf_s tf_kb <<<"$(timed $TM follow "$FILE" tcp "$largest" --format raw)"
read -r tsf_s tsf_kb <<<"$(timed tshark -n -q -z "follow,tcp,raw,$largest" -r "$FILE")"

python3 - "$BYTES" "$tm_s" "$tm_kb" "$ts_s" "$ts_kb" "$native" "$wasm" "$page" "$tf_s" "$tf_kb" "$tsf_s" "$tsf_kb" <<'PY'
import json, sys
(bytes_, tm_s, tm_kb, ts_s, ts_kb, native, wasm, page, tf_s, tf_kb, tsf_s, tsf_kb) = sys.argv[1:]
b = int(bytes_); n = json.loads(native); w = json.loads(wasm); p = json.loads(page)
f = lambda x: float(x)
mb = b / 1e6
print()
print(f"capture: {mb:.0f} MB, {n['frames']} packets, {n['tcp_streams']} TCP + {n['udp_streams']} UDP streams")
print(f"conv,tcp        tracematch {f(tm_s):7.2f} s ({mb/f(tm_s):7.0f} MB/s, RSS {int(tm_kb)//1024} MB)   "
      f"tshark {f(ts_s):7.2f} s (RSS {int(ts_kb)//1024} MB)   ratio {f(ts_s)/f(tm_s):5.1f}x  (goal >= 25x)")
print(f"native index    {n['mb_per_s']:7.0f} MB/s  {n['packets_per_s']:9.0f} packets/s  index {n['index_bytes_per_packet']:.1f} B/packet (goal <= 32)  peak RSS {n['peak_rss_bytes']//2**20} MB")
print(f"wasm index      {w['mb_per_s']:7.0f} MB/s  {w['packets_per_s']:9.0f} packets/s  wasm memory {w['wasm_memory_bytes']//2**20} MB   "
      f"ratio {w['mb_per_s']/n['mb_per_s']:.2f}x native (goal >= 0.7x)")
print(f"page            {p['page_mb_per_s']:7.0f} MB/s end to end ({p['page_seconds']:.1f} s)   read ceiling {p['read_ceiling_mb_per_s']:.0f} MB/s   "
      f"ratio {p['page_mb_per_s']/p['read_ceiling_mb_per_s']:.2f}x (goal >= 0.8x)   JS heap {(p['page_js_heap_bytes'] or 0)//2**20} MB")
print(f"  in the worker  index() {p['worker_index_seconds']:.2f} s, of which in wasm {p['worker_index_wasm_seconds']:.2f} s "
      f"(the rest waits for reads: {p['worker_index_seconds']-p['worker_index_wasm_seconds']:.2f} s)")
print(f"follow largest  tracematch {f(tf_s):6.2f} s (RSS {int(tf_kb)//1024} MB)   tshark {f(tsf_s):6.2f} s (RSS {int(tsf_kb)//1024} MB)   ratio {f(tsf_s)/f(tf_s):.1f}x   (both read and index the whole file first)")
print(f"follow in page  wasm follow of the whole stream {p['follow_wasm_seconds']:.2f} s ({p['follow_wasm_bytes']/1e6:.1f} MB of payload, "
      f"{p['follow_wasm_bytes']/1e6/max(p['follow_wasm_seconds'], 1e-9):.0f} MB/s; index already built)   first screen {p['follow_first_screen_seconds']:.2f} s after the click")
PY

bash scripts/bench/match_pair.sh "${MATCH_SIZE:-500M}"
