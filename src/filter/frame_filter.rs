//! [`FrameFilter`]: a [`Filter`] applied to the pipeline's frames in file order, with the TCP
//! analyzer fed on every frame when the filter reads `tcp.analysis.*` (tshark's single pass).

use super::{Filter, FrameView, Requirement};
use crate::fields::FieldContext;
use crate::pipeline::FrameContext;
use crate::session::{LayerAnalysis, TcpAnalyzer};

/// Runs a filter over frames delivered in file order.
pub struct FrameFilter {
    filter: Filter,
    analyzer: Option<TcpAnalyzer>,
    tcp: Vec<LayerAnalysis>,
}

impl FrameFilter {
    /// Wraps a compiled filter.
    pub fn new(filter: Filter) -> Self {
        let analyzer = (filter.requirement() == Requirement::TcpAnalysis).then(TcpAnalyzer::new);
        Self {
            filter,
            analyzer,
            tcp: Vec::new(),
        }
    }

    /// The filter.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Whether the frame passes; call once per frame, in file order.
    pub fn matches(&mut self, c: &FrameContext) -> bool {
        self.tcp.clear();
        if let Some(a) = &mut self.analyzer {
            a.analyze_frame(c, &mut self.tcp);
        }
        let view = FrameView {
            fields: FieldContext {
                meta: c.meta,
                frame: c.frame,
                data: c.data,
                tcp_streams: &c.streams.tcp,
                udp_streams: &c.streams.udp,
                first_ts_ns: c.first_ts_ns,
                has_interfaces: c.meta.pcapng,
            },
            reassembled: c.reassembled,
            tcp_analysis: &self.tcp,
        };
        self.filter.matches(&view)
    }
}
