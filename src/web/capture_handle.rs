//! [`CaptureHandle`]: one capture's [`Indexer`] as a JavaScript class living in the page's worker.
//!
//! The worker feeds file chunks with `push`, then asks for the summary, the conversation tables, the
//! frames of a stream, packet-list rows and one frame's details tree and bytes. Every method forwards to the core; results are plain
//! JavaScript objects (see [`super::js_value`]).

use wasm_bindgen::prelude::*;

use super::file_source::FileSource;
use super::js_value::{to_js, to_js_error};
use crate::limits::Budget;
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
    /// An empty capture with the page's memory budget ([`Budget::wasm`]: the index stops cleanly
    /// at 1.5 GiB); the format is detected from the first bytes pushed.
    #[wasm_bindgen(constructor)]
    pub fn new() -> CaptureHandle {
        super::panic_report::install();
        CaptureHandle {
            indexer: Indexer::with_budget(&Budget::wasm()),
            follow: None,
        }
    }

    /// An empty capture whose index budget is `index_bytes` (the page's test-only
    /// `?test-index-budget=` option); the other budgets are the page's defaults.
    #[wasm_bindgen(js_name = withIndexBudget)]
    pub fn with_index_budget(index_bytes: f64) -> CaptureHandle {
        super::panic_report::install();
        let budget = Budget {
            index_bytes: if index_bytes.is_finite() && index_bytes >= 1.0 {
                index_bytes as u64
            } else {
                Budget::wasm().index_bytes
            },
            ..Budget::wasm()
        };
        CaptureHandle {
            indexer: Indexer::with_budget(&budget),
            follow: None,
        }
    }

    /// Test-only (the page's `?test-oom=NAME`): allocates 512 MiB blocks, untouched, until an
    /// allocation fails, as indexing a huge capture would at wasm32's 4 GiB limit. The failure
    /// aborts the instance (an `unreachable` trap, no panic message), which the worker reports as
    /// running out of memory. At most 16 blocks (8 GiB) are asked for, so it always ends.
    #[wasm_bindgen(js_name = testExhaustMemory)]
    pub fn test_exhaust_memory(&self) -> usize {
        let mut held: Vec<Vec<u8>> = Vec::new();
        for _ in 0..16 {
            held.push(std::hint::black_box(Vec::with_capacity(512 << 20)));
        }
        held.iter().map(Vec::capacity).sum()
    }

    /// A capture restored from the bytes [`CaptureHandle::saved_index`] gave (the page's index
    /// cache); an error names what is wrong with them (wrong version, truncated, corrupt).
    #[wasm_bindgen(js_name = fromSavedIndex)]
    pub fn from_saved_index(bytes: &[u8]) -> Result<CaptureHandle, JsError> {
        super::panic_report::install();
        let indexer = Indexer::from_bytes(bytes).map_err(|e| to_js_error(e.to_string()))?;
        Ok(CaptureHandle {
            indexer,
            follow: None,
        })
    }

    /// The saved form of the finished index (see `crate::index::persist`); an error when it
    /// cannot be saved (cancelled, damaged or compressed capture).
    #[wasm_bindgen(js_name = savedIndex)]
    pub fn saved_index(&self) -> Result<Vec<u8>, JsError> {
        self.indexer
            .to_bytes()
            .map_err(|e| to_js_error(e.to_string()))
    }

    /// About how many bytes `savedIndex` would make (to check memory and quota before saving).
    #[wasm_bindgen(js_name = savedIndexSizeEstimate)]
    pub fn saved_index_size_estimate(&self) -> f64 {
        crate::index::persist::saved_size_estimate(&self.indexer) as f64
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
