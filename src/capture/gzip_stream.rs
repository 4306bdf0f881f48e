//! Streaming gzip: member headers and trailers parsed here, deflate data inflated with
//! miniz_oxide's streaming `InflateState` (the engine behind flate2's rust backend), any number of
//! members. [`GzipDecoder`] is `Clone`, which is what [`super::gzip_index::GzipIndex`] checkpoints;
//! [`GzipInput`] is the reader-side driver that feeds inflated bytes to the capture walker.
//!
//! Memory bound: one 45 KB inflate state, a 1 MiB output buffer, a header buffer of at most
//! [`MAX_HEADER_LEN`] bytes, plus the index's checkpoints.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::delivery::Delivery;
use super::gzip_index::GzipIndex;
use super::stream_feeder::StreamFeeder;
use super::{CaptureError, CaptureErrorKind, FrameMeta};

/// Longest member header accepted (file name and comment included).
pub(crate) const MAX_HEADER_LEN: usize = 64 * 1024;

/// Inflated bytes handed to the walker at a time.
const OUTPUT_CHUNK: usize = 1 << 20;

/// Why the gzip stream is unusable, and where (compressed offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GzipError {
    pub offset: u64,
    pub reason: String,
}

impl From<GzipError> for CaptureError {
    fn from(e: GzipError) -> Self {
        CaptureError {
            offset: e.offset,
            kind: CaptureErrorKind::BadGzip { reason: e.reason },
        }
    }
}

/// Decoder phase.
#[derive(Clone)]
enum Phase {
    /// Collecting a member header (bytes so far).
    Header(Vec<u8>),
    /// Inside a member's deflate data.
    Deflate(Box<InflateState>),
    /// Collecting the 8-byte trailer.
    Trailer(Vec<u8>),
    /// Bytes after the last member that are not another member: ignored, as zlib does.
    TrailingGarbage,
}

/// What one decoding step did.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    /// Compressed bytes consumed.
    pub consumed: usize,
    /// Bytes written to the output buffer.
    pub produced: usize,
}

/// Result of parsing a buffered header.
enum HeaderParse {
    Complete(usize),
    NeedMore,
    Bad(&'static str),
}

fn parse_header(h: &[u8]) -> HeaderParse {
    if h.len() < 10 {
        return HeaderParse::NeedMore;
    }
    if h[0] != 0x1f || h[1] != 0x8b {
        return HeaderParse::Bad("not a gzip member header");
    }
    if h[2] != 8 {
        return HeaderParse::Bad("unknown compression method");
    }
    let flags = h[3];
    if flags & 0xE0 != 0 {
        return HeaderParse::Bad("reserved header flags set");
    }
    let mut pos = 10usize;
    if flags & 0x04 != 0 {
        let Some(x) = h.get(pos..pos + 2) else {
            return HeaderParse::NeedMore;
        };
        pos += 2 + usize::from(u16::from_le_bytes([x[0], x[1]]));
        if pos > h.len() {
            return HeaderParse::NeedMore;
        }
    }
    for flag in [0x08u8, 0x10] {
        if flags & flag != 0 {
            match h.get(pos..).and_then(|r| r.iter().position(|&b| b == 0)) {
                Some(nul) => pos += nul + 1,
                None => return HeaderParse::NeedMore,
            }
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
        if pos > h.len() {
            return HeaderParse::NeedMore;
        }
    }
    HeaderParse::Complete(pos)
}

/// Receives each piece of inflated output (with the decoder positioned just after it); returns
/// false to stop.
pub(crate) type OutputSink<'a> = dyn FnMut(&GzipDecoder, &[u8]) -> Result<bool, CaptureError> + 'a;

/// A resumable multi-member gzip decoder.
#[derive(Clone)]
pub(crate) struct GzipDecoder {
    phase: Phase,
    /// Compressed bytes consumed so far.
    in_pos: u64,
    /// Decompressed bytes produced so far.
    out_pos: u64,
    /// CRC-32 and size checks of each member's trailer (off when re-reading from a checkpoint).
    verify: bool,
    crc: crc32fast::Hasher,
    member_len: u64,
    /// Members fully read.
    members: u32,
    /// Compressed bytes ignored after the last member.
    garbage: u64,
    /// An error found by the inflate call that also produced output: reported on the next
    /// step, after that output was handed on (so chunk boundaries cannot change the outcome).
    pending_error: Option<GzipError>,
}

impl GzipDecoder {
    /// A decoder at the start of a gzip file.
    pub fn new(verify: bool) -> Self {
        GzipDecoder {
            phase: Phase::Header(Vec::new()),
            in_pos: 0,
            out_pos: 0,
            verify,
            crc: crc32fast::Hasher::new(),
            member_len: 0,
            members: 0,
            garbage: 0,
            pending_error: None,
        }
    }

    /// Compressed bytes consumed so far.
    pub fn in_pos(&self) -> u64 {
        self.in_pos
    }

    /// Decompressed bytes produced so far.
    pub fn out_pos(&self) -> u64 {
        self.out_pos
    }

    /// Compressed bytes ignored after the last member.
    pub fn trailing_garbage(&self) -> u64 {
        self.garbage
    }

    /// True inside deflate data (where checkpoints are taken).
    pub fn in_deflate(&self) -> bool {
        matches!(self.phase, Phase::Deflate(_))
    }

    /// A copy for re-reading from this point without trailer checks.
    pub fn checkpoint(&self) -> GzipDecoder {
        let mut c = self.clone();
        c.verify = false;
        c
    }

    /// One decoding step: consumes some of `input`, writes some output into `out`. Returns
    /// `consumed == 0 && produced == 0` only when it needs more input.
    pub fn step(&mut self, input: &[u8], out: &mut [u8]) -> Result<Step, GzipError> {
        if let Some(e) = &self.pending_error {
            return Err(e.clone());
        }
        match &mut self.phase {
            Phase::Header(buf) => {
                if buf.is_empty() && self.members > 0 && input.first().is_some_and(|&b| b != 0x1f) {
                    self.phase = Phase::TrailingGarbage;
                    self.garbage += input.len() as u64;
                    self.in_pos += input.len() as u64;
                    return Ok(Step {
                        consumed: input.len(),
                        produced: 0,
                    });
                }
                let before = buf.len();
                let take = (MAX_HEADER_LEN - before).min(input.len());
                buf.extend_from_slice(&input[..take]);
                match parse_header(buf) {
                    HeaderParse::Complete(len) => {
                        let consumed = len.saturating_sub(before);
                        self.in_pos += consumed as u64;
                        self.phase = Phase::Deflate(Box::new(InflateState::new(DataFormat::Raw)));
                        self.crc = crc32fast::Hasher::new();
                        self.member_len = 0;
                        Ok(Step {
                            consumed,
                            produced: 0,
                        })
                    }
                    HeaderParse::NeedMore if buf.len() < MAX_HEADER_LEN => {
                        self.in_pos += take as u64;
                        Ok(Step {
                            consumed: take,
                            produced: 0,
                        })
                    }
                    HeaderParse::NeedMore => Err(GzipError {
                        offset: self.in_pos - before as u64,
                        reason: format!("member header longer than {MAX_HEADER_LEN} bytes"),
                    }),
                    HeaderParse::Bad(reason) => Err(GzipError {
                        offset: self.in_pos - before as u64,
                        reason: reason.to_string(),
                    }),
                }
            }
            Phase::Deflate(state) => {
                let r = inflate(state, input, out, MZFlush::None);
                let produced = r.bytes_written;
                if self.verify {
                    self.crc.update(out.get(..produced).unwrap_or_default());
                }
                self.member_len = self.member_len.wrapping_add(produced as u64);
                self.in_pos += r.bytes_consumed as u64;
                self.out_pos += produced as u64;
                match r.status {
                    Ok(MZStatus::StreamEnd) => self.phase = Phase::Trailer(Vec::with_capacity(8)),
                    Ok(_) | Err(MZError::Buf) => {}
                    Err(_) => {
                        let e = GzipError {
                            offset: self.in_pos,
                            reason: "invalid deflate data".to_string(),
                        };
                        if produced == 0 {
                            return Err(e);
                        }
                        self.pending_error = Some(e);
                    }
                }
                Ok(Step {
                    consumed: r.bytes_consumed,
                    produced,
                })
            }
            Phase::Trailer(buf) => {
                let take = (8 - buf.len()).min(input.len());
                buf.extend_from_slice(&input[..take]);
                self.in_pos += take as u64;
                if buf.len() == 8 {
                    let crc = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]);
                    let size = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
                    if self.verify {
                        let actual = std::mem::replace(&mut self.crc, crc32fast::Hasher::new());
                        if actual.finalize() != crc {
                            return Err(GzipError {
                                offset: self.in_pos - 8,
                                reason: "CRC-32 of the decompressed data does not match"
                                    .to_string(),
                            });
                        }
                        if self.member_len as u32 != size {
                            return Err(GzipError {
                                offset: self.in_pos - 4,
                                reason: "decompressed size does not match the trailer".to_string(),
                            });
                        }
                    }
                    self.members += 1;
                    self.phase = Phase::Header(Vec::new());
                }
                Ok(Step {
                    consumed: take,
                    produced: 0,
                })
            }
            Phase::TrailingGarbage => {
                self.garbage += input.len() as u64;
                self.in_pos += input.len() as u64;
                Ok(Step {
                    consumed: input.len(),
                    produced: 0,
                })
            }
        }
    }

    /// Small number identifying the phase (to notice phase changes).
    fn phase_id(&self) -> u8 {
        match self.phase {
            Phase::Header(_) => 0,
            Phase::Deflate(_) => 1,
            Phase::Trailer(_) => 2,
            Phase::TrailingGarbage => 3,
        }
    }

    /// End of input: an error unless the stream ended between members.
    pub fn finish(&self) -> Result<(), GzipError> {
        match &self.phase {
            Phase::Header(buf) if buf.is_empty() && self.members > 0 => Ok(()),
            Phase::TrailingGarbage => Ok(()),
            _ => Err(GzipError {
                offset: self.in_pos,
                reason: "compressed data ends early (the gzip stream is cut short)".to_string(),
            }),
        }
    }

    /// Drives [`GzipDecoder::step`] over all of `input` (and any output the inflate state still
    /// holds), handing each piece of output to `out`, which returns false to stop early.
    /// Returns Ok(false) when stopped early.
    pub fn run(
        &mut self,
        mut input: &[u8],
        buf: &mut [u8],
        out: &mut OutputSink<'_>,
    ) -> Result<bool, CaptureError> {
        // Terminates: every iteration consumes input, produces output or changes phase (at most
        // a few times in a row), otherwise it returns.
        loop {
            let before = self.phase_id();
            let st = self.step(input, buf)?;
            input = input.get(st.consumed..).unwrap_or_default();
            if st.produced > 0 && !out(self, buf.get(..st.produced).unwrap_or_default())? {
                return Ok(false);
            }
            if st.consumed == 0 && st.produced == 0 && self.phase_id() == before {
                return Ok(true);
            }
        }
    }
}

/// The reader's gzip stage: decoder, output buffer and the index being built.
pub(crate) struct GzipInput {
    decoder: GzipDecoder,
    buf: Vec<u8>,
    index: GzipIndex,
}

impl GzipInput {
    /// A fresh gzip stage.
    pub fn new() -> Self {
        GzipInput {
            decoder: GzipDecoder::new(true),
            buf: vec![0; OUTPUT_CHUNK],
            index: GzipIndex::new(),
        }
    }

    /// Inflates `chunk` and feeds the output to `feeder`.
    pub fn push<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        chunk: &[u8],
        feeder: &mut StreamFeeder,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let index = &mut self.index;
        let mut out = |dec: &GzipDecoder, bytes: &[u8]| -> Result<bool, CaptureError> {
            feeder.feed(bytes, d, sink)?;
            index.observe(dec);
            Ok(true)
        };
        self.decoder.run(chunk, &mut self.buf, &mut out)?;
        Ok(())
    }

    /// End of compressed input.
    pub fn finish<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        feeder: &mut StreamFeeder,
        d: &mut Delivery,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        // Flush whatever the inflate state still holds.
        self.push(&[], feeder, d, sink)?;
        self.index.set_total(self.decoder.out_pos());
        let gz_end = self.decoder.finish();
        // Complete records before the gzip damage are delivered first.
        let walk_end = feeder.finish(d, sink);
        let garbage = self.decoder.trailing_garbage();
        if garbage > 0 {
            d.warn(format!(
                "{garbage} bytes after the last gzip member were ignored"
            ));
        }
        gz_end?;
        walk_end
    }

    /// The index built so far.
    pub fn index(&self) -> &GzipIndex {
        &self.index
    }

    /// Moves the index out.
    pub fn take_index(&mut self) -> GzipIndex {
        std::mem::take(&mut self.index)
    }
}
