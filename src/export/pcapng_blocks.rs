//! Encoding pcapng blocks (little-endian) with their options: Section Header, Interface
//! Description, Enhanced Packet, Simple Packet, Name Resolution and Decryption Secrets blocks.
//!
//! Each function builds one block in memory and writes it whole; nothing else is buffered (memory
//! bound: one block, i.e. one packet or the key log).

use std::io::{self, Write};
use std::net::IpAddr;

/// `opt_endofopt`.
pub const OPT_END: u16 = 0;
/// `opt_comment`.
pub const OPT_COMMENT: u16 = 1;
/// `shb_hardware`.
pub const SHB_HARDWARE: u16 = 2;
/// `shb_os`.
pub const SHB_OS: u16 = 3;
/// `shb_userappl`.
pub const SHB_USERAPPL: u16 = 4;
/// `if_name`.
pub const IF_NAME: u16 = 2;
/// `if_description`.
pub const IF_DESCRIPTION: u16 = 3;
/// `if_tsresol`.
pub const IF_TSRESOL: u16 = 9;
/// `if_filter`.
pub const IF_FILTER: u16 = 11;
/// `if_os`.
pub const IF_OS: u16 = 12;
/// `if_fcslen`.
pub const IF_FCSLEN: u16 = 13;
/// `if_tsoffset`.
pub const IF_TSOFFSET: u16 = 14;

/// Block type of the Section Header Block.
pub const SHB_TYPE: u32 = 0x0a0d_0d0a;
/// Block type of the Interface Description Block.
pub const IDB_TYPE: u32 = 1;
/// Block type of the Simple Packet Block.
pub const SPB_TYPE: u32 = 3;
/// Block type of the Name Resolution Block.
pub const NRB_TYPE: u32 = 4;
/// Block type of the Enhanced Packet Block.
pub const EPB_TYPE: u32 = 6;
/// Block type of the Decryption Secrets Block.
pub const DSB_TYPE: u32 = 0x0000_000a;
/// Decryption Secrets Block secrets type for a TLS key log (NSS `SSLKEYLOGFILE` format).
pub const SECRETS_TLS_KEY_LOG: u32 = 0x544c_534b;

/// One block option: code and value (padding and the end marker are added when encoding).
pub type BlockOption<'a> = (u16, &'a [u8]);

fn too_large(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{what} too large for pcapng"),
    )
}

/// Zero bytes that pad `len` to a multiple of 4.
fn padding(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// Appends `options` and, when there are any, the end-of-options marker.
fn push_options(body: &mut Vec<u8>, options: &[BlockOption]) -> io::Result<()> {
    for &(code, value) in options {
        let len = u16::try_from(value.len()).map_err(|_| too_large("option value"))?;
        body.extend_from_slice(&code.to_le_bytes());
        body.extend_from_slice(&len.to_le_bytes());
        body.extend_from_slice(value);
        body.resize(body.len() + padding(value.len()), 0);
    }
    if !options.is_empty() {
        body.extend_from_slice(&[0; 4]);
    }
    Ok(())
}

/// Writes a block: type, total length, body (32-bit aligned), total length.
fn write_block<W: Write + ?Sized>(out: &mut W, block_type: u32, body: &[u8]) -> io::Result<()> {
    let total = body
        .len()
        .checked_add(12)
        .and_then(|t| u32::try_from(t).ok())
        .ok_or_else(|| too_large("block"))?;
    let mut block = Vec::with_capacity(body.len() + 12);
    block.extend_from_slice(&block_type.to_le_bytes());
    block.extend_from_slice(&total.to_le_bytes());
    block.extend_from_slice(body);
    block.extend_from_slice(&total.to_le_bytes());
    out.write_all(&block)
}

/// Section Header Block, version 1.0, section length unknown (-1).
pub fn write_section_header<W: Write + ?Sized>(
    out: &mut W,
    options: &[BlockOption],
) -> io::Result<()> {
    let mut body = Vec::with_capacity(64);
    body.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes());
    push_options(&mut body, options)?;
    write_block(out, SHB_TYPE, &body)
}

/// Interface Description Block.
pub fn write_interface<W: Write + ?Sized>(
    out: &mut W,
    linktype: u16,
    snaplen: u32,
    options: &[BlockOption],
) -> io::Result<()> {
    let mut body = Vec::with_capacity(64);
    body.extend_from_slice(&linktype.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&snaplen.to_le_bytes());
    push_options(&mut body, options)?;
    write_block(out, IDB_TYPE, &body)
}

/// Enhanced Packet Block: `ts_units` in the interface's `if_tsresol` units, one `opt_comment` per
/// entry of `comments`.
pub fn write_enhanced_packet<W: Write + ?Sized>(
    out: &mut W,
    interface: u32,
    ts_units: u64,
    data: &[u8],
    wire_len: u32,
    comments: &[&str],
) -> io::Result<()> {
    let caplen = u32::try_from(data.len()).map_err(|_| too_large("packet"))?;
    let mut body = Vec::with_capacity(data.len() + 32);
    body.extend_from_slice(&interface.to_le_bytes());
    body.extend_from_slice(&((ts_units >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(ts_units as u32).to_le_bytes());
    body.extend_from_slice(&caplen.to_le_bytes());
    body.extend_from_slice(&wire_len.to_le_bytes());
    body.extend_from_slice(data);
    body.resize(body.len() + padding(data.len()), 0);
    let options: Vec<BlockOption> = comments
        .iter()
        .map(|c| (OPT_COMMENT, c.as_bytes()))
        .collect();
    push_options(&mut body, &options)?;
    write_block(out, EPB_TYPE, &body)
}

/// Simple Packet Block (interface 0, no timestamp): `data` must be the original length cut to the
/// interface's snap length, as readers recompute it.
pub fn write_simple_packet<W: Write + ?Sized>(
    out: &mut W,
    data: &[u8],
    wire_len: u32,
) -> io::Result<()> {
    let mut body = Vec::with_capacity(data.len() + 8);
    body.extend_from_slice(&wire_len.to_le_bytes());
    body.extend_from_slice(data);
    body.resize(body.len() + padding(data.len()), 0);
    write_block(out, SPB_TYPE, &body)
}

/// Name Resolution Block: one `nrb_record_ipv4` / `nrb_record_ipv6` per (address, names) entry.
/// Entries without names, or whose record would exceed 65535 bytes, are left out.
pub fn write_name_resolution<W: Write + ?Sized>(
    out: &mut W,
    entries: &[(IpAddr, Vec<String>)],
) -> io::Result<()> {
    let mut body = Vec::new();
    for (address, names) in entries {
        if names.is_empty() {
            continue;
        }
        let (record_type, mut value): (u16, Vec<u8>) = match address {
            IpAddr::V4(a) => (1, a.octets().to_vec()),
            IpAddr::V6(a) => (2, a.octets().to_vec()),
        };
        for name in names {
            value.extend_from_slice(name.as_bytes());
            value.push(0);
        }
        let Ok(len) = u16::try_from(value.len()) else {
            continue;
        };
        body.extend_from_slice(&record_type.to_le_bytes());
        body.extend_from_slice(&len.to_le_bytes());
        body.extend_from_slice(&value);
        body.resize(body.len() + padding(value.len()), 0);
    }
    body.extend_from_slice(&[0; 4]); // nrb_record_end
    write_block(out, NRB_TYPE, &body)
}

/// Decryption Secrets Block holding `secrets` of `secrets_type` (e.g. [`SECRETS_TLS_KEY_LOG`]).
pub fn write_decryption_secrets<W: Write + ?Sized>(
    out: &mut W,
    secrets_type: u32,
    secrets: &[u8],
) -> io::Result<()> {
    let len = u32::try_from(secrets.len()).map_err(|_| too_large("key log"))?;
    let mut body = Vec::with_capacity(secrets.len() + 12);
    body.extend_from_slice(&secrets_type.to_le_bytes());
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(secrets);
    body.resize(body.len() + padding(secrets.len()), 0);
    write_block(out, DSB_TYPE, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn blocks_are_aligned_and_framed() {
        let mut out = Vec::new();
        write_enhanced_packet(&mut out, 2, 0x1_0000_0005, &[1, 2, 3], 60, &["hi"]).unwrap();
        assert_eq!(out.len() % 4, 0);
        let total = u32_at(&out, 4) as usize;
        assert_eq!(total, out.len());
        assert_eq!(u32_at(&out, total - 4) as usize, total);
        assert_eq!(u32_at(&out, 8), 2);
        assert_eq!((u32_at(&out, 12), u32_at(&out, 16)), (1, 5));
        assert_eq!((u32_at(&out, 20), u32_at(&out, 24)), (3, 60));
        // data (3 bytes + 1 pad), then comment option "hi" (+2 pad), then end of options.
        assert_eq!(&out[28..32], &[1, 2, 3, 0]);
        assert_eq!(&out[32..40], &[1, 0, 2, 0, b'h', b'i', 0, 0]);
        assert_eq!(&out[40..44], &[0, 0, 0, 0]);
    }

    #[test]
    fn secrets_and_names() {
        let mut out = Vec::new();
        write_decryption_secrets(&mut out, SECRETS_TLS_KEY_LOG, b"CLIENT_RANDOM a b\n").unwrap();
        assert_eq!(u32_at(&out, 0), DSB_TYPE);
        assert_eq!(u32_at(&out, 8), 0x544c_534b);
        assert_eq!(u32_at(&out, 12), 18);
        assert_eq!(&out[16..34], b"CLIENT_RANDOM a b\n");
        let mut nrb = Vec::new();
        let entries = vec![
            ("10.0.0.1".parse().unwrap(), vec!["a.example".to_string()]),
            ("::1".parse().unwrap(), vec![]),
        ];
        write_name_resolution(&mut nrb, &entries).unwrap();
        // one ipv4 record (4 + 10 bytes, padded to 16) then the end record.
        assert_eq!(u32_at(&nrb, 4) as usize, nrb.len());
        assert_eq!(&nrb[8..12], &[1, 0, 14, 0]);
        assert_eq!(&nrb[12..16], &[10, 0, 0, 1]);
        assert_eq!(&nrb[16..26], b"a.example\0");
        assert_eq!(&nrb[28..32], &[0, 0, 0, 0]);
    }
}
