//! Reading a frame's record back from the capture exactly as stored: the packet bytes including any
//! link-layer pseudo-header the reader strips (so exports keep what the file had), the original
//! lengths, and for pcapng the packet block's raw timestamp in its interface's units.
//!
//! The index knows where a frame's *dissected* bytes start ([`FrameLocation::offset`]); the record
//! header sits right before them. For pcapng the block header is read and checked (block type,
//! captured length) before it is trusted; a frame whose block cannot be found is an error, never a
//! guess. Memory: one record.

use crate::capture::pseudo_header::{pseudo_header, PseudoHeader};
use crate::capture::random_access::PacketBytes;
use crate::capture::{CaptureFormat, CaptureInfo};
use crate::pipeline::FrameLocation;

/// Bytes of an Enhanced (or obsolete) Packet Block before the packet data.
const EPB_HEADER: u64 = 28;
/// Bytes of a Simple Packet Block before the packet data.
const SPB_HEADER: u64 = 12;

/// A frame's time as its record stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordTime {
    /// Epoch ns (classic pcap records; exact in µs or ns).
    EpochNs(i64),
    /// A pcapng packet block's 64-bit timestamp, in its interface's `if_tsresol` units (before
    /// `if_tsoffset`).
    PcapngUnits(u64),
    /// A pcapng Simple Packet Block: no timestamp.
    None,
}

/// One record as stored in the capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginalRecord {
    /// The captured bytes, pseudo-header included.
    pub data: Vec<u8>,
    /// The original length, pseudo-header included.
    pub wire_len: u32,
    /// The stored time.
    pub time: RecordTime,
}

/// Bytes wiretap strips from the front of every record of `linktype` (0 for most link types).
/// Kept equal to the reader's `pseudo_header` by a unit test.
pub fn pseudo_header_len(linktype: u32) -> u32 {
    match linktype {
        123 | 139 | 201 | 254 => 4,
        144 | 177 => 16,
        196 | 209 => 5,
        204 => 1,
        245 => 2,
        _ => 0,
    }
}

fn not_found(frame: &FrameLocation, why: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "frame {}: cannot read its record back at offset {}: {why}",
            frame.number, frame.offset
        ),
    )
}

/// Reads frame `frame`'s record from `bytes` (the capture described by `info`).
pub fn read_original_record(
    info: &CaptureInfo,
    frame: &FrameLocation,
    bytes: &mut PacketBytes,
) -> std::io::Result<OriginalRecord> {
    let skip = pseudo_header_len(frame.linktype);
    let caplen = frame
        .caplen
        .checked_add(skip)
        .ok_or_else(|| not_found(frame, "length overflows"))?;
    let data_start = frame
        .offset
        .checked_sub(u64::from(skip))
        .ok_or_else(|| not_found(frame, "no room for its pseudo-header"))?;
    let wire_len = frame.wire_len.wrapping_add(skip);
    if info.format != CaptureFormat::Pcapng {
        let data = bytes.read(data_start, caplen)?;
        if skip > 0 && !matches!(pseudo_header(frame.linktype, &data), PseudoHeader::Strip(_)) {
            return Err(not_found(frame, "pseudo-header does not check"));
        }
        return Ok(OriginalRecord {
            data,
            wire_len,
            time: RecordTime::EpochNs(frame.ts_ns),
        });
    }
    let big_endian = info
        .interfaces
        .get(frame.interface_id as usize)
        .and_then(|i| info.sections.get(i.section as usize))
        .is_some_and(|s| s.big_endian);
    let u32_at = |b: &[u8], at: usize| -> u32 {
        let v = [0, 1, 2, 3].map(|i| b.get(at + i).copied().unwrap_or(0));
        if big_endian {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        }
    };
    let data_len = usize::try_from(caplen).map_err(|_| not_found(frame, "too large"))?;
    // Enhanced Packet Block (6) or obsolete Packet Block (2): caplen at +20, timestamp at +12.
    if let Some(block_start) = data_start.checked_sub(EPB_HEADER) {
        let mut header = [0u8; EPB_HEADER as usize];
        if bytes.read_into(block_start, &mut header).is_ok() {
            let block_type = u32_at(&header, 0);
            if (block_type == 6 || block_type == 2) && u32_at(&header, 20) == caplen {
                let units = (u64::from(u32_at(&header, 12)) << 32) | u64::from(u32_at(&header, 16));
                let mut data = vec![0u8; data_len];
                bytes.read_into(data_start, &mut data)?;
                return Ok(OriginalRecord {
                    data,
                    wire_len,
                    time: RecordTime::PcapngUnits(units),
                });
            }
        }
    }
    // Simple Packet Block (3): original length at +8, no timestamp.
    if let Some(block_start) = data_start.checked_sub(SPB_HEADER) {
        let mut header = [0u8; SPB_HEADER as usize];
        bytes.read_into(block_start, &mut header)?;
        if u32_at(&header, 0) == 3 && u32_at(&header, 8) == wire_len {
            let mut data = vec![0u8; data_len];
            bytes.read_into(data_start, &mut data)?;
            return Ok(OriginalRecord {
                data,
                wire_len,
                time: RecordTime::None,
            });
        }
    }
    Err(not_found(frame, "no packet block there"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_header_lengths_agree_with_the_reader() {
        for linktype in 0..=400u32 {
            let mut data = [0u8; 64];
            if linktype == 144 {
                data[15] = 0x17;
            }
            if linktype == 177 {
                data[15] = 0x30;
            }
            let want = match pseudo_header(linktype, &data) {
                PseudoHeader::None => 0,
                PseudoHeader::Strip(n) => n as u32,
                PseudoHeader::Invalid(why) => panic!("{linktype}: {why}"),
            };
            assert_eq!(pseudo_header_len(linktype), want, "linktype {linktype}");
        }
    }
}
