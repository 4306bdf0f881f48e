//! Statistics over a capture: interval ("IO graph") counters with optional filters and top
//! talkers, ESP sequence analysis per SPI and direction, IP endpoints, DNS transactions, the
//! protocol hierarchy.
//!
//! Pure consumers of the pipeline's per-frame [`crate::pipeline::FrameContext`]s, fed in file order
//! (the interval counters and DNS also take the frame's TCP analysis from
//! [`crate::session::TcpAnalyzer`], for retransmissions and for DNS in retransmitted segments).
//! Memory stays bounded by what the capture holds: sparse interval buckets, one row per ESP
//! stream / address / DNS query.

pub mod app_frames;
pub mod dns;
pub mod endpoints;
pub mod esp;
pub mod esp_intervals;
mod frame_facts;
pub mod geo_endpoints;
pub mod geoip;
pub mod io;
mod io_filter;
pub mod protocol_hierarchy;
pub mod tls_pdus;
pub mod top_talkers;

pub use app_frames::AppFrames;
pub use dns::{DnsFrameLink, DnsStats, DnsTransaction};
pub use endpoints::{EndpointRow, EndpointTable};
pub use esp::{EspStats, EspStreamSummary, SeqEvent};
pub use esp_intervals::{EspIntervalRow, EspIntervals};
pub use frame_facts::FrameFacts;
pub use geo_endpoints::{country_totals, locate_endpoints, CountryTotal, GeoEndpointRow};
pub use geoip::{GeoDatabase, GeoError, GeoInfo};
pub use io::{parse_interval, IoCounters, IoRow, IoStats};
pub use io_filter::{IoFilter, IoProtocol};
pub use protocol_hierarchy::{PhsRow, ProtocolHierarchy};
pub use top_talkers::{IntervalTalkers, Talker, TopTalkers};
