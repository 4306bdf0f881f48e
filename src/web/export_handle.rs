//! [`ExportHandle`]: the page's packet exports (session, packet lot, conversation, time range,
//! display filter) as pcap or pcapng bytes. The worker feeds the file once through the core's
//! [`SelectionMatcher`], then asks for the bytes, which the core reads back from the `File` as
//! stored ([`crate::export::write_selection`]). Glue only.
//!
//! Memory: one location per selected frame while selecting, then the output file itself (the page
//! downloads it as one Blob).

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::file_source::FileSource;
use super::js_value::to_js_error;
use crate::capture::random_access::PacketBytes;
use crate::export::{
    write_selection, ExportFormat, ExportOptions, FrameRanges, Selection, SelectionMatcher,
    StreamRef, TimeRange,
};
use crate::filter::Filter;
use crate::pipeline::{FrameContext, Pipeline};

/// What the page asks to export (JSON from the worker; every field optional, all must hold).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExportSpec {
    /// `tcp:N` or `udp:N`.
    stream: Option<String>,
    /// Packet lot of the TCP `stream` (1-based).
    lot: Option<u32>,
    /// IP conversation: both addresses.
    addr_a: Option<String>,
    addr_b: Option<String>,
    /// Time range in seconds relative to the first frame (either end may be missing).
    start: Option<f64>,
    end: Option<f64>,
    /// Frame list, e.g. `1-10,15`.
    frames: Option<String>,
    /// Display filter.
    filter: Option<String>,
}

fn seconds_to_ns(s: f64) -> i64 {
    (s * 1e9).round().clamp(i64::MIN as f64, i64::MAX as f64) as i64
}

impl ExportSpec {
    fn selection(self) -> Result<Selection, JsError> {
        let ip = |a: Option<String>| -> Result<Option<std::net::IpAddr>, JsError> {
            a.map(|a| {
                a.parse()
                    .map_err(|_| to_js_error(format!("'{a}' is not an IP address")))
            })
            .transpose()
        };
        let ip_pair = match (ip(self.addr_a)?, ip(self.addr_b)?) {
            (Some(a), Some(b)) => Some((a, b)),
            (None, None) => None,
            _ => return Err(to_js_error("an IP conversation needs both addresses")),
        };
        let time = (self.start.is_some() || self.end.is_some()).then(|| TimeRange {
            start_ns: self.start.map_or(i64::MIN, seconds_to_ns),
            end_ns: self.end.map_or(i64::MAX, seconds_to_ns),
        });
        Ok(Selection {
            stream: self
                .stream
                .map(|s| StreamRef::parse(&s))
                .transpose()
                .map_err(to_js_error)?,
            lot: self.lot,
            ip_pair,
            time,
            frames: self
                .frames
                .map(|f| FrameRanges::parse(&f))
                .transpose()
                .map_err(to_js_error)?,
            filter: self
                .filter
                .map(|f| Filter::compile(&f).map_err(|e| to_js_error(e.render(&f))))
                .transpose()?,
        })
    }
}

/// One export being prepared in the worker.
#[wasm_bindgen]
pub struct ExportHandle {
    pipeline: Pipeline,
    matcher: SelectionMatcher,
}

#[wasm_bindgen]
impl ExportHandle {
    /// An export of what `spec` (JSON, see the module header) selects.
    #[wasm_bindgen(constructor)]
    pub fn new(spec: &str) -> Result<ExportHandle, JsError> {
        super::panic_report::install();
        let spec: ExportSpec = serde_json::from_str(spec).map_err(to_js_error)?;
        let matcher = SelectionMatcher::new(spec.selection()?).map_err(to_js_error)?;
        Ok(ExportHandle {
            pipeline: Pipeline::new(),
            matcher,
        })
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        let matcher = &mut self.matcher;
        self.pipeline
            .push(chunk, &mut |c: &FrameContext| matcher.observe(c));
    }

    /// Signals the end of the file.
    pub fn finish(&mut self) {
        let matcher = &mut self.matcher;
        self.pipeline
            .finish(&mut |c: &FrameContext| matcher.observe(c));
    }

    /// Packets selected.
    pub fn packets(&self) -> u32 {
        u32::try_from(self.matcher.frames().len()).unwrap_or(u32::MAX)
    }

    /// The export as `format` ("pcap" | "pcapng"), read back from `file` (the file fed), with an
    /// optional TLS key log for a Decryption Secrets Block (pcapng only).
    pub fn bytes(
        &self,
        file: web_sys::File,
        format: &str,
        keylog: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, JsError> {
        let format = ExportFormat::parse(format)
            .ok_or_else(|| to_js_error(format!("unknown format {format:?}: pcap or pcapng")))?;
        let mut source = FileSource::new(file)
            .map_err(|_| to_js_error("exports can only be read inside a worker"))?;
        let mut bytes = PacketBytes::new(&mut source, self.pipeline.reader().gzip_index());
        let options = ExportOptions {
            format,
            keylog: keylog.as_deref(),
        };
        let mut out = Vec::new();
        write_selection(
            self.pipeline.reader().info(),
            self.matcher.frames(),
            &mut bytes,
            &options,
            &mut out,
        )
        .map_err(to_js_error)?;
        Ok(out)
    }
}
