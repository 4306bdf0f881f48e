//! A minimal MaxMind DB writer for tests, written from the MaxMind DB File Format Specification
//! 2.0: an IPv6 search tree (IPv4 networks under ::/96) with 24-bit records, a data section of
//! maps, strings and unsigned integers, and the metadata map. Tests build their own small `.mmdb`
//! with it: no downloaded database is ever committed.

#![allow(dead_code)]

use std::net::IpAddr;

/// A data-section value.
#[derive(Clone, Debug)]
pub enum Value {
    /// UTF-8 string (type 2).
    Str(String),
    /// uint16 (type 5).
    U16(u16),
    /// uint32 (type 6).
    U32(u32),
    /// uint64 (extended type 9).
    U64(u64),
    /// Map (type 7), keys are strings.
    Map(Vec<(String, Value)>),
    /// Array (extended type 11).
    Array(Vec<Value>),
}

/// A map value from (key, value) pairs.
pub fn map(pairs: &[(&str, Value)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// A string value.
pub fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

/// Control byte(s) for `type_id` and `size` (sizes up to 284: enough for tests). A size of 29 or
/// more is 29 in the control byte plus one byte (size - 29) after the type bytes.
fn control(out: &mut Vec<u8>, type_id: u8, size: usize) {
    assert!(size < 285, "test writer supports sizes below 285");
    let small = size.min(29) as u8;
    if type_id <= 7 {
        out.push((type_id << 5) | small);
    } else {
        out.push(small);
        out.push(type_id - 7);
    }
    if size >= 29 {
        out.push((size - 29) as u8);
    }
}

fn uint(out: &mut Vec<u8>, type_id: u8, v: u64) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    control(out, type_id, 8 - skip);
    out.extend_from_slice(&bytes[skip..]);
}

/// Encodes `v` at the end of `out`.
pub fn encode(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Str(t) => {
            control(out, 2, t.len());
            out.extend_from_slice(t.as_bytes());
        }
        Value::U16(n) => uint(out, 5, u64::from(*n)),
        Value::U32(n) => uint(out, 6, u64::from(*n)),
        Value::U64(n) => uint(out, 9, *n),
        Value::Map(pairs) => {
            control(out, 7, pairs.len());
            for (k, v) in pairs {
                encode(out, &Value::Str(k.clone()));
                encode(out, v);
            }
        }
        Value::Array(items) => {
            control(out, 11, items.len());
            for v in items {
                encode(out, v);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Rec {
    Empty,
    Node(usize),
    Data(usize),
}

/// Builds a database of type `database_type` mapping networks (address, prefix length) to values.
pub fn build(database_type: &str, networks: &[(IpAddr, u8, Value)]) -> Vec<u8> {
    let mut nodes: Vec<[Rec; 2]> = vec![[Rec::Empty; 2]];
    let mut data = Vec::new();
    for (addr, prefix, value) in networks {
        let (bits, len): (u128, u8) = match addr {
            IpAddr::V4(a) => (u128::from(u32::from(*a)), 96 + prefix),
            IpAddr::V6(a) => (u128::from(*a), *prefix),
        };
        let offset = data.len();
        encode(&mut data, value);
        let bit = |i: u8| ((bits >> (127 - i)) & 1) as usize;
        let mut node = 0usize;
        for i in 0..len - 1 {
            node = match nodes[node][bit(i)] {
                Rec::Node(n) => n,
                _ => {
                    nodes.push([Rec::Empty; 2]);
                    let n = nodes.len() - 1;
                    nodes[node][bit(i)] = Rec::Node(n);
                    n
                }
            };
        }
        nodes[node][bit(len - 1)] = Rec::Data(offset);
    }
    let count = nodes.len();
    let mut out = Vec::new();
    for n in &nodes {
        for r in n {
            let v = match *r {
                Rec::Empty => count,
                Rec::Node(i) => i,
                Rec::Data(off) => count + 16 + off,
            } as u32;
            out.extend_from_slice(&v.to_be_bytes()[1..]);
        }
    }
    out.extend_from_slice(&[0u8; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
    let meta = map(&[
        ("binary_format_major_version", Value::U16(2)),
        ("binary_format_minor_version", Value::U16(0)),
        ("build_epoch", Value::U64(1_700_000_000)),
        ("database_type", s(database_type)),
        ("description", map(&[("en", s("tracematch test database"))])),
        ("ip_version", Value::U16(6)),
        ("languages", Value::Array(vec![s("en")])),
        ("node_count", Value::U32(count as u32)),
        ("record_size", Value::U16(24)),
    ]);
    encode(&mut out, &meta);
    out
}
