//! Classic pcap and minimal pcapng writers.
//!
//! [`PcapWriter`] writes the classic little-endian format with micro- or nanosecond timestamps.
//! [`PcapNgWriter`] writes one Section Header Block, one Interface Description Block per interface
//! added, and Enhanced Packet Blocks with an optional comment option. Both stream: nothing is kept
//! in memory but the caller's writer.

use std::io::{self, Write};

/// Timestamp resolution of a classic pcap file (the magic number tells readers which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsResolution {
    /// Microseconds (magic `0xa1b2c3d4`).
    Micro,
    /// Nanoseconds (magic `0xa1b23c4d`).
    Nano,
}

/// Splits a timestamp in ns since the epoch into (seconds, fraction in `unit_ns` units).
/// Timestamps before the epoch are clamped to 0 (the formats store unsigned seconds).
fn split_ts(ts_ns: i64, unit_ns: i64) -> (u32, u32) {
    let ts = ts_ns.max(0);
    let secs = u32::try_from(ts / 1_000_000_000).unwrap_or(u32::MAX);
    let frac = u32::try_from((ts % 1_000_000_000) / unit_ns).unwrap_or(0);
    (secs, frac)
}

/// Length of a packet record as stored: at most `u32::MAX` bytes.
fn record_len(data: &[u8]) -> io::Result<u32> {
    u32::try_from(data.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "packet too large"))
}

/// Writer of classic pcap files (little-endian).
pub struct PcapWriter<W: Write> {
    out: W,
    resolution: TsResolution,
    snaplen: u32,
    packets: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the 24-byte file header and returns the writer.
    pub fn new(
        mut out: W,
        linktype: u32,
        snaplen: u32,
        resolution: TsResolution,
    ) -> io::Result<Self> {
        let magic: u32 = match resolution {
            TsResolution::Micro => 0xa1b2_c3d4,
            TsResolution::Nano => 0xa1b2_3c4d,
        };
        let mut header = [0u8; 24];
        header[0..4].copy_from_slice(&magic.to_le_bytes());
        header[4..6].copy_from_slice(&2u16.to_le_bytes());
        header[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone and sigfigs stay 0.
        header[16..20].copy_from_slice(&snaplen.to_le_bytes());
        header[20..24].copy_from_slice(&linktype.to_le_bytes());
        out.write_all(&header)?;
        Ok(Self {
            out,
            resolution,
            snaplen,
            packets: 0,
        })
    }

    /// Writes one packet record. `data` is cut to the snap length; `wire_len` is the length on the
    /// wire (use `data.len()` when nothing was cut).
    pub fn write_packet(&mut self, ts_ns: i64, data: &[u8], wire_len: u32) -> io::Result<()> {
        let unit = match self.resolution {
            TsResolution::Micro => 1_000,
            TsResolution::Nano => 1,
        };
        let (secs, frac) = split_ts(ts_ns, unit);
        let cap = usize::try_from(self.snaplen)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let stored = data.get(..cap).unwrap_or(data);
        let caplen = record_len(stored)?;
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&secs.to_le_bytes());
        header[4..8].copy_from_slice(&frac.to_le_bytes());
        header[8..12].copy_from_slice(&caplen.to_le_bytes());
        header[12..16].copy_from_slice(&wire_len.max(caplen).to_le_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(stored)?;
        self.packets += 1;
        Ok(())
    }

    /// Packets written so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Option codes used by the pcapng writer.
const OPT_END: u16 = 0;
const OPT_COMMENT: u16 = 1;
const IF_TSRESOL: u16 = 9;

/// Writer of pcapng files (little-endian, one section).
pub struct PcapNgWriter<W: Write> {
    out: W,
    /// Per interface: units per second exponent (6 = µs, 9 = ns) and snap length.
    interfaces: Vec<(u8, u32)>,
    packets: u64,
}

/// Appends an option (code, value, padding to 32 bits) to a block body.
fn push_option(body: &mut Vec<u8>, code: u16, value: &[u8]) -> io::Result<()> {
    let len = u16::try_from(value.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pcapng option too long"))?;
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(value);
    body.resize(body.len() + (4 - value.len() % 4) % 4, 0);
    Ok(())
}

impl<W: Write> PcapNgWriter<W> {
    /// Writes the Section Header Block and returns the writer (no interfaces yet).
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut body = Vec::with_capacity(16);
        body.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&(-1i64).to_le_bytes());
        write_block(&mut out, 0x0a0d_0d0a, &body)?;
        Ok(Self {
            out,
            interfaces: Vec::new(),
            packets: 0,
        })
    }

    /// Adds an interface (Interface Description Block); returns its id for [`Self::write_packet`].
    /// `nanosecond` selects `if_tsresol` = 9 (otherwise the default µs).
    pub fn add_interface(
        &mut self,
        linktype: u16,
        snaplen: u32,
        nanosecond: bool,
    ) -> io::Result<u32> {
        let mut body = Vec::with_capacity(24);
        body.extend_from_slice(&linktype.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&snaplen.to_le_bytes());
        if nanosecond {
            push_option(&mut body, IF_TSRESOL, &[9])?;
            push_option(&mut body, OPT_END, &[])?;
        }
        write_block(&mut self.out, 1, &body)?;
        let id = u32::try_from(self.interfaces.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "too many interfaces"))?;
        self.interfaces
            .push((if nanosecond { 9 } else { 6 }, snaplen));
        Ok(id)
    }

    /// Writes one Enhanced Packet Block on interface `iface`, with an optional comment.
    pub fn write_packet(
        &mut self,
        iface: u32,
        ts_ns: i64,
        data: &[u8],
        wire_len: u32,
        comment: Option<&str>,
    ) -> io::Result<()> {
        let &(exp, snaplen) = usize::try_from(iface)
            .ok()
            .and_then(|i| self.interfaces.get(i))
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "unknown interface id"))?;
        let ts = u64::try_from(ts_ns.max(0)).unwrap_or(0);
        let units = if exp == 9 { ts } else { ts / 1_000 };
        let cap = if snaplen == 0 {
            data.len()
        } else {
            usize::try_from(snaplen)
                .unwrap_or(usize::MAX)
                .min(data.len())
        };
        let stored = data.get(..cap).unwrap_or(data);
        let caplen = record_len(stored)?;
        let mut body = Vec::with_capacity(stored.len() + 32);
        body.extend_from_slice(&iface.to_le_bytes());
        body.extend_from_slice(&((units >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(units as u32).to_le_bytes());
        body.extend_from_slice(&caplen.to_le_bytes());
        body.extend_from_slice(&wire_len.max(caplen).to_le_bytes());
        body.extend_from_slice(stored);
        body.resize(body.len() + (4 - stored.len() % 4) % 4, 0);
        if let Some(text) = comment {
            push_option(&mut body, OPT_COMMENT, text.as_bytes())?;
            push_option(&mut body, OPT_END, &[])?;
        }
        write_block(&mut self.out, 6, &body)?;
        self.packets += 1;
        Ok(())
    }

    /// Packets written so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes a block: type, total length, body (already 32-bit aligned), total length.
fn write_block<W: Write>(out: &mut W, block_type: u32, body: &[u8]) -> io::Result<()> {
    let total = body
        .len()
        .checked_add(12)
        .and_then(|t| u32::try_from(t).ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "pcapng block too large"))?;
    out.write_all(&block_type.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcap_parser::traits::PcapReaderIterator;
    use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};

    /// Reads every legacy record back: (ts_sec, ts_frac, caplen, origlen, data).
    fn read_legacy(bytes: &[u8]) -> Vec<(u32, u32, u32, u32, Vec<u8>)> {
        let mut reader = LegacyPcapReader::new(65536, bytes).expect("reader");
        let mut out = Vec::new();
        loop {
            match reader.next() {
                Ok((n, block)) => {
                    if let PcapBlockOwned::Legacy(b) = block {
                        out.push((b.ts_sec, b.ts_usec, b.caplen, b.origlen, b.data.to_vec()));
                    }
                    reader.consume(n);
                }
                Err(PcapError::Eof) => break,
                Err(PcapError::Incomplete(_)) => reader.refill().expect("refill"),
                Err(e) => panic!("parse error {e:?}"),
            }
        }
        out
    }

    #[test]
    fn classic_micro_round_trip() {
        let mut w = PcapWriter::new(Vec::new(), 1, 65535, TsResolution::Micro).unwrap();
        w.write_packet(1_700_000_000_123_456_789, &[1, 2, 3], 3)
            .unwrap();
        w.write_packet(1_700_000_001_000_001_999, &[4; 70], 100)
            .unwrap();
        let bytes = w.into_inner().unwrap();
        assert_eq!(&bytes[0..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        let recs = read_legacy(&bytes);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0], (1_700_000_000, 123_456, 3, 3, vec![1, 2, 3]));
        assert_eq!(
            (recs[1].0, recs[1].1, recs[1].2, recs[1].3),
            (1_700_000_001, 1, 70, 100)
        );
    }

    #[test]
    fn classic_nano_and_snaplen() {
        let mut w = PcapWriter::new(Vec::new(), 1, 10, TsResolution::Nano).unwrap();
        w.write_packet(5_000_000_007, &[9; 30], 30).unwrap();
        let bytes = w.into_inner().unwrap();
        assert_eq!(&bytes[0..4], &[0x4d, 0x3c, 0xb2, 0xa1]);
        let recs = read_legacy(&bytes);
        assert_eq!(recs[0], (5, 7, 10, 30, vec![9; 10]));
    }

    #[test]
    fn pcapng_round_trip_with_comment() {
        let mut w = PcapNgWriter::new(Vec::new()).unwrap();
        let a = w.add_interface(1, 0, false).unwrap();
        let b = w.add_interface(1, 0, true).unwrap();
        w.write_packet(a, 2_000_001_000, &[1, 2, 3, 4, 5], 5, Some("hello"))
            .unwrap();
        w.write_packet(b, 3_000_000_001, &[7; 8], 8, None).unwrap();
        let bytes = w.into_inner().unwrap();
        let mut reader = PcapNGReader::new(65536, &bytes[..]).expect("reader");
        let mut epbs = Vec::new();
        let mut idbs = 0;
        loop {
            match reader.next() {
                Ok((n, block)) => {
                    if let PcapBlockOwned::NG(b) = block {
                        match b {
                            pcap_parser::Block::InterfaceDescription(_) => idbs += 1,
                            pcap_parser::Block::EnhancedPacket(e) => {
                                let comment = e
                                    .options
                                    .iter()
                                    .find(|o| o.code == pcap_parser::OptionCode::Comment)
                                    .and_then(|o| o.as_bytes().ok().map(|b| b.to_vec()));
                                epbs.push((
                                    e.if_id,
                                    e.ts_high,
                                    e.ts_low,
                                    e.data[..e.caplen as usize].to_vec(),
                                    comment,
                                ));
                            }
                            _ => {}
                        }
                    }
                    reader.consume(n);
                }
                Err(PcapError::Eof) => break,
                Err(PcapError::Incomplete(_)) => reader.refill().expect("refill"),
                Err(e) => panic!("parse error {e:?}"),
            }
        }
        assert_eq!(idbs, 2);
        assert_eq!(epbs.len(), 2);
        assert_eq!(epbs[0].0, 0);
        assert_eq!(((epbs[0].1 as u64) << 32) | epbs[0].2 as u64, 2_000_001);
        assert_eq!(epbs[0].3, vec![1, 2, 3, 4, 5]);
        assert_eq!(epbs[0].4.as_deref(), Some(&b"hello"[..]));
        assert_eq!(((epbs[1].1 as u64) << 32) | epbs[1].2 as u64, 3_000_000_001);
        assert_eq!(epbs[1].4, None);
    }
}
