//! Frame number lists such as `1-10,15,20-` (editcap's / Wireshark's "packet range" notation):
//! parsing and membership.

/// A set of frame numbers given as inclusive ranges, kept sorted and merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameRanges {
    ranges: Vec<(u32, u32)>,
}

/// Why a frame list does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameRangesError(pub String);

impl std::fmt::Display for FrameRangesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FrameRangesError {}

fn frame_number(text: &str, whole: &str) -> Result<u32, FrameRangesError> {
    match text.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(FrameRangesError(format!(
            "'{}' in frame list '{whole}' is not a frame number (1 or more)",
            text.trim()
        ))),
    }
}

impl FrameRanges {
    /// Parses comma-separated items: `N`, `A-B` (inclusive), `A-` (A to the end), `-B` (1 to B).
    pub fn parse(text: &str) -> Result<FrameRanges, FrameRangesError> {
        let mut ranges = Vec::new();
        for item in text.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(FrameRangesError(format!(
                    "empty item in frame list '{text}'"
                )));
            }
            let (lo, hi) = match item.split_once('-') {
                Some((a, b)) if a.trim().is_empty() && b.trim().is_empty() => {
                    return Err(FrameRangesError(format!(
                        "range '-' in frame list '{text}' has neither start nor end"
                    )));
                }
                Some((a, b)) => {
                    let lo = if a.trim().is_empty() {
                        1
                    } else {
                        frame_number(a, text)?
                    };
                    let hi = if b.trim().is_empty() {
                        u32::MAX
                    } else {
                        frame_number(b, text)?
                    };
                    (lo, hi)
                }
                None => {
                    let n = frame_number(item, text)?;
                    (n, n)
                }
            };
            if lo > hi {
                return Err(FrameRangesError(format!(
                    "range '{item}' in frame list '{text}' ends before it starts"
                )));
            }
            ranges.push((lo, hi));
        }
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        Ok(FrameRanges { ranges: merged })
    }

    /// Whether frame `number` is in the set.
    pub fn contains(&self, number: u32) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < number);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= number)
    }

    /// The largest frame number in the set (`u32::MAX` for an open range).
    pub fn last(&self) -> u32 {
        self.ranges.last().map_or(0, |&(_, hi)| hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_merges() {
        let r = FrameRanges::parse("15, 1-10,9-12,20-").unwrap();
        assert_eq!(r.ranges, vec![(1, 12), (15, 15), (20, u32::MAX)]);
        for n in [1, 5, 12, 15, 20, 99999] {
            assert!(r.contains(n), "{n}");
        }
        for n in [0, 13, 14, 16, 19] {
            assert!(!r.contains(n), "{n}");
        }
        assert_eq!(FrameRanges::parse("-3").unwrap().ranges, vec![(1, 3)]);
        assert_eq!(FrameRanges::parse("7").unwrap().last(), 7);
    }

    #[test]
    fn rejects_bad_lists() {
        for bad in ["", "1,,2", "0", "a-3", "5-2", "1-2-3", "-"] {
            assert!(FrameRanges::parse(bad).is_err(), "{bad:?} should fail");
        }
    }
}
