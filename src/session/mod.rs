//! TCP sessions: tshark 4.0's per-frame TCP analysis (`tcp.analysis.*`, relative sequence numbers,
//! ACK RTT, bytes in flight) and per-stream session details (handshake, state, packet lots).
//!
//! Everything here is a pure consumer of the pipeline's per-frame [`crate::pipeline::FrameContext`]s,
//! fed in file order; nothing reads files.

pub mod analysis_flags;
pub mod tcp_analysis;
pub mod tcp_analysis_fields;
pub mod tcp_session;

pub use analysis_flags::AnalysisFlags;
pub use tcp_analysis::{LayerAnalysis, SegmentInput, TcpAnalysis, TcpAnalyzer, TcpDisplayPass};
pub use tcp_analysis_fields::{format_field, format_relative_time, is_tcp_analysis_field};
pub use tcp_session::{
    DirectionStats, Endpoint, PacketLot, SessionState, TcpSession, TcpSessionTracker,
};
