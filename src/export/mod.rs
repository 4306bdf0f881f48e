//! Writing captures: classic pcap (µs / ns) and a minimal pcapng, over any [`std::io::Write`].
//!
//! Used by "save" views, by the synthetic traffic generator ([`crate::synth`]) and by tests that need
//! small capture files.

pub mod pcap_writer;

pub use pcap_writer::{PcapNgWriter, PcapWriter, TsResolution};
