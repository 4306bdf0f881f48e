//! Writing captures.
//!
//! - [`pcap_writer`]: classic pcap (µs / ns) and a minimal pcapng over any [`std::io::Write`], used
//!   by the synthetic traffic generator, the matched-pair export and tests.
//! - Exports of packet selections (the page's download buttons and `tracematch export`):
//!   [`frame_selection`] says which frames (stream, packet lot via [`lot_frames`], IP pair, time
//!   range, [`frame_ranges`], display filter), [`original_record`] reads each record back from the
//!   capture as stored, [`selection_writer`] writes them as pcap or pcapng with
//!   [`pcapng_blocks`], and [`capture_export`] does all of it in one call over a byte source.
//! - [`merge`]: several captures merged in time order into one pcapng (`tracematch merge`);
//!   [`merge_columns`]: the same order over captures already indexed (the page's merged view).

pub mod capture_export;
pub mod frame_ranges;
pub mod frame_selection;
pub mod lot_frames;
pub mod merge;
pub mod merge_columns;
pub mod original_record;
pub mod pcap_writer;
pub mod pcapng_blocks;
pub mod selection_writer;

pub use capture_export::{export_capture, CaptureExport, CaptureExportError};
pub use frame_ranges::FrameRanges;
pub use frame_selection::{Selection, SelectionError, SelectionMatcher, StreamRef, TimeRange};
pub use merge::{merge_captures, merge_order, MergeSummary, MergedFrame};
pub use merge_columns::{merged_frames, MergeColumn};
pub use pcap_writer::{PcapNgWriter, PcapWriter, TsResolution};
pub use selection_writer::{
    write_selection, ExportError, ExportFormat, ExportOptions, ExportSummary,
};
