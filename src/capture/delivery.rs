//! Frame delivery: numbers frames in file order, hands them to the caller's sink and keeps the
//! running totals of [`CaptureInfo`] (frames, bytes, per-interface counts, warnings, comments).
//!
//! Memory bound: everything kept here is capped — at most [`MAX_WARNINGS`] warnings,
//! [`MAX_SECTIONS`] section descriptions and [`TEXT_BUDGET`] bytes of stored text (comments,
//! names, name-resolution records; each string charged at least 32 bytes) per capture.

use super::{CaptureInfo, FrameMeta, RecordKind};

/// Warnings kept in [`CaptureInfo::warnings`]; later ones are only counted.
pub(crate) const MAX_WARNINGS: usize = 64;

/// Bytes of text (comments, interface names, NRB records ...) kept per capture.
pub(crate) const TEXT_BUDGET: usize = 4 << 20;

/// Budget charged for a kept string of fewer bytes (its `String` and list entry).
const MIN_TEXT_COST: usize = 32;

/// Sections whose details are kept; later sections are read but not described.
pub(crate) const MAX_SECTIONS: usize = 4096;

/// Running state shared by the walkers: the info being built and the frame counter.
#[derive(Default)]
pub(crate) struct Delivery {
    /// What has been learned so far.
    pub info: CaptureInfo,
    /// Timestamp of the previous frame that had one.
    last_ts: Option<i64>,
    /// Warnings not kept because [`MAX_WARNINGS`] was reached.
    dropped_warnings: u64,
    /// Text bytes still allowed.
    text_left: usize,
    /// Set once text was dropped (reported once as a warning).
    text_exhausted: bool,
}

impl Delivery {
    /// An empty state.
    pub fn new() -> Self {
        Delivery {
            text_left: TEXT_BUDGET,
            ..Default::default()
        }
    }

    /// Number the next frame gets.
    #[inline]
    pub fn next_number(&self) -> u32 {
        u32::try_from(self.info.frames.saturating_add(1)).unwrap_or(u32::MAX)
    }

    /// Delivers one frame: sets its number, updates the totals and calls `sink`. `meta.caplen`
    /// must equal `data.len()` (the walkers guarantee it). Returns the frame number.
    #[inline]
    pub fn deliver<F: FnMut(&FrameMeta, &[u8])>(
        &mut self,
        mut meta: FrameMeta,
        data: &[u8],
        sink: &mut F,
    ) -> u32 {
        meta.number = self.next_number();
        self.info.frames = self.info.frames.saturating_add(1);
        self.info.captured_bytes = self.info.captured_bytes.saturating_add(data.len() as u64);
        if meta.kind == RecordKind::Packet {
            if let Some(iface) = self.info.interfaces.get_mut(meta.interface_id as usize) {
                iface.packets = iface.packets.saturating_add(1);
            }
        }
        if meta.has_timestamp {
            if let Some(prev) = self.last_ts {
                if meta.ts_ns < prev {
                    self.warn_backwards(meta.number);
                }
            }
            self.last_ts = Some(meta.ts_ns);
        }
        sink(&meta, data);
        meta.number
    }

    #[cold]
    fn warn_backwards(&mut self, number: u32) {
        self.warn(format!("timestamp goes backwards at frame {number}"));
    }

    /// Records a non-fatal oddity (capped at [`MAX_WARNINGS`]).
    #[cold]
    pub fn warn(&mut self, message: String) {
        if self.info.warnings.len() < MAX_WARNINGS {
            self.info.warnings.push(message);
        } else {
            self.dropped_warnings = self.dropped_warnings.saturating_add(1);
        }
    }

    /// Turns bytes from the file into a kept string if the text budget allows (lossy UTF-8,
    /// trailing NULs removed); None once the budget is spent.
    pub fn keep_text(&mut self, bytes: &[u8]) -> Option<String> {
        let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        let bytes = bytes.get(..end).unwrap_or_default();
        // Every kept string costs at least this much (so empty strings are bounded too).
        let cost = bytes.len().max(MIN_TEXT_COST);
        if cost > self.text_left {
            if !self.text_exhausted {
                self.text_exhausted = true;
                self.warn(format!(
                    "more than {TEXT_BUDGET} bytes of comments/names: the rest is not kept"
                ));
            }
            return None;
        }
        self.text_left -= cost;
        Some(String::from_utf8_lossy(bytes).into_owned())
    }

    /// Adds the "N more warnings" line when warnings were dropped; call once at the end.
    pub fn close(&mut self) {
        if self.dropped_warnings > 0 {
            let n = self.dropped_warnings;
            self.dropped_warnings = 0;
            self.info
                .warnings
                .push(format!("{n} more warnings not shown"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::InterfaceInfo;

    #[test]
    fn numbers_counts_and_warns_on_backwards_time() {
        let mut d = Delivery::new();
        d.info.interfaces.push(InterfaceInfo::default());
        let mut seen = Vec::new();
        let mut sink = |m: &FrameMeta, b: &[u8]| seen.push((m.number, m.ts_ns, b.len()));
        let mk = |ts| FrameMeta {
            ts_ns: ts,
            has_timestamp: true,
            caplen: 3,
            wire_len: 3,
            ..Default::default()
        };
        d.deliver(mk(10), b"abc", &mut sink);
        d.deliver(mk(5), b"abc", &mut sink);
        d.deliver(mk(7), b"abc", &mut sink);
        assert_eq!(seen, vec![(1, 10, 3), (2, 5, 3), (3, 7, 3)]);
        assert_eq!(d.info.frames, 3);
        assert_eq!(d.info.captured_bytes, 9);
        assert_eq!(d.info.interfaces[0].packets, 3);
        assert_eq!(
            d.info.warnings,
            vec!["timestamp goes backwards at frame 2".to_string()]
        );
    }

    #[test]
    fn warnings_and_text_are_capped() {
        let mut d = Delivery::new();
        for i in 0..(MAX_WARNINGS + 5) {
            d.warn(format!("w{i}"));
        }
        d.close();
        assert_eq!(d.info.warnings.len(), MAX_WARNINGS + 1);
        assert_eq!(d.info.warnings.last().unwrap(), "5 more warnings not shown");
        assert_eq!(d.keep_text(b"eth0\0\0").as_deref(), Some("eth0"));
        let big = vec![b'x'; TEXT_BUDGET];
        assert!(d.keep_text(&big).is_none());
        assert_eq!(d.keep_text(b"ok").as_deref(), Some("ok"));
    }
}
