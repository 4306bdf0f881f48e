//! Stream reassembly for "Follow stream": TCP (per direction, in sequence order, as tshark 4.0's
//! follow) and UDP (per datagram), and the follow output formats.
//!
//! Pure: the caller hands in the stream's segments (payload read back from the capture) and gets
//! chunks back lazily; nothing here reads a capture.

pub mod follow_format;
pub mod tcp_follow;
pub mod udp_follow;

pub use follow_format::{write_follow, FollowFormat, FollowHeader, FollowProto, FollowWriter, NodeFilter};
pub use tcp_follow::{follow_tcp, FollowChunk, FollowTcpIter, Gap, TcpFollow, TcpFollowOptions, TcpSegment};
pub use udp_follow::{follow_udp, UdpDatagram};
