//! The handle's Follow and Follow HTTP methods: a stream followed in pages (the first screen of a
//! stream of hundreds of megabytes comes at once), the HTTP messages of a stream with their decoded
//! bodies, the TLS handshake summary, and export objects.
//!
//! Glue only: [`FollowPager`], [`http_messages_of_stream`], [`http_messages`] and
//! [`export_objects`], [`tls_summary_of_stream`] do the work. Payload bytes cross to JavaScript as one `Uint8Array` per page
//! (chunks carry offsets into it) or per body, never as arrays of numbers.
//!
//! Each method taking a `File` has a Rust twin taking any [`ByteSource`] (`*_from`), which the wasm
//! tests drive with an in-memory capture (Node has no `FileReaderSync`).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::capture_handle::CaptureHandle;
use super::file_source::FileSource;
use super::js_value::{to_js, to_js_error};
use crate::app::http::{
    export_objects, http_messages, http_messages_of_stream, HttpMessage, HttpOptions,
};
use crate::app::tls::tls_summary_of_stream;
use crate::capture::random_access::ByteSource;
use crate::reassembly::{FollowNode, FollowPager, FollowProto, TcpFollowOptions};

/// Largest page `followNext` returns, bytes of payload (the page asks for less).
pub const MAX_PAGE_BYTES: u32 = 16 << 20;

/// One end of the followed stream, as the page shows it.
#[derive(Serialize)]
struct NodeDto {
    /// Address as tshark prints it (empty when unknown).
    address: String,
    /// Port.
    port: u16,
}

impl From<FollowNode> for NodeDto {
    fn from(n: FollowNode) -> Self {
        NodeDto {
            address: n.address.to_string(),
            port: n.port,
        }
    }
}

/// `followStart`'s result: the banner of the followed stream.
#[derive(Serialize)]
struct FollowHeaderDto {
    proto: &'static str,
    stream: u32,
    node0: NodeDto,
    node1: NodeDto,
    frames: usize,
}

/// One chunk of a page: its bytes are `bytes[offset .. offset + len]` of the page.
#[derive(Serialize)]
struct ChunkDto {
    frame: u32,
    ts_ns: i64,
    dir: u8,
    offset: usize,
    len: usize,
    /// Bytes missing before this chunk in its direction (a gap), if any.
    gap_missing: Option<u64>,
    /// The frame whose acknowledgment revealed the gap.
    gap_frame: Option<u32>,
}

/// `followNext`'s result without the bytes (added as a `Uint8Array`).
#[derive(Serialize)]
struct PageDto {
    chunks: Vec<ChunkDto>,
    done: bool,
    frames_read: usize,
}

/// "tcp" | "udp" → [`FollowProto`].
fn parse_proto(proto: &str) -> Result<FollowProto, JsError> {
    match proto {
        "tcp" => Ok(FollowProto::Tcp),
        "udp" => Ok(FollowProto::Udp),
        other => Err(to_js_error(format!(
            "cannot follow {other:?} (expected tcp or udp)"
        ))),
    }
}

/// The user's `File` as a byte source (workers only).
pub(super) fn file_source(file: web_sys::File) -> Result<FileSource, JsError> {
    FileSource::new(file).map_err(|_| to_js_error("the file can only be read inside a worker"))
}

/// Sets `object[key] = value`.
fn set(object: &JsValue, key: &str, value: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(object, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| to_js_error("could not build the result object"))
}

/// Messages as objects (the `tracematch http --json` fields) each with `body`: a `Uint8Array` of
/// the decoded body, or null.
fn messages_to_js(messages: &[HttpMessage]) -> Result<JsValue, JsError> {
    let array = js_sys::Array::new();
    for m in messages {
        let object = to_js(m)?;
        let body = match &m.body {
            Some(b) => js_sys::Uint8Array::from(b.as_slice()).into(),
            None => JsValue::NULL,
        };
        set(&object, "body", &body)?;
        array.push(&object);
    }
    Ok(array.into())
}

#[wasm_bindgen]
impl CaptureHandle {
    /// Starts following TCP/UDP stream `stream` (replacing any stream followed before); returns
    /// `{ proto, stream, node0: {address, port}, node1, frames }`. Node 0 is the source of the
    /// stream's first packet. Fails when the stream does not exist.
    #[wasm_bindgen(js_name = followStart)]
    pub fn follow_start(
        &mut self,
        proto: &str,
        stream: u32,
        file: web_sys::File,
    ) -> Result<JsValue, JsError> {
        let mut source = file_source(file)?;
        self.follow_start_from(proto, stream, &mut source)
    }

    /// The next page of the followed stream, about `max_bytes` of payload (capped at
    /// [`MAX_PAGE_BYTES`]): `{ chunks: [{frame, ts_ns, dir, offset, len, gap_missing,
    /// gap_frame}], bytes: Uint8Array, done, frames_read }`. Chunks are tshark's (one per segment,
    /// retransmissions dropped); gaps are marked on the chunk after them, never written as bytes.
    #[wasm_bindgen(js_name = followNext)]
    pub fn follow_next(&mut self, max_bytes: u32, file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = file_source(file)?;
        self.follow_next_from(max_bytes, &mut source)
    }

    /// HTTP/1.x messages of TCP stream `stream`, in stream order: the `tracematch http --json`
    /// fields plus `body` (the de-chunked, decoded body as a `Uint8Array`, or null).
    #[wasm_bindgen(js_name = httpMessages)]
    pub fn http_messages_js(&self, stream: u32, file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = file_source(file)?;
        self.http_messages_from(stream, &mut source)
    }

    /// What the TLS handshake of TCP stream `stream` reveals (`TlsSummary` in the core: SNI, ALPN,
    /// versions, chosen cipher suite, certificate subject), or null when the stream is not TLS.
    /// Reads only the stream's first records.
    #[wasm_bindgen(js_name = tlsSummary)]
    pub fn tls_summary_js(&self, stream: u32, file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = file_source(file)?;
        self.tls_summary_from(stream, &mut source)
    }

    /// Export objects of the whole capture (Wireshark's File → Export Objects → HTTP list):
    /// `[{stream, frame, host, path, content_type, size, filename}]`. Bodies are not kept; get one
    /// with `exportObjectBody`.
    #[wasm_bindgen(js_name = exportObjects)]
    pub fn export_objects_js(&self, file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = file_source(file)?;
        self.export_objects_from(&mut source)
    }

    /// The decoded body of the object of TCP stream `stream` whose message ends at frame `frame`
    /// (an `exportObjects` row), as a `Uint8Array`.
    #[wasm_bindgen(js_name = exportObjectBody)]
    pub fn export_object_body(
        &self,
        stream: u32,
        frame: u32,
        file: web_sys::File,
    ) -> Result<js_sys::Uint8Array, JsError> {
        let mut source = file_source(file)?;
        self.export_object_body_from(stream, frame, &mut source)
    }
}

impl CaptureHandle {
    /// [`Self::follow_start`] over any byte source (the capture that was indexed).
    pub fn follow_start_from(
        &mut self,
        proto: &str,
        stream: u32,
        source: &mut dyn ByteSource,
    ) -> Result<JsValue, JsError> {
        let proto = parse_proto(proto)?;
        self.follow = None;
        let pager = FollowPager::new(
            &self.indexer,
            source,
            proto,
            stream,
            TcpFollowOptions::default(),
        )
        .ok_or_else(|| to_js_error(format!("no such stream: {stream}")))?;
        let h = *pager.header();
        let dto = FollowHeaderDto {
            proto: match h.proto {
                FollowProto::Tcp => "tcp",
                FollowProto::Udp => "udp",
            },
            stream: h.stream,
            node0: h.node0.into(),
            node1: h.node1.into(),
            frames: pager.frame_count(),
        };
        self.follow = Some(pager);
        to_js(&dto)
    }

    /// [`Self::follow_next`] over any byte source.
    pub fn follow_next_from(
        &mut self,
        max_bytes: u32,
        source: &mut dyn ByteSource,
    ) -> Result<JsValue, JsError> {
        let pager = self
            .follow
            .as_mut()
            .ok_or_else(|| to_js_error("no stream is being followed (call followStart first)"))?;
        let max = usize::try_from(max_bytes.clamp(1, MAX_PAGE_BYTES)).unwrap_or(1);
        let page = pager
            .next_page(&self.indexer, source, max)
            .map_err(|e| to_js_error(format!("reading the stream: {e}")))?;
        let total: usize = page.chunks.iter().map(|c| c.bytes.len()).sum();
        let mut bytes = Vec::with_capacity(total);
        let mut chunks = Vec::with_capacity(page.chunks.len());
        for c in &page.chunks {
            chunks.push(ChunkDto {
                frame: c.frame,
                ts_ns: c.ts_ns,
                dir: c.dir,
                offset: bytes.len(),
                len: c.bytes.len(),
                gap_missing: c.gap_before.map(|g| g.missing),
                gap_frame: c.gap_before.map(|g| g.revealed_by_frame),
            });
            bytes.extend_from_slice(&c.bytes);
        }
        let object = to_js(&PageDto {
            chunks,
            done: page.done,
            frames_read: pager.frames_read(),
        })?;
        set(
            &object,
            "bytes",
            &js_sys::Uint8Array::from(bytes.as_slice()).into(),
        )?;
        Ok(object)
    }

    /// [`Self::http_messages_js`] over any byte source.
    pub fn http_messages_from(
        &self,
        stream: u32,
        source: &mut dyn ByteSource,
    ) -> Result<JsValue, JsError> {
        let messages =
            http_messages_of_stream(&self.indexer, source, stream, HttpOptions::default());
        messages_to_js(&messages)
    }

    /// [`Self::tls_summary_js`] over any byte source.
    pub fn tls_summary_from(
        &self,
        stream: u32,
        source: &mut dyn ByteSource,
    ) -> Result<JsValue, JsError> {
        to_js(&tls_summary_of_stream(&self.indexer, source, stream))
    }

    /// [`Self::export_objects_js`] over any byte source.
    pub fn export_objects_from(&self, source: &mut dyn ByteSource) -> Result<JsValue, JsError> {
        let messages = http_messages(&self.indexer, source, HttpOptions::default());
        to_js(&export_objects(&messages))
    }

    /// [`Self::export_object_body`] over any byte source.
    pub fn export_object_body_from(
        &self,
        stream: u32,
        frame: u32,
        source: &mut dyn ByteSource,
    ) -> Result<js_sys::Uint8Array, JsError> {
        let messages =
            http_messages_of_stream(&self.indexer, source, stream, HttpOptions::default());
        messages
            .iter()
            .find(|m| m.last_frame == frame && m.body.is_some())
            .and_then(|m| m.body.as_deref())
            .map(js_sys::Uint8Array::from)
            .ok_or_else(|| {
                to_js_error(format!(
                    "no HTTP body ends at frame {frame} of stream {stream}"
                ))
            })
    }
}
