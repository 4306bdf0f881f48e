#!/bin/bash
# Two-point capture lab for `tracematch match`: real kernel traffic in four network namespaces
# built here, captured with tcpdump at three points.
#
#   tml_cli 10.1.0.2 --- 10.1.0.1 tml_fw 10.2.0.1 --- 10.2.0.2 tml_lb 10.3.0.1 --- 10.3.0.2 tml_srv
#   (client)                (NAT firewall)              (full-proxy LB)              (server)
#   capture: client                         fw_inside                                server
#
# * tml_fw: DNAT of the virtual IP 198.51.100.10 (tcp 80 -> the LB at 10.2.0.2:8080, udp 53 -> the
#   server at 10.3.0.2:5300) and SNAT/PAT (MASQUERADE --random) toward the inside; iptables
#   `statistic --mode nth` drops every 4th client SYN, every 40th other client->server TCP packet
#   and every 40th server->client TCP packet (deterministic; the rule counters are the loss truth);
#   netem adds 5 ms toward the inside when the kernel has sch_netem (otherwise noted, no delay).
# * tml_lb: a full-proxy HTTP load balancer (python): one new back-end connection per client
#   connection, X-Forwarded-For and Via added; UDP is routed through.
# * tml_srv: HTTP/1.1 keep-alive server on :8000, UDP echo on :5300.
# * Traffic: 8 client threads x 6 connections (1 or 3 GETs of /index.html?qs=N, N unique), paced so
#   the run spans ~15 s; 30 UDP queries with unique 2-byte ids.
# * Clock: fw_inside.pcap is rewritten afterwards as if its clock were 41.828 s ahead of the
#   client's at the client's first packet and ran 50 ppm fast (our own pcap rewrite below).
#
# SCENARIO tls_proxy (third argument) keeps the topology and the clock rewrite but changes the
# middle boxes and the traffic:
# * tml_fw: DNAT of 198.51.100.10 tcp 443 -> the LB at 10.2.0.2:8443, SNAT/PAT as above, no drops,
#   and every forwarded packet's IPv4 ID rewritten by nftables (`ip id set numgen inc`, one counter
#   for all flows: pf's `scrub random-id` in spirit).
# * tml_lb: a TLS TCP proxy (python): bytes relayed to a new back-end connection to 10.3.0.2:8443,
#   re-segmented by the relay's reads; TLS is not terminated.
# * tml_srv: a TLS server (python ssl, a throwaway self-signed certificate made with openssl).
# * Traffic: 6 threads x 4 TLS connections, 1 or 3 request/response turns each.
# * truth.tsv rows are keyed by the TLS ClientHello random (kind tls).
#
# SCENARIO seq_proxy: a sequence-translating firewall, no NAT (the client talks to the server's own
# address, HTTP 10.3.0.2:8000 and UDP 10.3.0.2:5300; tml_lb only routes):
# * tml_fw: iptables SYNPROXY on forwarded client SYNs: the firewall answers the handshake itself
#   with its own (cookie) ISN, then opens the connection to the server, whose ISN differs, and
#   shifts every server->client sequence number (and client->server ack) by that constant
#   (conntrack seqadj). Client->server sequence numbers keep their value. Every forwarded
#   packet's IPv4 ID is rewritten by nftables as in tls_proxy. No drops.
# * Traffic: as nat_proxy (HTTP keep-alive connections, UDP queries), same clock rewrite.
# Why SYNPROXY: this kernel has no tc pedit action (`tc ... action pedit ...`: "Failed to load TC
# action module"), no flower/matchall/basic classifiers, and nftables cannot add to `tcp sequence`
# (`tcp sequence set tcp sequence + 1000` is a syntax error; only constants or numgen/hash values
# can be set, which would break the connection), so a constant shift of both directions chosen by
# us cannot be built; SYNPROXY's seqadj is the kernel's own per-connection sequence translation.
#
# Outputs in OUT_DIR: client.pcap fw_inside.pcap server.pcap; truth.tsv (per HTTP request / UDP
# query: tcp.stream / udp.stream and tuple at each point, found with tshark, twopoint format);
# syn_truth.tsv (per client SYN ISN: SYNs seen at client and at fw_inside); seq_proxy only:
# seq_truth.tsv (per client SYN ISN: SYN-ACK ISN at client and at fw_inside); loss_truth.tsv (the drop
# rule counters); clock.txt (offset_s, drift_ppm of fw_inside relative to client); scenario.txt.
#
# usage: lab/twopoint_lab.sh OUT_DIR [SEED] [SCENARIO]   SCENARIO nat_proxy (default), tls_proxy or
#        seq_proxy; as root; needs ip, iptables, tcpdump, tshark, python3 (tls_proxy: also nft and
#        openssl; seq_proxy: also nft)
# All traffic stays inside the namespaces; every wait and loop is bounded (timeout, fixed counts);
# namespaces and the processes in them are removed on exit, also on error or Ctrl-C.
set -eu
OUT=${1:?usage: twopoint_lab.sh OUT_DIR [SEED] [SCENARIO]}
SEED=${2:-7}
SCENARIO=${3:-nat_proxy}
case "$SCENARIO" in nat_proxy|tls_proxy|seq_proxy) ;; *) echo "twopoint_lab: unknown scenario $SCENARIO" >&2; exit 2;; esac
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
NS="tml_cli tml_fw tml_lb tml_srv"
WORK=$(mktemp -d /tmp/twopoint_lab.XXXXXX)

cleanup() {
    set +e
    for n in $NS; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
    done
    sleep 0.5
    for n in $NS; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$n" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
TOOLS="ip iptables tcpdump tshark python3"
[ "$SCENARIO" = tls_proxy ] && TOOLS="$TOOLS nft openssl"
[ "$SCENARIO" = seq_proxy ] && TOOLS="$TOOLS nft"
for tool in $TOOLS; do
    command -v "$tool" >/dev/null || { echo "twopoint_lab: $tool is required" >&2; exit 1; }
done
cleanup
WORK=$(mktemp -d /tmp/twopoint_lab.XXXXXX)

# ---- topology -------------------------------------------------------------------------------
for n in $NS; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add tmlc0 netns tml_cli type veth peer name tmlf0 netns tml_fw
ip link add tmlf1 netns tml_fw type veth peer name tmll0 netns tml_lb
ip link add tmll1 netns tml_lb type veth peer name tmls0 netns tml_srv
addr() { ip -n "$1" addr add "$3" dev "$2"; ip -n "$1" link set "$2" up; }
addr tml_cli tmlc0 10.1.0.2/24
addr tml_fw tmlf0 10.1.0.1/24
addr tml_fw tmlf1 10.2.0.1/24
addr tml_lb tmll0 10.2.0.2/24
addr tml_lb tmll1 10.3.0.1/24
addr tml_srv tmls0 10.3.0.2/24
ip -n tml_cli route add default via 10.1.0.1
ip -n tml_fw route add 10.3.0.0/24 via 10.2.0.2
ip -n tml_lb route add default via 10.2.0.1
ip -n tml_srv route add default via 10.3.0.1
for n in tml_fw tml_lb; do ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1; done
# One wire packet = one captured packet.
for d in "tml_cli tmlc0" "tml_fw tmlf0" "tml_fw tmlf1" "tml_lb tmll0" "tml_lb tmll1" "tml_srv tmls0"; do
    set -- $d
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
done

# ---- the NAT firewall -----------------------------------------------------------------------
FW="ip netns exec tml_fw iptables"
scrub_ip_ids() {
    ip netns exec tml_fw nft -f - <<'EOF'
table ip tml_scrub {
    chain forward {
        type filter hook forward priority 0; policy accept;
        ip id set numgen inc mod 65536
    }
}
EOF
}
if [ "$SCENARIO" = tls_proxy ]; then
    $FW -t nat -A PREROUTING -i tmlf0 -d 198.51.100.10 -p tcp --dport 443 -j DNAT --to-destination 10.2.0.2:8443
    $FW -t nat -A POSTROUTING -o tmlf1 -j MASQUERADE --random
    scrub_ip_ids
elif [ "$SCENARIO" = seq_proxy ]; then
    ip netns exec tml_fw sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
    $FW -t raw -A PREROUTING -i tmlf0 -p tcp --syn -j CT --notrack
    $FW -A FORWARD -i tmlf0 -p tcp -m state --state INVALID,UNTRACKED -j SYNPROXY \
        --sack-perm --timestamp --wscale 7 --mss 1460
    $FW -A FORWARD -m state --state INVALID -j DROP
    scrub_ip_ids
else
$FW -t nat -A PREROUTING -i tmlf0 -d 198.51.100.10 -p tcp --dport 80 -j DNAT --to-destination 10.2.0.2:8080
$FW -t nat -A PREROUTING -i tmlf0 -d 198.51.100.10 -p udp --dport 53 -j DNAT --to-destination 10.3.0.2:5300
$FW -t nat -A POSTROUTING -o tmlf1 -j MASQUERADE --random
$FW -A FORWARD -i tmlf0 -p tcp --syn -m statistic --mode nth --every 4 --packet 0 -j DROP
$FW -A FORWARD -i tmlf0 -p tcp ! --syn -m statistic --mode nth --every 40 --packet 0 -j DROP
$FW -A FORWARD -i tmlf1 -p tcp -m statistic --mode nth --every 40 --packet 0 -j DROP
fi
if ip netns exec tml_fw tc qdisc add dev tmlf1 root netem delay 5ms 2>/dev/null; then
    DELAY="netem 5ms toward the inside"
else
    DELAY="none (this kernel has no sch_netem)"
fi

# ---- programs -------------------------------------------------------------------------------
cat > "$WORK/server.py" <<'EOF'
# HTTP/1.1 keep-alive server on 10.3.0.2:8000 (body: path and X-Forwarded-For, repeated by a
# function of the path) and a UDP echo on 10.3.0.2:5300.
import http.server, socketserver, socket, threading
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        line = "path=%s xff=%s\n" % (self.path, self.headers.get("X-Forwarded-For"))
        body = (line * (1 + sum(self.path.encode()) % 30)).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True; allow_reuse_address = True
def udp_echo():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.3.0.2", 5300))
    while True:
        data, peer = s.recvfrom(2048); s.sendto(data + b" answer", peer)
threading.Thread(target=udp_echo, daemon=True).start()
S(("10.3.0.2", 8000), H).serve_forever()
EOF
cat > "$WORK/lb.py" <<'EOF'
# Full-proxy HTTP load balancer on 10.2.0.2:8080: one new back-end connection to 10.3.0.2:8000 per
# client connection, each request forwarded with X-Forwarded-For and Via added.
import http.server, socketserver, http.client
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if not hasattr(self, "backend"):
            self.backend = http.client.HTTPConnection("10.3.0.2", 8000, timeout=5)
        self.backend.request("GET", self.path, headers={"Host": self.headers.get("Host", ""),
            "X-Forwarded-For": self.client_address[0], "Via": "1.1 tml-lb"})
        r = self.backend.getresponse(); body = r.read()
        self.send_response(r.status); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def finish(self):
        super().finish()
        if hasattr(self, "backend"): self.backend.close()
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True; allow_reuse_address = True
S(("10.2.0.2", 8080), H).serve_forever()
EOF
cat > "$WORK/client.py" <<'EOF'
# 8 threads x 6 connections to the virtual IP (1 or 3 GETs each, unique qs=N), paced over ~15 s;
# one thread of 30 UDP queries with unique 2-byte ids. Bounded: fixed counts, 5 s socket timeouts.
# usage: client.py SEED [HTTP_HOST HTTP_PORT UDP_HOST UDP_PORT] (default: the virtual IP, 80, 53)
import http.client, random, socket, sys, threading, time
seed = int(sys.argv[1]); rng = random.Random(seed)
HOST, PORT, UHOST, UPORT = (sys.argv[2:6] + ["198.51.100.10", "80", "198.51.100.10", "53"][len(sys.argv[2:6]):])
plan = [[(rng.uniform(0.3, 2.5), [rng.randrange(100000, 999999) for _ in range(rng.choice([1, 1, 3]))])
         for _ in range(6)] for _ in range(8)]
def worker(conns):
    for pause, queries in conns:
        time.sleep(pause)
        try:
            c = http.client.HTTPConnection(HOST, int(PORT), timeout=5)
            for qs in queries:
                c.request("GET", "/index.html?qs=%d" % qs, headers={"Host": HOST})
                c.getresponse().read()
            c.close()
        except OSError as e:
            print("client: connection failed: %s" % e, file=sys.stderr)
def udp():
    ids = rng.sample(range(1, 65536), 30)
    for i in ids:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
        s.sendto(i.to_bytes(2, "big") + b" query lab", (UHOST, int(UPORT)))
        try: s.recvfrom(2048)
        except OSError: pass
        s.close(); time.sleep(0.4)
ts = [threading.Thread(target=worker, args=(p,)) for p in plan] + [threading.Thread(target=udp)]
[t.start() for t in ts]; [t.join() for t in ts]
EOF
cat > "$WORK/reclock.py" <<'EOF'
# Rewrites a classic pcap's timestamps: t' = t + shift + (t - t0) * drift_ppm / 1e6, t0 = the
# first packet of the reference pcap. usage: reclock.py IN OUT REFERENCE SHIFT_S DRIFT_PPM
import struct, sys
src, dst, ref, shift, ppm = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
def first_ts(path):
    with open(path, "rb") as f:
        h = f.read(24); f.read(0); rec = f.read(16)
    assert struct.unpack("<I", h[:4])[0] == 0xa1b2c3d4, "little-endian microsecond pcap expected"
    s, us, _, _ = struct.unpack("<IIII", rec); return s * 1000000 + us
t0 = first_ts(ref)
with open(src, "rb") as f: data = f.read()
assert struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4, "little-endian microsecond pcap expected"
out = bytearray(data[:24]); off = 24
while off + 16 <= len(data):
    s, us, incl, orig = struct.unpack_from("<IIII", data, off)
    t = s * 1000000 + us
    t2 = t + round(shift * 1e6 + (t - t0) * ppm / 1e6)
    out += struct.pack("<IIII", t2 // 1000000, t2 % 1000000, incl, orig)
    out += data[off + 16: off + 16 + incl]; off += 16 + incl
open(dst, "wb").write(out)
EOF

if [ "$SCENARIO" = tls_proxy ]; then
# The TLS scenario's programs replace the HTTP ones (same file names, same run section).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=tml-srv \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
cat > "$WORK/server.py" <<'EOF'
# TLS server on 10.3.0.2:8443 (certificate and key next to this file): per line "REQ n" it answers
# a body whose size depends on n, until the client closes.
import os, socket, ssl, threading
here = os.path.dirname(os.path.abspath(__file__))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(here, "cert.pem"), os.path.join(here, "key.pem"))
def serve(conn):
    try:
        with ctx.wrap_socket(conn, server_side=True) as t:
            t.settimeout(10)
            f = t.makefile("rb")
            for _ in range(16):
                line = f.readline()
                if not line:
                    break
                n = int(line.split()[1])
                t.sendall((("answer %d\n" % n) * (1 + n % 200)).encode())
    except (OSError, ValueError, IndexError):
        pass
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.3.0.2", 8443)); s.listen(64)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
cat > "$WORK/lb.py" <<'EOF'
# TLS TCP proxy on 10.2.0.2:8443: each client connection gets a new back-end connection to
# 10.3.0.2:8443; bytes are relayed both ways as read (TLS is not terminated).
import socket, threading
def pump(src, dst):
    try:
        while True:
            data = src.recv(4096)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try: dst.shutdown(socket.SHUT_WR)
        except OSError: pass
def handle(c):
    try:
        b = socket.create_connection(("10.3.0.2", 8443), timeout=5)
    except OSError:
        c.close(); return
    c.settimeout(15); b.settimeout(15)
    t = threading.Thread(target=pump, args=(b, c), daemon=True); t.start()
    pump(c, b); t.join(15); c.close(); b.close()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.2.0.2", 8443)); s.listen(64)
while True:
    c, _ = s.accept(); threading.Thread(target=handle, args=(c,), daemon=True).start()
EOF
cat > "$WORK/client.py" <<'EOF'
# 6 threads x 4 TLS connections to the virtual IP 198.51.100.10:443 (1 or 3 request/response
# turns each, unique numbers), paced over ~10 s. Bounded: fixed counts, 5 s socket timeouts.
import random, socket, ssl, sys, threading, time
seed = int(sys.argv[1]); rng = random.Random(seed)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
plan = [[(rng.uniform(0.3, 2.5), [rng.randrange(100000, 999999) for _ in range(rng.choice([1, 1, 3]))])
         for _ in range(4)] for _ in range(6)]
def worker(conns):
    for pause, numbers in conns:
        time.sleep(pause)
        try:
            with socket.create_connection(("198.51.100.10", 443), timeout=5) as raw:
                with ctx.wrap_socket(raw) as t:
                    for n in numbers:
                        want = len((("answer %d\n" % n) * (1 + n % 200)).encode())
                        t.sendall(b"REQ %d\n" % n)
                        got = 0
                        while got < want:
                            chunk = t.recv(65536)
                            if not chunk:
                                break
                            got += len(chunk)
        except OSError as e:
            print("client: connection failed: %s" % e, file=sys.stderr)
ts = [threading.Thread(target=worker, args=(p,)) for p in plan]
[t.start() for t in ts]; [t.join() for t in ts]
EOF
fi

# ---- run ------------------------------------------------------------------------------------
ip netns exec tml_srv timeout 90 python3 "$WORK/server.py" &
ip netns exec tml_lb timeout 90 python3 "$WORK/lb.py" &
sleep 1
cap() { ip netns exec "$1" timeout 80 tcpdump -U -s0 -i "$2" -w "$WORK/$3.pcap" "not arp and not ip6" 2>/dev/null & }
cap tml_cli tmlc0 client
cap tml_fw tmlf1 fw_inside_raw
cap tml_srv tmls0 server
sleep 1
if [ "$SCENARIO" = seq_proxy ]; then
    ip netns exec tml_cli timeout 60 python3 "$WORK/client.py" "$SEED" 10.3.0.2 8000 10.3.0.2 5300
else
    ip netns exec tml_cli timeout 60 python3 "$WORK/client.py" "$SEED"
fi
sleep 2
for n in tml_cli tml_fw tml_srv; do
    for p in $(ip netns pids "$n"); do
        if [ "$(cat /proc/$p/comm 2>/dev/null)" = tcpdump ]; then kill -INT "$p"; fi
    done
done
sleep 1

# ---- outputs --------------------------------------------------------------------------------
SHIFT=41.828
PPM=50
cp "$WORK/client.pcap" "$WORK/server.pcap" "$OUT/"
python3 "$WORK/reclock.py" "$WORK/fw_inside_raw.pcap" "$OUT/fw_inside.pcap" "$OUT/client.pcap" "$SHIFT" "$PPM"
printf 'offset_s\t%s\ndrift_ppm\t%s\n' "$SHIFT" "$PPM" > "$OUT/clock.txt"

# Drop rule counters (packets): FORWARD rules 1..3 in order (the TLS scenario drops nothing).
if [ "$SCENARIO" = nat_proxy ]; then
    counters=$($FW -L FORWARD -v -x -n | awk 'NR > 2 { print $1 }' | tr '\n' ' ')
    set -- $counters
    printf 'rule\tpackets\nsyn_c2s\t%s\nother_c2s\t%s\nany_s2c\t%s\n' "$1" "$2" "$3" > "$OUT/loss_truth.tsv"
else
    printf 'rule\tpackets\nsyn_c2s\t0\nother_c2s\t0\nany_s2c\t0\n' > "$OUT/loss_truth.tsv"
fi

# truth.tsv: per HTTP request (qs=N) and UDP query (dnsid=0xNNNN), stream and tuple at each point.
tsv() { # point -> lines "key<TAB>stream<TAB>tuple"
    tshark -r "$OUT/$1.pcap" -Y 'http.request' -T fields -e http.request.uri -e tcp.stream \
        -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport 2>/dev/null |
        awk -F'\t' '{ split($1, q, "?"); printf "http\t%s\t%s\t%s:%s->%s:%s\n", q[2], $2, $3, $4, $5, $6 }'
    tshark -r "$OUT/$1.pcap" -Y 'udp.dstport == 53 || udp.dstport == 5300' -T fields \
        -e udp.payload -e udp.stream -e ip.src -e udp.srcport -e ip.dst -e udp.dstport 2>/dev/null |
        awk -F'\t' '{ printf "udp\tdnsid=0x%s\t%s\t%s:%s->%s:%s\n", substr($1, 1, 4), $2, $3, $4, $5, $6 }'
    tshark -r "$OUT/$1.pcap" -d tcp.port==8443,tls -Y 'tls.handshake.type == 1' -T fields \
        -e tls.handshake.random -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport 2>/dev/null |
        awk -F'\t' '{ printf "tls\trandom=%s\t%s\t%s:%s->%s:%s\n", $1, $2, $3, $4, $5, $6 }'
}
for p in client fw_inside server; do tsv "$p" | sort -u -k1,2 > "$WORK/$p.keys"; done
python3 - "$WORK" > "$OUT/truth.tsv" <<'EOF'
import sys
points = ["client", "fw_inside", "server"]
rows = {}
for p in points:
    for line in open("%s/%s.keys" % (sys.argv[1], p)):
        kind, key, stream, tup = line.rstrip("\n").split("\t")
        rows.setdefault((kind, key), {})[p] = (stream, tup)
print("\t".join(["kind", "key"] + ["%s.%s" % (p, c) for p in points for c in ("stream", "tuple")]))
for (kind, key), seen in sorted(rows.items()):
    cells = [kind, key]
    for p in points:
        cells += list(seen.get(p, ("absent", "absent")))
    print("\t".join(cells))
EOF

# syn_truth.tsv: per client SYN ISN (raw), SYNs seen at the client and at fw_inside.
syns() { tshark -r "$OUT/$1.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e tcp.seq_raw 2>/dev/null | sort | uniq -c | awk '{ print $2 "\t" $1 }' | sort; }
syns client > "$WORK/syn_c"; syns fw_inside > "$WORK/syn_f"
{
    printf 'syn_seq_raw\tsyns_client\tsyns_fw_inside\n'
    join -t "$(printf '\t')" -a 1 -e 0 -o 0,1.2,2.2 "$WORK/syn_c" "$WORK/syn_f"
} > "$OUT/syn_truth.tsv"

if [ "$SCENARIO" = seq_proxy ]; then
# seq_truth.tsv: per client SYN ISN, the SYN-ACK ISN the client saw (the firewall's) and the one
# fw_inside saw (the server's).
synacks() { tshark -r "$OUT/$1.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' -T fields \
    -e tcp.ack_raw -e tcp.seq_raw 2>/dev/null | awk -F'\t' '{ printf "%.0f\t%s\n", $1 - 1, $2 }' | sort -u -k1,1; }
synacks client > "$WORK/sa_c"; synacks fw_inside > "$WORK/sa_f"
{
    printf 'syn_seq_raw\tsynack_isn_client\tsynack_isn_fw_inside\n'
    join -t "$(printf '\t')" -o 0,1.2,2.2 "$WORK/sa_c" "$WORK/sa_f"
} > "$OUT/seq_truth.tsv"
cat > "$OUT/scenario.txt" <<EOF
seed=$SEED
scenario=seq_proxy
made_by=lab/twopoint_lab.sh
points=client fw_inside server
nat=none (client talks to 10.3.0.2:8000 and 10.3.0.2:5300)
seq=iptables SYNPROXY on tml_fw (forwarded client SYNs): server->client seq (and client->server ack) shifted by a constant per connection
ip_id=nftables on tml_fw: ip id set numgen inc mod 65536 (every forwarded packet)
drops=none
delay=$DELAY
proxy=none (tml_lb routes)
clock=fw_inside.pcap rewritten: +${SHIFT} s at client's first packet, ${PPM} ppm (clock.txt)
EOF
elif [ "$SCENARIO" = tls_proxy ]; then
cat > "$OUT/scenario.txt" <<EOF
seed=$SEED
scenario=tls_proxy
made_by=lab/twopoint_lab.sh
points=client fw_inside server
nat=DNAT 198.51.100.10:443->10.2.0.2:8443; MASQUERADE --random toward the inside
ip_id=nftables on tml_fw: ip id set numgen inc mod 65536 (every forwarded packet)
drops=none
delay=$DELAY
proxy=python TLS TCP proxy 10.2.0.2:8443 -> 10.3.0.2:8443, one back-end connection per client connection, bytes relayed as read (TLS not terminated)
clock=fw_inside.pcap rewritten: +${SHIFT} s at client's first packet, ${PPM} ppm (clock.txt)
EOF
else
cat > "$OUT/scenario.txt" <<EOF
seed=$SEED
made_by=lab/twopoint_lab.sh
points=client fw_inside server
nat=DNAT 198.51.100.10:80->10.2.0.2:8080, 198.51.100.10:53->10.3.0.2:5300; MASQUERADE --random toward the inside
drops=iptables statistic nth: every 4th client SYN, every 40th other c2s TCP packet, every 40th s2c TCP packet (loss_truth.tsv)
delay=$DELAY
proxy=python full-proxy LB 10.2.0.2:8080 -> 10.3.0.2:8000, one back-end connection per client connection, X-Forwarded-For + Via added
clock=fw_inside.pcap rewritten: +${SHIFT} s at client's first packet, ${PPM} ppm (clock.txt)
EOF
fi
for p in client fw_inside server; do printf '%s\t%s packets\n' "$p" "$(tshark -r "$OUT/$p.pcap" 2>/dev/null | wc -l)"; done
echo "twopoint_lab: wrote $OUT"
