//! Feeds a byte stream (the file, or the output of gzip inflation) to the right walker, chunk by
//! chunk, walking records in place inside each chunk and carrying only the unfinished tail.
//!
//! Memory bound: the carried tail never exceeds what the walker asked for — one record or block
//! (at most wiretap's ~128 MiB pcapng block limit, 256 KiB + header for ordinary pcap records), or
//! the 1 MiB lookahead of the classic-pcap variant heuristic.

use super::delivery::Delivery;
use super::pcap_walker::{is_pcap_magic, PcapWalker};
use super::pcapng_walker::PcapngWalker;
use super::{CaptureError, CaptureErrorKind, FrameMeta};

/// What one walk step achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Advance {
    /// Bytes fully processed from the start of the data given.
    pub consumed: usize,
    /// Bytes needed, counted from the first unconsumed byte, before another walk can progress.
    pub need: usize,
}

/// The format-specific walker.
enum Walker {
    /// Waiting for the 4-byte magic.
    Detect,
    Pcap(PcapWalker),
    Pcapng(PcapngWalker),
}

/// pcapng Section Header Block type (first four bytes of a pcapng file).
const PCAPNG_MAGIC: u32 = 0x0A0D_0D0A;

impl Walker {
    fn walk<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        data: &[u8],
        base: u64,
        at_end: bool,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<Advance, CaptureError> {
        if let Walker::Detect = self {
            let Some(m) = data.get(..4) else {
                if at_end {
                    return Err(CaptureError {
                        offset: base,
                        kind: CaptureErrorKind::NotACapture,
                    });
                }
                return Ok(Advance {
                    consumed: 0,
                    need: 4,
                });
            };
            let magic = u32::from_le_bytes([m[0], m[1], m[2], m[3]]);
            *self = if magic == PCAPNG_MAGIC {
                Walker::Pcapng(PcapngWalker::new())
            } else if is_pcap_magic(magic) {
                Walker::Pcap(PcapWalker::new())
            } else {
                return Err(CaptureError {
                    offset: base,
                    kind: CaptureErrorKind::NotACapture,
                });
            };
        }
        match self {
            Walker::Detect => Ok(Advance {
                consumed: 0,
                need: 4,
            }),
            Walker::Pcap(w) => w.walk(data, base, at_end, d, sink),
            Walker::Pcapng(w) => w.walk(data, base, at_end, d, sink),
        }
    }
}

/// Chunk-to-record adapter for one capture stream.
pub(crate) struct StreamFeeder {
    walker: Walker,
    /// Unfinished bytes carried from earlier chunks (starts at stream offset `offset`).
    tail: Vec<u8>,
    /// Bytes the walker needs in `tail` before it can progress.
    need: usize,
    /// Stream offset of the first unconsumed byte.
    offset: u64,
}

impl StreamFeeder {
    /// A feeder at stream offset 0 that detects the format from the first bytes.
    pub fn new() -> Self {
        StreamFeeder {
            walker: Walker::Detect,
            tail: Vec::new(),
            need: 4,
            offset: 0,
        }
    }

    /// Stream offset of the first byte not yet consumed.
    #[cfg(test)]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes currently carried between chunks.
    #[cfg(test)]
    pub fn carried(&self) -> usize {
        self.tail.len()
    }

    /// Books a walk step over `available` bytes.
    fn step(&mut self, adv: Advance, available: usize) {
        self.offset += adv.consumed as u64;
        let left = available.saturating_sub(adv.consumed);
        // A walker that needs no more than it has would loop forever: demand one more byte.
        self.need = adv.need.max(left + 1);
    }

    /// Feeds the next piece of the stream.
    pub fn feed<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        mut input: &[u8],
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        while !self.tail.is_empty() {
            if input.is_empty() {
                return Ok(());
            }
            let want = self.need.saturating_sub(self.tail.len()).max(1);
            let take = want.min(input.len());
            let (head, rest) = input.split_at(take);
            self.tail.extend_from_slice(head);
            input = rest;
            if self.tail.len() < self.need {
                continue;
            }
            let tail = std::mem::take(&mut self.tail);
            let result = self.walker.walk(&tail, self.offset, false, d, sink);
            self.tail = tail;
            let adv = result?;
            self.step(adv, self.tail.len());
            self.tail.drain(..adv.consumed.min(self.tail.len()));
        }
        if input.is_empty() {
            return Ok(());
        }
        let adv = self.walker.walk(input, self.offset, false, d, sink)?;
        self.step(adv, input.len());
        self.tail
            .extend_from_slice(input.get(adv.consumed..).unwrap_or_default());
        Ok(())
    }

    /// Signals the end of the stream: whatever is carried must form complete records.
    pub fn finish<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let tail = std::mem::take(&mut self.tail);
        let adv = self.walker.walk(&tail, self.offset, true, d, sink)?;
        self.offset += adv.consumed as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian µs pcap with records of the given lengths.
    fn pcap(lens: &[u32]) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        f.extend_from_slice(&2u16.to_le_bytes());
        f.extend_from_slice(&4u16.to_le_bytes());
        for x in [0u32, 0, 65535, 1] {
            f.extend_from_slice(&x.to_le_bytes());
        }
        for (i, &len) in lens.iter().enumerate() {
            for x in [1_000_000 + i as u32, 5, len, len] {
                f.extend_from_slice(&x.to_le_bytes());
            }
            f.extend(std::iter::repeat_n(i as u8, len as usize));
        }
        f
    }

    #[test]
    fn carries_at_most_one_record_and_tracks_offsets() {
        let lens = [60u32, 1500, 9000, 40, 65535, 1];
        let file = pcap(&lens);
        for chunk in [1usize, 7, 100, 4096] {
            let mut feeder = StreamFeeder::new();
            let mut d = Delivery::new();
            let mut seen = Vec::new();
            let mut max_carried = 0;
            for c in file.chunks(chunk) {
                let mut sink = |m: &FrameMeta, b: &[u8]| seen.push((m.offset, b.len()));
                feeder.feed(c, &mut d, &mut sink).unwrap();
                max_carried = max_carried.max(feeder.carried());
            }
            let mut sink = |m: &FrameMeta, b: &[u8]| seen.push((m.offset, b.len()));
            feeder.finish(&mut d, &mut sink).unwrap();
            assert_eq!(feeder.offset(), file.len() as u64, "chunk {chunk}");
            assert!(
                max_carried <= 16 + 65535,
                "carried {max_carried} with chunk {chunk}"
            );
            let mut at = 24u64;
            let want: Vec<(u64, usize)> = lens
                .iter()
                .map(|&l| {
                    let o = at + 16;
                    at += 16 + u64::from(l);
                    (o, l as usize)
                })
                .collect();
            assert_eq!(seen, want, "chunk {chunk}");
        }
    }
}
