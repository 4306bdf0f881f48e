#!/bin/bash
# HTTP full-proxy lab for `tracematch match`: real kernel traffic in three network namespaces
#
#   tmh_cli 10.1.0.2 --veth-- 10.1.0.1 tmh_fw 10.2.0.1 --veth-- 10.2.0.2 tmh_srv
#
# tmh_fw runs proxy.py: a full HTTP reverse proxy on 10.1.0.1:80 that forwards every request over
# a pool of 3 reused back-end connections to 10.2.0.2:8000 (backend.py), adding X-Forwarded-For
# and Via. client.py runs 8 threads x 6 connections, 1 or 3 GETs each, `/index.html?qs=N` with N
# random (seeded). tcpdump captures client.pcap (client's veth) and server.pcap (server's veth).
# truth.tsv links each request's client-side and server-side tcp.stream (read back with tshark),
# in the format of shared/captures/twopoint/truth.tsv.
#
# usage: sudo lab/http_proxy/run.sh OUT_DIR [SEED]      needs: ip, tcpdump, tshark, python3
# All traffic stays inside the namespaces; every wait is bounded (timeout); the namespaces and
# the processes started in them are removed on exit, also on error.
set -u
OUT=${1:?usage: run.sh OUT_DIR [SEED]}
SEED=${2:-11}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
NS="tmh_cli tmh_fw tmh_srv"
cleanup() {
    for n in $NS; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
        ip netns del "$n" 2>/dev/null
    done
}
trap cleanup EXIT
cleanup
for n in $NS; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add tmhc0 netns tmh_cli type veth peer name tmhf0 netns tmh_fw
ip link add tmhf1 netns tmh_fw type veth peer name tmhs0 netns tmh_srv
ip -n tmh_cli addr add 10.1.0.2/24 dev tmhc0; ip -n tmh_cli link set tmhc0 up
ip -n tmh_cli route add default via 10.1.0.1
ip -n tmh_fw addr add 10.1.0.1/24 dev tmhf0; ip -n tmh_fw link set tmhf0 up
ip -n tmh_fw addr add 10.2.0.1/24 dev tmhf1; ip -n tmh_fw link set tmhf1 up
ip -n tmh_srv addr add 10.2.0.2/24 dev tmhs0; ip -n tmh_srv link set tmhs0 up
ip -n tmh_srv route add default via 10.2.0.1
# One wire packet = one captured packet.
for d in "tmh_cli tmhc0" "tmh_fw tmhf0" "tmh_fw tmhf1" "tmh_srv tmhs0"; do
    set -- $d
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
done
ip netns exec tmh_srv timeout 60 python3 "$HERE/backend.py" &
ip netns exec tmh_fw timeout 60 python3 "$HERE/proxy.py" &
sleep 1
ip netns exec tmh_cli timeout 50 tcpdump -U -s0 -i tmhc0 -w "$OUT/client.pcap" 2>/dev/null &
TD1=$!
ip netns exec tmh_srv timeout 50 tcpdump -U -s0 -i tmhs0 -w "$OUT/server.pcap" 2>/dev/null &
TD2=$!
sleep 1
ip netns exec tmh_cli timeout 30 python3 "$HERE/client.py" "$SEED"
sleep 1
kill -INT "$TD1" "$TD2" 2>/dev/null
wait "$TD1" "$TD2" 2>/dev/null
# truth.tsv: one row per request URI seen at both points.
requests() { tshark -r "$1" -Y http.request -T fields -e tcp.stream -e http.request.uri -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport 2>/dev/null; }
requests "$OUT/client.pcap" | sort -k2,2 > "$OUT/.c"
requests "$OUT/server.pcap" | sort -k2,2 > "$OUT/.s"
{
    printf 'kind\tkey\tclient.stream\tclient.tuple\tserver.stream\tserver.tuple\n'
    join -t "$(printf '\t')" -1 2 -2 2 "$OUT/.c" "$OUT/.s" |
        awk -F"\t" '{ split($1, q, "?"); printf "http\t%s\t%s\t%s:%s->%s:%s\t%s\t%s:%s->%s:%s\n", q[2], $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
} > "$OUT/truth.tsv"
rm -f "$OUT/.c" "$OUT/.s"
echo "seed=$SEED proxy=python full HTTP proxy, 3 pooled back-end connections, X-Forwarded-For added" > "$OUT/scenario.txt"
