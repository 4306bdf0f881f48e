//! Content fingerprints: the stable hash used for payload comparison, and the small parsers that
//! pull identifying fields out of the first bytes of a stream or datagram (HTTP request line, Host
//! and X-Forwarded-For; TLS ClientHello random and SNI; DNS id and question; DHCP xid).
//!
//! Every parser works on a borrowed slice, checks each length before reading and gives up (None)
//! on anything it does not understand. Nothing here allocates more than a bounded amount.

/// FNV-1a 64-bit hash. Deterministic on every platform (unlike `Hasher` implementations that
/// depend on the pointer width), so two captures hashed natively and in wasm agree.
pub fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Most bytes kept of any text field taken from a packet (request line, Host, SNI ...).
pub const MAX_TEXT: usize = 256;
/// Most header names remembered per HTTP request.
pub const MAX_HEADER_NAMES: usize = 32;
/// Bytes of a header value kept in [`HttpRequestHead::header_values`].
pub const MAX_HEADER_VALUE: usize = 64;

/// The identifying parts of one HTTP request head found at the start of a TCP segment.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HttpRequestHead {
    /// Request line without CRLF, e.g. `GET /index.html?qs=1 HTTP/1.1` (cut at [`MAX_TEXT`]).
    pub request_line: String,
    /// Host header value, if present in this segment.
    pub host: Option<String>,
    /// X-Forwarded-For header value, if present.
    pub forwarded_for: Option<String>,
    /// Header names in order (lowercase, at most [`MAX_HEADER_NAMES`]).
    pub header_names: Vec<String>,
    /// The value of each header in [`Self::header_names`], same order (surrounding blanks
    /// trimmed, cut at [`MAX_HEADER_VALUE`] bytes): what a proxy changed (Connection, Via, ...).
    pub header_values: Vec<String>,
    /// Hash of the body bytes that follow the head in this segment (None when the head does not
    /// end in this segment or there is no body here).
    pub body_hash: Option<u64>,
}

impl HttpRequestHead {
    /// The key two captures compare: request line + Host (proxies keep both).
    pub fn key(&self) -> u64 {
        let mut h = fnv1a64(self.request_line.as_bytes());
        if let Some(host) = &self.host {
            h ^= fnv1a64(host.as_bytes()).rotate_left(17);
        }
        h
    }
}

const METHODS: [&[u8]; 9] = [
    b"GET ",
    b"POST ",
    b"PUT ",
    b"HEAD ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
    b"CONNECT ",
    b"TRACE ",
];

fn text(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_TEXT)];
    String::from_utf8_lossy(cut).into_owned()
}

/// Parses an HTTP/1.x request head at the very start of `payload` (one segment). Returns None
/// unless the segment starts with a known method and its first line ends in `HTTP/1.x`.
pub fn parse_http_request(payload: &[u8]) -> Option<HttpRequestHead> {
    if !METHODS.iter().any(|m| payload.starts_with(m)) {
        return None;
    }
    let line_end = find(payload, b"\r\n")?;
    let line = payload.get(..line_end)?;
    if !(line.ends_with(b"HTTP/1.1") || line.ends_with(b"HTTP/1.0")) {
        return None;
    }
    let mut head = HttpRequestHead {
        request_line: text(line),
        ..Default::default()
    };
    let mut pos = line_end.saturating_add(2);
    // Bounded: at most one iteration per header line, and at most 256 lines.
    for _ in 0..256 {
        let rest = match payload.get(pos..) {
            Some(r) if !r.is_empty() => r,
            _ => break,
        };
        let Some(end) = find(rest, b"\r\n") else {
            break;
        };
        if end == 0 {
            let body = rest.get(2..).unwrap_or(&[]);
            if !body.is_empty() {
                head.body_hash = Some(fnv1a64(body));
            }
            break;
        }
        let hline = rest.get(..end).unwrap_or(&[]);
        if let Some(colon) = hline.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&hline[..colon]).to_ascii_lowercase();
            let value = trim(hline.get(colon.saturating_add(1)..).unwrap_or(&[]));
            match name.as_str() {
                "host" => head.host = Some(text(value)),
                "x-forwarded-for" => head.forwarded_for = Some(text(value)),
                _ => {}
            }
            if head.header_names.len() < MAX_HEADER_NAMES {
                head.header_names.push(text(name.as_bytes()));
                let cut = value
                    .get(..value.len().min(MAX_HEADER_VALUE))
                    .unwrap_or(&[]);
                head.header_values
                    .push(String::from_utf8_lossy(cut).into_owned());
            }
        }
        pos = pos.saturating_add(end).saturating_add(2);
    }
    Some(head)
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The identifying fields of a TLS ClientHello (or ServerHello: random only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsHello {
    /// Handshake type: 1 ClientHello, 2 ServerHello.
    pub handshake_type: u8,
    /// The 32-byte random, unique per connection and end to end through TCP proxies.
    pub random: [u8; 32],
    /// Server name indication (ClientHello only), when found in this segment.
    pub sni: Option<String>,
}

/// Parses a TLS handshake record at the very start of `payload`: ClientHello or ServerHello.
pub fn parse_tls_hello(payload: &[u8]) -> Option<TlsHello> {
    // record: type(1)=22 version(2) length(2); handshake: type(1) length(3) version(2) random(32)
    if payload.len() < 43 || payload[0] != 0x16 || payload[1] != 0x03 {
        return None;
    }
    let handshake_type = payload[5];
    if handshake_type != 1 && handshake_type != 2 {
        return None;
    }
    let mut random = [0u8; 32];
    random.copy_from_slice(payload.get(11..43)?);
    let sni = if handshake_type == 1 {
        client_hello_sni(payload)
    } else {
        None
    };
    Some(TlsHello {
        handshake_type,
        random,
        sni,
    })
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    let hi = *b.get(at)?;
    let lo = *b.get(at.checked_add(1)?)?;
    Some(usize::from(u16::from_be_bytes([hi, lo])))
}

fn client_hello_sni(p: &[u8]) -> Option<String> {
    // after random: session id (1+n), cipher suites (2+n), compression (1+n), extensions (2+n)
    let mut at = 43usize;
    let sid_len = usize::from(*p.get(at)?);
    at = at.checked_add(1 + sid_len)?;
    let cs_len = be16(p, at)?;
    at = at.checked_add(2 + cs_len)?;
    let comp_len = usize::from(*p.get(at)?);
    at = at.checked_add(1 + comp_len)?;
    let ext_total = be16(p, at)?;
    at = at.checked_add(2)?;
    let end = at.checked_add(ext_total)?.min(p.len());
    // Bounded: every iteration advances `at` by at least 4.
    while at.checked_add(4)? <= end {
        let ext_type = be16(p, at)?;
        let ext_len = be16(p, at + 2)?;
        let body = at + 4;
        if ext_type == 0 {
            // server_name list: len(2) type(1) name_len(2) name
            let name_len = be16(p, body + 3)?;
            let name = p.get(body + 5..body + 5 + name_len)?;
            return Some(text(name));
        }
        at = body.checked_add(ext_len)?;
    }
    None
}

/// A DNS-format question: transaction id and a hash of the question (name, type, class).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsQuestion {
    /// Transaction id.
    pub id: u16,
    /// Question name as dotted text (cut at [`MAX_TEXT`]).
    pub name: String,
    /// Hash of the raw question bytes (name labels, type, class).
    pub question_hash: u64,
}

/// Parses the first question of a DNS message at the start of `msg`.
pub fn parse_dns_question(msg: &[u8]) -> Option<DnsQuestion> {
    let id = u16::from_be_bytes([*msg.first()?, *msg.get(1)?]);
    let qdcount = be16(msg, 4)?;
    if qdcount == 0 {
        return None;
    }
    let mut at = 12usize;
    let mut name = String::new();
    // Bounded: at most 128 labels, each advancing `at`.
    for _ in 0..128 {
        let len = usize::from(*msg.get(at)?);
        if len == 0 {
            break;
        }
        if len & 0xc0 != 0 {
            return None; // compression pointer in a question: not expected, give up
        }
        let label = msg.get(at + 1..at + 1 + len)?;
        if !name.is_empty() {
            name.push('.');
        }
        if name.len() < MAX_TEXT {
            name.push_str(&String::from_utf8_lossy(label));
        }
        at += 1 + len;
    }
    let q_end = at.checked_add(5)?; // terminating zero + type + class
    let question = msg.get(12..q_end)?;
    Some(DnsQuestion {
        id,
        name,
        question_hash: fnv1a64(question),
    })
}

/// DHCP / BOOTP transaction id (bytes 4..8) when `payload` looks like BOOTP (op 1 or 2, magic
/// cookie at 236).
pub fn parse_dhcp_xid(payload: &[u8]) -> Option<u32> {
    let op = *payload.first()?;
    if op != 1 && op != 2 {
        return None;
    }
    if payload.get(236..240)? != [0x63, 0x82, 0x53, 0x63] {
        return None;
    }
    let x = payload.get(4..8)?;
    Some(u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn http_request_head_fields() {
        let seg = b"GET /index.html?qs=7 HTTP/1.1\r\nHost: 10.2.0.2:8000\r\nX-Forwarded-For: 10.1.0.2\r\nAccept: */*\r\n\r\nbody";
        let h = parse_http_request(seg).unwrap();
        assert_eq!(h.request_line, "GET /index.html?qs=7 HTTP/1.1");
        assert_eq!(h.host.as_deref(), Some("10.2.0.2:8000"));
        assert_eq!(h.forwarded_for.as_deref(), Some("10.1.0.2"));
        assert_eq!(h.header_names, vec!["host", "x-forwarded-for", "accept"]);
        assert_eq!(h.header_values.len(), h.header_names.len());
        assert_eq!(
            h.header_values.first().map(String::as_str),
            h.host.as_deref()
        );
        assert_eq!(h.header_values.get(1), h.forwarded_for.as_ref());
        assert_eq!(h.header_values.get(2).map(String::as_str), Some("*/*"));
        let long = format!("GET / HTTP/1.1\r\nVia: {}\r\n\r\n", "x".repeat(300));
        let via = parse_http_request(long.as_bytes()).unwrap();
        assert_eq!(via.header_values, vec!["x".repeat(MAX_HEADER_VALUE)]);
        assert_eq!(h.body_hash, Some(fnv1a64(b"body")));
        // Same line + host, other headers: same key.
        let other = parse_http_request(b"GET /index.html?qs=7 HTTP/1.1\r\nhost: 10.2.0.2:8000\r\n")
            .unwrap();
        assert_eq!(h.key(), other.key());
        let third = parse_http_request(b"GET /index.html?qs=8 HTTP/1.1\r\nhost: 10.2.0.2:8000\r\n")
            .unwrap();
        assert_ne!(h.key(), third.key());
        assert!(parse_http_request(b"HTTP/1.1 200 OK\r\n").is_none());
        assert!(parse_http_request(b"GET / SPDY\r\n").is_none());
        assert!(parse_http_request(b"GET /no-line-end").is_none());
    }

    fn client_hello(sni: &str) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend((0u8..32).map(|i| i * 3));
        body.push(0); // session id
        body.extend([0, 2, 0x13, 0x01]); // one suite
        body.extend([1, 0]); // compression
        let name = sni.as_bytes();
        let mut ext = vec![0, 0];
        let list_len = (name.len() + 3) as u16;
        ext.extend((list_len + 2).to_be_bytes());
        ext.extend(list_len.to_be_bytes());
        ext.push(0);
        ext.extend((name.len() as u16).to_be_bytes());
        ext.extend(name);
        body.extend((ext.len() as u16).to_be_bytes());
        body.extend(ext);
        let mut hs = vec![1, 0];
        hs.extend(((body.len()) as u16).to_be_bytes());
        hs.extend(body);
        let mut rec = vec![0x16, 0x03, 0x01];
        rec.extend((hs.len() as u16).to_be_bytes());
        rec.extend(hs);
        rec
    }

    #[test]
    fn tls_client_hello_random_and_sni() {
        let rec = client_hello("example.test");
        let h = parse_tls_hello(&rec).unwrap();
        assert_eq!(h.handshake_type, 1);
        assert_eq!(h.random[1], 3);
        assert_eq!(h.sni.as_deref(), Some("example.test"));
        // Every truncation parses to something or nothing, never panics.
        for cut in 0..rec.len() {
            let _ = parse_tls_hello(&rec[..cut]);
        }
        assert!(parse_tls_hello(&rec[..42]).is_none());
    }

    #[test]
    fn dns_question_and_dhcp() {
        let mut m = vec![0xbe, 0xef, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        m.extend([
            3, b'w', b'w', b'w', 4, b't', b'e', b's', b't', 0, 0, 1, 0, 1,
        ]);
        let q = parse_dns_question(&m).unwrap();
        assert_eq!(q.id, 0xbeef);
        assert_eq!(q.name, "www.test");
        for cut in 0..m.len() {
            let _ = parse_dns_question(&m[..cut]);
        }
        assert!(parse_dns_question(&m[..m.len() - 1]).is_none());
        let mut d = vec![0u8; 240];
        d[0] = 1;
        d[4..8].copy_from_slice(&[1, 2, 3, 4]);
        d[236..240].copy_from_slice(&[0x63, 0x82, 0x53, 0x63]);
        assert_eq!(parse_dhcp_xid(&d), Some(0x0102_0304));
        assert_eq!(parse_dhcp_xid(&d[..239]), None);
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = parse_http_request(&data);
            let _ = parse_tls_hello(&data);
            let _ = parse_dns_question(&data);
            let _ = parse_dhcp_xid(&data);
            // Also behind plausible prefixes, so the deeper branches run.
            let mut tls = vec![0x16, 0x03, 0x01, 0x02, 0x00, 0x01];
            tls.extend(&data);
            let _ = parse_tls_hello(&tls);
            let mut http = b"GET / HTTP/1.1\r\n".to_vec();
            http.extend(&data);
            let _ = parse_http_request(&http);
            let mut dns = vec![0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
            dns.extend(&data);
            let _ = parse_dns_question(&dns);
        }
    }
}
