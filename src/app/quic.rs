//! QUIC packet headers (RFC 8999 invariants, RFC 9000 v1, RFC 9369 v2): the connection IDs a UDP
//! datagram carries, without decryption.
//!
//! A long header (Initial, 0-RTT, Handshake, Retry, Version Negotiation) states its version and
//! both connection IDs with their lengths; a short header (1-RTT) carries only the destination
//! connection ID, whose length the endpoints agreed on in the long headers. [`QuicFlowCids`]
//! remembers, per sending direction of one UDP flow, the connection IDs the long headers named,
//! so [`read_datagram`] reads a short header when it starts with one of them. Several QUIC
//! packets may be coalesced in one datagram: long headers carry their length, and a short header
//! runs to the datagram's end.
//!
//! Only versions known to use these header layouts are accepted (v1, v2, the IETF drafts and
//! Version Negotiation), and a short header only with a known connection ID, so arbitrary UDP
//! payloads are not mistaken for QUIC. The fixed bit (0x40) is not required: peers may grease it
//! (RFC 9287).

/// Most QUIC packets read from one datagram (coalescing puts at most a handful in one).
pub const MAX_COALESCED: usize = 8;
/// Longest connection ID of QUIC v1 and v2 (RFC 9000 §17.2).
pub const MAX_CID_LEN: usize = 20;

/// QUIC version 1.
pub const VERSION_1: u32 = 0x0000_0001;
/// QUIC version 2.
pub const VERSION_2: u32 = 0x6b33_43cf;

/// The kind of a QUIC packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuicPacketType {
    /// Long header: Initial.
    Initial,
    /// Long header: 0-RTT.
    ZeroRtt,
    /// Long header: Handshake.
    Handshake,
    /// Long header: Retry.
    Retry,
    /// Long header with version 0.
    VersionNegotiation,
    /// Short header (1-RTT).
    Short,
}

/// One QUIC packet's header fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuicPacket<'a> {
    /// The kind.
    pub packet_type: QuicPacketType,
    /// Version (long headers; None for short headers).
    pub version: Option<u32>,
    /// Destination connection ID (may be empty).
    pub dcid: &'a [u8],
    /// Source connection ID (long headers only; may be empty).
    pub scid: Option<&'a [u8]>,
}

/// True for the versions whose long header this module reads.
pub fn is_known_version(v: u32) -> bool {
    v == VERSION_1 || v == VERSION_2 || v & 0xffff_ff00 == 0xff00_0000
}

/// A QUIC variable-length integer at the start of `b`: (value, bytes used).
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let first = *b.first()?;
    let len = 1usize << (first >> 6);
    let bytes = b.get(..len)?;
    let mut v = u64::from(first & 0x3f);
    for &x in bytes.iter().skip(1) {
        v = (v << 8) | u64::from(x);
    }
    Some((v, len))
}

/// The long-header packet type bits of `first` for `version`.
fn long_type(first: u8, version: u32) -> QuicPacketType {
    let bits = (first >> 4) & 3;
    let v1_bits = if version == VERSION_2 {
        // v2 rotates the type codes: Retry 0, Initial 1, 0-RTT 2, Handshake 3.
        (bits + 3) & 3
    } else {
        bits
    };
    match v1_bits {
        0 => QuicPacketType::Initial,
        1 => QuicPacketType::ZeroRtt,
        2 => QuicPacketType::Handshake,
        _ => QuicPacketType::Retry,
    }
}

/// Reads the long header at the start of `b`; returns it and the bytes the packet occupies
/// (the whole rest for Retry and Version Negotiation). None when `b` is not a long header of a
/// known version or is cut short.
pub fn parse_long(b: &[u8]) -> Option<(QuicPacket<'_>, usize)> {
    let first = *b.first()?;
    if first & 0x80 == 0 {
        return None;
    }
    let version = u32::from_be_bytes(b.get(1..5)?.try_into().ok()?);
    let vn = version == 0;
    if !vn && !is_known_version(version) {
        return None;
    }
    let dcid_len = usize::from(*b.get(5)?);
    let dcid_end = 6usize.checked_add(dcid_len)?;
    let dcid = b.get(6..dcid_end)?;
    let scid_len = usize::from(*b.get(dcid_end)?);
    let scid_start = dcid_end.checked_add(1)?;
    let scid_end = scid_start.checked_add(scid_len)?;
    let scid = b.get(scid_start..scid_end)?;
    if !vn && (dcid_len > MAX_CID_LEN || scid_len > MAX_CID_LEN) {
        return None;
    }
    let packet_type = if vn {
        QuicPacketType::VersionNegotiation
    } else {
        long_type(first, version)
    };
    let packet = QuicPacket {
        packet_type,
        version: Some(version),
        dcid,
        scid: Some(scid),
    };
    let mut at = scid_end;
    match packet_type {
        QuicPacketType::VersionNegotiation => {
            // A list of 32-bit versions follows; anything else is not Version Negotiation (a
            // DNS message may start with a set high bit and four zero bytes).
            let rest = b.len().saturating_sub(scid_end);
            return (rest >= 4 && rest % 4 == 0).then_some((packet, b.len()));
        }
        QuicPacketType::Retry => return Some((packet, b.len())),
        QuicPacketType::Initial => {
            let (token_len, n) = varint(b.get(at..)?)?;
            at = at
                .checked_add(n)?
                .checked_add(usize::try_from(token_len).ok()?)?;
        }
        _ => {}
    }
    let (length, n) = varint(b.get(at..)?)?;
    let end = at
        .checked_add(n)?
        .checked_add(usize::try_from(length).ok()?)?;
    // A packet claiming more than the datagram holds is cut short (a truncated capture): it
    // still names its connection IDs, and nothing follows it.
    Some((packet, end.min(b.len())))
}

/// Reads a short header at the start of `b` whose destination connection ID is `dcid_len`
/// bytes long.
pub fn parse_short(b: &[u8], dcid_len: usize) -> Option<QuicPacket<'_>> {
    let first = *b.first()?;
    if first & 0x80 != 0 || dcid_len > MAX_CID_LEN {
        return None;
    }
    let dcid = b.get(1..1usize.checked_add(dcid_len)?)?;
    Some(QuicPacket {
        packet_type: QuicPacketType::Short,
        version: None,
        dcid,
        scid: None,
    })
}

/// Connection IDs remembered per direction of a flow (the latest ones named).
pub const MAX_KNOWN_CIDS: usize = 4;

/// One remembered connection ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct KnownCid {
    len: u8,
    bytes: [u8; MAX_CID_LEN],
}

impl KnownCid {
    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// The destination connection IDs one UDP flow uses per sending direction (0 or 1), learned from
/// its long headers: packets sent in direction d carry a CID the peer chose, which is the DCID of
/// the sender's own long headers and the SCID of the peer's. At most [`MAX_KNOWN_CIDS`] per
/// direction (the latest), about 180 bytes in all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuicFlowCids {
    known: [[Option<KnownCid>; MAX_KNOWN_CIDS]; 2],
    next: [usize; 2],
}

impl QuicFlowCids {
    /// True once a long header of the flow was read.
    pub fn is_quic(&self) -> bool {
        self.known.iter().flatten().any(Option::is_some)
    }

    fn remember(&mut self, dir: usize, cid: &[u8]) {
        let d = dir & 1;
        let Ok(len) = u8::try_from(cid.len()) else {
            return;
        };
        let mut bytes = [0u8; MAX_CID_LEN];
        let Some(slot) = bytes.get_mut(..cid.len()) else {
            return;
        };
        slot.copy_from_slice(cid);
        let entry = KnownCid { len, bytes };
        if self.known[d].contains(&Some(entry)) {
            return;
        }
        let at = self.next[d] % MAX_KNOWN_CIDS;
        self.known[d][at] = Some(entry);
        self.next[d] = (at + 1) % MAX_KNOWN_CIDS;
    }

    /// Learns from a long header sent in direction `dir`.
    pub fn learn(&mut self, dir: usize, p: &QuicPacket<'_>) {
        if p.packet_type == QuicPacketType::VersionNegotiation || p.version.is_none() {
            return;
        }
        self.remember(dir, p.dcid);
        if let Some(scid) = p.scid {
            self.remember(1 - (dir & 1), scid);
        }
    }

    /// The length of the known connection ID a short header sent in direction `dir` starts
    /// with (after its first byte), newest first.
    pub fn short_dcid_len(&self, dir: usize, b: &[u8]) -> Option<usize> {
        let d = dir & 1;
        (1..=MAX_KNOWN_CIDS)
            .map(|k| (self.next[d] + MAX_KNOWN_CIDS - k) % MAX_KNOWN_CIDS)
            .filter_map(|i| self.known[d][i].as_ref())
            .find(|c| {
                let cid = c.as_slice();
                b.get(1..1 + cid.len()) == Some(cid)
            })
            .map(|c| usize::from(c.len))
    }
}

/// Reads the QUIC packets of one datagram of a flow, sent in direction `dir`: long headers
/// (learned into `flow` as they are read), then a short header when it starts with a connection
/// ID known for that direction. At most [`MAX_COALESCED`] packets; stops at the first bytes that
/// are not a QUIC header.
pub fn read_datagram<'a>(
    payload: &'a [u8],
    dir: usize,
    flow: &mut QuicFlowCids,
) -> Vec<QuicPacket<'a>> {
    let mut out = Vec::new();
    let mut rest = payload;
    while out.len() < MAX_COALESCED && !rest.is_empty() {
        if let Some((p, used)) = parse_long(rest) {
            flow.learn(dir, &p);
            out.push(p);
            rest = rest.get(used..).unwrap_or(&[]);
            continue;
        }
        if let Some(p) = flow
            .short_dcid_len(dir, rest)
            .and_then(|n| parse_short(rest, n))
        {
            out.push(p);
        }
        break; // a short header runs to the end; anything else is not QUIC (or padding)
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v1 Initial: DCID 8 bytes, SCID 4 bytes, token "tk", `body` after a 2-byte length.
    fn initial(dcid: &[u8], scid: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xc3, 0, 0, 0, 1, dcid.len() as u8];
        v.extend_from_slice(dcid);
        v.push(scid.len() as u8);
        v.extend_from_slice(scid);
        v.extend_from_slice(&[0x02, b't', b'k']);
        let len = body.len() as u16 | 0x4000;
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn initial_then_coalesced_short_header() {
        let mut d = initial(&[1, 2, 3, 4, 5, 6, 7, 8], &[9, 9, 9, 9], &[0xaa; 30]);
        d.extend_from_slice(&[0x41, 1, 2, 3, 4, 5, 6, 7, 8, 0xee, 0xee]);
        let ps = read_datagram(&d, 0, &mut QuicFlowCids::default());
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].packet_type, QuicPacketType::Initial);
        assert_eq!(ps[0].version, Some(VERSION_1));
        assert_eq!(ps[0].dcid, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(ps[0].scid, Some(&[9u8, 9, 9, 9][..]));
        assert_eq!(ps[1].packet_type, QuicPacketType::Short);
        assert_eq!(ps[1].dcid, &[1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn v2_type_bits_are_rotated() {
        // v2 Initial has type bits 01.
        let mut d = vec![
            0xd0, 0x6b, 0x33, 0x43, 0xcf, 1, 0x11, 1, 0x22, 0x00, 0x01, 0x00,
        ];
        let (p, used) = parse_long(&d).unwrap();
        assert_eq!(p.packet_type, QuicPacketType::Initial);
        assert_eq!(used, d.len());
        d[0] = 0xf0; // 11: Handshake in v2 (no token field)
        assert_eq!(
            parse_long(&d).unwrap().0.packet_type,
            QuicPacketType::Handshake
        );
        d[0] = 0xc0; // 00: Retry in v2
        assert_eq!(parse_long(&d).unwrap().0.packet_type, QuicPacketType::Retry);
    }

    #[test]
    fn short_headers_use_the_ids_learned_per_direction() {
        let mut lengths = QuicFlowCids::default();
        assert!(!lengths.is_quic());
        // Client (dir 0) Initial: DCID 8 random bytes, SCID 5 bytes.
        let c = initial(&[7; 8], &[0xc1; 5], &[0; 4]);
        read_datagram(&c, 0, &mut lengths);
        // Server (dir 1) Initial: DCID = client's SCID (5), SCID = server's CID (3 bytes).
        let s = initial(&[0xc1; 5], &[0x5e; 3], &[0; 4]);
        read_datagram(&s, 1, &mut lengths);
        assert!(lengths.is_quic());
        let short_to_server = [0x40, 0x5e, 0x5e, 0x5e, 1, 2, 3];
        assert_eq!(lengths.short_dcid_len(0, &short_to_server), Some(3));
        assert_eq!(lengths.short_dcid_len(1, &short_to_server), None);
        let ps = read_datagram(&short_to_server, 0, &mut lengths);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].dcid, &[0x5e; 3]);
        // The fixed bit may be greased (0).
        let short_to_client = [0x15, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1, 9];
        assert_eq!(
            read_datagram(&short_to_client, 1, &mut lengths)[0].dcid,
            &[0xc1; 5]
        );
        // A short header with an unknown connection ID is not read.
        assert!(read_datagram(&[0x40, 1, 2, 3, 4, 5, 6], 0, &mut lengths).is_empty());
    }

    #[test]
    fn non_quic_payloads_are_not_read_as_quic() {
        // A DNS query starting with 0xc0, an unknown version, a short header without a learned
        // length, and cut-short long headers.
        let mut flow = QuicFlowCids::default();
        assert!(
            read_datagram(&[0xc0, 0x12, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0], 0, &mut flow).is_empty()
        );
        assert!(read_datagram(&[0xc0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], 0, &mut flow).is_empty());
        assert!(read_datagram(&[0xc3, 0x51, 0x30, 0x34, 0x36, 8, 1, 2], 0, &mut flow).is_empty());
        assert!(read_datagram(&[0x40, 1, 2, 3, 4], 0, &mut flow).is_empty());
        assert!(!flow.is_quic());
        let full = initial(&[1; 8], &[2; 8], &[0; 10]);
        for cut in 0..16 {
            assert!(parse_long(&full[..cut]).is_none(), "cut at {cut}");
        }
        // Past the CIDs a truncated packet still names them.
        assert_eq!(parse_long(&full[..full.len() - 3]).unwrap().0.dcid, &[1; 8]);
        // CIDs longer than 20 bytes are not v1.
        let long_cid = initial(&[1; 21], &[], &[]);
        assert!(parse_long(&long_cid).is_none());
    }

    #[test]
    fn never_panics_on_any_prefix_or_byte_flip() {
        let mut d = initial(&[1, 2, 3, 4, 5, 6, 7, 8], &[9, 9, 9, 9], &[0xaa; 30]);
        d.extend_from_slice(&[0x41, 1, 2, 3, 4, 5, 6, 7, 8, 0xee]);
        for i in 0..d.len() {
            for bit in 0..8 {
                let mut x = d.clone();
                x[i] ^= 1 << bit;
                let mut flow = QuicFlowCids::default();
                let _ = read_datagram(&d, 0, &mut flow);
                let _ = read_datagram(&x, 0, &mut flow);
                let _ = read_datagram(&x[..i], 1, &mut flow);
            }
        }
    }
}
