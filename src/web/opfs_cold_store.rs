//! The page's [`ColdStore`]: a file in the Origin Private File System written and read through
//! its `FileSystemSyncAccessHandle` (synchronous, dedicated workers only). The worker opens the
//! file and its handle before indexing (`www/cold_store.js`), hands the handle over with
//! [`CaptureHandle::use_cold_store`], and closes and deletes the file when the capture closes.
//! Where there is no OPFS (file:// pages) it calls [`CaptureHandle::cold_store_unavailable`]
//! instead, and the index budget stops indexing as before, saying why.

use std::io;

use wasm_bindgen::prelude::*;

use super::capture_handle::CaptureHandle;
use crate::index::ColdStore;

#[wasm_bindgen]
extern "C" {
    /// A `FileSystemSyncAccessHandle` (declared here: web-sys has it behind an unstable flag).
    #[wasm_bindgen(js_name = FileSystemSyncAccessHandle)]
    pub type SyncAccessHandle;

    #[wasm_bindgen(method, catch)]
    fn read(this: &SyncAccessHandle, buffer: &mut [u8], options: &JsValue) -> Result<f64, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn write(this: &SyncAccessHandle, buffer: &[u8], options: &JsValue) -> Result<f64, JsValue>;
}

/// A [`ColdStore`] over an OPFS file's synchronous access handle.
pub struct OpfsColdStore {
    handle: SyncAccessHandle,
}

/// `{ at: offset }`, the option object of `read` and `write`.
fn at(offset: u64) -> JsValue {
    let options = js_sys::Object::new();
    // An offset is below 2^53 (a file of 8 PiB), so it is exact as a JavaScript number.
    let _ = js_sys::Reflect::set(&options, &"at".into(), &JsValue::from(offset as f64));
    options.into()
}

/// A JavaScript exception (a `DOMException` such as `QuotaExceededError`) as an I/O error.
fn js_error(what: &str, e: JsValue) -> io::Error {
    let text = js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    io::Error::other(format!("{what} the local storage file failed: {text}"))
}

impl ColdStore for OpfsColdStore {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        let written = self
            .handle
            .write(bytes, &at(offset))
            .map_err(|e| js_error("writing", e))?;
        if written as usize != bytes.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("local storage took {written} of {} bytes", bytes.len()),
            ));
        }
        Ok(())
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let read = self
            .handle
            .read(buf, &at(offset))
            .map_err(|e| js_error("reading", e))?;
        if read as usize != buf.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("local storage gave {read} of {} bytes", buf.len()),
            ));
        }
        Ok(())
    }
}

#[wasm_bindgen]
impl CaptureHandle {
    /// Past the index budget, the index's cold columns go to the OPFS file behind `handle` (a
    /// `FileSystemSyncAccessHandle` the worker opened) instead of indexing stopping. Call before
    /// the first `push`.
    #[wasm_bindgen(js_name = useColdStore)]
    pub fn use_cold_store(&mut self, handle: SyncAccessHandle) {
        self.indexer
            .set_cold_store(Box::new(OpfsColdStore { handle }));
    }

    /// No cold store can be had (`why`, e.g. the page is a file:// page): the index budget stops
    /// indexing and its message says why.
    #[wasm_bindgen(js_name = coldStoreUnavailable)]
    pub fn cold_store_unavailable(&mut self, why: &str) {
        self.indexer.set_cold_store_unavailable(why);
    }
}
