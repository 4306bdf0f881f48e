//! Export in one call: read a capture from a [`ByteSource`], select frames with a [`Selection`],
//! and write them with [`write_selection`], reading every record back from the same source (through
//! the gzip checkpoints for compressed captures). What the CLI and the tests use; the page's worker
//! feeds the file itself and calls the same two steps.

use std::io::Write;

use super::frame_selection::{Selection, SelectionError, SelectionMatcher};
use super::selection_writer::{write_selection, ExportError, ExportOptions, ExportSummary};
use crate::capture::random_access::{ByteSource, PacketBytes};
use crate::capture::CaptureError;
use crate::pipeline::{FrameContext, Pipeline};

/// Bytes read from the source per pipeline push.
const CHUNK: usize = 1 << 20;

/// The result of [`export_capture`].
#[derive(Debug)]
pub struct CaptureExport {
    /// What was written.
    pub summary: ExportSummary,
    /// Damage that stopped reading the capture (frames before it were still selected and written).
    pub capture_error: Option<CaptureError>,
    /// Selected records that are not packets (pcapng custom / journal blocks), left out.
    pub records_skipped: u64,
}

/// Why [`export_capture`] failed.
#[derive(Debug)]
pub enum CaptureExportError {
    /// The selection is inconsistent (e.g. a lot without its TCP stream).
    Selection(SelectionError),
    /// Writing failed or was refused.
    Export(ExportError),
}

impl std::fmt::Display for CaptureExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaptureExportError::Selection(e) => write!(f, "{e}"),
            CaptureExportError::Export(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CaptureExportError {}

/// Reads the capture in `source`, selects frames with `selection` and writes them to `out`.
pub fn export_capture<W: Write>(
    source: &mut dyn ByteSource,
    selection: Selection,
    options: &ExportOptions,
    out: W,
) -> Result<CaptureExport, CaptureExportError> {
    let mut matcher = SelectionMatcher::new(selection).map_err(CaptureExportError::Selection)?;
    let mut pipeline = Pipeline::new();
    let mut buf = vec![0u8; CHUNK];
    let mut offset = 0u64;
    let mut stopped_early = false;
    loop {
        let n = source
            .read_at(offset, &mut buf)
            .map_err(|e| CaptureExportError::Export(ExportError::Io(e)))?;
        if n == 0 {
            break;
        }
        offset += n as u64;
        pipeline.push(buf.get(..n).unwrap_or_default(), &mut |c: &FrameContext| {
            matcher.observe(c)
        });
        let last_number = u32::try_from(pipeline.frames()).unwrap_or(u32::MAX);
        if pipeline.error().is_some() {
            break;
        }
        if matcher.is_done(last_number) {
            stopped_early = true;
            break;
        }
    }
    if stopped_early {
        // Every wanted frame is read; the rest of the file is not needed.
        pipeline.cancel();
    } else {
        pipeline.finish(&mut |c: &FrameContext| matcher.observe(c));
    }
    let capture_error = pipeline.error().cloned();
    let info = pipeline.reader().info();
    let records_skipped = matcher.records_skipped();
    let frames = matcher.into_frames();
    let mut bytes = PacketBytes::new(source, pipeline.reader().gzip_index());
    let summary = write_selection(info, &frames, &mut bytes, options, out)
        .map_err(CaptureExportError::Export)?;
    Ok(CaptureExport {
        summary,
        capture_error,
        records_skipped,
    })
}
