//! IPv4 / IPv6 fragment reassembly, as tshark 4.0 does it by default.
//!
//! Fragments of one datagram are held until the fragment that completes it (the last one, MF = 0,
//! has been seen and the fragments cover every byte from 0 to its end). That frame alone gets the
//! transport layers, decoded from the reassembled bytes. Overlaps: as in tshark's
//! `fragment_defragment`, fragments are laid down in (offset, arrival) order and a byte already
//! written is kept, so the lower-offset (then earlier) fragment wins.
//!
//! Memory is bounded: at most [`MAX_DATAGRAM`] bytes per datagram, [`MAX_PENDING`] datagrams and
//! [`MAX_HELD_BYTES`] bytes in total; when a limit is hit the oldest pending datagram is dropped.

/// Largest datagram reassembled (IPv4's offset field allows 65528 + 65515 bytes).
pub(crate) const MAX_DATAGRAM: usize = 131_072;
/// Most datagrams pending at once.
pub(crate) const MAX_PENDING: usize = 1024;
/// Most fragment bytes held at once.
pub(crate) const MAX_HELD_BYTES: usize = 16 << 20;

/// What identifies the fragments of one datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FragKey {
    /// IPv4: addresses, identification, protocol and (for private addresses) the VLAN id.
    V4 {
        /// Source.
        src: [u8; 4],
        /// Destination.
        dst: [u8; 4],
        /// Identification.
        id: u16,
        /// Protocol.
        protocol: u8,
        /// VLAN id (0 when not part of the key).
        vlan: u16,
    },
    /// IPv6: addresses and the fragment header's identification.
    V6 {
        /// Source.
        src: [u8; 16],
        /// Destination.
        dst: [u8; 16],
        /// Identification.
        id: u32,
    },
}

/// One fragment's payload.
pub(crate) struct Fragment<'a> {
    /// Offset in the datagram, bytes.
    pub(crate) offset: u32,
    /// The fragment's payload bytes.
    pub(crate) bytes: &'a [u8],
    /// More fragments follow.
    pub(crate) more: bool,
}

/// A held fragment.
struct Held {
    offset: usize,
    arrival: u32,
    bytes: Vec<u8>,
}

/// An incomplete datagram.
struct Pending {
    key: FragKey,
    fragments: Vec<Held>,
    /// Datagram length, once the last fragment has been seen.
    total: Option<usize>,
    held: usize,
    arrivals: u32,
}

/// The table of incomplete datagrams, oldest first.
#[derive(Default)]
pub(crate) struct Defrag {
    pending: Vec<Pending>,
    held: usize,
}

impl Defrag {
    /// Bytes held for incomplete datagrams.
    pub(crate) fn held_bytes(&self) -> usize {
        self.held
    }

    /// Adds a fragment of frame `_frame`. Returns `Ok(true)` when it completed its datagram (then
    /// `out` holds the reassembled bytes and the datagram is forgotten), `Ok(false)` when more are
    /// needed, `Err` when the fragment was refused (too large).
    pub(crate) fn add(
        &mut self,
        key: FragKey,
        fragment: Fragment<'_>,
        _frame: u32,
        out: &mut Vec<u8>,
    ) -> Result<bool, String> {
        let offset = fragment.offset as usize;
        let stop = offset.saturating_add(fragment.bytes.len());
        if stop > MAX_DATAGRAM {
            return Err(format!(
                "fragment ends at {stop}, beyond the {MAX_DATAGRAM}-byte reassembly limit"
            ));
        }
        let index = match self.pending.iter().position(|p| p.key == key) {
            Some(i) => i,
            None => {
                while self.pending.len() >= MAX_PENDING {
                    self.evict_oldest();
                }
                self.pending.push(Pending {
                    key,
                    fragments: Vec::new(),
                    total: None,
                    held: 0,
                    arrivals: 0,
                });
                self.pending.len() - 1
            }
        };
        let Some(p) = self.pending.get_mut(index) else {
            return Ok(false);
        };
        if !fragment.more && p.total.is_none() {
            p.total = Some(stop);
        }
        let arrival = p.arrivals;
        p.arrivals = p.arrivals.saturating_add(1);
        p.held += fragment.bytes.len();
        p.fragments.push(Held {
            offset,
            arrival,
            bytes: fragment.bytes.to_vec(),
        });
        self.held += fragment.bytes.len();
        let complete = p.total.is_some_and(|total| covers(&mut p.fragments, total));
        if complete {
            let p = self.pending.remove(index);
            self.held -= p.held;
            assemble(&p.fragments, p.total.unwrap_or(0), out);
            return Ok(true);
        }
        while self.held > MAX_HELD_BYTES && self.pending.len() > 1 {
            self.evict_oldest();
        }
        Ok(false)
    }

    /// Drops the oldest pending datagram.
    fn evict_oldest(&mut self) {
        if !self.pending.is_empty() {
            let p = self.pending.remove(0);
            self.held -= p.held;
        }
    }
}

/// Sorts the fragments by (offset, arrival) and tells whether they cover `0..total` without a gap.
fn covers(fragments: &mut [Held], total: usize) -> bool {
    fragments.sort_by_key(|f| (f.offset, f.arrival));
    let mut reached = 0usize;
    for f in fragments.iter() {
        if f.offset > reached {
            return false;
        }
        reached = reached.max(f.offset + f.bytes.len());
        if reached >= total {
            return true;
        }
    }
    reached >= total
}

/// Lays the sorted fragments into `out` (`total` bytes); bytes already written win.
fn assemble(fragments: &[Held], total: usize, out: &mut Vec<u8>) {
    out.clear();
    for f in fragments {
        if out.len() >= total {
            break;
        }
        let written = out.len();
        let stop = (f.offset + f.bytes.len()).min(total);
        if stop > written && f.offset <= written {
            let from = written - f.offset;
            let take = stop - written;
            if let Some(new) = f.bytes.get(from..from + take) {
                out.extend_from_slice(new);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u16) -> FragKey {
        FragKey::V4 {
            src: [10, 0, 0, 1],
            dst: [10, 0, 0, 2],
            id,
            protocol: 17,
            vlan: 0,
        }
    }

    #[test]
    fn completes_out_of_order_and_keeps_lower_offset_bytes_on_overlap() {
        let mut d = Defrag::default();
        let mut out = Vec::new();
        let last = Fragment {
            offset: 8,
            bytes: &[9, 9, 3, 4],
            more: false,
        };
        assert_eq!(d.add(key(1), last, 2, &mut out), Ok(false));
        assert_eq!(d.held_bytes(), 4);
        let first = Fragment {
            offset: 0,
            bytes: &[0, 1, 2, 3, 4, 5, 6, 7, 1, 2],
            more: true,
        };
        assert_eq!(d.add(key(1), first, 3, &mut out), Ok(true));
        assert_eq!(out, [0, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4]);
        assert_eq!(d.held_bytes(), 0);
    }

    #[test]
    fn a_gap_keeps_the_datagram_pending() {
        let mut d = Defrag::default();
        let mut out = Vec::new();
        assert_eq!(
            d.add(
                key(2),
                Fragment {
                    offset: 0,
                    bytes: &[0; 8],
                    more: true
                },
                1,
                &mut out
            ),
            Ok(false)
        );
        assert_eq!(
            d.add(
                key(2),
                Fragment {
                    offset: 16,
                    bytes: &[0; 8],
                    more: false
                },
                2,
                &mut out
            ),
            Ok(false)
        );
        assert_eq!(
            d.add(
                key(3),
                Fragment {
                    offset: 8,
                    bytes: &[0; 8],
                    more: true
                },
                3,
                &mut out
            ),
            Ok(false)
        );
        assert_eq!(
            d.add(
                key(2),
                Fragment {
                    offset: 8,
                    bytes: &[7; 8],
                    more: true
                },
                4,
                &mut out
            ),
            Ok(true)
        );
        assert_eq!(out.len(), 24);
        assert_eq!(out[8..16], [7; 8]);
    }

    #[test]
    fn memory_is_bounded() {
        let mut d = Defrag::default();
        let mut out = Vec::new();
        let big = vec![0u8; 60_000];
        for id in 0..2000u16 {
            let r = d.add(
                key(id),
                Fragment {
                    offset: 0,
                    bytes: &big,
                    more: true,
                },
                1,
                &mut out,
            );
            assert_eq!(r, Ok(false));
            assert!(d.held_bytes() <= MAX_HELD_BYTES + big.len());
            assert!(d.pending.len() <= MAX_PENDING);
        }
        let too_far = Fragment {
            offset: 130_000,
            bytes: &big,
            more: false,
        };
        assert!(d.add(key(1), too_far, 2, &mut out).is_err());
    }
}
