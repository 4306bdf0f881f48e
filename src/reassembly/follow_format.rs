//! Follow output formats identical to tshark 4.0's `-z follow,tcp|udp,raw|ascii|hex|yaml,N`, plus
//! "only node 0 / only node 1" filtering.
//!
//! [`FollowWriter`] streams: [`FollowWriter::begin`] writes the banner (67 `=`, `Follow:`, `Filter:`,
//! `Node 0/1`) or the YAML `peers:` block, [`FollowWriter::chunk`] writes one chunk, and
//! [`FollowWriter::end`] the closing banner. A chunk with [`FollowChunk::gap_before`] is preceded
//! by tshark's marker record `[N bytes missing in capture file]` plus a NUL byte (sent by the same
//! node, numbered with the frame that revealed the gap, timestamp 0), exactly as tshark prints it.
//! Hex dump offsets count each direction's bytes separately, markers included.

use std::io::{self, Write};
use std::net::IpAddr;

use super::tcp_follow::FollowChunk;

/// Which follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowProto {
    /// `follow,tcp`.
    Tcp,
    /// `follow,udp`.
    Udp,
}

/// Output mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowFormat {
    /// One hex string per chunk.
    Raw,
    /// Length line then printable text per chunk.
    Ascii,
    /// Hex dump with per-direction offsets.
    Hex,
    /// YAML with base64 data.
    Yaml,
}

impl FollowFormat {
    /// Parses `raw`, `ascii`, `hex` or `yaml`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "raw" => Some(Self::Raw),
            "ascii" => Some(Self::Ascii),
            "hex" => Some(Self::Hex),
            "yaml" => Some(Self::Yaml),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Ascii => "ascii",
            Self::Hex => "hex",
            Self::Yaml => "yaml",
        }
    }
}

/// Which side's chunks to show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NodeFilter {
    /// Both directions (tshark's output).
    #[default]
    Both,
    /// Only chunks sent by node 0.
    Node0,
    /// Only chunks sent by node 1.
    Node1,
}

impl NodeFilter {
    fn shows(self, dir: u8) -> bool {
        match self {
            Self::Both => true,
            Self::Node0 => dir == 0,
            Self::Node1 => dir != 0,
        }
    }
}

/// A node's address as tshark prints it: the packet's final source/destination address, which is
/// the innermost one set (an IP address, or a MAC address when a tunnel ends in Ethernet without IP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeAddress {
    /// IPv4 or IPv6.
    Ip(IpAddr),
    /// A link-layer (MAC) address.
    Ether([u8; 6]),
    /// No packet: tshark prints an empty address.
    None,
}

impl std::fmt::Display for NodeAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ip(ip) => write!(f, "{ip}"),
            Self::Ether(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
            Self::None => Ok(()),
        }
    }
}

/// One end of the followed stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowNode {
    /// Address.
    pub address: NodeAddress,
    /// Port.
    pub port: u16,
}

impl FollowNode {
    /// A node with an IP address.
    pub fn ip(ip: IpAddr, port: u16) -> Self {
        Self {
            address: NodeAddress::Ip(ip),
            port,
        }
    }

    /// The node of a stream without packets (`:0`).
    pub const NONE: Self = Self {
        address: NodeAddress::None,
        port: 0,
    };
}

/// What the banner names: protocol, stream index and the two nodes (node 0 = first packet's source).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowHeader {
    /// TCP or UDP.
    pub proto: FollowProto,
    /// `tcp.stream` / `udp.stream` index.
    pub stream: u32,
    /// Node 0.
    pub node0: FollowNode,
    /// Node 1.
    pub node1: FollowNode,
}

const SEPARATOR: &str = "===================================================================\n";

/// The marker tshark writes into the followed data for a gap (without its trailing NUL).
pub fn gap_marker(missing: u64) -> String {
    // tshark prints the count with %d of a 32-bit int.
    format!("[{} bytes missing in capture file]", missing as u32 as i32)
}

/// Streaming writer of one follow output.
pub struct FollowWriter<W: Write> {
    out: W,
    format: FollowFormat,
    nodes: NodeFilter,
    offsets: [u64; 2],
}

impl<W: Write> FollowWriter<W> {
    /// A writer of `format`, showing `nodes`.
    pub fn new(out: W, format: FollowFormat, nodes: NodeFilter) -> Self {
        Self {
            out,
            format,
            nodes,
            offsets: [0, 0],
        }
    }

    /// Writes the banner (or the YAML peers block).
    pub fn begin(&mut self, h: &FollowHeader) -> io::Result<()> {
        let proto = match h.proto {
            FollowProto::Tcp => "tcp",
            FollowProto::Udp => "udp",
        };
        if self.format == FollowFormat::Yaml {
            writeln!(self.out, "peers:")?;
            for (i, n) in [h.node0, h.node1].iter().enumerate() {
                writeln!(
                    self.out,
                    "  - peer: {i}\n    host: {}\n    port: {}",
                    n.address, n.port
                )?;
            }
            return writeln!(self.out, "packets:");
        }
        write!(self.out, "\n{SEPARATOR}")?;
        writeln!(self.out, "Follow: {proto},{}", self.format.name())?;
        writeln!(self.out, "Filter: {proto}.stream eq {}", h.stream)?;
        for (i, n) in [h.node0, h.node1].iter().enumerate() {
            match n.address {
                NodeAddress::Ip(IpAddr::V6(a)) => writeln!(self.out, "Node {i}: [{a}]:{}", n.port)?,
                a => writeln!(self.out, "Node {i}: {a}:{}", n.port)?,
            }
        }
        Ok(())
    }

    /// Writes one chunk (and the gap marker record before it, when it follows a gap).
    pub fn chunk(&mut self, c: &FollowChunk) -> io::Result<()> {
        if let Some(gap) = c.gap_before {
            let mut marker = gap_marker(gap.missing).into_bytes();
            marker.push(0);
            self.record(c.dir, gap.revealed_by_frame, 0, &marker)?;
        }
        self.record(c.dir, c.frame, c.ts_ns, &c.bytes)
    }

    fn record(&mut self, dir: u8, frame: u32, ts_ns: i64, data: &[u8]) -> io::Result<()> {
        let d = usize::from(dir.min(1));
        let offset = self.offsets[d];
        self.offsets[d] = offset.saturating_add(data.len() as u64);
        if !self.nodes.shows(dir) {
            return Ok(());
        }
        let tab = if d == 1 { "\t" } else { "" };
        match self.format {
            FollowFormat::Raw => {
                let mut line = Vec::with_capacity(data.len() * 2 + 2);
                line.extend_from_slice(tab.as_bytes());
                push_hex(&mut line, data);
                line.push(b'\n');
                self.out.write_all(&line)
            }
            FollowFormat::Ascii => {
                writeln!(self.out, "{tab}{}", data.len())?;
                let text: Vec<u8> = data
                    .iter()
                    .map(|&b| {
                        if b == b'\r' || b == b'\n' || (0x20..0x7f).contains(&b) {
                            b
                        } else {
                            b'.'
                        }
                    })
                    .collect();
                self.out.write_all(&text)?;
                self.out.write_all(b"\n")
            }
            FollowFormat::Hex => write_hex_dump(&mut self.out, tab, offset, data),
            FollowFormat::Yaml => {
                let secs = (ts_ns.div_euclid(1_000_000_000)) as f64
                    + (ts_ns.rem_euclid(1_000_000_000)) as f64 / 1e9;
                write!(self.out, "  - packet: {frame}\n    peer: {d}\n    timestamp: {secs:.9}\n    data: !!binary |\n")?;
                for piece in data.chunks(57) {
                    writeln!(self.out, "      {}", base64(piece))?;
                }
                Ok(())
            }
        }
    }

    /// Writes the closing banner (nothing for YAML) and returns the writer.
    pub fn end(mut self) -> io::Result<W> {
        if self.format != FollowFormat::Yaml {
            self.out.write_all(SEPARATOR.as_bytes())?;
        }
        Ok(self.out)
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

fn push_hex(out: &mut Vec<u8>, data: &[u8]) {
    let start = out.len();
    out.resize(start + data.len() * 2, 0);
    if let Some(dst) = out.get_mut(start..) {
        for (pair, &b) in dst.chunks_exact_mut(2).zip(data) {
            pair[0] = HEX_DIGITS[usize::from(b >> 4)];
            pair[1] = HEX_DIGITS[usize::from(b & 15)];
        }
    }
}

/// tshark's hex dump: `%08X` offset, two spaces, 16 bytes as `xx ` with an extra space after the
/// eighth, the text column at position 60 with a space after the eighth character; a trailing
/// space of the text column is dropped (as tshark does, even when it is a data byte).
fn write_hex_dump<W: Write>(
    out: &mut W,
    prefix: &str,
    mut offset: u64,
    data: &[u8],
) -> io::Result<()> {
    let mut text = Vec::with_capacity(data.len() / 16 * 80 + 80);
    for line_bytes in data.chunks(16) {
        text.extend_from_slice(prefix.as_bytes());
        let start = text.len();
        text.extend_from_slice(format!("{:08X}", offset as u32).as_bytes());
        text.resize(start + 60, b' ');
        let mut ascii = [b' '; 17];
        let mut n = 0;
        for (i, &b) in line_bytes.iter().enumerate() {
            let col = start + 10 + 3 * i + usize::from(i >= 8);
            if let Some(dst) = text.get_mut(col..col + 2) {
                dst.copy_from_slice(&[
                    HEX_DIGITS[usize::from(b >> 4)],
                    HEX_DIGITS[usize::from(b & 15)],
                ]);
            }
            if let Some(a) = ascii.get_mut(n) {
                *a = if (0x20..0x7f).contains(&b) { b } else { b'.' };
            }
            n += 1;
            if i == 7 {
                n += 1;
            }
        }
        let mut shown = ascii.get(..n).unwrap_or(&[]);
        if shown.last() == Some(&b' ') {
            shown = shown.get(..n - 1).unwrap_or(&[]);
        }
        text.extend_from_slice(shown);
        text.push(b'\n');
        offset = offset.wrapping_add(16);
    }
    out.write_all(&text)
}

/// Standard base64 with padding (as GLib's `g_base64_encode`).
fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let b = [
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
            c.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= c.len() {
                s.push(char::from(T[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Writes a whole follow output for `chunks` into `out`.
pub fn write_follow<W: Write, I: IntoIterator<Item = FollowChunk>>(
    out: W,
    header: &FollowHeader,
    format: FollowFormat,
    nodes: NodeFilter,
    chunks: I,
) -> io::Result<W> {
    let mut w = FollowWriter::new(out, format, nodes);
    w.begin(header)?;
    for c in chunks {
        w.chunk(&c)?;
    }
    w.end()
}

#[cfg(test)]
mod tests {
    use super::super::tcp_follow::Gap;
    use super::*;

    fn header() -> FollowHeader {
        FollowHeader {
            proto: FollowProto::Tcp,
            stream: 3,
            node0: FollowNode::ip("10.0.0.1".parse().unwrap(), 1234),
            node1: FollowNode::ip("2001:db8::1".parse().unwrap(), 80),
        }
    }

    fn chunk(dir: u8, bytes: &[u8]) -> FollowChunk {
        FollowChunk {
            frame: 4,
            ts_ns: 1_500_000_000,
            dir,
            bytes: bytes.to_vec(),
            gap_before: None,
        }
    }

    fn render(format: FollowFormat, nodes: NodeFilter, chunks: Vec<FollowChunk>) -> String {
        String::from_utf8(write_follow(Vec::new(), &header(), format, nodes, chunks).unwrap())
            .unwrap()
    }

    #[test]
    fn raw_and_ascii_layout() {
        let chunks = vec![chunk(0, b"GET\r\n"), chunk(1, b"\x00ok\t")];
        let raw = render(FollowFormat::Raw, NodeFilter::Both, chunks.clone());
        let sep = "=".repeat(67);
        assert_eq!(raw, format!("\n{sep}\nFollow: tcp,raw\nFilter: tcp.stream eq 3\nNode 0: 10.0.0.1:1234\nNode 1: [2001:db8::1]:80\n4745540d0a\n\t006f6b09\n{sep}\n"));
        let ascii = render(FollowFormat::Ascii, NodeFilter::Both, chunks.clone());
        assert!(ascii.ends_with(&format!("5\nGET\r\n\n\t4\n.ok.\n{sep}\n")));
        let only1 = render(FollowFormat::Raw, NodeFilter::Node1, chunks);
        assert!(!only1.contains("474554") && only1.contains("\t006f6b09\n"));
        let mut h = header();
        h.node0 = FollowNode {
            address: NodeAddress::Ether([0xba, 9, 0x2b, 0x6e, 0xf8, 0xbe]),
            port: 39924,
        };
        h.node1 = FollowNode::NONE;
        let out = String::from_utf8(
            write_follow(Vec::new(), &h, FollowFormat::Raw, NodeFilter::Both, vec![]).unwrap(),
        )
        .unwrap();
        assert!(out.contains("Node 0: ba:09:2b:6e:f8:be:39924\nNode 1: :0\n"));
    }

    #[test]
    fn gap_marker_record_and_hex_offsets() {
        let mut c = chunk(0, b"0123456789abcdefXY");
        c.gap_before = Some(Gap {
            missing: 5,
            revealed_by_frame: 9,
        });
        let hex = render(FollowFormat::Hex, NodeFilter::Both, vec![c.clone()]);
        let marker = "[5 bytes missing in capture file]";
        assert_eq!(marker.len() + 1, 34);
        assert!(hex.contains(
            "00000000  5b 35 20 62 79 74 65 73  20 6d 69 73 73 69 6e 67  [5 bytes  missing\n"
        ));
        assert!(hex.contains(&format!("00000020  5d 00{}].\n", " ".repeat(45))));
        assert!(hex.contains(
            "00000022  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  01234567 89abcdef\n"
        ));
        let raw = render(FollowFormat::Raw, NodeFilter::Both, vec![c]);
        assert!(raw.contains(&format!(
            "{}00\n",
            marker
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )));
    }

    #[test]
    fn yaml_layout_and_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        let y = render(
            FollowFormat::Yaml,
            NodeFilter::Both,
            vec![chunk(1, &[b'a'; 60])],
        );
        assert!(y.starts_with("peers:\n  - peer: 0\n    host: 10.0.0.1\n    port: 1234\n  - peer: 1\n    host: 2001:db8::1\n    port: 80\npackets:\n"));
        assert!(y.contains(
            "  - packet: 4\n    peer: 1\n    timestamp: 1.500000000\n    data: !!binary |\n"
        ));
        let lines: Vec<&str> = y.lines().filter(|l| l.starts_with("      ")).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 6 + 76);
    }
}
