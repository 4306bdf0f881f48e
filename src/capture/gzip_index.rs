//! Random access into gzip-compressed captures through inflate checkpoints taken while reading.
//!
//! While the reader inflates the file it calls `GzipIndex::observe`; about every
//! [`CHECKPOINT_INTERVAL`] bytes of output (inside deflate data) it keeps a copy of the decoder —
//! the 32 KiB window and the inflate tables, ≈ 45 KB — with its compressed and decompressed
//! positions. [`GzipIndex::read_at`] then serves a decompressed range by re-inflating from the
//! nearest checkpoint at or before it, never from the start of the file.
//!
//! Memory bound: at most [`MAX_CHECKPOINTS`] checkpoints (≈ 23 MB). When a file would need more,
//! every other checkpoint is dropped and the interval doubles, so long files get sparser
//! checkpoints instead of more memory.

use std::io;
use std::sync::Mutex;

use super::gzip_stream::GzipDecoder;
use super::random_access::ByteSource;

/// Decompressed bytes between checkpoints (initially).
pub const CHECKPOINT_INTERVAL: u64 = 4 << 20;

/// Most checkpoints kept.
pub const MAX_CHECKPOINTS: usize = 512;

/// Compressed bytes read from the source at a time when re-inflating.
const READ_CHUNK: usize = 64 * 1024;

/// A decoder position to restart inflation from.
struct Checkpoint {
    decoder: GzipDecoder,
}

impl Checkpoint {
    fn out_pos(&self) -> u64 {
        self.decoder.out_pos()
    }
}

/// Inflate checkpoints of one gzip capture, for reading decompressed ranges on demand.
pub struct GzipIndex {
    checkpoints: Vec<Checkpoint>,
    interval: u64,
    /// Decompressed length once the whole file was read.
    total: Option<u64>,
    /// Where the last `read_at` stopped, so forward reads continue from there.
    cursor: Mutex<Option<Cursor>>,
}

impl Default for GzipIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for GzipIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GzipIndex")
            .field("checkpoints", &self.checkpoint_offsets())
            .field("interval", &self.interval)
            .field("total", &self.total)
            .finish()
    }
}

impl GzipIndex {
    /// An index holding only the start of the file.
    pub fn new() -> Self {
        GzipIndex {
            checkpoints: vec![Checkpoint {
                decoder: GzipDecoder::new(false),
            }],
            interval: CHECKPOINT_INTERVAL,
            total: None,
            cursor: Mutex::new(None),
        }
    }

    /// Called by the reader after each piece of output: keeps a checkpoint when due.
    pub(crate) fn observe(&mut self, decoder: &GzipDecoder) {
        let last = self.checkpoints.last().map_or(0, Checkpoint::out_pos);
        if !decoder.in_deflate() || decoder.out_pos() < last.saturating_add(self.interval) {
            return;
        }
        self.checkpoints.push(Checkpoint {
            decoder: decoder.checkpoint(),
        });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep the first and every other one after it; double the spacing.
            let mut i = 0usize;
            self.checkpoints.retain(|_| {
                let keep = i.is_multiple_of(2);
                i += 1;
                keep
            });
            self.interval = self.interval.saturating_mul(2);
        }
    }

    /// Records the decompressed length at the end of reading.
    pub(crate) fn set_total(&mut self, total: u64) {
        self.total = Some(total);
    }

    /// Number of checkpoints (including the one at the start of the file).
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// (compressed, decompressed) offsets of the checkpoints, in order.
    pub fn checkpoint_offsets(&self) -> Vec<(u64, u64)> {
        self.checkpoints
            .iter()
            .map(|c| (c.decoder.in_pos(), c.decoder.out_pos()))
            .collect()
    }

    /// Decompressed length of the file, once it was read to the end.
    pub fn decompressed_len(&self) -> Option<u64> {
        self.total
    }

    /// Reads decompressed bytes at `offset` into `buf`, inflating from the nearest checkpoint (or
    /// from where the previous read stopped, when that is closer). Returns the bytes read: fewer
    /// than `buf.len()` only at the end of the data. `source` is the compressed file.
    pub fn read_at(
        &self,
        offset: u64,
        buf: &mut [u8],
        source: &mut dyn ByteSource,
    ) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let idx = self
            .checkpoints
            .partition_point(|c| c.out_pos() <= offset)
            .saturating_sub(1);
        let Some(cp) = self.checkpoints.get(idx) else {
            return Ok(0);
        };
        let mut guard = self.cursor.lock().unwrap_or_else(|p| p.into_inner());
        // Resume from where the previous read stopped when that is at or before `offset` and
        // no further back than the checkpoint.
        let mut cursor = match guard.take() {
            Some(c) if c.piece_start <= offset && c.piece_start >= cp.out_pos() => c,
            _ => Cursor {
                decoder: cp.decoder.clone(),
                piece: Vec::new(),
                piece_start: cp.out_pos(),
            },
        };
        let mut filled = 0usize;
        // Bytes the cursor already inflated last time.
        if let Some(skip) = offset.checked_sub(cursor.piece_start) {
            let avail = usize::try_from(skip)
                .ok()
                .and_then(|s| cursor.piece.get(s..))
                .unwrap_or_default();
            let k = avail.len().min(buf.len());
            buf[..k].copy_from_slice(&avail[..k]);
            filled = k;
        }
        let mut decoder = cursor.decoder;
        let mut last_piece: (u64, Vec<u8>) =
            (cursor.piece_start, std::mem::take(&mut cursor.piece));
        let mut out_buf = vec![0u8; READ_CHUNK];
        let mut in_buf = vec![0u8; READ_CHUNK];
        // Bounded by the compressed file: each round reads new input or stops.
        while filled < buf.len() {
            let n = source.read_at(decoder.in_pos(), &mut in_buf)?;
            let input = in_buf.get(..n).unwrap_or_default();
            let mut copy = |dec: &GzipDecoder, bytes: &[u8]| {
                let start = dec.out_pos() - bytes.len() as u64;
                let want = offset + filled as u64;
                if dec.out_pos() > want {
                    let skip = want.saturating_sub(start) as usize;
                    let avail = bytes.get(skip..).unwrap_or_default();
                    let k = avail.len().min(buf.len() - filled);
                    buf[filled..filled + k].copy_from_slice(&avail[..k]);
                    filled += k;
                }
                if filled < buf.len() {
                    return Ok(true);
                }
                // Keep the piece the read ended in, so the next forward read can start there.
                last_piece = (start, bytes.to_vec());
                Ok(false)
            };
            let before = (decoder.in_pos(), decoder.out_pos());
            decoder
                .run(input, &mut out_buf, &mut copy)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            if n == 0 || (decoder.in_pos(), decoder.out_pos()) == before {
                break;
            }
        }
        if last_piece.0 + last_piece.1.len() as u64 == decoder.out_pos() {
            *guard = Some(Cursor {
                decoder,
                piece_start: last_piece.0,
                piece: last_piece.1,
            });
        }
        Ok(filled)
    }
}

/// Where the last read stopped: the decoder and the output piece it produced last.
struct Cursor {
    decoder: GzipDecoder,
    /// Decompressed bytes `[piece_start, decoder.out_pos())`.
    piece: Vec<u8>,
    piece_start: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn build(gz: &[u8]) -> GzipIndex {
        let mut idx = GzipIndex::new();
        let mut dec = GzipDecoder::new(true);
        let mut buf = vec![0u8; 1 << 16];
        for chunk in gz.chunks(100_000) {
            let mut seen = Vec::new();
            let mut out = |d: &GzipDecoder, b: &[u8]| {
                seen.push((d.in_deflate(), b.len()));
                Ok(true)
            };
            dec.run(chunk, &mut buf, &mut out).unwrap();
            // observe at the end of each chunk (the reader observes after each output piece)
            idx.observe(&dec);
        }
        dec.finish().unwrap();
        idx.set_total(dec.out_pos());
        idx
    }

    #[test]
    fn reads_match_plain_bytes_from_checkpoints() {
        let plain: Vec<u8> = (0..12_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let gz = gzip(&plain);
        let idx = build(&gz);
        assert!(
            idx.checkpoint_count() >= 3,
            "{:?}",
            idx.checkpoint_offsets()
        );
        assert_eq!(idx.decompressed_len(), Some(plain.len() as u64));
        let mut src: &[u8] = &gz;
        for &off in &[0u64, 1, 4_194_303, 4_194_304, 9_000_001, 11_999_990] {
            let mut b = vec![0u8; 100];
            let n = idx.read_at(off, &mut b, &mut src).unwrap();
            let end = (off as usize + 100).min(plain.len());
            assert_eq!(&b[..n], &plain[off as usize..end], "offset {off}");
        }
    }

    #[test]
    fn checkpoint_count_is_bounded() {
        let mut idx = GzipIndex::new();
        let plain = vec![7u8; 3 << 20];
        let gz = gzip(&plain);
        // Observe a real decoder many times at growing fake positions is not possible; instead
        // check thinning arithmetic by pushing the same deflate decoder repeatedly.
        let mut dec = GzipDecoder::new(false);
        let mut buf = vec![0u8; 1 << 10];
        let mut out = |_: &GzipDecoder, _: &[u8]| Ok(false);
        dec.run(&gz, &mut buf, &mut out).unwrap();
        assert!(dec.in_deflate());
        for _ in 0..(MAX_CHECKPOINTS * 3) {
            idx.interval = 0;
            idx.observe(&dec);
        }
        assert!(idx.checkpoint_count() <= MAX_CHECKPOINTS);
    }
}
