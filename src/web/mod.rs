//! wasm-bindgen glue only: handles and DTOs for the page's worker.
