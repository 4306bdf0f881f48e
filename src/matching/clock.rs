//! Clock offset and drift between two capture points, from paired packets.
//!
//! For a packet travelling from A to B, x = t_B − t_A = offset(t) + delay ≥ offset(t) + min delay;
//! for one travelling from B to A, x = offset(t) − delay. Per time window (up to
//! [`MAX_WINDOWS`] over A's time range) the lowest x of the A→B packets and the highest x of the
//! B→A packets are the least-queued samples; a line is fitted through each set (least squares,
//! then once more without outliers) and the clock model is their mean: offset at A's first packet,
//! slope = drift. A slope within three standard errors of zero is noise: then drift is 0 and the
//! offset is the mean of the two envelopes' medians. Half the distance between the lines is the one-way delay. With only one
//! direction the offset includes the delay and `delay_s` is None.

use serde::Serialize;

/// How much the minimum path delay may wander with load (sets the floor of a slope's
/// uncertainty: a drift must move the offset by more than 3× this over the capture to count).
const DELAY_WANDER_S: f64 = 20e-6;
/// Most time windows.
pub const MAX_WINDOWS: usize = 64;
/// Fewest samples per window (on average) before windows are merged.
const SAMPLES_PER_WINDOW: usize = 4;

/// One paired packet: its time at each point and its direction of travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockSample {
    /// Time at A, epoch ns.
    pub t_a_ns: i64,
    /// Time at B, epoch ns.
    pub t_b_ns: i64,
    /// True when the packet went from A's point to B's point.
    pub a_to_b: bool,
}

/// The clock model B(t) = A(t) + offset + drift·(t − t0), t0 = A's first packet.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ClockEstimate {
    /// B's clock minus A's clock at A's first packet, path delay removed, seconds.
    pub offset_s: f64,
    /// (dB/dA − 1)·1e6.
    pub drift_ppm: f64,
    /// One-way delay estimate (minimum, both directions averaged), seconds; None with one
    /// direction only.
    pub delay_s: Option<f64>,
    /// Paired packets used.
    pub samples: usize,
    /// Windows used.
    pub windows: usize,
    /// Packets A→B among the samples.
    pub samples_a_to_b: usize,
    /// Packets B→A among the samples.
    pub samples_b_to_a: usize,
    /// What was paired: `"packets"`, or `"turns"` (request/response starts through a proxy:
    /// the proxy's processing time counts as path delay).
    pub basis: &'static str,
}

impl ClockEstimate {
    /// B's time minus A's time (no delay) predicted at A time `t_a_ns`, in ns.
    pub fn shift_at_ns(&self, t_a_ns: i64, t0_ns: i64) -> f64 {
        let t = t_a_ns.saturating_sub(t0_ns) as f64 / 1e9;
        (self.offset_s + self.drift_ppm * 1e-6 * t) * 1e9
    }
}

struct Line {
    intercept: f64,
    slope: f64,
    /// Standard error of the slope (infinite when it cannot be estimated).
    slope_se: f64,
    /// Median of the points' x (the level when no slope is fitted).
    level: f64,
}

fn fit(points: &[(f64, f64)]) -> Option<Line> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let mt = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mx = points.iter().map(|p| p.1).sum::<f64>() / n;
    let stt: f64 = points.iter().map(|p| (p.0 - mt) * (p.0 - mt)).sum();
    let stx: f64 = points.iter().map(|p| (p.0 - mt) * (p.1 - mx)).sum();
    // A time span under a millisecond cannot show drift.
    let slope = if points.len() >= 2 && stt > 1e-6 {
        stx / stt
    } else {
        0.0
    };
    let intercept = mx - slope * mt;
    let slope_se = if points.len() >= 3 && stt > 1e-6 {
        let ss: f64 = points
            .iter()
            .map(|p| (p.1 - intercept - slope * p.0).powi(2))
            .sum();
        // Path delays wander by tens of µs with load; that wander over the span is the least
        // uncertainty a slope can have, however smooth the envelope looks.
        let span = points.iter().map(|p| p.0).fold(f64::MIN, f64::max)
            - points.iter().map(|p| p.0).fold(f64::MAX, f64::min);
        (ss / (n - 2.0) / stt)
            .sqrt()
            .max(DELAY_WANDER_S / span.max(1e-9))
    } else {
        f64::INFINITY
    };
    let level = median(points.iter().map(|p| p.1).collect()).unwrap_or(mx);
    Some(Line {
        intercept,
        slope,
        slope_se,
        level,
    })
}

/// Fits, drops points further than 3 median absolute residuals (at least 20 µs) from the line,
/// fits again.
fn robust_fit(points: &[(f64, f64)]) -> Option<Line> {
    let first = fit(points)?;
    let mut res: Vec<f64> = points
        .iter()
        .map(|p| (p.1 - (first.intercept + first.slope * p.0)).abs())
        .collect();
    let mut sorted = res.clone();
    sorted.sort_by(f64::total_cmp);
    let mad = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    let limit = (3.0 * mad).max(20e-6);
    let kept: Vec<(f64, f64)> = points
        .iter()
        .zip(res.iter_mut())
        .filter(|(_, r)| **r <= limit)
        .map(|(p, _)| *p)
        .collect();
    if kept.len() >= 2 && kept.len() < points.len() {
        fit(&kept)
    } else {
        Some(first)
    }
}

/// A fitted drift is kept only when it stands out of the envelope's jitter: more than three
/// standard errors. Short captures (a second or less) cannot tell tens of ppm from queueing noise;
/// they get drift 0 and an offset from the envelopes' medians.
fn drift_significant(slope: f64, se: f64) -> bool {
    se.is_finite() && slope.abs() > 3.0 * se
}

/// Estimates the clock model from paired packets; `t0_ns` is A's first packet. None without
/// samples.
pub fn estimate(samples: &[ClockSample], t0_ns: i64) -> Option<ClockEstimate> {
    estimate_with(samples, t0_ns, true)
}

/// [`estimate`], optionally without a drift (`fit_drift = false`: samples through a proxy carry
/// its processing time, whose wander would pass for drift).
pub fn estimate_with(
    samples: &[ClockSample],
    t0_ns: i64,
    fit_drift: bool,
) -> Option<ClockEstimate> {
    if samples.is_empty() {
        return None;
    }
    let t_min = samples.iter().map(|s| s.t_a_ns).min()?;
    let t_max = samples.iter().map(|s| s.t_a_ns).max()?;
    let windows = (samples.len() / SAMPLES_PER_WINDOW).clamp(1, MAX_WINDOWS);
    let span = t_max.saturating_sub(t_min).max(1) as f64;
    // Per window: (t, x) of the lowest A→B and highest B→A sample.
    let mut low: Vec<Option<(f64, f64)>> = vec![None; windows];
    let mut high: Vec<Option<(f64, f64)>> = vec![None; windows];
    for s in samples {
        let w = ((s.t_a_ns.saturating_sub(t_min) as f64 / span) * windows as f64) as usize;
        let w = w.min(windows - 1);
        let t = s.t_a_ns.saturating_sub(t0_ns) as f64 / 1e9;
        let x = s.t_b_ns.saturating_sub(s.t_a_ns) as f64 / 1e9;
        if s.a_to_b {
            if low[w].is_none_or(|(_, lx)| x < lx) {
                low[w] = Some((t, x));
            }
        } else if high[w].is_none_or(|(_, hx)| x > hx) {
            high[w] = Some((t, x));
        }
    }
    let low: Vec<(f64, f64)> = low.into_iter().flatten().collect();
    let high: Vec<(f64, f64)> = high.into_iter().flatten().collect();
    let (offset, slope, delay) = match (robust_fit(&low), robust_fit(&high)) {
        (Some(l), Some(h)) => {
            let slope = (l.slope + h.slope) / 2.0;
            let se = (l.slope_se.powi(2) + h.slope_se.powi(2)).sqrt() / 2.0;
            if fit_drift && drift_significant(slope, se) {
                (
                    (l.intercept + h.intercept) / 2.0,
                    slope,
                    Some(((l.intercept - h.intercept) / 2.0).max(0.0)),
                )
            } else {
                (
                    (l.level + h.level) / 2.0,
                    0.0,
                    Some(((l.level - h.level) / 2.0).max(0.0)),
                )
            }
        }
        (Some(l), None) | (None, Some(l)) => {
            if fit_drift && drift_significant(l.slope, l.slope_se) {
                (l.intercept, l.slope, None)
            } else {
                (l.level, 0.0, None)
            }
        }
        (None, None) => return None,
    };
    let a_to_b = samples.iter().filter(|s| s.a_to_b).count();
    Some(ClockEstimate {
        offset_s: offset,
        drift_ppm: slope * 1e6,
        delay_s: delay,
        samples: samples.len(),
        windows,
        samples_a_to_b: a_to_b,
        samples_b_to_a: samples.len() - a_to_b,
        basis: "packets",
    })
}

/// Median of a list (None when empty).
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random queueing noise (xorshift), in ns.
    fn noise(state: &mut u64, max_ns: i64) -> i64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state % max_ns as u64) as i64
    }

    #[test]
    fn recovers_shift_and_drift_within_1ms_and_5ppm() {
        let t0 = 1_700_000_000_000_000_000i64;
        let offset_ns = 41_828_000_000i64; // 41.828 s, as editcap -t
        let drift_ppm = 50.0;
        let delay_ns = 300_000i64; // 0.3 ms each way
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut samples = Vec::new();
        // 40 s of traffic, a packet each way every 20 ms, queueing up to 5 ms.
        for k in 0..2000i64 {
            let t_a = t0 + k * 20_000_000;
            let shift = offset_ns as f64 + drift_ppm * 1e-6 * (t_a - t0) as f64;
            let q = noise(&mut rng, 5_000_000);
            samples.push(ClockSample {
                t_a_ns: t_a,
                t_b_ns: t_a + delay_ns + q + shift as i64,
                a_to_b: true,
            });
            let q = noise(&mut rng, 5_000_000);
            let t_b = t_a + 7_000_000 + shift as i64;
            samples.push(ClockSample {
                t_a_ns: t_a + 7_000_000 + delay_ns + q,
                t_b_ns: t_b,
                a_to_b: false,
            });
        }
        let c = estimate(&samples, t0).unwrap();
        assert!((c.offset_s - 41.828).abs() < 0.001, "offset {}", c.offset_s);
        assert!((c.drift_ppm - 50.0).abs() < 5.0, "drift {}", c.drift_ppm);
        let d = c.delay_s.unwrap();
        assert!((d - 0.0003).abs() < 0.0003, "delay {d}");
    }

    #[test]
    fn negative_shift_one_direction_includes_delay() {
        let t0 = 1_000_000_000i64;
        let samples: Vec<ClockSample> = (0..50)
            .map(|k| ClockSample {
                t_a_ns: t0 + k * 1_000_000,
                t_b_ns: t0 + k * 1_000_000 - 3_217_000_000 + 100_000,
                a_to_b: true,
            })
            .collect();
        let c = estimate(&samples, t0).unwrap();
        assert!((c.offset_s - (-3.2169)).abs() < 1e-6);
        assert!(c.delay_s.is_none());
        assert!(c.drift_ppm.abs() < 1e-3);
        assert!(estimate(&[], t0).is_none());
    }

    #[test]
    fn short_capture_with_wandering_delay_reports_no_drift() {
        // Same clock at both points; 0.4 s of traffic; the path delay grows from 100 to 130 µs
        // with load (in both directions), which a naive fit would call ~75 ppm of drift.
        let t0 = 5_000_000_000i64;
        let mut samples = Vec::new();
        for k in 0..400i64 {
            let t = t0 + k * 1_000_000;
            let delay = 100_000 + k * 75;
            samples.push(ClockSample {
                t_a_ns: t,
                t_b_ns: t + delay,
                a_to_b: true,
            });
            samples.push(ClockSample {
                t_a_ns: t + 500_000 + delay,
                t_b_ns: t + 500_000,
                a_to_b: false,
            });
        }
        let c = estimate(&samples, t0).unwrap();
        assert_eq!(c.drift_ppm, 0.0);
        assert!(c.offset_s.abs() < 20e-6, "offset {}", c.offset_s);
        assert!(
            (c.delay_s.unwrap() - 115e-6).abs() < 20e-6,
            "delay {:?}",
            c.delay_s
        );
    }
}
