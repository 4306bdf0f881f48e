//! Odd but valid (or slightly damaged) captures built byte by byte, each with the output tshark
//! 4.0.17 gave for it (`tshark -r F -T fields -e frame.number -e frame.time_epoch -e frame.len
//! -e frame.cap_len`, run once when these cases were written; tshark is not needed here).

mod common;

use common::*;
use tracematch::capture::{format_time_epoch, CaptureErrorKind};

/// Frames as tshark printed them: (time_epoch, len, cap_len).
type Rows = &'static [(&'static str, u32, u32)];

fn check(name: &str, file: &[u8], want: Rows, want_error: Option<fn(&CaptureErrorKind) -> bool>) {
    let o = read_all_ways(file);
    let got: Vec<(String, u32, u32)> = o
        .frames
        .iter()
        .map(|(m, _)| (format_time_epoch(m), m.wire_len, m.caplen))
        .collect();
    let want: Vec<(String, u32, u32)> = want
        .iter()
        .map(|&(t, l, c)| (t.to_string(), l, c))
        .collect();
    assert_eq!(got, want, "{name}");
    match (want_error, &o.error) {
        (None, None) => {}
        (Some(ok), Some(e)) => assert!(ok(&e.kind), "{name}: {e}"),
        (w, e) => panic!("{name}: expected error {}, got {e:?}", w.is_some()),
    }
}

fn raw_record(ts: u32, frac: u32, incl: u32, orig: u32, data: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    for x in [ts, frac, incl, orig] {
        r.extend_from_slice(&x.to_le_bytes());
    }
    r.extend_from_slice(data);
    r
}

const D: &[u8] = &[1u8; 20];

#[test]
fn classic_pcap_versions_and_length_order() {
    // 2.3: lengths swapped only when "captured" > "original".
    let mut f = pcap_header(false, Magic::Usec, (2, 3), 65535, 1);
    f.extend(raw_record(1, 2, 60, 20, D));
    f.extend(raw_record(1, 3, 20, 60, D));
    check(
        "2.3",
        &f,
        &[("1.000002000", 60, 20), ("1.000003000", 60, 20)],
        None,
    );
    // 2.2 and DG/UX's 543.0: always swapped.
    for version in [(2, 2), (543, 0)] {
        let mut f = pcap_header(false, Magic::Usec, version, 65535, 1);
        f.extend(raw_record(1, 2, 60, 20, D));
        check("old", &f, &[("1.000002000", 60, 20)], None);
    }
    // 3.0: read like 2.4.
    let mut f = pcap_header(false, Magic::Usec, (3, 0), 65535, 1);
    f.extend(raw_record(1, 2, 20, 20, D));
    check("3.0", &f, &[("1.000002000", 20, 20)], None);
    // AIX (2.2 with ifType 6 = Ethernet): nanosecond fractions, lengths swapped.
    let mut f = pcap_header(false, Magic::Usec, (2, 2), 65535, 6);
    f.extend(raw_record(1, 5, 60, 20, D));
    check("aix", &f, &[("1.000000005", 60, 20)], None);
    // Header only: no frames, no error.
    check(
        "empty",
        &pcap_header(false, Magic::Usec, (2, 4), 65535, 1),
        &[],
        None,
    );
}

#[test]
fn classic_pcap_odd_fractions_and_limits() {
    // Fractions of a second ≥ 1 s are printed unnormalised.
    let mut f = pcap_header(false, Magic::Nsec, (2, 4), 65535, 1);
    f.extend(raw_record(5, 1_999_999_999, 20, 20, D));
    check("nsec frac", &f, &[("5.1999999999", 20, 20)], None);
    let mut f = pcap_header(false, Magic::Usec, (2, 4), 65535, 1);
    f.extend(raw_record(5, 1_000_000, 20, 20, D));
    f.extend(raw_record(6, 2, 20, 20, D));
    f.extend(raw_record(7, 3, 20, 20, D));
    check(
        "usec frac",
        &f,
        &[
            ("5.1000000000", 20, 20),
            ("6.000002000", 20, 20),
            ("7.000003000", 20, 20),
        ],
        None,
    );
    // Records longer than the header's snaplen are still read.
    let mut f = pcap_header(false, Magic::Usec, (2, 4), 10, 1);
    f.extend(raw_record(5, 1, 20, 20, D));
    f.extend(raw_record(5, 1, 20, 20, D));
    check(
        "over snaplen",
        &f,
        &[("5.000001000", 20, 20), ("5.000001000", 20, 20)],
        None,
    );
    // First record cut inside its data: "cut short", no frames.
    let mut f = pcap_header(false, Magic::Usec, (2, 4), 65535, 1);
    f.extend(&raw_record(5, 1, 20, 20, D)[..6]);
    check("cut", &f, &[], Some(|k| *k == CaptureErrorKind::Truncated));
    // Modified magic, big-endian.
    let f = pcap_file(
        true,
        Magic::Modified,
        1,
        &[
            Rec {
                ts_sec: 1,
                ts_frac: 2,
                data: D,
                wire_len: 20,
            },
            Rec {
                ts_sec: 1,
                ts_frac: 3,
                data: D,
                wire_len: 20,
            },
        ],
    );
    check(
        "modified be",
        &f,
        &[("1.000002000", 20, 20), ("1.000003000", 20, 20)],
        None,
    );
}

#[test]
fn pcapng_versions_limits_and_journal_entries() {
    let with_version = |minor: u16| {
        let mut f = shb(false, &[]);
        f[14..16].copy_from_slice(&minor.to_le_bytes());
        f.extend(idb(false, 1, 0, &[]));
        f.extend(epb(false, 0, 5, D, 20, &[]));
        f
    };
    check("1.2", &with_version(2), &[("0.000005000", 20, 20)], None);
    check(
        "1.1",
        &with_version(1),
        &[],
        Some(|k| *k == CaptureErrorKind::UnsupportedVersion { major: 1, minor: 1 }),
    );
    // cap_len above 262144: damaged.
    let mut f = shb(false, &[]);
    f.extend(idb(false, 1, 0, &[]));
    f.extend(epb(false, 0, 5, &vec![0u8; 300_000], 300_000, &[]));
    check(
        "big",
        &f,
        &[],
        Some(|k| *k == CaptureErrorKind::AbsurdLength { length: 300_000 }),
    );
    // EPB longer than the interface's snaplen: read as is.
    let mut f = shb(false, &[]);
    f.extend(idb(false, 1, 8, &[]));
    f.extend(epb(false, 0, 5, D, 20, &[]));
    check("snaplen", &f, &[("0.000005000", 20, 20)], None);
    // systemd Journal Export block: a frame timed by __REALTIME_TIMESTAMP (µs).
    let mut f = shb(false, &[]);
    f.extend(block(
        9,
        b"__REALTIME_TIMESTAMP=1700000000000000\nMESSAGE=hi\n\0\0",
        false,
    ));
    check("journal", &f, &[("1700000000.000000000", 49, 49)], None);
}
