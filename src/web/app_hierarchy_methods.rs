//! [`CaptureHandle`]'s protocol-hierarchy method: the `http` / `tls` nodes the page's hierarchy
//! lacks (its statistics pass has no index and no reassembly), computed by the core from the
//! indexed capture ([`AppFrames`], then [`app_nodes_of_capture`]: the marked frames read back
//! through the index).

use wasm_bindgen::prelude::*;

use super::capture_handle::CaptureHandle;
use super::follow_handle::file_source;
use super::js_value::{to_js, to_js_error};
use crate::capture::random_access::ByteSource;
use crate::stats::{app_nodes_of_capture, AppFrames};

#[wasm_bindgen]
impl CaptureHandle {
    /// The application nodes to add to the protocol hierarchy: `[{ parent, proto, frames,
    /// bytes }]` (`parent` is the path of the row they go under, e.g. `eth:ip:tcp`), in the order
    /// of their first frame. Reads every TCP stream's bytes back from `file` (one pass over the
    /// streams, then the marked frames).
    #[wasm_bindgen(js_name = appHierarchy)]
    pub fn app_hierarchy_js(&self, file: web_sys::File) -> Result<JsValue, JsError> {
        let mut source = file_source(file)?;
        self.app_hierarchy_from(&mut source)
    }
}

impl CaptureHandle {
    /// [`Self::app_hierarchy_js`] over any byte source (the capture that was indexed).
    pub fn app_hierarchy_from(&self, source: &mut dyn ByteSource) -> Result<JsValue, JsError> {
        let app = AppFrames::of_capture(&self.indexer, source);
        let nodes = app_nodes_of_capture(&self.indexer, source, &app)
            .map_err(|e| to_js_error(format!("reading the marked frames: {e}")))?;
        to_js(&nodes)
    }
}
