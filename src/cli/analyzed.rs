//! Reading a capture with the TCP analysis run on every frame: the shared first step of the
//! `session`, `stats`, `esp`, `endpoints`, `dns` and `expert` subcommands.

use super::input;
use crate::pipeline::{FrameContext, Pipeline};
use crate::session::{LayerAnalysis, TcpAnalyzer};

/// Feeds the capture at `path` through a pipeline, analyzing each frame's TCP layers first and
/// then calling `visit` with the frame and its analysis (one entry per TCP layer). Returns the
/// finished pipeline (for its error) and analyzer (for per-stream values such as the initial RTT).
pub fn feed_analyzed<V: FnMut(&FrameContext, &[LayerAnalysis])>(
    path: &str,
    visit: &mut V,
) -> std::io::Result<(Pipeline, TcpAnalyzer)> {
    let mut pipeline = Pipeline::new();
    let mut analyzer = TcpAnalyzer::new();
    let mut tcp: Vec<LayerAnalysis> = Vec::new();
    let mut each = |c: &FrameContext| {
        analyzer.analyze_frame(c, &mut tcp);
        visit(c, &tcp);
    };
    input::feed(path, &mut pipeline, &mut each)?;
    Ok((pipeline, analyzer))
}
