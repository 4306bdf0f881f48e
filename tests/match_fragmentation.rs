//! IP fragmentation between two capture points, end to end through hand-built pcaps: at A a
//! 3000-byte UDP datagram crosses whole with Don't Fragment set; at B (behind a link with a
//! smaller MTU and a router that clears DF) the same datagram arrives in three fragments. The
//! match lists `fragmented` (0 at A, 1 at B) and `dont_fragment` (true → false) for that
//! direction, and nothing of the kind for the reply, which crossed whole at both points.

use tracematch::matching::{match_files, MatchOptions};

const CLIENT: [u8; 4] = [10, 1, 0, 2];
const SERVER: [u8; 4] = [10, 2, 0, 2];

/// An Ethernet + IPv4 frame carrying `payload` (already the IP payload or a fragment of it).
fn ipv4_frame(src: [u8; 4], dst: [u8; 4], id: u16, flags_offset: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    let total = 20 + payload.len() as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&id.to_be_bytes());
    ip.extend_from_slice(&flags_offset.to_be_bytes());
    ip.extend_from_slice(&[64, 17, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let sum = checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(payload);
    f
}

fn checksum(header: &[u8]) -> u16 {
    let mut sum = 0u32;
    for pair in header.chunks(2) {
        sum += u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A UDP header + data (checksum 0: none).
fn udp(src_port: u16, dst_port: u16, data: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend_from_slice(&src_port.to_be_bytes());
    u.extend_from_slice(&dst_port.to_be_bytes());
    u.extend_from_slice(&(8 + data.len() as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(data);
    u
}

/// A classic pcap (Ethernet, µs) of `frames` at `ts_us`.
fn pcap(frames: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (ts_us, data) in frames {
        out.extend_from_slice(&((ts_us / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((ts_us % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

#[test]
fn fragmentation_and_df_between_the_points_are_listed() {
    const DF: u16 = 0x4000;
    const MF: u16 = 0x2000;
    let t0 = 1_700_000_000_000_000u64;
    let request: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let query = udp(40000, 5300, &request);
    let reply = udp(5300, 40000, b"short reply");
    // A: whole datagrams, DF set on the request.
    let a = pcap(&[
        (t0, ipv4_frame(CLIENT, SERVER, 7, DF, &query)),
        (t0 + 5_000, ipv4_frame(SERVER, CLIENT, 90, 0, &reply)),
    ]);
    // B, 1 ms later: the request in fragments of 1480, 1480 and 48 bytes (DF cleared), the
    // reply whole.
    let mut b_frames = Vec::new();
    for (k, piece) in query.chunks(1480).enumerate() {
        let offset_units = (k * 1480 / 8) as u16;
        let more = if (k + 1) * 1480 < query.len() { MF } else { 0 };
        b_frames.push((
            t0 + 1_000 + k as u64,
            ipv4_frame(CLIENT, SERVER, 7, more | offset_units, piece),
        ));
    }
    b_frames.push((t0 + 4_000, ipv4_frame(SERVER, CLIENT, 90, 0, &reply)));
    let b = pcap(&b_frames);

    let dir = std::env::temp_dir().join(format!("tracematch-frag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let paths = [dir.join("a.pcap"), dir.join("b.pcap")];
    std::fs::write(&paths[0], a).expect("write a");
    std::fs::write(&paths[1], b).expect("write b");
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let report = match_files(&names, &[], &MatchOptions::default()).expect("match runs");
    let _ = std::fs::remove_dir_all(&dir);
    let json = report.to_json();
    let matches = json["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), 1, "{json:#}");
    let changes: Vec<(String, String, String, String)> = matches[0]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("what"), s("dir"), s("a"), s("b"))
        })
        .collect();
    let frag: Vec<_> = changes
        .iter()
        .filter(|c| c.0 == "fragmented" || c.0 == "dont_fragment")
        .cloned()
        .collect();
    let own = |w: &str, d: &str, a: &str, b: &str| (w.into(), d.into(), a.into(), b.into());
    assert_eq!(
        frag,
        vec![
            own("fragmented", "c2s", "0", "1"),
            own("dont_fragment", "c2s", "true", "false"),
        ],
        "{json:#}"
    );
    assert!(
        json["lost"].as_array().expect("lost").is_empty(),
        "the reassembled datagram pairs with the whole one: {json:#}"
    );
}
