//! [`CaptureHandle`]: one capture's [`Indexer`] as a JavaScript class living in the page's worker.
//!
//! The worker feeds file chunks with `push`, then asks for the summary, the conversation tables, the
//! frames of a stream, packet-list rows and one frame's details tree and bytes. Every method forwards to the core; results are plain
//! JavaScript objects (see [`super::js_value`]).

use wasm_bindgen::prelude::*;

use super::file_source::FileSource;
use super::js_value::{to_js, to_js_error};
use crate::packet_view::FrameReader;
use crate::pipeline::{ConvKind, Indexer};

/// Most packet-list rows one `packetRows` call decodes; the page asks for the rows it shows, in
/// pages, so this only bounds the time and memory of a single call.
pub const MAX_ROWS_PER_CALL: usize = 2_000;

/// One capture being indexed or browsed. Created by the worker; dropped with it.
#[wasm_bindgen]
pub struct CaptureHandle {
    pub(super) indexer: Indexer,
    /// The stream being followed page by page (see [`super::follow_handle`]).
    pub(super) follow: Option<crate::reassembly::FollowPager>,
}

impl Default for CaptureHandle {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl CaptureHandle {
    /// An empty capture; the format is detected from the first bytes pushed.
    #[wasm_bindgen(constructor)]
    pub fn new() -> CaptureHandle {
        super::panic_report::install();
        CaptureHandle {
            indexer: Indexer::new(),
            follow: None,
        }
    }

    /// Feeds the next chunk of the file (any size; copied into wasm memory by the binding).
    pub fn push(&mut self, chunk: &[u8]) {
        self.indexer.push(chunk);
    }

    /// Signals the end of the file.
    pub fn finish(&mut self) {
        self.indexer.finish();
    }

    /// Stops indexing early, keeping what was read (the summary says `cancelled`).
    pub fn cancel(&mut self) {
        self.indexer.cancel();
    }

    /// `{ bytes, frames }` consumed so far.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        to_js(&self.indexer.progress())
    }

    /// The capture summary (`Summary` in the core), including the error that stopped reading.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.indexer.summary())
    }

    /// The conversation table for `kind` ("tcp", "udp" or "ip"), one object per row.
    pub fn conversations(&self, kind: &str) -> Result<JsValue, JsError> {
        to_js(&self.indexer.conversations(parse_kind(kind)?))
    }

    /// The first `limit` rows of the conversation table for `kind` (the live view while indexing
    /// goes on: converting only the rows shown keeps each refresh cheap).
    #[wasm_bindgen(js_name = conversationsHead)]
    pub fn conversations_head(&self, kind: &str, limit: usize) -> Result<JsValue, JsError> {
        let mut rows = self.indexer.conversations(parse_kind(kind)?);
        rows.truncate(limit);
        to_js(&rows)
    }

    /// Frame numbers of TCP/UDP stream `stream` (for "ip": of the `stream`-th row), ascending.
    #[wasm_bindgen(js_name = framesOfStream)]
    pub fn frames_of_stream(&self, kind: &str, stream: u32) -> Result<Vec<u32>, JsError> {
        Ok(self.indexer.frames_of_stream(parse_kind(kind)?, stream))
    }

    /// Packet-list rows (No., time, source, destination, protocol, length, info, colouring rule,
    /// innermost tcp/udp stream) for `frames` (at most [`MAX_ROWS_PER_CALL`]), each decoded again
    /// from bytes read back from `file`, which must be the file that was indexed. Frame numbers
    /// the index does not know are skipped.
    #[wasm_bindgen(js_name = packetRows)]
    pub fn packet_rows(&self, frames: &[u32], file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = FileSource::new(file)
            .map_err(|_| to_js_error("packet rows can only be read inside a worker"))?;
        let mut reader = FrameReader::new();
        let mut rows = Vec::with_capacity(frames.len().min(MAX_ROWS_PER_CALL));
        for &number in frames.iter().take(MAX_ROWS_PER_CALL) {
            let row = reader
                .row(&self.indexer, number, &mut source)
                .map_err(|e| to_js_error(format!("reading frame {number}: {e}")))?;
            rows.extend(row);
        }
        to_js(&rows)
    }

    /// The packet-details tree and bytes of frame `number` (`{ number, tree, bytes }`, bytes as a
    /// `Uint8Array`), read back from `file`; null when the index has no such frame.
    #[wasm_bindgen(js_name = frameDetails)]
    pub fn frame_details(&self, number: u32, file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = FileSource::new(file)
            .map_err(|_| to_js_error("frame details can only be read inside a worker"))?;
        let details = FrameReader::new()
            .details(&self.indexer, number, &mut source)
            .map_err(|e| to_js_error(format!("reading frame {number}: {e}")))?;
        let Some(details) = details else {
            return Ok(JsValue::NULL);
        };
        let out = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&out, &key.into(), value);
        set("number", &JsValue::from(details.number))
            .and_then(|_| set("tree", &to_js(&details.tree).unwrap_or(JsValue::NULL)))
            .and_then(|_| set("bytes", &js_sys::Uint8Array::from(details.bytes.as_slice())))
            .map_err(|_| to_js_error("could not build the details object"))?;
        Ok(out.into())
    }
}

/// "tcp" | "udp" | "ip" → [`ConvKind`].
fn parse_kind(kind: &str) -> Result<ConvKind, JsError> {
    match kind {
        "tcp" => Ok(ConvKind::Tcp),
        "udp" => Ok(ConvKind::Udp),
        "ip" => Ok(ConvKind::Ip),
        other => Err(to_js_error(format!(
            "unknown conversation kind {other:?} (expected tcp, udp or ip)"
        ))),
    }
}
