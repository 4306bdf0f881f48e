//! # tracematch
//!
//! A packet-capture analyzer whose core runs natively (the `tracematch` CLI) and in the browser
//! (WebAssembly in a Web Worker). The pipeline, one folder per stage; a lower stage never imports a
//! higher one:
//!
//! 1. [`capture`]: read pcap / pcapng / gzip as a stream of chunks of any size → [`capture::FrameMeta`] + bytes.
//! 2. [`decode`]: link → network → transport → application headers, laxly, into [`decode::DecodedFrame`].
//! 3. [`flow`]: `tcp.stream` / `udp.stream` numbering exactly as tshark 4.0, and conversations.
//! 4. [`index`]: the compact per-packet index every view reads; payload bytes are never kept.
//! 5. [`reassembly`], [`app`], [`session`], [`stats`], [`matching`]: analyses over the index plus
//!    payload read back from the file on demand.
//! 6. [`fields`]: tshark-compatible field names and value formats; [`cli`] and `web` are thin front ends.
//!
//! The no-panic contract: no input file, however damaged or hostile, makes the core panic. Damage is
//! reported as a [`capture::CaptureError`] naming the file offset, or as an anomaly on the frame, and
//! everything read before it is kept.
#![deny(unsafe_code)]

pub mod app;
pub mod capture;
pub mod decode;
pub mod details;
pub mod export;
pub mod fields;
pub mod filter;
pub mod flow;
pub mod index;
pub mod limits;
pub mod matching;
pub mod packet_view;
pub mod pipeline;
pub mod reassembly;
pub mod session;
pub mod stats;
#[cfg(not(target_arch = "wasm32"))]
pub mod synth;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod web;
