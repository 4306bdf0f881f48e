//! TCP stream graphs for the page: [`GraphHandle`] collects one stream's segments while the worker
//! feeds it the capture file again, then answers any kind and direction of graph from them
//! without reading the file again. Every value comes from [`crate::session::stream_graph`].

use wasm_bindgen::prelude::*;

use super::js_value::{to_js, to_js_error};
use crate::pipeline::{FrameContext, Pipeline};
use crate::session::{
    stream_graph, GraphKind, LayerAnalysis, StreamGraphBuilder, StreamSegments, TcpAnalyzer,
};

/// The segments of one TCP stream and the graphs drawn from them.
#[wasm_bindgen]
pub struct GraphHandle {
    pipeline: Pipeline,
    analyzer: TcpAnalyzer,
    tcp: Vec<LayerAnalysis>,
    builder: Option<StreamGraphBuilder>,
    segments: StreamSegments,
}

#[wasm_bindgen]
impl GraphHandle {
    /// Collects `tcp.stream == stream`.
    #[wasm_bindgen(constructor)]
    pub fn new(stream: u32) -> GraphHandle {
        super::panic_report::install();
        GraphHandle {
            pipeline: Pipeline::new(),
            analyzer: TcpAnalyzer::new(),
            tcp: Vec::new(),
            builder: Some(StreamGraphBuilder::new(stream)),
            segments: StreamSegments::default(),
        }
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        let (analyzer, tcp) = (&mut self.analyzer, &mut self.tcp);
        let Some(builder) = self.builder.as_mut() else {
            return;
        };
        let mut visit = |c: &FrameContext| {
            analyzer.analyze_frame(c, tcp);
            builder.observe(c, tcp);
        };
        self.pipeline.push(chunk, &mut visit);
    }

    /// Signals the end of the file (later pushes are ignored).
    pub fn finish(&mut self) {
        let (analyzer, tcp) = (&mut self.analyzer, &mut self.tcp);
        let Some(mut builder) = self.builder.take() else {
            return;
        };
        let mut visit = |c: &FrameContext| {
            analyzer.analyze_frame(c, tcp);
            builder.observe(c, tcp);
        };
        self.pipeline.finish(&mut visit);
        self.segments = builder.finish(self.analyzer.display_pass());
    }

    /// Packets of the stream collected (0 when the stream does not exist).
    pub fn packets(&self) -> u32 {
        u32::try_from(self.segments.segments.len()).unwrap_or(u32::MAX)
    }

    /// The `kind` graph (`stevens`, `tcptrace`, `throughput`, `rtt`, `window`) of direction `node`
    /// (0: that of the stream's first packet): `{ stream, kind, node, from, to, lines, dropped }`.
    pub fn graph(&self, kind: &str, node: u8) -> Result<JsValue, JsError> {
        let kind =
            GraphKind::parse(kind).ok_or_else(|| to_js_error(format!("no graph kind '{kind}'")))?;
        to_js(&stream_graph(&self.segments, kind, node))
    }
}
