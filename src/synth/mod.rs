//! Deterministic synthetic traffic for fixtures, demo captures and the benchmark.
//!
//! Logical traffic is built from [`TcpConversation`]s (handshake with options, segmented data,
//! impairments, FIN/RST close), [`UdpExchange`]s (DNS-like lookups) and HTTP/1.1 exchanges
//! ([`http_message`]: plain, chunked, until-close bodies with stacked content codings). A
//! [`CapturePoint`] shows that traffic as seen at one place (NAT/PAT, DNAT, TTL, clock offset and
//! drift, sequence offsets, IP ID rewrite, drops, VLAN). [`demo_pair`] writes the two-point demo;
//! [`bulk`] streams a large mixed capture for the benchmark; [`hostile`] writes markup-laden traffic
//! for the page's injection test. There is no randomness without an
//! explicit seed.

pub mod bulk;
pub mod capture_point;
pub mod demo;
pub mod hostile;
pub mod http_message;
pub mod packet;
pub mod rng;
pub mod tcp_conversation;
pub mod udp_exchange;

pub use bulk::{bulk, BulkStats};
pub use capture_point::{when, CapturePoint, PatMap, Predicate, Transform};
pub use demo::{demo_pair, DemoSummary};
pub use http_message::{http_conversation, Body, ContentCoding, Framing, HttpExchange};
pub use packet::{render_frame, LogicalPacket, PacketRole, TcpOptions, Transport};
pub use rng::XorShift64;
pub use tcp_conversation::{Close, Dir, Endpoint, Impairment, IpIdCounters, TcpConversation};
pub use udp_exchange::UdpExchange;
