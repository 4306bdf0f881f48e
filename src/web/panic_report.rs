//! Rust panics in the browser: a panic aborts the wasm instance with an opaque "unreachable"
//! trap, so a hook keeps the panic's message for the worker to report, and logs it to the console.

use std::sync::{Mutex, Once};
use wasm_bindgen::prelude::*;

static INSTALL: Once = Once::new();
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Installs the hook (idempotent); called when a [`super::CaptureHandle`] is created.
pub fn install() {
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = info.to_string();
            web_sys::console::error_1(&JsValue::from_str(&message));
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(message);
            }
        }));
    });
}

/// The message of the last Rust panic in this wasm instance, if one happened.
#[wasm_bindgen(js_name = lastPanicMessage)]
pub fn last_panic_message() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|last| last.clone())
}
