#!/usr/bin/env bash
# The match benchmark: generates two captures of the same traffic taken at two points
# (`tracematch synth bulk A --pair B`: B has its own clock, lower TTLs, rewritten IP IDs and loses
# about one packet in 2000), then times `tracematch match A B --json` with /usr/bin/time (wall
# time and peak RSS) and prints the figures with the match counts. Part of scripts/bench.sh; runs
# alone too. Expects the release CLI (scripts/build.sh). Not a test: nothing here fails a build.
# usage: bash scripts/bench/match_pair.sh [SIZE]   (SIZE of EACH capture, like 500M; default 500M;
#        env BENCH_DIR, default bench-data/)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SIZE=${1:-500M}
DIR=${BENCH_DIR:-bench-data}
TM=target/release/tracematch
[ -x "$TM" ] || { echo "missing $TM: run bash scripts/build.sh first" >&2; exit 1; }
[ -x /usr/bin/time ] || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y time >/dev/null
mkdir -p "$DIR"
A="$DIR/match-$SIZE-a.pcap"
B="$DIR/match-$SIZE-b.pcap"
if [ ! -s "$A" ] || [ ! -s "$B" ]; then
  say "generating $A and $B"
  # About 2.5 KB per stream on average, as in the single-capture benchmark (1 GiB, 120k streams).
  bytes=$(python3 -c "import sys; s=sys.argv[1]; m={'K':1<<10,'M':1<<20,'G':1<<30}; print(int(s[:-1])*m[s[-1].upper()] if s[-1].upper() in m else int(s))" "$SIZE")
  streams=$(( bytes / 8900 + 1 ))
  $TM synth bulk "$A" --pair "$B" --bytes "$SIZE" --streams "$streams" --seed 5 >&2
fi
cat "$A" "$B" > /dev/null   # warm the page cache

say "tracematch match A B --json"
out=$(mktemp)
t=$(mktemp)
/usr/bin/time -o "$t" -f '%e %M' "$TM" match "$A" "$B" --json > "$out"
read -r secs kb < <(tail -n 1 "$t")
python3 - "$A" "$B" "$secs" "$kb" "$out" <<'PY'
import json, os, sys
a, b, secs, kb, out = sys.argv[1:]
r = json.load(open(out))
mb = (os.path.getsize(a) + os.path.getsize(b)) / 1e6
m = r["matches"]
c = r.get("clock") or {}
methods = {}
for x in m:
    methods[x["method"]] = methods.get(x["method"], 0) + 1
print()
print(f"match           {os.path.getsize(a)/1e6:.0f} MB + {os.path.getsize(b)/1e6:.0f} MB in {float(secs):.2f} s "
      f"({mb/float(secs):.0f} MB/s), peak RSS {int(kb)//1024} MB")
print(f"                {len(m)} matches {dict(sorted(methods.items()))}, unmatched {len(r['unmatched_a'])} / {len(r['unmatched_b'])}, "
      f"lost {len(r['lost'])}, missing SYNs {len(r['missing_syn'])}, "
      f"clock offset {c.get('offset_s', float('nan')):.6f} s drift {c.get('drift_ppm', float('nan')):.2f} ppm (built: 41.828 s, 30 ppm)")
PY
rm -f "$out" "$t"
