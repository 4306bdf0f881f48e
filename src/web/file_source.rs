//! Random access to the user's `File` from inside the worker, for views that read packet bytes back.
//!
//! Each `FileReaderSync` read costs about 2 ms in Chromium whatever its size, so reads go through
//! one read-ahead window: a miss reads [`READ_AHEAD`] bytes (or the request, if larger) starting at
//! the requested offset, and the frames of a stream or a page of the packet list, which are read in
//! ascending order, are mostly served from it. Memory bound: one window (the larger of
//! [`READ_AHEAD`] and the largest single request).

use crate::capture::random_access::ByteSource;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{File, FileReaderSync};

/// Bytes read per window miss.
pub const READ_AHEAD: u64 = 1 << 20;

/// A [`ByteSource`] over a `web_sys::File` (workers only: `FileReaderSync` is not in the window).
pub struct FileSource {
    file: File,
    reader: FileReaderSync,
    len: u64,
    window_start: u64,
    window: Vec<u8>,
}

impl FileSource {
    /// Wraps `file`; fails outside a worker, where `FileReaderSync` does not exist.
    pub fn new(file: File) -> Result<FileSource, JsValue> {
        let reader = FileReaderSync::new()?;
        let size = file.size();
        // Blob sizes are non-negative integers below 2^53; anything else reads as empty.
        let len = if size.is_finite() && size > 0.0 {
            size as u64
        } else {
            0
        };
        Ok(FileSource {
            file,
            reader,
            len,
            window_start: 0,
            window: Vec::new(),
        })
    }

    /// Replaces the window with the bytes at `[start, start + want)`, clipped to the file.
    fn fill_window(&mut self, start: u64, want: u64) -> std::io::Result<()> {
        let end = start.saturating_add(want).min(self.len);
        let blob = self
            .file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(js_to_io)?;
        let buffer = self.reader.read_as_array_buffer(&blob).map_err(js_to_io)?;
        self.window = js_sys::Uint8Array::new(&buffer).to_vec();
        self.window_start = start;
        Ok(())
    }

    /// True when `[offset, offset + len)` lies inside the current window.
    fn window_holds(&self, offset: u64, len: u64) -> bool {
        let window_end = self.window_start.saturating_add(self.window.len() as u64);
        offset >= self.window_start && offset.saturating_add(len) <= window_end
    }
}

impl ByteSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let wanted = (buf.len() as u64).min(self.len - offset);
        if !self.window_holds(offset, wanted) {
            self.fill_window(offset, wanted.max(READ_AHEAD))?;
        }
        // The window now starts at or before `offset` and covers `wanted` bytes (or the file end).
        let from = usize::try_from(offset - self.window_start).unwrap_or(usize::MAX);
        let available = self.window.get(from..).unwrap_or(&[]);
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        Ok(n)
    }
}

/// A failed browser read as an I/O error (the core's `ByteSource` contract).
fn js_to_io(error: JsValue) -> std::io::Error {
    let message = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "reading the file failed".to_string());
    std::io::Error::other(message)
}
