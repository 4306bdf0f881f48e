//! Rust → JavaScript conversions for the page: one serializer for results, one error adapter.
//!
//! Results go through `serde_wasm_bindgen::Serializer::json_compatible()` (maps become plain
//! objects, `None` becomes `null`). JavaScript numbers hold integers exactly only up to 2^53, so an
//! integer outside that range (epoch timestamps in nanoseconds, for instance) is sent as a decimal
//! string instead of failing or being rounded; the page turns such strings into `BigInt` when it
//! needs exact arithmetic.

use serde::Serialize;
use wasm_bindgen::JsError;
use wasm_bindgen::JsValue;

/// Largest integer a JavaScript number represents exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Turns any displayable error into a JavaScript `Error` carrying its message.
pub fn to_js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

/// Serializes a result for JavaScript (see the module header for the number rule).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let mut json = serde_json::to_value(value).map_err(to_js_error)?;
    widen_unsafe_integers(&mut json);
    json.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(to_js_error)
}

/// Replaces integers that a JavaScript number cannot hold exactly by their decimal strings.
/// Iterative (explicit stack), so deeply nested values cannot overflow the call stack.
pub fn widen_unsafe_integers(root: &mut serde_json::Value) {
    let mut pending = vec![root];
    while let Some(value) = pending.pop() {
        match value {
            serde_json::Value::Number(number) => {
                let unsafe_integer = match (number.as_u64(), number.as_i64()) {
                    (Some(u), _) => u > MAX_SAFE_INTEGER,
                    (None, Some(i)) => i.unsigned_abs() > MAX_SAFE_INTEGER,
                    (None, None) => false,
                };
                if unsafe_integer {
                    *value = serde_json::Value::String(number.to_string());
                }
            }
            serde_json::Value::Array(items) => pending.extend(items.iter_mut()),
            serde_json::Value::Object(fields) => pending.extend(fields.values_mut()),
            _ => {}
        }
    }
}
