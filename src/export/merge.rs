//! Merging captures in time order, as `mergecap` does: [`merge_order`] interleaves the inputs'
//! frames by timestamp (a k-way merge of each input's frames in file order; ties go to the *later*
//! input's head, as mergecap's `is_earlier` test holds for equal times), and [`merge_captures`]
//! writes the merged records as one pcapng with one interface per input interface (inputs in
//! argument order, each input's interfaces in its order), timestamps in nanoseconds. Records are
//! read back from each input as stored (pseudo-headers kept).
//!
//! Memory: one [`FrameLocation`] (40 bytes) per input frame plus each input's flow tables; packet
//! bytes are read one record at a time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;

use super::original_record::read_original_record;
use super::pcapng_blocks::{self as blocks, BlockOption};
use super::selection_writer::ExportError;
use crate::capture::random_access::{ByteSource, PacketBytes};
use crate::capture::{CaptureError, RecordKind};
use crate::pipeline::{FrameContext, FrameLocation, Pipeline};

/// One merged frame: which input (0-based, argument order) and its frame number there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergedFrame {
    /// Index of the input.
    pub input: u32,
    /// 1-based frame number within that input.
    pub frame: u32,
}

/// The time order of frames from several inputs: `timestamps[i][k]` is the time (epoch ns) of
/// frame `k + 1` of input `i`. Each input is consumed in file order (like `mergecap`, an input out
/// of time order is not sorted); among the inputs' next frames the earliest goes first, and of
/// equal times the one of the *higher* input index (mergecap scans the inputs in order and takes
/// each one whose time is earlier than or equal to the best so far; checked against mergecap 4.0 on
/// a two-point capture pair with equal times).
pub fn merge_order(timestamps: &[&[i64]]) -> Vec<MergedFrame> {
    let total: usize = timestamps.iter().map(|t| t.len()).sum();
    let mut out = Vec::with_capacity(total);
    // Heap of (time, input, position) of each input's next frame; smallest time first, then
    // highest input.
    let mut heap: BinaryHeap<Reverse<(i64, Reverse<usize>, usize)>> = timestamps
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.first().map(|&ts| Reverse((ts, Reverse(i), 0))))
        .collect();
    while let Some(Reverse((_, Reverse(input), pos))) = heap.pop() {
        out.push(MergedFrame {
            input: u32::try_from(input).unwrap_or(u32::MAX),
            frame: u32::try_from(pos.saturating_add(1)).unwrap_or(u32::MAX),
        });
        let next = pos.saturating_add(1);
        if let Some(&ts) = timestamps.get(input).and_then(|t| t.get(next)) {
            heap.push(Reverse((ts, Reverse(input), next)));
        }
    }
    out
}

/// What [`merge_captures`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeSummary {
    /// Packets written.
    pub packets: u64,
    /// Interfaces written (sum over inputs).
    pub interfaces: u32,
    /// Records that are not packets (pcapng custom / journal blocks), left out.
    pub records_skipped: u64,
    /// The merge order: input and frame number per written packet.
    pub order: Vec<MergedFrame>,
    /// Per input, the error that stopped reading it, if any (what was read is merged).
    pub capture_errors: Vec<Option<CaptureError>>,
}

/// One input read through the pipeline.
struct Input {
    pipeline: Pipeline,
    frames: Vec<FrameLocation>,
    skipped: u64,
}

fn read_input(source: &mut dyn ByteSource) -> std::io::Result<Input> {
    let mut pipeline = Pipeline::new();
    let mut frames = Vec::new();
    let mut skipped = 0u64;
    let mut visit = |c: &FrameContext| {
        let m = c.meta;
        if m.kind != RecordKind::Packet {
            skipped += 1;
            return;
        }
        frames.push(FrameLocation {
            number: m.number,
            offset: m.offset,
            caplen: m.caplen,
            wire_len: m.wire_len,
            ts_ns: m.ts_ns,
            linktype: m.linktype,
            interface_id: m.interface_id,
        });
    };
    pipeline.run_source(source, &mut visit)?;
    Ok(Input {
        pipeline,
        frames,
        skipped,
    })
}

/// Reads every input, merges their packets in time order ([`merge_order`]) and writes them to
/// `out` as pcapng. `names` label the inputs (written as each interface's `if_description`).
pub fn merge_captures<W: Write>(
    sources: &mut [Box<dyn ByteSource>],
    names: &[String],
    mut out: W,
) -> Result<MergeSummary, ExportError> {
    let mut inputs = Vec::with_capacity(sources.len());
    for source in sources.iter_mut() {
        inputs.push(read_input(source.as_mut())?);
    }
    let mut summary = MergeSummary::default();
    let shb: [BlockOption; 1] = [(blocks::SHB_USERAPPL, b"tracematch merge")];
    blocks::write_section_header(&mut out, &shb)?;
    // Output interface of each input's first interface.
    let mut first_interface = Vec::with_capacity(inputs.len());
    let tsresol = [9u8];
    for (i, input) in inputs.iter().enumerate() {
        first_interface.push(summary.interfaces);
        let description = names.get(i).map(String::as_bytes).unwrap_or_default();
        for iface in &input.pipeline.reader().info().interfaces {
            let linktype = u16::try_from(iface.linktype)
                .map_err(|_| ExportError::LinkTypeTooLarge(iface.linktype))?;
            let mut options: Vec<BlockOption> = vec![(blocks::IF_TSRESOL, &tsresol)];
            if let Some(name) = &iface.name {
                options.push((blocks::IF_NAME, name.as_bytes()));
            }
            if !description.is_empty() {
                options.push((blocks::IF_DESCRIPTION, description));
            }
            blocks::write_interface(&mut out, linktype, iface.snaplen, &options)?;
            summary.interfaces = summary.interfaces.saturating_add(1);
        }
    }
    let times: Vec<Vec<i64>> = inputs
        .iter()
        .map(|input| input.frames.iter().map(|f| f.ts_ns).collect())
        .collect();
    let slices: Vec<&[i64]> = times.iter().map(Vec::as_slice).collect();
    let order = merge_order(&slices);
    drop(times);
    for step in &order {
        let i = step.input as usize;
        let (Some(input), Some(source)) = (inputs.get(i), sources.get_mut(i)) else {
            continue;
        };
        let Some(frame) = input.frames.get(step.frame.saturating_sub(1) as usize) else {
            continue;
        };
        let info = input.pipeline.reader().info();
        let mut bytes = PacketBytes::new(source.as_mut(), input.pipeline.reader().gzip_index());
        let record = read_original_record(info, frame, &mut bytes)?;
        let if_id = first_interface
            .get(i)
            .copied()
            .unwrap_or(0)
            .saturating_add(frame.interface_id);
        let ts = u64::try_from(frame.ts_ns).unwrap_or(0);
        blocks::write_enhanced_packet(&mut out, if_id, ts, &record.data, record.wire_len, &[])?;
        summary.packets += 1;
        // Report input frame numbers as the input counts them (custom blocks included).
        summary.order.push(MergedFrame {
            input: step.input,
            frame: frame.number,
        });
    }
    out.flush()?;
    summary.records_skipped = inputs.iter().map(|i| i.skipped).sum();
    summary.capture_errors = inputs.iter().map(|i| i.pipeline.error().cloned()).collect();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(times: &[&[i64]]) -> Vec<(u32, u32)> {
        merge_order(times)
            .into_iter()
            .map(|m| (m.input, m.frame))
            .collect()
    }

    #[test]
    fn earliest_head_first_ties_to_the_later_input() {
        let a: &[i64] = &[1, 3, 3, 7];
        let b: &[i64] = &[2, 3, 8];
        let c: &[i64] = &[];
        assert_eq!(
            order(&[a, b, c]),
            vec![(0, 1), (1, 1), (1, 2), (0, 2), (0, 3), (0, 4), (1, 3)]
        );
    }

    #[test]
    fn an_input_out_of_order_is_consumed_in_file_order_like_mergecap() {
        let a: &[i64] = &[5, 1];
        let b: &[i64] = &[3];
        assert_eq!(order(&[a, b]), vec![(1, 1), (0, 1), (0, 2)]);
    }
}
