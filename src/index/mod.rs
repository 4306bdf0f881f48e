//! The compact per-packet index (columns, not a Vec of structs) that every view reads.
//!
//! Per packet, 30 bytes on plain TCP/UDP traffic: where the bytes are (40-bit offset + 24-bit
//! captured length packed in 8 bytes), the timestamp (8), wire length as a 16-bit excess over the
//! captured length (2; larger excesses go to a side table), the innermost stream id (4), the IP
//! conversation id (4), packed flags (2: TCP flags, direction, kind) and the interface (2).
//! Frames with several TCP/UDP layers (tunnels, ICMP errors) list the extra stream ids in a side
//! table. Everything else is decoded again from the file when a view asks.

mod chunked_column;
mod packet_index;
pub mod persist;
mod persist_codec;
mod reread;

pub use packet_index::{IndexEntry, PacketIndex, StreamKind};
pub use persist::PersistError;
pub use reread::{frame_meta, reread_frame, RereadFrame, FRAGMENT_LOOKBACK};
