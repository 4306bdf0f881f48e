//! Whole-capture statistics for the page, fed the capture file again chunk by chunk by the worker
//! (the index keeps no packet bytes): [`StatsHandle`] (IO graph intervals, top talkers per
//! interval, endpoints, Expert Info, protocol hierarchy, ESP series per SPI).
//! Every value comes from the core (`crate::stats`, `crate::session`).

use wasm_bindgen::prelude::*;

use super::js_value::to_js;
use crate::filter::{Filter, FrameFilter};
use crate::pipeline::{FrameContext, Pipeline};
use crate::session::{ExpertSummary, LayerAnalysis, TcpAnalyzer};
use crate::stats::{EndpointTable, EspIntervals, IoStats, ProtocolHierarchy, TopTalkers};

/// Most IO graph intervals sent with empty ones included; longer captures send busy ones only.
pub const MAX_DENSE_INTERVALS: u64 = 200_000;

/// Most (interval, source) entries sent as complete per-interval lists; beyond it each interval
/// sends its [`TOP_TALKERS_WHEN_CUT`] biggest sources only.
pub const MAX_TALKER_ENTRIES: usize = 200_000;

/// Sources sent per interval when the lists are cut.
pub const TOP_TALKERS_WHEN_CUT: usize = 20;

/// Interval statistics, endpoints and Expert Info of a whole capture.
#[wasm_bindgen]
pub struct StatsHandle {
    pipeline: Pipeline,
    analyzer: TcpAnalyzer,
    tcp: Vec<LayerAnalysis>,
    io: IoStats,
    endpoints: EndpointTable,
    expert: ExpertSummary,
    phs: ProtocolHierarchy,
    esp: EspIntervals,
    talkers: TopTalkers,
    /// Only frames this display filter shows are counted (Wireshark's "Limit to display filter").
    shown: Option<FrameFilter>,
}

#[wasm_bindgen]
impl StatsHandle {
    /// Statistics with intervals of `interval_ms` milliseconds (1 ms .. 30 days).
    #[wasm_bindgen(constructor)]
    pub fn new(interval_ms: f64) -> Result<StatsHandle, JsError> {
        super::panic_report::install();
        let ns = (interval_ms * 1e6).round() as i64;
        let io = IoStats::new(ns).map_err(super::js_value::to_js_error)?;
        Ok(StatsHandle {
            pipeline: Pipeline::new(),
            analyzer: TcpAnalyzer::new(),
            tcp: Vec::new(),
            esp: EspIntervals::new(io.interval_ns()),
            talkers: TopTalkers::new(io.interval_ns()).map_err(super::js_value::to_js_error)?,
            io,
            endpoints: EndpointTable::new(),
            expert: ExpertSummary::new(),
            phs: ProtocolHierarchy::new(),
            shown: None,
        })
    }

    /// Statistics like [`StatsHandle::new`] counting only the frames display filter `filter`
    /// shows (every frame still passes through the TCP analysis, as tshark's two-pass flags need);
    /// fails with the filter's error when it does not compile.
    #[wasm_bindgen(js_name = withDisplayFilter)]
    pub fn with_display_filter(interval_ms: f64, filter: &str) -> Result<StatsHandle, JsError> {
        let compiled = Filter::compile(filter).map_err(|e| JsError::new(&e.to_string()))?;
        let mut handle = StatsHandle::new(interval_ms)?;
        handle.shown = Some(FrameFilter::new(compiled));
        Ok(handle)
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        self.feed(Some(chunk));
    }

    /// Signals the end of the file.
    pub fn finish(&mut self) {
        self.feed(None);
    }

    /// `{ interval_ms, dense, rows: [{ index, start, end, counters }] }`: every interval up to
    /// the last busy one (busy ones only past [`MAX_DENSE_INTERVALS`]).
    #[wasm_bindgen(js_name = ioRows)]
    pub fn io_rows(&self) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct Rows {
            interval_ms: f64,
            dense: bool,
            rows: Vec<crate::stats::IoRow>,
        }
        let dense = self.io.interval_count() <= MAX_DENSE_INTERVALS;
        let rows = if dense {
            self.io.all_rows().collect()
        } else {
            self.io.busy_rows().collect()
        };
        to_js(&Rows {
            interval_ms: self.io.interval_ns() as f64 / 1e6,
            dense,
            rows,
        })
    }

    /// Endpoint rows (IPv4 then IPv6).
    pub fn endpoints(&self) -> Result<JsValue, JsError> {
        let rows: Vec<_> = self
            .endpoints
            .rows(false)
            .into_iter()
            .chain(self.endpoints.rows(true))
            .collect();
        to_js(&rows)
    }

    /// Expert Info rows (severity, kind, count, first frames).
    pub fn expert(&self) -> Result<JsValue, JsError> {
        to_js(&self.expert.rows())
    }

    /// ESP per SPI and direction: `{ interval_ms, streams: [summary], rows: [interval row] }`
    /// (rows only for intervals with ESP packets; `stream` indexes `streams`).
    #[wasm_bindgen(js_name = espSeries)]
    pub fn esp_series(&self) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct Out {
            interval_ms: f64,
            streams: Vec<crate::stats::EspStreamSummary>,
            rows: Vec<crate::stats::EspIntervalRow>,
        }
        to_js(&Out {
            interval_ms: self.esp.interval_ns() as f64 / 1e6,
            streams: self.esp.summaries(),
            rows: self.esp.rows(),
        })
    }

    /// Top talkers: `{ interval_ms, complete, intervals: [{ index, start, top: [{ address,
    /// bytes, frames }], other_bytes }] }` for the busy intervals, biggest sources first. With
    /// `complete` every source of every interval is listed (sums over a time range are exact);
    /// otherwise each interval lists its [`TOP_TALKERS_WHEN_CUT`] biggest.
    #[wasm_bindgen(js_name = topTalkers)]
    pub fn top_talkers(&self) -> Result<JsValue, JsError> {
        #[derive(serde::Serialize)]
        struct Out {
            interval_ms: f64,
            complete: bool,
            intervals: Vec<crate::stats::IntervalTalkers>,
        }
        let complete = self.talkers.entry_count() <= MAX_TALKER_ENTRIES;
        let n = if complete {
            usize::MAX
        } else {
            TOP_TALKERS_WHEN_CUT
        };
        to_js(&Out {
            interval_ms: self.io.interval_ns() as f64 / 1e6,
            complete,
            intervals: self.talkers.top(n),
        })
    }

    /// Protocol hierarchy rows (`depth`, `proto`, `path`, `frames`, `bytes`), depth first.
    #[wasm_bindgen(js_name = protocolHierarchy)]
    pub fn protocol_hierarchy(&self) -> Result<JsValue, JsError> {
        to_js(&self.phs.rows())
    }
}

impl StatsHandle {
    /// Runs the pipeline over `chunk` (or finishes it with `None`), every table observing each frame.
    fn feed(&mut self, chunk: Option<&[u8]>) {
        let (analyzer, tcp, io, endpoints, expert, phs, esp, talkers, shown) = (
            &mut self.analyzer,
            &mut self.tcp,
            &mut self.io,
            &mut self.endpoints,
            &mut self.expert,
            &mut self.phs,
            &mut self.esp,
            &mut self.talkers,
            &mut self.shown,
        );
        let mut visit = |c: &FrameContext| {
            analyzer.analyze_frame(c, tcp);
            if let Some(filter) = shown.as_mut() {
                if !filter.matches(c) {
                    return;
                }
            }
            io.observe(c, tcp);
            endpoints.observe(c);
            expert.observe(c.meta.number, tcp);
            phs.observe(c);
            esp.observe(c);
            talkers.observe(c);
        };
        match chunk {
            Some(chunk) => self.pipeline.push(chunk, &mut visit),
            None => self.pipeline.finish(&mut visit),
        }
    }
}
