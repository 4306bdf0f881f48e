//! TCP sessions: tshark 4.0's per-frame TCP analysis (`tcp.analysis.*`, relative sequence numbers,
//! ACK RTT, bytes in flight), per-stream session details (handshake, state, packet lots) and an
//! Expert Info summary.
//!
//! Everything here is a pure consumer of the pipeline's per-frame [`crate::pipeline::FrameContext`]s,
//! fed in file order; nothing reads files. The recipe every front end follows:
//!
//! ```
//! use tracematch::pipeline::{FrameContext, Pipeline};
//! use tracematch::session::{format_field, TcpAnalyzer, TcpSessionTracker};
//! use tracematch::synth::{CapturePoint, Dir, Endpoint, IpIdCounters, TcpConversation};
//!
//! // A small generated capture: one HTTP-like exchange.
//! let conv = TcpConversation::new(
//!     0,
//!     Endpoint::new("10.0.0.1".parse().unwrap(), 40000),
//!     Endpoint::new("10.0.0.2".parse().unwrap(), 80),
//!     1_700_000_000_000_000_000,
//! )
//! .message(Dir::ToServer, b"GET / HTTP/1.1\r\n\r\n".to_vec())
//! .message(Dir::ToClient, vec![b'x'; 3000]);
//! let mut pcap = Vec::new();
//! CapturePoint::new("doc")
//!     .write_pcap(&conv.packets(&mut IpIdCounters::new(1)), &mut pcap,
//!                 tracematch::export::TsResolution::Nano)
//!     .unwrap();
//!
//! let mut pipeline = Pipeline::new();
//! let mut analyzer = TcpAnalyzer::new();
//! let mut sessions = TcpSessionTracker::for_stream(0);
//! let mut tcp = Vec::new();
//! let mut rel_seq = Vec::new();
//! let mut visit = |c: &FrameContext| {
//!     analyzer.analyze_frame(c, &mut tcp);   // one LayerAnalysis per TCP layer
//!     sessions.observe(c, &tcp);
//!     rel_seq.push(format_field("tcp.seq", &tcp, None));
//! };
//! pipeline.push(&pcap, &mut visit);
//! pipeline.finish(&mut visit);
//!
//! let s = sessions.session(0).unwrap();
//! assert_eq!(s.client.port, 40000);
//! assert_eq!(s.server_to_client.payload_bytes, 3000);
//! assert_eq!(rel_seq[0].as_deref(), Some("0")); // the SYN
//! assert!(analyzer.initial_rtt_ns(0).is_some());
//! ```
//!
//! `tshark -2` prints some values from the end of its first pass (relative numbers before a
//! late SYN/ACK, window scales learned late, `tcp.analysis.initial_rtt`): keep the frames'
//! [`LayerAnalysis`] lists (or read the file again) and run [`TcpAnalyzer::display_pass`] over them
//! before formatting, passing the finished analyzer to [`format_field`].

pub mod analysis_flags;
pub mod epoch_seconds;
pub mod expert_summary;
pub mod indexed_session;
pub mod ladder;
pub mod stream_graph;
pub mod stream_graph_series;
pub mod tcp_analysis;
pub mod tcp_analysis_fields;
pub mod tcp_layers;
pub mod tcp_session;

pub use analysis_flags::AnalysisFlags;
pub use epoch_seconds::EpochSeconds;
pub use expert_summary::{ExpertRow, ExpertSummary};
pub use indexed_session::{analyze_indexed_session, SessionWithLadder};
pub use ladder::{Ladder, LadderArrow, LadderBuilder};
pub use stream_graph::{GraphSegment, StreamGraphBuilder, StreamSegments};
pub use stream_graph_series::{stream_graph, GraphKind, GraphLine, GraphPoint, StreamGraph};
pub use tcp_analysis::{LayerAnalysis, SegmentInput, TcpAnalysis, TcpAnalyzer, TcpDisplayPass};
pub use tcp_analysis_fields::{format_field, format_relative_time, is_tcp_analysis_field};
pub use tcp_session::{
    DirectionStats, Endpoint, PacketLot, SessionState, TcpSession, TcpSessionTracker,
};
