//! The merge order of captures that are already indexed (the page's merged view of its open
//! captures): each capture gives its packets' timestamps ([`MergeColumn::of`]), and
//! [`merged_frames`] interleaves them with [`super::merge::merge_order`], the rule `tracematch
//! merge` uses, so the page lists the packets in the order the merged file has them.
//!
//! Records that are not packets (pcapng custom and journal blocks, which the index numbers as
//! frames like tshark) are left out, as `tracematch merge` leaves them out; frame numbers stay
//! those of each capture.
//!
//! Memory: a column holds 8 bytes per packet (plus 4 per packet only when the capture has records
//! that are not packets); the merge adds 8 bytes per merged packet for [`merge_order`]'s result
//! and 8 for the returned pairs.

use super::merge::merge_order;
use crate::capture::NO_INTERFACE;
use crate::pipeline::Indexer;

/// One capture's input to the merge: its packets' timestamps in frame order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeColumn {
    /// Timestamp (epoch ns) of each packet, in frame order.
    pub ts_ns: Vec<i64>,
    /// Frame number of each entry of `ts_ns`; `None` when packet `k` (0-based) is frame `k + 1`
    /// (no record of the capture is left out).
    pub frames: Option<Vec<u32>>,
}

impl MergeColumn {
    /// The packets of an indexed capture (what was indexed so far, if indexing is not over).
    pub fn of(indexer: &Indexer) -> MergeColumn {
        let index = indexer.index();
        let count = u32::try_from(index.len()).unwrap_or(u32::MAX);
        let mut ts_ns = Vec::with_capacity(count as usize);
        let mut frames: Option<Vec<u32>> = None;
        for number in 1..=count {
            let Some(entry) = index.get(number) else {
                continue;
            };
            // Custom and journal blocks belong to no interface.
            let packet = entry.interface_id != NO_INTERFACE;
            if !packet && frames.is_none() {
                frames = Some((1..number).collect());
            }
            if packet {
                ts_ns.push(entry.ts_ns);
                if let Some(f) = frames.as_mut() {
                    f.push(number);
                }
            }
        }
        MergeColumn { ts_ns, frames }
    }

    /// Frame number of packet `position` (1-based position among this column's packets).
    fn frame_at(&self, position: u32) -> u32 {
        match &self.frames {
            None => position,
            Some(f) => position
                .checked_sub(1)
                .and_then(|i| f.get(i as usize))
                .copied()
                .unwrap_or(position),
        }
    }
}

/// The packets of all `columns` in merged time order, as pairs `[input, frame]` flattened into
/// one vector (`input` 0-based, in `columns` order; `frame` the frame number in that capture).
/// The order is [`merge_order`]'s: equal times go to the later input first, as `mergecap` does.
pub fn merged_frames(columns: &[MergeColumn]) -> Vec<u32> {
    let times: Vec<&[i64]> = columns.iter().map(|c| c.ts_ns.as_slice()).collect();
    let order = merge_order(&times);
    let mut out = Vec::with_capacity(order.len().saturating_mul(2));
    for step in order {
        let frame = columns
            .get(step.input as usize)
            .map(|c| c.frame_at(step.frame))
            .unwrap_or(step.frame);
        out.push(step.input);
        out.push(frame);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(ts: &[i64], frames: Option<&[u32]>) -> MergeColumn {
        MergeColumn {
            ts_ns: ts.to_vec(),
            frames: frames.map(<[u32]>::to_vec),
        }
    }

    #[test]
    fn pairs_follow_merge_order_and_ties_go_to_the_later_input() {
        let a = column(&[10, 20, 30], None);
        let b = column(&[5, 20, 40], None);
        assert_eq!(
            merged_frames(&[a, b]),
            vec![1, 1, 0, 1, 1, 2, 0, 2, 0, 3, 1, 3]
        );
    }

    #[test]
    fn frame_numbers_skip_records_that_are_not_packets() {
        // Capture 0's frame 2 was a custom block: its packets are frames 1 and 3.
        let a = column(&[10, 30], Some(&[1, 3]));
        let b = column(&[20], None);
        assert_eq!(merged_frames(&[a, b]), vec![0, 1, 1, 1, 0, 3]);
    }

    #[test]
    fn no_captures_or_empty_captures_merge_to_nothing() {
        assert!(merged_frames(&[]).is_empty());
        assert!(merged_frames(&[MergeColumn::default(), MergeColumn::default()]).is_empty());
    }
}
