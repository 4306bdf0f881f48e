//! The chunk-fed capture reader (pcap, pcapng, gzip). Owned by the capture helper; see module docs.

use super::{CaptureError, CaptureInfo, FrameMeta};

/// Push-mode reader: feed chunks with [`CaptureReader::push`], end with [`CaptureReader::finish`].
#[derive(Default)]
pub struct CaptureReader {
    info: CaptureInfo,
    error: Option<CaptureError>,
}

impl CaptureReader {
    /// A reader that detects the format from the first bytes it is given.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk; calls `sink` once per complete frame, in file order. After an error,
    /// further calls return the same error and deliver nothing.
    pub fn push<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        _chunk: &[u8],
        _sink: &mut F,
    ) -> Result<(), CaptureError> {
        unimplemented!("capture reader: being written")
    }

    /// Signals the end of input; leftover bytes of an unfinished record are reported as truncation.
    pub fn finish<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        _sink: &mut F,
    ) -> Result<(), CaptureError> {
        unimplemented!("capture reader: being written")
    }

    /// File-level facts learned so far.
    pub fn info(&self) -> &CaptureInfo {
        &self.info
    }

    /// The error that stopped reading, if any.
    pub fn error(&self) -> Option<&CaptureError> {
        self.error.as_ref()
    }
}
