//! Files → [`MatchReport`]: runs each capture through the indexing pipeline once, feeding a
//! [`MatchInputBuilder`], then matches. The pipeline is reached through the [`FrameVisitor`]
//! trait so that only [`PipelineVisitor`] knows how frames are produced.

use std::io::Read;
use std::path::Path;

use super::input::{MatchInput, MatchInputBuilder};
use super::report::{CaptureRef, MatchReport};
use super::{match_inputs, MatchOptions};
use crate::capture::FrameMeta;
use crate::decode::DecodedFrame;
use crate::pipeline::Pipeline;

/// Why a match run could not read its inputs.
#[derive(Debug)]
pub enum MatchError {
    /// Opening or reading a file failed.
    Io {
        /// The file.
        path: String,
        /// The error.
        error: std::io::Error,
    },
    /// Fewer than two captures, or labels that do not fit.
    Usage(String),
}

impl std::fmt::Display for MatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MatchError::Io { path, error } => write!(f, "{path}: {error}"),
            MatchError::Usage(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for MatchError {}

/// Per-frame callback: meta, decoded frame, the bytes transport offsets refer to, TCP stream ids
/// and UDP stream ids per layer.
pub type FrameSink<'s> = dyn FnMut(&FrameMeta, &DecodedFrame, &[u8], &[u32], &[u32]) + 's;

/// Something that can walk a capture's frames in order (the pipeline, or a test double).
pub trait FrameVisitor {
    /// Calls `sink` once per frame of the capture at `path`. Capture damage ends the walk quietly
    /// (frames read before it count); only I/O errors are returned.
    fn visit(&mut self, path: &Path, sink: &mut FrameSink<'_>) -> std::io::Result<()>;
}

/// The adapter over [`crate::pipeline::Pipeline`]: reads the file in 1 MiB chunks.
#[derive(Default)]
pub struct PipelineVisitor;

impl FrameVisitor for PipelineVisitor {
    fn visit(&mut self, path: &Path, sink: &mut FrameSink<'_>) -> std::io::Result<()> {
        let mut file = std::fs::File::open(path)?;
        visit_reader(&mut file, sink)
    }
}

/// A [`PipelineVisitor`] that also keeps the container damage that ended each walk, so a front end
/// can report it (the CLI exits with status 2 naming the offset).
#[derive(Default)]
pub struct DamageReportingVisitor {
    /// `(path, error)` for every capture whose reading stopped at damage, in visiting order.
    pub damage: Vec<(String, crate::capture::CaptureError)>,
}

impl FrameVisitor for DamageReportingVisitor {
    fn visit(&mut self, path: &Path, sink: &mut FrameSink<'_>) -> std::io::Result<()> {
        let mut file = std::fs::File::open(path)?;
        if let Some(e) = visit_reader_with_damage(&mut file, sink)? {
            self.damage.push((path.display().to_string(), e));
        }
        Ok(())
    }
}

/// Runs any byte source through the pipeline in 1 MiB chunks, calling `sink` per frame.
pub fn visit_reader(reader: &mut dyn Read, sink: &mut FrameSink<'_>) -> std::io::Result<()> {
    visit_reader_with_damage(reader, sink).map(|_| ())
}

/// [`visit_reader`], returning the container damage that stopped reading, if any.
pub fn visit_reader_with_damage(
    reader: &mut dyn Read,
    sink: &mut FrameSink<'_>,
) -> std::io::Result<Option<crate::capture::CaptureError>> {
    let mut pipeline = Pipeline::new();
    let mut visit = |ctx: &crate::pipeline::FrameContext| {
        let data = ctx.reassembled.unwrap_or(ctx.data);
        sink(
            ctx.meta,
            ctx.frame,
            data,
            &ctx.streams.tcp,
            &ctx.streams.udp,
        );
    };
    pipeline.run_reader(reader, &mut visit)?;
    Ok(pipeline.error().cloned())
}

/// Builds a [`MatchInput`] from chunks pushed one at a time (the page's worker feeds `File`
/// slices): `let mut f = MatchInputFeeder::new(); f.push(chunk)...; let input = f.finish();`.
#[derive(Default)]
pub struct MatchInputFeeder {
    pipeline: Pipeline,
    builder: MatchInputBuilder,
}

impl MatchInputFeeder {
    /// An empty feeder (format detected from the first bytes).
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk (any size). Capture damage stops reading quietly; what was read stays.
    pub fn push(&mut self, chunk: &[u8]) {
        let builder = &mut self.builder;
        self.pipeline
            .push(chunk, &mut |ctx: &crate::pipeline::FrameContext| {
                let data = ctx.reassembled.unwrap_or(ctx.data);
                builder.add_frame(
                    ctx.meta,
                    ctx.frame,
                    data,
                    &ctx.streams.tcp,
                    &ctx.streams.udp,
                );
            });
    }

    /// Ends the input and returns the capture's match input.
    pub fn finish(mut self) -> MatchInput {
        let builder = &mut self.builder;
        self.pipeline
            .finish(&mut |ctx: &crate::pipeline::FrameContext| {
                let data = ctx.reassembled.unwrap_or(ctx.data);
                builder.add_frame(
                    ctx.meta,
                    ctx.frame,
                    data,
                    &ctx.streams.tcp,
                    &ctx.streams.udp,
                );
            });
        self.builder.finish()
    }
}

/// Builds the [`MatchInput`] of one capture.
pub fn build_input(visitor: &mut dyn FrameVisitor, path: &Path) -> std::io::Result<MatchInput> {
    let mut builder = MatchInputBuilder::new();
    visitor.visit(path, &mut |meta, frame, data, tcp, udp| {
        builder.add_frame(meta, frame, data, tcp, udp)
    })?;
    Ok(builder.finish())
}

/// The default label of a capture: its file name.
pub fn default_label(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Matches the captures at `paths` (at least two); `labels` name them in order (missing ones
/// default to the file name). This is what `tracematch match` calls.
pub fn match_files(
    paths: &[String],
    labels: &[String],
    options: &MatchOptions,
) -> Result<MatchReport, MatchError> {
    match_files_with(&mut PipelineVisitor, paths, labels, options)
}

/// [`match_files`] with another frame source.
pub fn match_files_with(
    visitor: &mut dyn FrameVisitor,
    paths: &[String],
    labels: &[String],
    options: &MatchOptions,
) -> Result<MatchReport, MatchError> {
    if paths.len() < 2 {
        return Err(MatchError::Usage(
            "match needs at least two captures".to_string(),
        ));
    }
    if labels.len() > paths.len() {
        return Err(MatchError::Usage(format!(
            "{} labels for {} captures",
            labels.len(),
            paths.len()
        )));
    }
    let mut inputs = Vec::with_capacity(paths.len());
    let mut captures = Vec::with_capacity(paths.len());
    for (i, p) in paths.iter().enumerate() {
        let input = build_input(visitor, Path::new(p)).map_err(|error| MatchError::Io {
            path: p.clone(),
            error,
        })?;
        inputs.push(input);
        captures.push(CaptureRef {
            index: i,
            path: p.clone(),
            label: labels.get(i).cloned().unwrap_or_else(|| default_label(p)),
        });
    }
    Ok(match_inputs(&inputs, captures, options))
}
