//! Rust → JavaScript conversions for the page: one serializer for results, one error adapter.
//!
//! Results cross as JSON text that JavaScript's `JSON.parse` turns into plain objects (maps become
//! objects, `None` becomes `null`). One string crossing the boundary is much faster than building
//! the objects field by field from wasm (serde-wasm-bindgen's `json_compatible` serializer): for a
//! 60,000-row conversation table in Chromium, on the same busy 2-core machine, the call took 4.2 s
//! that way and 1.5 s (0.3 s when the machine was idle) as JSON text.
//!
//! JavaScript numbers hold integers exactly only up to 2^53, so an integer outside that range
//! (epoch timestamps in nanoseconds, for instance) is written as a decimal string instead of being
//! rounded; the page turns such strings into `BigInt` when it needs exact arithmetic.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};
use wasm_bindgen::{JsError, JsValue};

/// Largest integer a JavaScript number represents exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Turns any displayable error into a JavaScript `Error` carrying its message.
pub fn to_js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

/// Serializes a result for JavaScript (see the module header for the number rule).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let text = to_json_text(value).map_err(to_js_error)?;
    js_sys::JSON::parse(&text).map_err(|_| to_js_error("the page could not parse a result"))
}

/// `value` as compact JSON in which integers beyond ±(2^53 − 1) are quoted decimal strings.
pub fn to_json_text<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(256);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut out, JsSafeFormatter::default());
    value.serialize(&mut serializer)?;
    // serde_json writes only valid UTF-8.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// Compact JSON, except that unsafe integers outside strings are written quoted.
#[derive(Default)]
struct JsSafeFormatter {
    /// True between `begin_string` and `end_string` (integer map keys are written there, already
    /// quoted).
    in_string: bool,
}

impl JsSafeFormatter {
    fn integer<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        text: impl std::fmt::Display,
        safe: bool,
    ) -> io::Result<()> {
        if safe || self.in_string {
            write!(writer, "{text}")
        } else {
            write!(writer, "\"{text}\"")
        }
    }
}

impl Formatter for JsSafeFormatter {
    fn write_i64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i64) -> io::Result<()> {
        self.integer(writer, value, value.unsigned_abs() <= MAX_SAFE_INTEGER)
    }
    fn write_u64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u64) -> io::Result<()> {
        self.integer(writer, value, value <= MAX_SAFE_INTEGER)
    }
    fn write_i128<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i128) -> io::Result<()> {
        self.integer(
            writer,
            value,
            value.unsigned_abs() <= u128::from(MAX_SAFE_INTEGER),
        )
    }
    fn write_u128<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u128) -> io::Result<()> {
        self.integer(writer, value, value <= u128::from(MAX_SAFE_INTEGER))
    }
    fn begin_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_string = true;
        CompactFormatter.begin_string(writer)
    }
    fn end_string<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_string = false;
        CompactFormatter.end_string(writer)
    }
}
