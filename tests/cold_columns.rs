//! Cold columns (issue 7, big captures): when the index would exceed its budget, full chunks of
//! its cold columns move to a cold store instead of indexing stopping. The spilled index must
//! answer exactly as the index kept in memory does (every row, conversations, stream frame lists,
//! the saved bytes), keep its resident bytes within the budget plus one unfilled chunk of cold
//! columns and the read cache, and stop with a clear message (never a panic) when the store is
//! missing or fails.

mod common;

use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use tracematch::index::{ColdStore, FileColdStore, MemoryColdStore, PacketIndex, CHUNK_LEN};
use tracematch::limits::{format_size, Budget};
use tracematch::pipeline::{ConvKind, Indexer};

/// Bytes per packet of the cold columns (offset + caplen, timestamp, wire excess, interface).
const COLD_BYTES_PER_PACKET: usize = 20;

fn budget(index_bytes: u64) -> Budget {
    Budget {
        index_bytes,
        ..Budget::default()
    }
}

fn index(
    data: &[u8],
    budget: Option<&Budget>,
    store: Option<Box<dyn ColdStore>>,
    chunk: usize,
) -> Indexer {
    let mut ix = match budget {
        Some(b) => Indexer::with_budget(b),
        None => Indexer::new(),
    };
    if let Some(store) = store {
        ix.set_cold_store(store);
    }
    for c in data.chunks(chunk) {
        ix.push(c);
    }
    ix.finish();
    ix
}

/// Frames of [`bulk_capture`]: a bit more than three chunks.
const BULK_FRAMES: usize = 3 * CHUNK_LEN + 12_345;

/// A little-endian µs pcap of [`BULK_FRAMES`] small Ethernet/IPv4 frames over 300 TCP and UDP
/// flows (SYN first on TCP), both directions, 0–40 payload bytes, one frame in 50 cut short of
/// its wire length; built once for all tests.
fn bulk_capture() -> &'static [u8] {
    static DATA: OnceLock<Vec<u8>> = OnceLock::new();
    DATA.get_or_init(|| {
        let mut rng = common::Rng(0x5eed);
        let mut out = common::pcap_header(false, common::Magic::Usec, (2, 4), 65535, 1);
        let mut started = [false; 300];
        let mut frame = Vec::with_capacity(128);
        for i in 0..BULK_FRAMES {
            let flow = rng.below(300) as usize;
            let tcp = !flow.is_multiple_of(3);
            let back = rng.below(2) == 1;
            let payload = rng.below(41) as usize;
            let (mut src, mut dst) = (
                [10, 0, (flow / 200) as u8, (flow % 200) as u8 + 1],
                [192, 168, 1, 9],
            );
            let (mut sport, mut dport) = (20_000 + flow as u16, if tcp { 443 } else { 53 });
            if back {
                std::mem::swap(&mut src, &mut dst);
                std::mem::swap(&mut sport, &mut dport);
            }
            frame.clear();
            frame.extend_from_slice(&[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]);
            let l4 = if tcp { 20 } else { 8 };
            let total = (20 + l4 + payload) as u16;
            frame.extend_from_slice(&[0x45, 0, (total >> 8) as u8, total as u8]);
            frame.extend_from_slice(&(i as u16).to_be_bytes());
            frame.extend_from_slice(&[0x40, 0, 64, if tcp { 6 } else { 17 }, 0, 0]);
            frame.extend_from_slice(&src);
            frame.extend_from_slice(&dst);
            frame.extend_from_slice(&sport.to_be_bytes());
            frame.extend_from_slice(&dport.to_be_bytes());
            if tcp {
                let syn = !started[flow];
                started[flow] = true;
                frame.extend_from_slice(&(i as u32).to_be_bytes());
                frame.extend_from_slice(&0u32.to_be_bytes());
                frame.extend_from_slice(&[
                    0x50,
                    if syn { 0x02 } else { 0x18 },
                    0xff,
                    0xff,
                    0,
                    0,
                    0,
                    0,
                ]);
            } else {
                frame.extend_from_slice(&((8 + payload) as u16).to_be_bytes());
                frame.extend_from_slice(&[0, 0]);
            }
            frame.extend((0..payload).map(|k| (k + i) as u8));
            let wire = frame.len() as u32 + if i % 50 == 0 { 1400 } else { 0 };
            out.extend(common::pcap_record(
                false,
                false,
                &common::Rec {
                    ts_sec: 1_700_000_000 + (i / 2000) as u32,
                    ts_frac: (i % 2000) as u32 * 499,
                    data: &frame,
                    wire_len: wire,
                },
            ));
        }
        out
    })
}

/// Asserts that `spilled` answers every query as `whole` does.
fn assert_same_index(spilled: &Indexer, whole: &Indexer, what: &str) {
    let (a, b) = (spilled.index(), whole.index());
    assert_eq!(a.len(), b.len(), "{what}: rows");
    for n in 1..=b.len() as u32 {
        let row = a.get(n);
        assert!(row.is_some(), "{what}: frame {n} missing");
        assert_eq!(row, b.get(n), "{what}: frame {n}");
        assert_eq!(
            spilled.frame_location(n),
            whole.frame_location(n),
            "{what}: location of {n}"
        );
    }
    for kind in [ConvKind::Tcp, ConvKind::Udp, ConvKind::Ip] {
        let convs = whole.conversations(kind);
        assert_eq!(
            format!("{:?}", spilled.conversations(kind)),
            format!("{convs:?}"),
            "{what}: {kind:?} conversations"
        );
        // About 40 streams of each kind, the last one included (each list scans the index).
        let n = convs.len() as u32;
        for s in (0..n)
            .step_by((n as usize / 40).max(1))
            .chain(n.checked_sub(1))
        {
            assert_eq!(
                spilled.frames_of_stream(kind, s),
                whole.frames_of_stream(kind, s),
                "{what}: {kind:?} stream {s}"
            );
        }
    }
    let saved = spilled.to_bytes().expect("the spilled index saves");
    assert!(
        saved == whole.to_bytes().expect("the whole index saves"),
        "{what}: saved bytes differ"
    );
    // The restored index (all in memory) answers like the original.
    let restored = Indexer::from_bytes(&saved).expect("restores");
    for n in (1..=b.len() as u32).step_by(997) {
        assert_eq!(
            restored.index().get(n),
            b.get(n),
            "{what}: restored frame {n}"
        );
    }
}

/// What the index keeps in memory may exceed `budget` by at most one unfilled chunk of cold
/// columns (by length), and its heap by that, the last chunks' reserved capacity and the cache.
fn assert_resident_within(ix: &PacketIndex, budget: u64, what: &str) {
    let slack = CHUNK_LEN * COLD_BYTES_PER_PACKET;
    assert!(
        ix.resident_used_bytes() as u64 <= budget + slack as u64,
        "{what}: resident {} for budget {budget}",
        ix.resident_used_bytes()
    );
    let capacity_slack = CHUNK_LEN * 30 + PacketIndex::COLD_CACHE_BYTES + (64 << 10);
    assert!(
        ix.heap_bytes() <= budget as usize + slack + capacity_slack,
        "{what}: heap {} for budget {budget}",
        ix.heap_bytes()
    );
}

#[test]
fn a_spilled_index_equals_the_index_kept_in_memory() {
    let data = bulk_capture();
    let whole = index(data, None, None, 1 << 20);
    let all = whole.summary();
    assert!(all.complete);
    let frames = all.frames as usize;
    // A budget of half the index: most of the cold columns (2/3 of it) must move out.
    let limit = (frames * 30 / 2) as u64;
    let dir = std::env::temp_dir();
    for (name, store) in [
        (
            "file",
            Box::new(FileColdStore::create_in(&dir).expect("temp file")) as Box<dyn ColdStore>,
        ),
        ("memory", Box::new(MemoryColdStore::new())),
    ] {
        let ix = index(data, Some(&budget(limit)), Some(store), 1 << 20);
        let s = ix.summary();
        assert!(s.complete && s.stopped.is_none(), "{name}: {:?}", s.stopped);
        assert_eq!(s.frames, all.frames);
        assert!(
            s.index_spilled_bytes
                >= (frames / CHUNK_LEN * CHUNK_LEN * COLD_BYTES_PER_PACKET / 2) as u64,
            "{name}: spilled {}",
            s.index_spilled_bytes
        );
        assert_eq!(s.index_spilled_bytes as usize, ix.index().spilled_bytes());
        assert_resident_within(ix.index(), limit, name);
        assert_same_index(&ix, &whole, name);
        // Reading every row went through the bounded cache.
        assert_resident_within(ix.index(), limit, name);
        assert!(ix.index().cold_read_error().is_none());
    }
    // Without the budget reached nothing moves, with or without a store.
    let roomy = index(
        data,
        Some(&budget(1 << 30)),
        Some(Box::new(MemoryColdStore::new())),
        1 << 20,
    );
    assert_eq!(roomy.summary().index_spilled_bytes, 0);
    assert_eq!(whole.summary().index_spilled_bytes, 0);
}

#[test]
fn spilling_does_not_depend_on_how_the_input_is_chunked() {
    let data = bulk_capture();
    let limit = 3 << 20;
    let reference = index(
        data,
        Some(&budget(limit)),
        Some(Box::new(MemoryColdStore::new())),
        1 << 20,
    );
    let r = reference.summary();
    assert!(r.complete && r.index_spilled_bytes > 0);
    for chunk in [4093usize, 16 << 20] {
        let ix = index(
            data,
            Some(&budget(limit)),
            Some(Box::new(MemoryColdStore::new())),
            chunk,
        );
        let s = ix.summary();
        assert!(s.complete, "chunk {chunk}");
        assert_eq!(
            s.index_spilled_bytes, r.index_spilled_bytes,
            "chunk {chunk}"
        );
        assert!(
            ix.to_bytes().unwrap() == reference.to_bytes().unwrap(),
            "chunk {chunk}"
        );
    }
}

/// A store whose writes start failing after `writes_ok` and whose reads fail once `break_reads`
/// is set (shared, so a test can break it after indexing).
struct FlakyStore {
    inner: MemoryColdStore,
    writes_ok: usize,
    break_reads: Arc<Mutex<bool>>,
}

impl ColdStore for FlakyStore {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        if self.writes_ok == 0 {
            return Err(io::Error::other("quota exceeded"));
        }
        self.writes_ok -= 1;
        self.inner.write_at(offset, bytes)
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        if self.break_reads.lock().map(|b| *b).unwrap_or(true) {
            return Err(io::Error::other("the file was removed"));
        }
        self.inner.read_at(offset, buf)
    }
}

#[test]
fn a_failing_store_stops_indexing_with_its_error_and_keeps_a_usable_partial_index() {
    let data = bulk_capture();
    let whole = index(data, None, None, 1 << 20);
    let limit: u64 = 3 << 20;
    // The first spill writes four chunks (one per cold column), the next ones fail.
    let store = FlakyStore {
        inner: MemoryColdStore::new(),
        writes_ok: 4,
        break_reads: Arc::new(Mutex::new(false)),
    };
    let ix = index(data, Some(&budget(limit)), Some(Box::new(store)), 1 << 20);
    let s = ix.summary();
    let message = s.stopped.clone().expect("stopped");
    assert!(!s.complete && s.frames > 0 && s.frames < whole.summary().frames);
    let last = ix.frame_location(s.frames as u32).expect("last frame");
    assert_eq!(
        message,
        format!(
            "stopped at packet {} (offset {}): the index reached its {} budget and its cold \
             columns could not move to local storage: quota exceeded",
            s.frames,
            last.offset,
            format_size(limit)
        )
    );
    assert!(s.index_spilled_bytes > 0, "the first spill went through");
    for n in 1..=s.frames as u32 {
        assert_eq!(ix.index().get(n), whole.index().get(n), "frame {n}");
    }
}

#[test]
fn reads_that_fail_after_spilling_answer_none_and_refuse_to_save_never_panic() {
    let data = bulk_capture();
    let broken = Arc::new(Mutex::new(false));
    let store = FlakyStore {
        inner: MemoryColdStore::new(),
        writes_ok: usize::MAX,
        break_reads: broken.clone(),
    };
    let ix = index(data, Some(&budget(3 << 20)), Some(Box::new(store)), 1 << 20);
    assert!(ix.summary().complete && ix.summary().index_spilled_bytes > 0);
    assert!(ix.index().get(1).is_some());
    *broken.lock().unwrap() = true;
    // Frame 1's chunk is still cached; a frame of another spilled chunk is not.
    assert!(ix.index().get(1).is_some());
    let far = (CHUNK_LEN + 1) as u32;
    assert_eq!(ix.index().get(far), None);
    assert!(ix.frame_location(far).is_none());
    assert!(ix
        .index()
        .cold_read_error()
        .is_some_and(|e| e.contains("the file was removed")));
    let err = ix
        .to_bytes()
        .expect_err("cannot save without the spilled columns");
    assert!(err.to_string().contains("the file was removed"), "{err}");
    // The last, resident chunk still answers; stream lists use hot columns only.
    let n = ix.index().len() as u32;
    assert!(ix.index().get(n).is_some());
    assert!(!ix.frames_of_stream(ConvKind::Tcp, 0).is_empty());
}

#[test]
fn without_a_store_the_budget_stops_indexing_and_says_why() {
    let data = bulk_capture();
    let limit: u64 = 3 << 20;
    let plain = index(data, Some(&budget(limit)), None, 1 << 20);
    let s = plain.summary();
    let message = s.stopped.expect("stopped");
    assert!(
        message.ends_with(&format!(
            "the index reached its {} budget",
            format_size(limit)
        )),
        "{message}"
    );
    assert_eq!(s.index_spilled_bytes, 0);

    let mut ix = Indexer::with_budget(&budget(limit));
    ix.set_cold_store_unavailable("OPFS unavailable (file:// page)");
    for c in data.chunks(1 << 20) {
        ix.push(c);
    }
    ix.finish();
    let s = ix.summary();
    assert_eq!(
        s.frames,
        plain.summary().frames,
        "stops where it did without a reason"
    );
    assert!(
        s.stopped.as_deref().is_some_and(|m| m.ends_with(
            "budget and its cold columns could not move to local storage: OPFS unavailable (file:// page)"
        )),
        "{:?}",
        s.stopped
    );
}

#[test]
fn a_budget_too_small_for_the_hot_columns_stops_after_spilling() {
    let data = bulk_capture();
    let whole = index(data, None, None, 1 << 20);
    // Hot columns alone (10 bytes per packet) exceed this after about 150k frames.
    let limit: u64 = 1_500_000;
    let ix = index(
        data,
        Some(&budget(limit)),
        Some(Box::new(MemoryColdStore::new())),
        1 << 20,
    );
    let s = ix.summary();
    let message = s.stopped.clone().expect("stopped");
    assert!(
        message.ends_with("budget with its cold columns already in local storage"),
        "{message}"
    );
    assert!(s.index_spilled_bytes > 0 && s.frames < whole.summary().frames);
    assert_resident_within(ix.index(), limit, "hot stop");
    for n in (1..=s.frames as u32).step_by(7) {
        assert_eq!(ix.index().get(n), whole.index().get(n), "frame {n}");
    }
}

/// The classic pcap records of `file` (little-endian magic only), or None.
fn pcap_records(file: &[u8]) -> Option<(&[u8], Vec<&[u8]>)> {
    let magic = file.get(..4)?;
    if magic != [0xd4, 0xc3, 0xb2, 0xa1] && magic != [0x4d, 0x3c, 0xb2, 0xa1] {
        return None;
    }
    let (header, mut rest) = file.split_at(24);
    let mut records = Vec::new();
    while rest.len() >= 16 {
        let incl = u32::from_le_bytes(rest[8..12].try_into().ok()?) as usize;
        let len = 16 + incl;
        if rest.len() < len {
            break;
        }
        let (r, tail) = rest.split_at(len);
        records.push(r);
        rest = tail;
    }
    Some((header, records))
}

#[test]
fn corpus_captures_repeated_past_three_chunks_spill_and_answer_alike() {
    let Some(dir) = common::captures_dir("corpus_captures_repeated_past_three_chunks") else {
        return;
    };
    let mut rows = common::manifest(&dir);
    rows.retain(|r| r.packets >= 2000);
    // Small packets first: the fewest bytes for three chunks of frames.
    rows.sort_by_key(|r| {
        let size = std::fs::metadata(dir.join("public").join(&r.file))
            .map(|m| m.len())
            .unwrap_or(u64::MAX);
        (size / r.packets.max(1), r.file.clone())
    });
    let mut tested = 0;
    for row in &rows {
        let Ok(file) = std::fs::read(dir.join("public").join(&row.file)) else {
            continue;
        };
        let Some((header, records)) = pcap_records(&file) else {
            continue;
        };
        if records.is_empty() {
            continue;
        }
        let mut data = header.to_vec();
        let mut frames = 0usize;
        let mut rep = 0u32;
        while frames <= 3 * CHUNK_LEN {
            for r in &records {
                // Each repetition an hour later, so that time keeps going forward.
                let ts = u32::from_le_bytes(r[..4].try_into().unwrap()).wrapping_add(rep * 3600);
                data.extend_from_slice(&ts.to_le_bytes());
                data.extend_from_slice(&r[4..]);
            }
            frames += records.len();
            rep += 1;
        }
        let whole = index(&data, None, None, 1 << 20);
        let limit = (whole.index().used_bytes() / 2) as u64;
        let ix = index(
            &data,
            Some(&budget(limit)),
            Some(Box::new(MemoryColdStore::new())),
            1 << 20,
        );
        let s = ix.summary();
        assert!(
            s.complete && s.index_spilled_bytes > 0,
            "{}: {:?}",
            row.file,
            s.stopped
        );
        assert_resident_within(ix.index(), limit, &row.file);
        assert_same_index(&ix, &whole, &row.file);
        tested += 1;
        if tested == 2 {
            break;
        }
    }
    assert_eq!(
        tested, 2,
        "two little-endian pcaps of 2000+ packets in the corpus"
    );
}

#[test]
fn the_cli_index_command_spills_to_a_cold_dir() {
    let dir = std::env::temp_dir().join(format!("tm_cold_{}", std::process::id()));
    let cold = dir.join("cold");
    std::fs::create_dir_all(&cold).expect("scratch dir");
    let path = dir.join("bulk.pcap");
    std::fs::write(&path, bulk_capture()).expect("write capture");
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tracematch"))
            .arg("index")
            .arg(&path)
            .arg("--json")
            .args(extra)
            .output()
            .expect("run tracematch")
    };
    // An index budget of 3/4 of 6 MiB: less than the index (30 bytes × 209k frames), more than
    // its hot columns.
    let cold_arg = cold.to_str().expect("utf-8 temp dir");
    let out = run(&["--memory-budget", "6M", "--cold-dir", cold_arg]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert!(report["stopped"].is_null(), "{report}");
    assert_eq!(report["frames"].as_u64(), Some(BULK_FRAMES as u64));
    assert!(report["index_spilled_bytes"].as_u64() > Some(0), "{report}");
    assert_eq!(
        std::fs::read_dir(&cold).map(|d| d.count()).ok(),
        Some(0),
        "the cold file is gone"
    );
    // Without the cold dir the same budget stops indexing.
    let out = run(&["--memory-budget", "6M"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert!(report["stopped"].is_string(), "{report}");
    let missing = dir.join("missing");
    let out = run(&[
        "--memory-budget",
        "6M",
        "--cold-dir",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a missing cold dir is a usage error"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_indexer_with_a_cold_store_can_still_move_between_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Indexer>();
    send_and_sync::<PacketIndex>();
    let mut ix = Indexer::with_budget(&budget(1 << 20));
    ix.set_cold_store(Box::new(MemoryColdStore::new()));
    let frames = std::thread::spawn(move || {
        ix.push(bulk_capture());
        ix.finish();
        ix.summary().frames
    })
    .join()
    .expect("thread");
    assert!(frames > 0);
}
