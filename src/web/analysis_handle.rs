//! Whole-capture statistics for the page, fed the capture file again chunk by chunk by the worker
//! (the index keeps no packet bytes): [`StatsHandle`] (IO graph intervals, endpoints, Expert Info).
//! Every value comes from the core (`crate::stats`, `crate::session`).

use wasm_bindgen::prelude::*;

use super::js_value::to_js;
use crate::pipeline::{FrameContext, Pipeline};
use crate::session::{ExpertSummary, LayerAnalysis, TcpAnalyzer};
use crate::stats::{EndpointTable, IoStats};

/// Most IO graph intervals sent with empty ones included; longer captures send busy ones only.
pub const MAX_DENSE_INTERVALS: u64 = 200_000;

/// Interval statistics, endpoints and Expert Info of a whole capture.
#[wasm_bindgen]
pub struct StatsHandle {
    pipeline: Pipeline,
    analyzer: TcpAnalyzer,
    tcp: Vec<LayerAnalysis>,
    io: IoStats,
    endpoints: EndpointTable,
    expert: ExpertSummary,
}

#[wasm_bindgen]
impl StatsHandle {
    /// Statistics with intervals of `interval_ms` milliseconds (1 ms .. 30 days).
    #[wasm_bindgen(constructor)]
    pub fn new(interval_ms: f64) -> Result<StatsHandle, JsError> {
        super::panic_report::install();
        let ns = (interval_ms * 1e6).round() as i64;
        Ok(StatsHandle {
            pipeline: Pipeline::new(),
            analyzer: TcpAnalyzer::new(),
            tcp: Vec::new(),
            io: IoStats::new(ns).map_err(super::js_value::to_js_error)?,
            endpoints: EndpointTable::new(),
            expert: ExpertSummary::new(),
        })
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        let (analyzer, tcp, io, endpoints, expert) = (
            &mut self.analyzer,
            &mut self.tcp,
            &mut self.io,
            &mut self.endpoints,
            &mut self.expert,
        );
        let mut visit = |c: &FrameContext| {
            analyzer.analyze_frame(c, tcp);
            io.observe(c, tcp);
            endpoints.observe(c);
            expert.observe(c.meta.number, tcp);
        };
        self.pipeline.push(chunk, &mut visit);
    }

    /// Signals the end of the file.
    pub fn finish(&mut self) {
        let (analyzer, tcp, io, endpoints, expert) = (
            &mut self.analyzer,
            &mut self.tcp,
            &mut self.io,
            &mut self.endpoints,
            &mut self.expert,
        );
        let mut visit = |c: &FrameContext| {
            analyzer.analyze_frame(c, tcp);
            io.observe(c, tcp);
            endpoints.observe(c);
            expert.observe(c.meta.number, tcp);
        };
        self.pipeline.finish(&mut visit);
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
}
