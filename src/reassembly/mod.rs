//! Stream reassembly for "Follow stream": TCP (per direction, in sequence order, as tshark 4.0's
//! follow) and UDP (per datagram), and the follow output formats.
//!
//! The core ([`tcp_follow`], [`udp_follow`], [`follow_format`]) is pure: the caller hands in the
//! stream's segments and gets chunks back lazily. [`stream_source`] and [`follow_stream`] connect it
//! to an indexed capture (frames read back from the file one at a time); [`follow_pager`] follows a
//! stream in pages for front ends that cannot keep a borrowing iterator between calls.

pub mod follow_format;
pub mod follow_pager;
pub mod follow_stream;
pub mod stream_source;
pub mod tcp_follow;
pub mod udp_follow;

pub use follow_format::{
    write_follow, FollowFormat, FollowHeader, FollowNode, FollowProto, FollowWriter, NodeAddress,
    NodeFilter,
};
pub use follow_pager::{FollowPage, FollowPager};
pub use follow_stream::{stream_chunks, write_stream_follow};
pub use stream_source::StreamReader;
pub use tcp_follow::{
    follow_tcp, FollowChunk, FollowTcpIter, Gap, TcpFollow, TcpFollowOptions, TcpSegment,
};
pub use udp_follow::{follow_udp, UdpDatagram};
