//! "What changed" between the two points for one matched stream: NAT map, TTL (hops), DSCP/ECN,
//! MSS and other SYN options, window scale, IP ID rewrite, sequence offsets, VLAN tags, largest
//! segment (MTU / re-segmentation), IP fragmentation and the DF flag, and HTTP headers a proxy added, removed or changed.

use serde::Serialize;

use super::input::{StreamSummary, SynInfo};

/// One difference: what, in which direction, the value at A and at B.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `nat`, `ttl`, `dscp`, `ecn`, `mss`, `window_scale`, `sack_permitted`, `timestamps`,
    /// `ip_id`, `seq_offset`, `vlan`, `max_segment`, `fragmented` (packets that arrived in IP
    /// fragments), `dont_fragment` (the IPv4 DF flag), `segments`, `http_header_added`,
    /// `http_header_removed`, `http_header_changed` (a and b: `name: value`).
    pub what: &'static str,
    /// `c2s`, `s2c` or `both`.
    pub dir: &'static str,
    /// Value at A.
    pub a: String,
    /// Value at B.
    pub b: String,
}

fn dir_name(d: usize) -> &'static str {
    if d == 0 {
        "c2s"
    } else {
        "s2c"
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string())
        .unwrap_or_else(|| "none".to_string())
}

fn push_if<T: PartialEq + ToString + Copy>(
    out: &mut Vec<Change>,
    what: &'static str,
    dir: &'static str,
    a: Option<T>,
    b: Option<T>,
) {
    if a != b {
        out.push(Change {
            what,
            dir,
            a: opt(a),
            b: opt(b),
        });
    }
}

fn syn_changes(out: &mut Vec<Change>, dir: &'static str, a: Option<SynInfo>, b: Option<SynInfo>) {
    let (Some(a), Some(b)) = (a, b) else { return };
    push_if(out, "mss", dir, a.mss, b.mss);
    push_if(out, "window_scale", dir, a.window_scale, b.window_scale);
    push_if(
        out,
        "sack_permitted",
        dir,
        Some(a.sack_permitted),
        Some(b.sack_permitted),
    );
    push_if(
        out,
        "timestamps",
        dir,
        Some(a.timestamps),
        Some(b.timestamps),
    );
}

/// Facts of the packet pairing that feed the change list.
#[derive(Clone, Copy, Debug, Default)]
pub struct PairingFacts {
    /// Packets were paired (the stream is the same connection at both points).
    pub packet_level: bool,
    /// IP IDs equal in paired packets.
    pub ip_id_kept: bool,
    /// B seq − A seq per direction.
    pub seq_offset: [Option<u32>; 2],
}

/// The change list of one matched stream pair, in a fixed order.
pub fn changes(a: &StreamSummary, b: &StreamSummary, facts: PairingFacts) -> Vec<Change> {
    let mut out = Vec::new();
    let (_, nat) = super::nat::translation(a, b);
    for t in nat {
        let (x, y) = t.split_once("->").unwrap_or((t.as_str(), ""));
        out.push(Change {
            what: "nat",
            dir: "both",
            a: x.to_string(),
            b: y.to_string(),
        });
    }
    for d in 0..2 {
        let dn = dir_name(d);
        push_if(&mut out, "ttl", dn, a.ttl[d], b.ttl[d]);
        push_if(
            &mut out,
            "dscp",
            dn,
            a.tos[d].map(|t| t >> 2),
            b.tos[d].map(|t| t >> 2),
        );
        push_if(
            &mut out,
            "ecn",
            dn,
            a.tos[d].map(|t| t & 3),
            b.tos[d].map(|t| t & 3),
        );
        push_if(&mut out, "vlan", dn, a.vlan[d], b.vlan[d]);
    }
    syn_changes(&mut out, "c2s", a.syn, b.syn);
    syn_changes(&mut out, "s2c", a.synack, b.synack);
    if facts.packet_level {
        if !facts.ip_id_kept {
            out.push(Change {
                what: "ip_id",
                dir: "both",
                a: "original".to_string(),
                b: "rewritten".to_string(),
            });
        }
        for d in 0..2 {
            if let Some(off) = facts.seq_offset[d].filter(|o| *o != 0) {
                out.push(Change {
                    what: "seq_offset",
                    dir: dir_name(d),
                    a: "0".to_string(),
                    b: off.to_string(),
                });
            }
        }
    }
    for d in 0..2 {
        if a.max_payload[d] != b.max_payload[d] && a.payload_bytes[d] > 0 && b.payload_bytes[d] > 0
        {
            out.push(Change {
                what: "max_segment",
                dir: dir_name(d),
                a: a.max_payload[d].to_string(),
                b: b.max_payload[d].to_string(),
            });
        }
        if a.fragmented[d] != b.fragmented[d] {
            out.push(Change {
                what: "fragmented",
                dir: dir_name(d),
                a: a.fragmented[d].to_string(),
                b: b.fragmented[d].to_string(),
            });
        }
        push_if(
            &mut out,
            "dont_fragment",
            dir_name(d),
            a.dont_fragment[d],
            b.dont_fragment[d],
        );
        if !facts.packet_level && a.packets[d] != b.packets[d] {
            out.push(Change {
                what: "segments",
                dir: dir_name(d),
                a: a.packets[d].to_string(),
                b: b.packets[d].to_string(),
            });
        }
    }
    if let (Some(ra), Some(rb)) = (&a.content.first_request, &b.content.first_request) {
        for n in rb
            .header_names
            .iter()
            .filter(|n| !ra.header_names.contains(n))
        {
            out.push(Change {
                what: "http_header_added",
                dir: "c2s",
                a: String::new(),
                b: n.clone(),
            });
        }
        for n in ra
            .header_names
            .iter()
            .filter(|n| !rb.header_names.contains(n))
        {
            out.push(Change {
                what: "http_header_removed",
                dir: "c2s",
                a: n.clone(),
                b: String::new(),
            });
        }
        // Headers at both points whose value differs (first occurrence of each name).
        let value = |h: &super::fingerprint::HttpRequestHead, n: &String| {
            let k = h.header_names.iter().position(|x| x == n)?;
            h.header_values.get(k).cloned()
        };
        for (k, n) in ra.header_names.iter().enumerate() {
            if ra.header_names.iter().take(k).any(|x| x == n) {
                continue; // a repeated name: compared once
            }
            if let (Some(va), Some(vb)) = (value(ra, n), value(rb, n)) {
                if va != vb {
                    out.push(Change {
                        what: "http_header_changed",
                        dir: "c2s",
                        a: format!("{n}: {va}"),
                        b: format!("{n}: {vb}"),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::fingerprint::parse_http_request;
    use crate::matching::test_support::Builder;

    /// A proxy that adds Via and X-Forwarded-For, rewrites Connection and keeps the rest: the
    /// added headers and the changed value are listed, the unchanged ones are not.
    #[test]
    fn proxy_header_rewrites_are_listed() {
        let mut a = Builder::new();
        let mut b = Builder::new();
        let sa = a.tcp_stream(0, "10.1.0.2:40000", "198.51.100.10:80") as usize;
        let sb = b.tcp_stream(0, "10.2.0.2:51000", "10.3.0.2:8000") as usize;
        a.input.streams[sa].content.first_request = parse_http_request(
            b"GET / HTTP/1.1\r\nHost: app.test\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n",
        );
        b.input.streams[sb].content.first_request = parse_http_request(
            b"GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\nAccept: */*\r\nVia: 1.1 lb\r\nX-Forwarded-For: 10.1.0.2\r\n\r\n",
        );
        let (ia, ib) = (a.finish(), b.finish());
        let got: Vec<(&str, String, String)> =
            changes(&ia.streams[sa], &ib.streams[sb], PairingFacts::default())
                .into_iter()
                .filter(|c| c.what.starts_with("http_"))
                .map(|c| (c.what, c.a, c.b))
                .collect();
        assert_eq!(
            got,
            vec![
                ("http_header_added", String::new(), "via".to_string()),
                (
                    "http_header_added",
                    String::new(),
                    "x-forwarded-for".to_string()
                ),
                (
                    "http_header_changed",
                    "connection: keep-alive".to_string(),
                    "connection: close".to_string()
                ),
            ]
        );
    }
}
