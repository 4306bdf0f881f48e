//! gzip-compressed captures: same frames as the plain file, several checkpoints, random reads
//! through the checkpoints equal the plain bytes, multi-member streams, and corrupt streams stop
//! with `BadGzip` naming the compressed offset.

mod common;

use common::*;
use tracematch::capture::random_access::{read_packet_bytes, PacketBytes};
use tracematch::capture::CaptureErrorKind;

#[test]
fn gzip_gives_the_same_frames_and_random_reads_match() {
    let plain = synthetic_pcap(14_000, 7);
    assert!(plain.len() > 10 << 20, "capture is {} bytes", plain.len());
    let gz = gzip(&plain);
    let a = read(&plain, 1 << 20);
    assert!(a.error.is_none(), "{:?}", a.error);
    assert_eq!(a.frames.len(), 14_000);
    // (Tiny chunks are covered on a smaller file by `multi_member_gzip_reads_as_one_stream`.)
    for chunk in [4096usize, 65_536, 1 << 20, usize::MAX] {
        let b = read(&gz, chunk);
        assert!(b.error.is_none(), "{:?}", b.error);
        assert_eq!(b.frames, a.frames, "chunk {chunk}");
    }
    let o = read(&gz, 1 << 20);
    let info = o.reader.info();
    assert!(info.gzip);
    assert_eq!(info.input_bytes, gz.len() as u64);
    assert_eq!(info.captured_bytes, a.reader.info().captured_bytes);
    let index = o.reader.gzip_index().expect("gzip index");
    assert!(
        index.checkpoint_count() >= 3,
        "{:?}",
        index.checkpoint_offsets()
    );
    assert_eq!(index.decompressed_len(), Some(plain.len() as u64));
    // Checkpoints are ordered and inside the file.
    let cps = index.checkpoint_offsets();
    assert!(cps.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
    assert!(cps
        .iter()
        .all(|&(c, u)| c <= gz.len() as u64 && u <= plain.len() as u64));

    // Packets read back through the index equal the plain file's bytes.
    let mut rng = Rng(99);
    let mut src: &[u8] = &gz;
    for _ in 0..300 {
        let (m, bytes) = &o.frames[rng.below(o.frames.len() as u64) as usize];
        let got = read_packet_bytes(&mut src, Some(index), m.offset, m.caplen).expect("read");
        assert_eq!(&got, bytes, "frame {}", m.number);
    }
    // Arbitrary ranges, forwards and backwards, including across checkpoints and the end.
    let mut reader = PacketBytes::new(&mut src, Some(index));
    for _ in 0..200 {
        let off = rng.below(plain.len() as u64 - 5000);
        let len = 1 + rng.below(5000) as usize;
        let mut buf = vec![0u8; len];
        reader.read_into(off, &mut buf).expect("read");
        assert_eq!(
            &buf[..],
            &plain[off as usize..off as usize + len],
            "offset {off}"
        );
    }
    // Sequential reads continue from the cursor.
    let mut off = 3_000_000u64;
    while off < 3_400_000 {
        let mut buf = vec![0u8; 1000];
        reader.read_into(off, &mut buf).expect("read");
        assert_eq!(&buf[..], &plain[off as usize..off as usize + 1000]);
        off += 1000;
    }
    // Past the end: an error, not a panic.
    let mut buf = vec![0u8; 10];
    assert!(reader.read_into(plain.len() as u64 - 5, &mut buf).is_err());
}

#[test]
fn multi_member_gzip_reads_as_one_stream() {
    let plain = synthetic_pcap(600, 3);
    let cut = plain.len() / 3;
    let mut gz = gzip(&plain[..cut]);
    gz.extend(gzip(&plain[cut..]));
    let a = read(&plain, 1 << 20);
    let b = read_all_ways(&gz);
    assert!(b.error.is_none(), "{:?}", b.error);
    assert_eq!(b.frames, a.frames);
    let mut src: &[u8] = &gz;
    let idx = b.reader.gzip_index().expect("index");
    let mut buf = vec![0u8; 64];
    PacketBytes::new(&mut src, Some(idx))
        .read_into(cut as u64 - 32, &mut buf)
        .expect("read across members");
    assert_eq!(&buf[..], &plain[cut - 32..cut + 32]);
}

#[test]
fn invalid_deflate_data_in_second_member_is_bad_gzip() {
    let plain = synthetic_pcap(300, 5);
    let cut = plain.len() / 2;
    let mut gz = gzip(&plain[..cut]);
    let member2 = gz.len();
    let mut second = gzip(&plain[cut..]);
    second[10] = 0x07; // final block, block type 3 (reserved): invalid
    gz.extend(second);
    let a = read(&plain, 1 << 20);
    let b = read_all_ways(&gz);
    let e = b.error.expect("error");
    match &e.kind {
        CaptureErrorKind::BadGzip { reason } => assert!(reason.contains("deflate"), "{reason}"),
        k => panic!("expected BadGzip, got {k:?}"),
    }
    assert!(
        e.offset >= member2 as u64 + 10 && e.offset <= member2 as u64 + 11,
        "{e}"
    );
    // Everything from the first member that forms whole records was delivered.
    assert!(!b.frames.is_empty());
    assert_eq!(b.frames[..], a.frames[..b.frames.len()]);
    assert!(b.frames.last().unwrap().0.offset < cut as u64);
}

#[test]
fn cut_gzip_and_bad_checksum_are_bad_gzip() {
    let plain = synthetic_pcap(200, 11);
    let gz = gzip(&plain);
    let a = read(&plain, 1 << 20);
    // Cut in the middle: frames inflated so far come out, then BadGzip at the end of input.
    let half = &gz[..gz.len() / 2];
    let o = read_all_ways(half);
    let e = o.error.expect("error");
    assert!(matches!(e.kind, CaptureErrorKind::BadGzip { .. }), "{e}");
    assert_eq!(e.offset, half.len() as u64);
    assert!(!o.frames.is_empty() && o.frames.len() < a.frames.len());
    assert_eq!(o.frames[..], a.frames[..o.frames.len()]);
    // Wrong CRC-32: all frames, then BadGzip at the trailer.
    let mut bad = gz.clone();
    let n = bad.len();
    bad[n - 8] ^= 0xff;
    let o = read_all_ways(&bad);
    assert_eq!(o.frames, a.frames);
    let e = o.error.expect("error");
    assert!(matches!(e.kind, CaptureErrorKind::BadGzip { .. }), "{e}");
    assert_eq!(e.offset, n as u64 - 8);
    // Trailing garbage after the last member is ignored with a warning, as zlib does.
    let mut tail = gz.clone();
    tail.extend_from_slice(b"garbage");
    let o = read_all_ways(&tail);
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.frames, a.frames);
    assert!(o
        .reader
        .info()
        .warnings
        .iter()
        .any(|w| w.contains("7 bytes after the last gzip member")));
}

#[test]
fn gzip_of_pcapng_and_of_garbage() {
    let mut ng = shb(false, &[]);
    ng.extend(idb(false, 1, 0, &[]));
    ng.extend(epb(false, 0, 1, b"inside gzip", 11, &[]));
    let o = read_all_ways(&gzip(&ng));
    assert!(o.error.is_none());
    assert_eq!(o.frames.len(), 1);
    assert_eq!(o.frames[0].1, b"inside gzip");
    let o = read_all_ways(&gzip(b"not a capture at all"));
    let e = o.error.expect("error");
    assert_eq!((e.offset, e.kind), (0, CaptureErrorKind::NotACapture));
}
