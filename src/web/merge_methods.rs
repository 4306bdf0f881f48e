//! The page's merged view of its open captures, in two calls: each capture's worker gives its
//! packets' timestamps ([`CaptureHandle::merge_column_js`]), and one short-lived worker merges them
//! ([`merge_order_js`], the order of `tracematch merge`, see [`crate::export::merge_columns`]).
//!
//! Memory: a column crosses to JavaScript as 8 bytes per packet (a `BigInt64Array`, plus a
//! `Uint32Array` of frame numbers only when the capture has records that are not packets); the
//! merge copies the columns into wasm memory (8 bytes per packet) and returns 8 bytes per merged
//! packet. The page bounds the total number of packets it merges.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::capture_handle::CaptureHandle;
use super::js_value::to_js_error;
use crate::export::{merged_frames, MergeColumn};

#[wasm_bindgen]
impl CaptureHandle {
    /// `{ ts, frames }`: the timestamps (epoch ns, a `BigInt64Array`) of the capture's packets in
    /// frame order, and their frame numbers (`Uint32Array`), or null when packet `k` is frame
    /// `k + 1` (no record was left out; pcapng custom and journal blocks are).
    #[wasm_bindgen(js_name = mergeColumn)]
    pub fn merge_column_js(&self) -> Result<JsValue, JsError> {
        let column = MergeColumn::of(&self.indexer);
        let out = js_sys::Object::new();
        let ts = js_sys::BigInt64Array::from(column.ts_ns.as_slice());
        let frames = column
            .frames
            .as_deref()
            .map_or(JsValue::NULL, |f| js_sys::Uint32Array::from(f).into());
        js_sys::Reflect::set(&out, &"ts".into(), &ts)
            .and_then(|_| js_sys::Reflect::set(&out, &"frames".into(), &frames))
            .map_err(|_| to_js_error("could not build the merge column"))?;
        Ok(out.into())
    }
}

/// The merged time order of captures: `ts[i]` (`BigInt64Array`) and `frames[i]` (`Uint32Array` or
/// null) are capture `i`'s [`CaptureHandle::merge_column_js`] result. Returns the pairs `input,
/// frame` flattened into one `Uint32Array` (`input` 0-based in argument order, `frame` the frame
/// number in that capture), in `tracematch merge`'s order.
#[wasm_bindgen(js_name = mergeOrder)]
pub fn merge_order_js(ts: js_sys::Array, frames: js_sys::Array) -> Result<Vec<u32>, JsError> {
    super::panic_report::install();
    let mut columns = Vec::with_capacity(ts.length() as usize);
    for (i, value) in ts.iter().enumerate() {
        let times = value
            .dyn_into::<js_sys::BigInt64Array>()
            .map_err(|_| to_js_error(format!("capture {i}: timestamps are not a BigInt64Array")))?;
        let numbers = frames.get(i as u32);
        let numbers = if numbers.is_null() || numbers.is_undefined() {
            None
        } else {
            let list = numbers
                .dyn_into::<js_sys::Uint32Array>()
                .map_err(|_| to_js_error(format!("capture {i}: frames are not a Uint32Array")))?;
            if list.length() != times.length() {
                return Err(to_js_error(format!(
                    "capture {i}: {} frame numbers for {} timestamps",
                    list.length(),
                    times.length()
                )));
            }
            Some(list.to_vec())
        };
        columns.push(MergeColumn {
            ts_ns: times.to_vec(),
            frames: numbers,
        });
    }
    Ok(merged_frames(&columns))
}
