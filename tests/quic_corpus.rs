//! QUIC connection IDs read by `app::quic` from the public captures with QUIC traffic, against
//! what tshark 4.0 reads (tests/expected/quic/<file>.tsv, generated once; see its README): the
//! same frames hold QUIC packets, with the same destination and source connection IDs in packet
//! order (coalesced packets included; short headers read with the connection IDs learned per
//! flow direction from the long headers).

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use tracematch::app::quic::{read_datagram, QuicFlowCids};
use tracematch::decode::Layer;
use tracematch::matching::driver::visit_reader;

const FILES: [&str; 2] = ["arkime__arkime_synthetic.pcap", "ndpi__quic-v2.pcapng"];

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Comma-joined non-empty ids (tshark lists an empty field for a zero-length CID).
fn list(ids: &[String]) -> String {
    ids.iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(",")
}

/// frame → (dcids, scids) as this crate reads them.
fn ours(path: &std::path::Path) -> BTreeMap<u32, (String, String)> {
    let mut flows: BTreeMap<(SocketAddr, SocketAddr), QuicFlowCids> = BTreeMap::new();
    let mut out = BTreeMap::new();
    let mut file = std::fs::File::open(path).expect("capture opens");
    visit_reader(&mut file, &mut |meta, frame, data, _tcp, _udp| {
        let Some(u) = frame.layers.iter().rev().find_map(|l| match l {
            Layer::Udp(u) if !u.in_error => Some(u),
            _ => None,
        }) else {
            return;
        };
        let start = u.payload_offset as usize;
        let Some(payload) = data.get(start..start + u.payload_captured as usize) else {
            return;
        };
        let src = SocketAddr::new(u.src, u.src_port);
        let dst = SocketAddr::new(u.dst, u.dst_port);
        // Direction 0 is the flow's lower endpoint sending.
        let (key, dir) = if src <= dst {
            ((src, dst), 0)
        } else {
            ((dst, src), 1)
        };
        let lengths = flows.entry(key).or_default();
        let packets = read_datagram(payload, dir, lengths);
        if packets.is_empty() {
            return;
        }
        let dcids: Vec<String> = packets.iter().map(|p| hex(p.dcid)).collect();
        let scids: Vec<String> = packets.iter().filter_map(|p| p.scid.map(hex)).collect();
        out.insert(meta.number, (list(&dcids), list(&scids)));
    })
    .expect("capture reads");
    out
}

/// frame → (dcids, scids) as tshark read them.
fn expected(file: &str) -> BTreeMap<u32, (String, String)> {
    let path = format!(
        "{}/tests/expected/quic/{file}.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("expected file present");
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let mut cols = line.split('\t');
        let frame: u32 = cols.next().and_then(|f| f.parse().ok()).expect("frame");
        let split = |c: Option<&str>| -> String {
            let ids: Vec<String> = c.unwrap_or("").split(',').map(str::to_string).collect();
            list(&ids)
        };
        let d = split(cols.next());
        let s = split(cols.next());
        out.insert(frame, (d, s));
    }
    out
}

#[test]
fn quic_connection_ids_agree_with_tshark() {
    let Some(captures) = common::captures_dir("quic_connection_ids_agree_with_tshark") else {
        return;
    };
    let mut frames = 0;
    for file in FILES {
        let want = expected(file);
        assert!(
            !want.is_empty(),
            "{file}: the expected file lists QUIC frames"
        );
        let got = ours(&captures.join("public").join(file));
        assert_eq!(got, want, "{file}");
        frames += want.len();
    }
    assert_eq!(frames, 4 + 19);
}
