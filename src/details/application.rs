//! Application lines of the details tree: the DNS header, an HTTP request or status line with its
//! Host header, and the first TLS record header (with the handshake type). Only what one frame's
//! bytes hold: no reassembly across segments.

use super::node::{be16, byte, DetailNode};
use crate::decode::{DnsFlavor, DnsLayer};

/// Most header lines of an HTTP message scanned for `Host:`.
const MAX_HTTP_LINES: usize = 64;

/// DNS (or mDNS / LLMNR) header at its offset.
pub(crate) fn dns(d: &DnsLayer) -> DetailNode {
    let off = d.offset as usize;
    let (proto, title) = match d.flavor {
        DnsFlavor::Dns => ("dns", "Domain Name System"),
        DnsFlavor::Mdns => ("mdns", "Multicast Domain Name System"),
        DnsFlavor::Llmnr => ("llmnr", "Link-local Multicast Name Resolution"),
    };
    let response = d.flags & 0x8000 != 0;
    let mut n = DetailNode::protocol(
        proto,
        format!("{title} ({})", if response { "response" } else { "query" }),
        off,
        12,
    );
    n.add_labelled(
        "dns.id",
        format!("Transaction ID: 0x{:04x}", d.id),
        format!("0x{:04x}", d.id),
        off,
        2,
    );
    let f = n.add(
        "dns.flags",
        "Flags",
        format!("0x{:04x}", d.flags),
        off + 2,
        2,
    );
    // (field, title, mask, shown on queries too)
    let flag_lines: [(&'static str, &str, u16, bool); 10] = [
        ("dns.flags.response", "Response", 0x8000, true),
        ("dns.flags.opcode", "Opcode", 0x7800, true),
        ("dns.flags.authoritative", "Authoritative", 0x0400, false),
        ("dns.flags.truncated", "Truncated", 0x0200, true),
        ("dns.flags.recdesired", "Recursion desired", 0x0100, true),
        ("dns.flags.recavail", "Recursion available", 0x0080, false),
        ("dns.flags.z", "Z", 0x0040, true),
        (
            "dns.flags.authenticated",
            "Answer authenticated",
            0x0020,
            false,
        ),
        (
            "dns.flags.checkdisable",
            "Non-authenticated data",
            0x0010,
            true,
        ),
        ("dns.flags.rcode", "Reply code", 0x000f, false),
    ];
    for (field, title, mask, on_queries) in flag_lines {
        // tshark shows the AD bit of a query only when it is set.
        let ad_query = mask == 0x0020 && d.flags & mask != 0;
        if response || on_queries || ad_query {
            let value = (d.flags & mask) >> mask.trailing_zeros();
            f.add(field, title, value.to_string(), off + 2, 2);
        }
    }
    let counts = [
        ("dns.count.queries", "Questions"),
        ("dns.count.answers", "Answer RRs"),
        ("dns.count.auth_rr", "Authority RRs"),
        ("dns.count.add_rr", "Additional RRs"),
    ];
    for (i, ((field, title), count)) in counts.iter().zip(d.counts).enumerate() {
        n.add(field, title, count.to_string(), off + 4 + 2 * i, 2);
    }
    n
}

/// An HTTP request or response head starting at `off` (a TCP payload), or `None` when the bytes
/// do not start with a request line or a status line.
pub(crate) fn http(data: &[u8], off: usize, len: usize) -> Option<DetailNode> {
    let payload = data.get(off..off.checked_add(len)?.min(data.len()))?;
    let line_end = payload.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(payload.get(..line_end)?).ok()?;
    let mut parts = line.splitn(3, ' ');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
    let mut n = DetailNode::protocol("http", "Hypertext Transfer Protocol".into(), off, len);
    // The first line is a text line in Wireshark (no field of its own).
    let head = n.add_text(line.to_string(), off, line_end + 2);
    if a.starts_with("HTTP/") {
        head.add(
            "http.response.version",
            "Response Version",
            a.into(),
            off,
            a.len(),
        );
        let code_at = off + a.len() + 1;
        head.add(
            "http.response.code",
            "Status Code",
            b.into(),
            code_at,
            b.len(),
        );
        if !c.is_empty() {
            head.add(
                "http.response.phrase",
                "Response Phrase",
                c.into(),
                code_at + b.len() + 1,
                c.len(),
            );
        }
    } else {
        if a.is_empty() || !a.bytes().all(|ch| ch.is_ascii_uppercase()) || !c.starts_with("HTTP/") {
            return None;
        }
        head.add(
            "http.request.method",
            "Request Method",
            a.into(),
            off,
            a.len(),
        );
        let uri_at = off + a.len() + 1;
        head.add("http.request.uri", "Request URI", b.into(), uri_at, b.len());
        head.add(
            "http.request.version",
            "Request Version",
            c.into(),
            uri_at + b.len() + 1,
            c.len(),
        );
    }
    // Header lines until the blank line (bounded).
    let mut at = line_end + 2;
    for _ in 0..MAX_HTTP_LINES {
        let rest = payload.get(at..)?;
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        if end == 0 {
            break;
        }
        if let Some(text) = rest.get(..end).and_then(|l| std::str::from_utf8(l).ok()) {
            if let Some((name, value)) = text.split_once(':') {
                if name.eq_ignore_ascii_case("host") {
                    n.add_labelled(
                        "http.host",
                        text.to_string(),
                        value.trim().to_string(),
                        off + at,
                        end + 2,
                    );
                }
            }
        }
        at += end + 2;
    }
    Some(n)
}

/// Most TLS records itemised per segment.
const MAX_TLS_RECORDS: usize = 64;

/// The TLS record headers in a TCP payload of `len` bytes at `off`, or `None` when the payload
/// does not start with one. A first record cut by the segment end is shown as far as it goes; after a
/// Change Cipher Spec record, handshake records are encrypted and show no handshake type.
pub(crate) fn tls(data: &[u8], off: usize, len: usize) -> Option<DetailNode> {
    let end = off.checked_add(len)?.min(data.len());
    record_header(data, off)?;
    let mut n = DetailNode::protocol("tls", "Transport Layer Security".into(), off, len);
    let mut at = off;
    let mut encrypted = false;
    for _ in 0..MAX_TLS_RECORDS {
        let Some((content_type, version, length)) = record_header(data, at) else {
            break;
        };
        if at.saturating_add(5) > end {
            break;
        }
        let full = usize::from(length) + 5;
        // tshark (without desegmentation) itemises a record cut by the segment end only when it
        // is the segment's first.
        if at != off && at.saturating_add(full) > end {
            break;
        }
        let record_len = full.min(end - at);
        let rec = n.add_labelled(
            "tls.record",
            format!(
                "{} Record Layer: {}",
                version_name(version),
                content_name(content_type)
            ),
            String::new(),
            at,
            record_len,
        );
        rec.add_labelled(
            "tls.record.content_type",
            format!(
                "Content Type: {} ({content_type})",
                content_name(content_type)
            ),
            content_type.to_string(),
            at,
            1,
        );
        rec.add_labelled(
            "tls.record.version",
            format!("Version: {} (0x{version:04x})", version_name(version)),
            format!("0x{version:04x}"),
            at + 1,
            2,
        );
        rec.add("tls.record.length", "Length", length.to_string(), at + 3, 2);
        if content_type == 22 && !encrypted && record_len > 5 {
            if let Some(t) = byte(data, at + 5) {
                rec.add_labelled(
                    "tls.handshake.type",
                    format!(
                        "Handshake Type: {} ({t})",
                        crate::app::tls::handshake_type_name(t).unwrap_or("Unknown")
                    ),
                    t.to_string(),
                    at + 5,
                    1,
                );
            }
        }
        encrypted |= content_type == 20;
        at += record_len;
        if at >= end {
            break;
        }
    }
    Some(n)
}

/// (content type, version, length) of a TLS record header at `at`, if it looks like one.
fn record_header(data: &[u8], at: usize) -> Option<(u8, u16, u16)> {
    let content_type = byte(data, at)?;
    let version = be16(data, at + 1)?;
    let length = be16(data, at + 3)?;
    ((20..=24).contains(&content_type) && version >> 8 == 3).then_some((
        content_type,
        version,
        length,
    ))
}

/// TLS version names as Wireshark writes them.
fn version_name(v: u16) -> &'static str {
    match v {
        0x0300 => "SSL 3.0",
        0x0301 => "TLS 1.0",
        0x0302 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        _ => "TLS",
    }
}

/// Record content type names.
fn content_name(t: u8) -> &'static str {
    match t {
        20 => "Change Cipher Spec",
        21 => "Alert",
        22 => "Handshake",
        23 => "Application Data",
        24 => "Heartbeat",
        _ => "Unknown",
    }
}
