//! Exporting two matched captures as ONE pcapng: one interface per capture point (and link type),
//! B's timestamps moved onto A's clock by the estimated offset and drift, packets merged in
//! corrected time order, and a comment on every packet naming its peer at the other point (or
//! saying it was not seen there).
//!
//! Both files are read at once, chunk by chunk, through two pipelines; memory holds only the
//! frames of the current chunks (plus the peer maps: 8 bytes per paired packet).

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::path::Path;

use rustc_hash::FxHashMap;

use super::driver::build_input;
use super::pair::{match_pair, PairResult};
use super::PipelineVisitor;
use crate::export::PcapNgWriter;
use crate::pipeline::{FrameContext, Pipeline};

/// Chunk read from each capture per refill.
const CHUNK: usize = 1 << 20;

/// What [`export_matched_pair`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    /// Packets from A.
    pub packets_a: u64,
    /// Packets from B.
    pub packets_b: u64,
    /// Packets with a peer at the other point.
    pub paired: u64,
}

/// One frame waiting to be written.
struct Pending {
    ts_ns: i64,
    frame: u32,
    linktype: u32,
    wire_len: u32,
    data: Vec<u8>,
}

/// One capture being read.
struct Side {
    file: std::fs::File,
    pipeline: Pipeline,
    queue: VecDeque<Pending>,
    done: bool,
}

impl Side {
    fn open(path: &Path) -> std::io::Result<Self> {
        Ok(Side {
            file: std::fs::File::open(path)?,
            pipeline: Pipeline::new(),
            queue: VecDeque::new(),
            done: false,
        })
    }

    /// Reads chunks until a frame is queued or the file ends.
    fn refill(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        while self.queue.is_empty() && !self.done {
            let queue = &mut self.queue;
            let mut visit = |ctx: &FrameContext| {
                queue.push_back(Pending {
                    ts_ns: ctx.meta.ts_ns,
                    frame: ctx.meta.number,
                    linktype: ctx.meta.linktype,
                    wire_len: ctx.meta.wire_len,
                    data: ctx.data.to_vec(),
                });
            };
            let n = loop {
                match self.file.read(buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 || self.pipeline.error().is_some() {
                self.pipeline.finish(&mut visit);
                self.done = true;
            } else {
                self.pipeline.push(buf.get(..n).unwrap_or(&[]), &mut visit);
            }
        }
        Ok(())
    }
}

/// Frame → peer frame maps of a pair result (packet-level links only).
fn peer_maps(
    a: &super::MatchInput,
    b: &super::MatchInput,
    r: &PairResult,
) -> (FxHashMap<u32, u32>, FxHashMap<u32, u32>) {
    let mut ab = FxHashMap::default();
    let mut ba = FxHashMap::default();
    for m in &r.matches {
        let Some(p) = &m.pairing else { continue };
        for &(i, j) in &p.pairs {
            if let (Some(x), Some(y)) = (a.packets.get(i as usize), b.packets.get(j as usize)) {
                ab.insert(x.frame, y.frame);
                ba.insert(y.frame, x.frame);
            }
        }
    }
    (ab, ba)
}

/// Matches the captures at `a` and `b` and writes them as one pcapng to `out` (see the module
/// header). `labels` name the two points in the comments.
pub fn export_matched_pair<W: Write>(
    a: &Path,
    b: &Path,
    labels: [&str; 2],
    out: W,
) -> std::io::Result<ExportSummary> {
    let ia = build_input(&mut PipelineVisitor, a)?;
    let ib = build_input(&mut PipelineVisitor, b)?;
    let result = match_pair(&ia, &ib);
    let (peer_ab, peer_ba) = peer_maps(&ia, &ib, &result);
    let t0 = ia.first_ts_ns.unwrap_or(0);
    // B time → A time: t_A = t_B − shift(t_A), shift evaluated near t_B − offset.
    let to_a_clock = |t_b: i64| -> i64 {
        match &result.clock {
            Some(c) => {
                let guess = t_b.saturating_sub((c.offset_s * 1e9) as i64);
                t_b.saturating_sub(c.shift_at_ns(guess, t0) as i64)
            }
            None => t_b,
        }
    };
    let mut writer = PcapNgWriter::new(out)?;
    let mut interfaces: FxHashMap<(usize, u32), u32> = FxHashMap::default();
    let mut sides = [Side::open(a)?, Side::open(b)?];
    let mut buf = vec![0u8; CHUNK];
    let mut summary = ExportSummary {
        packets_a: 0,
        packets_b: 0,
        paired: 0,
    };
    loop {
        for s in sides.iter_mut() {
            s.refill(&mut buf)?;
        }
        // The side whose front frame comes first on A's clock.
        let front = |k: usize, s: &Side| {
            s.queue
                .front()
                .map(|p| if k == 0 { p.ts_ns } else { to_a_clock(p.ts_ns) })
        };
        let pick = match (front(0, &sides[0]), front(1, &sides[1])) {
            (Some(x), Some(y)) => usize::from(y < x),
            (Some(_), None) => 0,
            (None, Some(_)) => 1,
            (None, None) => break,
        };
        let Some(p) = sides[pick].queue.pop_front() else {
            break;
        };
        let iface = match interfaces.get(&(pick, p.linktype)) {
            Some(&i) => i,
            None => {
                let lt = u16::try_from(p.linktype).unwrap_or(0);
                let i = writer.add_interface(lt, 0, true)?;
                interfaces.insert((pick, p.linktype), i);
                i
            }
        };
        let (peer, other) = if pick == 0 {
            (peer_ab.get(&p.frame), labels[1])
        } else {
            (peer_ba.get(&p.frame), labels[0])
        };
        let here = labels[pick];
        let comment = match peer {
            Some(f) => {
                summary.paired += 1;
                format!("{here} frame {}; peer: {other} frame {f}", p.frame)
            }
            None => format!("{here} frame {}; no peer at {other}", p.frame),
        };
        let ts = if pick == 0 {
            p.ts_ns
        } else {
            to_a_clock(p.ts_ns)
        };
        writer.write_packet(iface, ts, &p.data, p.wire_len, Some(&comment))?;
        if pick == 0 {
            summary.packets_a += 1;
        } else {
            summary.packets_b += 1;
        }
    }
    writer.into_inner()?;
    Ok(summary)
}
