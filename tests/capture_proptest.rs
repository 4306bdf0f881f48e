//! Property tests: random bytes and random mutations of small valid captures never make the
//! reader panic, it always terminates, its output does not depend on the chunk size, and the
//! frames it delivers are consistent (slice length = caplen, bounded count).

mod common;

use common::*;
use proptest::prelude::*;

fn small_captures() -> Vec<Vec<u8>> {
    let recs = [
        Rec {
            ts_sec: 1,
            ts_frac: 2,
            data: b"abcdefgh",
            wire_len: 8,
        },
        Rec {
            ts_sec: 3,
            ts_frac: 4,
            data: b"ijkl",
            wire_len: 100,
        },
        Rec {
            ts_sec: 5,
            ts_frac: 6,
            data: b"mnopqrstuvwxyz",
            wire_len: 14,
        },
    ];
    let mut ng = shb(false, &[opt(1, b"c", false)]);
    ng.extend(idb(false, 1, 0, &[opt(9, &[0x88], false)]));
    ng.extend(epb(
        false,
        0,
        77,
        b"packet-one",
        10,
        &[opt(1, b"note", false)],
    ));
    ng.extend(spb(false, 6, b"simple"));
    ng.extend(nrb_v4(false, [10, 0, 0, 1], &["a"]));
    ng.extend(custom(false, 1, b"cb", true));
    ng.extend(shb(true, &[]));
    ng.extend(idb(true, 101, 16, &[opt(9, &[9], true)]));
    ng.extend(epb(true, 0, 1 << 40, b"big-endian", 10, &[]));
    ng.extend(pb(true, 0, 5, b"old", 3));
    vec![
        pcap_file(false, Magic::Usec, 1, &recs),
        pcap_file(true, Magic::Nsec, 1, &recs),
        pcap_file(false, Magic::Modified, 1, &recs),
        ng.clone(),
        gzip(&pcap_file(false, Magic::Usec, 1, &recs)),
        gzip(&ng),
    ]
}

/// Reads whole and in `chunk`-byte pieces; checks invariants; returns nothing (panics on failure).
fn check(data: &[u8], chunk: usize) {
    let whole = read(data, usize::MAX);
    let pieces = read(data, chunk);
    assert_eq!(whole.frames, pieces.frames, "chunk {chunk}");
    assert_eq!(whole.error, pieces.error, "chunk {chunk}");
    for (m, b) in &whole.frames {
        assert_eq!(m.caplen as usize, b.len());
    }
    if !whole.reader.info().gzip {
        // Every record or block costs at least 12 bytes of input.
        assert!(whole.frames.len() * 12 <= data.len());
    }
    assert_eq!(whole.reader.info().frames, whole.frames.len() as u64);
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Extreme(usize, u32),
    Insert(usize, u8),
}

fn apply(mut data: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = data.len();
        if n == 0 {
            break;
        }
        match *m {
            Mutation::Flip(at, bit) => data[at % n] ^= 1 << (bit % 8),
            Mutation::Truncate(at) => data.truncate(at % (n + 1)),
            Mutation::Extreme(at, v) => {
                let at = (at % n) & !3;
                let end = (at + 4).min(n);
                let bytes = v.to_le_bytes();
                data[at..end].copy_from_slice(&bytes[..end - at]);
            }
            Mutation::Insert(at, b) => data.insert(at % (n + 1), b),
        }
    }
    data
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let extreme = prop_oneof![
        Just(0u32),
        Just(1),
        Just(0x7fff_ffff),
        Just(0x8000_0000),
        Just(0xffff_ffff),
        Just(0x0004_0001),
        Just(262_145),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), extreme).prop_map(|(a, v)| Mutation::Extreme(a, v)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Insert(a, b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..50) {
        check(&data, chunk);
    }

    #[test]
    fn random_bytes_after_a_valid_magic_never_panic(
        magic in prop_oneof![
            Just(vec![0xd4u8, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]),
            Just(vec![0xa1u8, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4]),
            Just(vec![0x34u8, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0]),
            // Whole file headers (Ethernet, snaplen 65535): the rest is random records.
            Just(pcap_header(false, Magic::Usec, (2, 4), 65535, 1)),
            Just(pcap_header(true, Magic::Nsec, (2, 4), 65535, 1)),
            Just(pcap_header(false, Magic::Modified, (2, 4), 65535, 1)),
            Just(vec![0x0au8, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0]),
            Just(vec![0x1fu8, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]),
        ],
        rest in proptest::collection::vec(any::<u8>(), 0..600),
        chunk in 1usize..50,
    ) {
        let mut data = magic;
        data.extend(rest);
        check(&data, chunk);
    }

    #[test]
    fn mutated_captures_never_panic(
        which in 0usize..6,
        muts in proptest::collection::vec(mutation(), 1..6),
        chunk in 1usize..40,
    ) {
        let base = small_captures().swap_remove(which);
        check(&apply(base, &muts), chunk);
    }
}
