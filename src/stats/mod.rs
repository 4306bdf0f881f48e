//! Statistics over a capture: interval ("IO graph") counters and ESP sequence analysis per SPI.
//!
//! Pure consumers of the pipeline's per-frame [`crate::pipeline::FrameContext`]s, fed in file order.

pub mod esp;
mod frame_facts;
pub mod io;

pub use esp::{EspStats, EspStreamSummary};
pub use frame_facts::FrameFacts;
pub use io::{parse_interval, IoCounters, IoRow, IoStats};
