#!/usr/bin/env python3
"""Writes small hand-made captures for cases the public corpus lacks (TCP headers cut short,
TCP quoted in ICMP errors). Their expected fields come from tshark 4.0 (see make.sh)."""
import struct


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def ip(src, dst, proto, payload, total=None):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total or 20 + len(payload), 1, 0, 64, proto, 0, bytes(src), bytes(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


ETH = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00"


def write(name, packets):
    """packets: (bytes, wire length)"""
    with open(name, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (p, wire) in enumerate(packets):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(p), wire) + p)


tcp = struct.pack("!HHIIBBHHH", 40000, 80, 123456, 77, 0x50, 0x12, 8192, 0, 0)
# A TCP header cut after 4, 8, 12, 16 and 19 bytes (snaplen), IP length says 20.
write("tcp_cut_short.pcap", [(ETH + ip([10, 0, 0, 9], [10, 0, 0, 2], 6, tcp[:cut], 40), 54) for cut in (4, 8, 12, 16, 19)])

# ICMP port unreachable quoting IP + 8 bytes of TCP, then IP + the whole TCP header.
inner = ip([10, 0, 0, 2], [10, 0, 0, 9], 6, struct.pack("!HHIIBBHHH", 40000, 80, 123456, 0, 0x50, 0x02, 8192, 0, 0))
packets = []
for quote in (inner[:28], inner):
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quote
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    p = ETH + ip([10, 0, 0, 9], [10, 0, 0, 2], 1, icmp)
    packets.append((p, len(p)))
write("icmp_quoted_tcp.pcap", packets)
