//! The compact per-packet index (columns, not a Vec of structs) that every view reads.
//!
//! Per packet, 30 bytes on plain TCP/UDP traffic: where the bytes are (40-bit offset + 24-bit
//! captured length packed in 8 bytes), the timestamp (8), wire length as a 16-bit excess over the
//! captured length (2; larger excesses go to a side table), the innermost stream id (4), the IP
//! conversation id (4), packed flags (2: TCP flags, direction, kind) and the interface (2).
//! Frames with several TCP/UDP layers (tunnels, ICMP errors) list the extra stream ids in a side
//! table. Everything else is decoded again from the file when a view asks. Past the index budget
//! the cold columns move to a [`ColdStore`] (see [`PacketIndex::spill_cold_columns`]).

mod chunked_column;
pub mod cold_store;
mod column_value;
mod packet_index;
pub mod persist;
mod persist_codec;
mod reread;
mod spillable_column;

pub use chunked_column::CHUNK_LEN;
#[cfg(not(target_arch = "wasm32"))]
pub use cold_store::FileColdStore;
pub use cold_store::{ColdStore, MemoryColdStore};
pub use packet_index::{IndexEntry, PacketIndex, StreamKind};
pub use persist::PersistError;
pub use reread::{frame_meta, reread_frame, RereadFrame, FRAGMENT_LOOKBACK};
