//! The chunk-fed capture reader (pcap, pcapng, gzip): the public push API over the stream feeder,
//! with gzip detected by its magic and inflated on the fly.

use super::delivery::Delivery;
use super::gzip_index::GzipIndex;
use super::gzip_stream::GzipInput;
use super::stream_feeder::StreamFeeder;
use super::{CaptureError, CaptureInfo, FrameMeta};

/// Where the reader is.
enum Stage {
    /// Fewer than two bytes seen: gzip or not is still open.
    Sniffing(Vec<u8>),
    /// Plain capture bytes go straight to the feeder.
    Plain,
    /// Compressed input is inflated first.
    Gzip(Box<GzipInput>),
    /// `finish` was called.
    Finished,
}

/// Push-mode reader: feed chunks with [`CaptureReader::push`], end with [`CaptureReader::finish`].
///
/// Chunks may have any size (1 byte … 64 MiB): frames, errors and [`CaptureInfo`] come out the
/// same. Records are walked in place inside each pushed chunk; only the unfinished tail is copied.
pub struct CaptureReader {
    stage: Stage,
    feeder: StreamFeeder,
    delivery: Delivery,
    error: Option<CaptureError>,
}

impl Default for CaptureReader {
    fn default() -> Self {
        Self::new()
    }
}

/// gzip's first two bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

impl CaptureReader {
    /// A reader that detects the format from the first bytes it is given.
    pub fn new() -> Self {
        CaptureReader {
            stage: Stage::Sniffing(Vec::new()),
            feeder: StreamFeeder::new(),
            delivery: Delivery::new(),
            error: None,
        }
    }

    /// Feeds the next chunk; calls `sink` once per complete frame, in file order. After an error,
    /// further calls return the same error and deliver nothing.
    pub fn push<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        chunk: &[u8],
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.delivery.info.input_bytes = self
            .delivery
            .info
            .input_bytes
            .saturating_add(chunk.len() as u64);
        let result = self.push_inner(chunk, sink);
        self.record(result)
    }

    fn push_inner<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        chunk: &[u8],
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        let mut chunk = chunk;
        if let Stage::Sniffing(head) = &mut self.stage {
            let take = 2usize.saturating_sub(head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if head.len() < 2 {
                return Ok(());
            }
            let head = std::mem::take(head);
            if head[..] == GZIP_MAGIC {
                self.delivery.info.gzip = true;
                let mut gz = Box::new(GzipInput::new());
                gz.push(&head, &mut self.feeder, &mut self.delivery, sink)?;
                self.stage = Stage::Gzip(gz);
            } else {
                self.stage = Stage::Plain;
                self.feeder.feed(&head, &mut self.delivery, sink)?;
            }
        }
        match &mut self.stage {
            Stage::Plain => self.feeder.feed(chunk, &mut self.delivery, sink),
            Stage::Gzip(gz) => gz.push(chunk, &mut self.feeder, &mut self.delivery, sink),
            Stage::Sniffing(_) | Stage::Finished => Ok(()),
        }
    }

    /// Signals the end of input; leftover bytes of an unfinished record are reported as truncation.
    pub fn finish<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        sink: &mut F,
    ) -> Result<(), CaptureError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let stage = std::mem::replace(&mut self.stage, Stage::Finished);
        let result = match stage {
            Stage::Sniffing(head) => self
                .feeder
                .feed(&head, &mut self.delivery, sink)
                .and_then(|()| self.feeder.finish(&mut self.delivery, sink)),
            Stage::Plain => self.feeder.finish(&mut self.delivery, sink),
            Stage::Gzip(mut gz) => {
                let r = gz.finish(&mut self.feeder, &mut self.delivery, sink);
                self.stage = Stage::Gzip(gz);
                r
            }
            Stage::Finished => Ok(()),
        };
        self.delivery.close();
        self.record(result)
    }

    fn record(&mut self, result: Result<(), CaptureError>) -> Result<(), CaptureError> {
        if let Err(e) = &result {
            self.error = Some(e.clone());
        }
        result
    }

    /// A finished reader of plain (uncompressed) input that knows only `info`: the reader of an
    /// index restored from its saved form (`crate::index::persist`).
    pub(crate) fn restored(info: CaptureInfo) -> Self {
        let mut reader = Self::new();
        reader.delivery.info = info;
        reader.stage = Stage::Finished;
        reader
    }

    /// File-level facts learned so far.
    pub fn info(&self) -> &CaptureInfo {
        &self.delivery.info
    }

    /// The error that stopped reading, if any.
    pub fn error(&self) -> Option<&CaptureError> {
        self.error.as_ref()
    }

    /// For gzip input: the inflate checkpoints built while reading, for random access to packet
    /// bytes afterwards (see [`crate::capture::random_access::read_packet_bytes`]).
    pub fn gzip_index(&self) -> Option<&GzipIndex> {
        match &self.stage {
            Stage::Gzip(gz) => Some(gz.index()),
            _ => None,
        }
    }

    /// Takes the gzip index out of the reader (after `finish`), to keep it without the reader.
    pub fn take_gzip_index(&mut self) -> Option<GzipIndex> {
        match &mut self.stage {
            Stage::Gzip(gz) => Some(gz.take_index()),
            _ => None,
        }
    }
}
