//! [`CaptureHandle`]'s TCP session method: one stream's session details and ladder, computed by
//! the core from the stream's frames read back through the index
//! ([`crate::session::analyze_indexed_session`]), not from another pass over the whole file.

use wasm_bindgen::prelude::*;

use super::capture_handle::CaptureHandle;
use super::follow_handle::file_source;
use super::js_value::{to_js, to_js_error};
use crate::capture::random_access::ByteSource;
use crate::session::analyze_indexed_session;

#[wasm_bindgen]
impl CaptureHandle {
    /// `{ session, ladder: { arrows, dropped } }` for `tcp.stream == stream`, or null when the
    /// stream has no packets.
    #[wasm_bindgen(js_name = session)]
    pub fn session_js(&self, stream: u32, file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = file_source(file)?;
        self.session_from(stream, &mut source)
    }
}

impl CaptureHandle {
    /// [`Self::session_js`] over any byte source (the capture that was indexed).
    pub fn session_from(
        &self,
        stream: u32,
        source: &mut dyn ByteSource,
    ) -> Result<JsValue, JsError> {
        let result = analyze_indexed_session(&self.indexer, source, stream)
            .map_err(|e| to_js_error(format!("reading the stream: {e}")))?;
        to_js(&result)
    }
}
