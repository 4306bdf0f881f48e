//! wasm-bindgen glue only: the page's worker drives the core through one handle type.
//!
//! - [`capture_handle::CaptureHandle`]: wraps [`crate::pipeline::Indexer`] for one capture.
//! - [`follow_handle`]: the handle's Follow and Follow HTTP methods (paged follow, HTTP messages
//!   with decoded bodies, export objects).
//! - [`file_source::FileSource`]: a [`crate::capture::random_access::ByteSource`] over the `File`
//!   the user opened, read with `FileReaderSync` (workers only) through a read-ahead window.
//! - [`analysis_handle`]: statistics (IO graph, endpoints, Expert Info), fed the file again by
//!   the worker.
//! - [`session_methods`]: the handle's TCP session method (details and ladder of one stream, read
//!   back through the index).
//! - [`graph_handle::GraphHandle`]: one TCP stream's segments and its stream graphs, fed the file
//!   again by the worker.
//! - [`filter_handle`]: display filters for the page (error positions, a run over the capture).
//! - [`export_handle::ExportHandle`]: packet exports (session, lot, conversation, time range) as
//!   pcap / pcapng bytes read back from the `File`.
//! - [`geo_handle::GeoHandle`]: a MaxMind DB in memory placing endpoints (country, AS).
//! - [`match_handle::MatchHandle`]: feeds captures to the matcher and returns its report.
//! - [`opfs_cold_store`]: the index's cold columns in an OPFS file past the index budget.
//! - [`merge_methods`]: the merged view of open captures (each capture's packet timestamps, and
//!   their merge in `tracematch merge`'s order).
//! - [`panic_report`]: keeps a Rust panic's message so the worker can show it.
//! - [`js_value`]: the one place where Rust results become JavaScript values and Rust errors become
//!   JavaScript `Error`s.
//!
//! No analysis happens here: every method forwards to the core and converts the result.

pub mod analysis_handle;
pub mod capture_handle;
pub mod export_handle;
pub mod file_source;
pub mod filter_handle;
pub mod follow_handle;
pub mod geo_handle;
pub mod graph_handle;
pub mod js_value;
pub mod match_handle;
pub mod merge_methods;
pub mod opfs_cold_store;
pub mod panic_report;
pub mod session_methods;

pub use analysis_handle::StatsHandle;
pub use capture_handle::CaptureHandle;
pub use export_handle::ExportHandle;
pub use filter_handle::FilterHandle;
pub use geo_handle::GeoHandle;
pub use graph_handle::GraphHandle;
pub use match_handle::MatchHandle;
