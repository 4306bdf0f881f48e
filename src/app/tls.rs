//! TLS handshake summary from a stream's reassembled bytes, without decryption: server name (SNI),
//! ALPN offered and selected, versions offered and chosen, the cipher suite chosen, and the server
//! certificate's subject when it travels in clear (TLS 1.2 and earlier).
//!
//! Bounded: at most [`MAX_HANDSHAKE_BYTES`] of handshake data per direction are buffered; parsing
//! stops at the first encrypted or application record of a direction.

use serde::Serialize;

use crate::reassembly::FollowChunk;

/// Handshake bytes buffered per direction at most.
pub const MAX_HANDSHAKE_BYTES: usize = 256 * 1024;

/// The name tshark gives a TLS handshake message type (`tls.handshake.type`), for the types it
/// shows by name in a record's Info; None for the others (tshark then shows an encrypted message).
pub fn handshake_type_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "Hello Request",
        1 => "Client Hello",
        2 => "Server Hello",
        4 => "New Session Ticket",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server Key Exchange",
        13 => "Certificate Request",
        14 => "Server Hello Done",
        15 => "Certificate Verify",
        16 => "Client Key Exchange",
        20 => "Finished",
        _ => return None,
    })
}

/// What the handshake of one stream reveals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TlsSummary {
    /// `tcp.stream`.
    pub stream: u32,
    /// Frame that carried the end of the ClientHello.
    pub client_hello_frame: Option<u32>,
    /// Server name indication.
    pub sni: Option<String>,
    /// ALPN protocols the client offered.
    pub alpn_offered: Vec<String>,
    /// ALPN protocol the server selected.
    pub alpn_selected: Option<String>,
    /// Versions the client offered (supported_versions, else the ClientHello version).
    pub client_versions: Vec<String>,
    /// Version the server chose.
    pub server_version: Option<String>,
    /// Cipher suite the server chose, as `0xXXXX`.
    pub cipher_suite: Option<String>,
    /// Its IANA name when known.
    pub cipher_suite_name: Option<String>,
    /// Subject of the first certificate the server sent, when visible (`CN=..., O=...`).
    pub certificate_subject: Option<String>,
}

/// Name of a TLS protocol version.
pub fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        v if v & 0x0f0f == 0x0a0a => format!("GREASE 0x{v:04x}"),
        v => format!("0x{v:04x}"),
    }
}

/// IANA names of common cipher suites.
pub fn cipher_suite_name(id: u16) -> Option<&'static str> {
    Some(match id {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        _ => return None,
    })
}

/// A cursor over bytes whose reads fail instead of panicking.
struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.b.len() < n {
            return None;
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Some(h)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|s| s.first().copied())
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|s| u16::from_be_bytes([s[0], s[1]]))
    }
    fn u24(&mut self) -> Option<usize> {
        self.take(3)
            .map(|s| (usize::from(s[0]) << 16) | (usize::from(s[1]) << 8) | usize::from(s[2]))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
}

/// Per-direction record reassembly.
#[derive(Default)]
struct Direction {
    records: Vec<u8>,
    handshake: Vec<u8>,
    done: bool,
    last_frame: u32,
}

/// Incremental TLS handshake parser of one stream.
pub struct TlsHandshakeParser {
    summary: TlsSummary,
    dirs: [Direction; 2],
    seen_tls: bool,
    not_tls: bool,
}

impl TlsHandshakeParser {
    /// A parser for `stream`.
    pub fn new(stream: u32) -> Self {
        Self {
            summary: TlsSummary {
                stream,
                ..TlsSummary::default()
            },
            dirs: [Direction::default(), Direction::default()],
            seen_tls: false,
            not_tls: false,
        }
    }

    /// Feeds one follow chunk.
    pub fn push(&mut self, c: &FollowChunk) {
        let d = usize::from(c.dir.min(1));
        if self.not_tls || self.dirs[d].done {
            return;
        }
        if c.gap_before.is_some() {
            // Resynchronise: a record may start right after the gap.
            self.dirs[d].records.clear();
            self.dirs[d].handshake.clear();
        }
        let dir = &mut self.dirs[d];
        if dir.records.len() + c.bytes.len() > MAX_HANDSHAKE_BYTES {
            dir.done = true;
            return;
        }
        dir.records.extend_from_slice(&c.bytes);
        dir.last_frame = c.frame;
        self.parse_records(d);
    }

    /// True once the first bytes showed this is not TLS.
    pub fn is_tls(&self) -> bool {
        !self.not_tls
    }

    /// The summary (None when no TLS handshake was seen).
    pub fn finish(self) -> Option<TlsSummary> {
        self.seen_tls.then_some(self.summary)
    }

    fn parse_records(&mut self, d: usize) {
        loop {
            let dir = &mut self.dirs[d];
            let Some(&[ty, major, v2_type, hi, lo]) = dir
                .records
                .get(..5)
                .and_then(|s| <&[u8; 5]>::try_from(s).ok())
            else {
                return;
            };
            if !(20..=24).contains(&ty) || major != 3 {
                if ty & 0x80 != 0 && v2_type == 1 {
                    // An SSLv2-format ClientHello (2-byte length, type 1, then the version).
                    self.seen_tls = true;
                    let v = dir
                        .records
                        .get(3..5)
                        .map(|v| u16::from_be_bytes([v[0], v[1]]));
                    self.summary.client_versions = v.map(version_name).into_iter().collect();
                    self.summary.client_hello_frame = Some(dir.last_frame);
                } else if !self.seen_tls && self.dirs[1 - d].done {
                    self.not_tls = true;
                }
                self.dirs[d].done = true;
                return;
            }
            let len = (usize::from(hi) << 8) | usize::from(lo);
            if dir.records.len() < 5 + len {
                return;
            }
            let body: Vec<u8> = dir.records.drain(..5 + len).skip(5).collect();
            self.seen_tls = true;
            if ty != 22 {
                // ChangeCipherSpec, alert or application data: the clear handshake is over.
                dir.done = true;
                return;
            }
            dir.handshake.extend_from_slice(&body);
            self.parse_handshake(d);
            if self.dirs[d].done {
                return;
            }
        }
    }

    fn parse_handshake(&mut self, d: usize) {
        loop {
            let hs = &self.dirs[d].handshake;
            let mut r = Reader { b: hs };
            let (Some(ty), Some(len)) = (r.u8(), r.u24()) else {
                return;
            };
            let Some(msg) = r.take(len) else { return };
            let msg = msg.to_vec();
            self.dirs[d].handshake.drain(..4 + len);
            match ty {
                1 => {
                    self.summary.client_hello_frame = Some(self.dirs[d].last_frame);
                    let _ = self.client_hello(&msg);
                }
                2 => {
                    let _ = self.server_hello(&msg);
                }
                11 => {
                    if self.summary.certificate_subject.is_none() {
                        self.summary.certificate_subject = certificate_subject(&msg);
                    }
                    self.dirs[d].done = true;
                    return;
                }
                _ => {}
            }
        }
    }

    fn client_hello(&mut self, msg: &[u8]) -> Option<()> {
        let mut r = Reader { b: msg };
        let legacy = r.u16()?;
        r.take(32)?;
        r.vec8()?;
        r.vec16()?;
        r.vec8()?;
        self.summary.client_versions = vec![version_name(legacy)];
        let mut ext = Reader { b: r.vec16()? };
        while let (Some(ty), Some(data)) = (ext.u16(), ext.vec16()) {
            let mut e = Reader { b: data };
            match ty {
                0 => {
                    let mut list = Reader { b: e.vec16()? };
                    while let (Some(kind), Some(name)) = (list.u8(), list.vec16()) {
                        if kind == 0 {
                            self.summary.sni = Some(String::from_utf8_lossy(name).into_owned());
                        }
                    }
                }
                16 => {
                    let mut list = Reader { b: e.vec16()? };
                    while let Some(p) = list.vec8() {
                        self.summary
                            .alpn_offered
                            .push(String::from_utf8_lossy(p).into_owned());
                    }
                }
                43 => {
                    let mut list = Reader { b: e.vec8()? };
                    let mut v = Vec::new();
                    while let Some(x) = list.u16() {
                        v.push(version_name(x));
                    }
                    self.summary.client_versions = v;
                }
                _ => {}
            }
        }
        Some(())
    }

    fn server_hello(&mut self, msg: &[u8]) -> Option<()> {
        let mut r = Reader { b: msg };
        let legacy = r.u16()?;
        r.take(32)?;
        r.vec8()?;
        let suite = r.u16()?;
        r.u8()?;
        self.summary.server_version = Some(version_name(legacy));
        self.summary.cipher_suite = Some(format!("0x{suite:04x}"));
        self.summary.cipher_suite_name = cipher_suite_name(suite).map(str::to_string);
        let mut ext = Reader {
            b: r.vec16().unwrap_or(&[]),
        };
        while let (Some(ty), Some(data)) = (ext.u16(), ext.vec16()) {
            let mut e = Reader { b: data };
            match ty {
                16 => {
                    let mut list = Reader { b: e.vec16()? };
                    self.summary.alpn_selected =
                        list.vec8().map(|p| String::from_utf8_lossy(p).into_owned());
                }
                43 => self.summary.server_version = e.u16().map(version_name),
                _ => {}
            }
        }
        Some(())
    }
}

/// One DER element: (tag, content).
fn der<'a>(r: &mut Reader<'a>) -> Option<(u8, &'a [u8])> {
    let tag = r.u8()?;
    let first = r.u8()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        r.take(n)?
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    Some((tag, r.take(len)?))
}

fn oid_label(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x0a] => "O",
        [0x55, 0x04, 0x0b] => "OU",
        _ => return None,
    })
}

/// The subject of the first certificate of a Certificate handshake message (TLS 1.2 layout).
fn certificate_subject(msg: &[u8]) -> Option<String> {
    let mut r = Reader { b: msg };
    let list_len = r.u24()?;
    let mut list = Reader {
        b: r.take(list_len)?,
    };
    let cert_len = list.u24()?;
    let mut cert = Reader {
        b: list.take(cert_len)?,
    };
    let (_, certificate) = der(&mut cert)?;
    let (_, tbs) = der(&mut Reader { b: certificate })?;
    let mut t = Reader { b: tbs };
    let mut fields = Vec::new();
    let (tag, _) = der(&mut t)?;
    // Optional [0] version, then serial, signature, issuer, validity, subject.
    let skip = if tag == 0xa0 { 4 } else { 3 };
    for _ in 0..skip {
        der(&mut t)?;
    }
    let (_, subject) = der(&mut t)?;
    let mut sets = Reader { b: subject };
    while let Some((_, set)) = der(&mut sets) {
        let mut atvs = Reader { b: set };
        while let Some((_, atv)) = der(&mut atvs) {
            let mut a = Reader { b: atv };
            let (_, oid) = der(&mut a)?;
            let (_, value) = der(&mut a)?;
            if let Some(label) = oid_label(oid) {
                fields.push(format!("{label}={}", String::from_utf8_lossy(value)));
            }
        }
    }
    (!fields.is_empty()).then(|| fields.join(", "))
}

/// The handshake summary of one stream given as follow chunks (None when it is not TLS).
pub fn tls_summary_of_chunks<I: IntoIterator<Item = FollowChunk>>(
    stream: u32,
    chunks: I,
) -> Option<TlsSummary> {
    let mut p = TlsHandshakeParser::new(stream);
    for c in chunks {
        p.push(&c);
        if !p.is_tls() || p.dirs.iter().all(|d| d.done) {
            break;
        }
    }
    p.finish()
}

/// The TLS handshake summary of one TCP stream of an indexed capture (None when not TLS).
pub fn tls_summary_of_stream(
    indexer: &crate::pipeline::Indexer,
    source: &mut dyn crate::capture::random_access::ByteSource,
    stream: u32,
) -> Option<TlsSummary> {
    use crate::reassembly::{FollowProto, FollowTcpIter, StreamReader, TcpFollowOptions};
    let reader = StreamReader::new(indexer, source, FollowProto::Tcp, stream);
    tls_summary_of_chunks(
        stream,
        FollowTcpIter::new(reader.tcp_segments(), TcpFollowOptions::default()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ty: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![ty, 3, 1, (body.len() >> 8) as u8, body.len() as u8];
        v.extend_from_slice(body);
        v
    }

    fn handshake(ty: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![ty, 0, (body.len() >> 8) as u8, body.len() as u8];
        v.extend_from_slice(body);
        v
    }

    fn ext(ty: u16, data: &[u8]) -> Vec<u8> {
        let mut v = ty.to_be_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_be_bytes());
        v.extend_from_slice(data);
        v
    }

    fn der_el(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        if content.len() < 128 {
            v.push(content.len() as u8);
        } else {
            v.extend_from_slice(&[0x82, (content.len() >> 8) as u8, content.len() as u8]);
        }
        v.extend_from_slice(content);
        v
    }

    fn chunk(dir: u8, frame: u32, bytes: Vec<u8>) -> FollowChunk {
        FollowChunk {
            frame,
            ts_ns: 0,
            dir,
            bytes,
            gap_before: None,
        }
    }

    #[test]
    fn client_and_server_hello_and_certificate() {
        let sni = ext(0, &[&[0u8, 14, 0, 0, 11][..], b"example.com"].concat());
        let alpn = ext(16, &[&[0u8, 12, 2][..], b"h2", &[8], b"http/1.1"].concat());
        let versions = ext(43, &[4, 0x03, 0x04, 0x03, 0x03]);
        let exts = [sni, alpn, versions].concat();
        let mut ch = vec![3, 3];
        ch.extend_from_slice(&[0; 32]);
        ch.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
        ch.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        ch.extend_from_slice(&exts);
        let client = record(22, &handshake(1, &ch));
        let mut sh = vec![3, 3];
        sh.extend_from_slice(&[0; 32]);
        sh.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
        let sexts = ext(16, &[&[0u8, 3, 2][..], b"h2"].concat());
        sh.extend_from_slice(&(sexts.len() as u16).to_be_bytes());
        sh.extend_from_slice(&sexts);
        let cn = der_el(
            0x31,
            &der_el(
                0x30,
                &[
                    der_el(0x06, &[0x55, 4, 3]),
                    der_el(0x0c, b"www.example.com"),
                ]
                .concat(),
            ),
        );
        let org = der_el(
            0x31,
            &der_el(
                0x30,
                &[der_el(0x06, &[0x55, 4, 10]), der_el(0x0c, b"Example Org")].concat(),
            ),
        );
        let subject = der_el(0x30, &[cn, org].concat());
        let tbs = der_el(
            0x30,
            &[
                der_el(0xa0, &der_el(2, &[2])),
                der_el(2, &[1]),
                der_el(0x30, &[]),
                der_el(0x30, &[]),
                der_el(0x30, &[]),
                subject,
            ]
            .concat(),
        );
        let cert = der_el(0x30, &[tbs, der_el(0x30, &[]), der_el(3, &[0])].concat());
        let mut certs = vec![0, (cert.len() >> 8) as u8, cert.len() as u8];
        certs.extend_from_slice(&cert);
        let mut cmsg = vec![0, (certs.len() >> 8) as u8, certs.len() as u8];
        cmsg.extend_from_slice(&certs);
        let server = [
            record(22, &[handshake(2, &sh), handshake(11, &cmsg)].concat()),
            record(20, &[1]),
        ]
        .concat();
        // Split the server flight across two chunks to exercise record reassembly.
        let (a, b) = server.split_at(20);
        let s = tls_summary_of_chunks(
            4,
            vec![
                chunk(0, 1, client),
                chunk(1, 2, a.to_vec()),
                chunk(1, 3, b.to_vec()),
            ],
        )
        .unwrap();
        assert_eq!(s.sni.as_deref(), Some("example.com"));
        assert_eq!(s.alpn_offered, vec!["h2", "http/1.1"]);
        assert_eq!(s.alpn_selected.as_deref(), Some("h2"));
        assert_eq!(s.client_versions, vec!["TLS 1.3", "TLS 1.2"]);
        assert_eq!(s.server_version.as_deref(), Some("TLS 1.2"));
        assert_eq!(s.cipher_suite.as_deref(), Some("0xc02f"));
        assert_eq!(
            s.cipher_suite_name.as_deref(),
            Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        );
        assert_eq!(
            s.certificate_subject.as_deref(),
            Some("CN=www.example.com, O=Example Org")
        );
        assert_eq!(s.client_hello_frame, Some(1));
    }

    #[test]
    fn not_tls_and_garbage_never_panic() {
        assert_eq!(
            tls_summary_of_chunks(0, vec![chunk(0, 1, b"GET / HTTP/1.1\r\n\r\n".to_vec())]),
            None
        );
        for n in 0..200u32 {
            let bytes: Vec<u8> = (0..n)
                .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8)
                .collect();
            let mut v = vec![22, 3, 3, 0, n as u8];
            v.extend_from_slice(&bytes);
            let _ = tls_summary_of_chunks(0, vec![chunk(0, 1, v.clone()), chunk(1, 2, v)]);
        }
    }
}
