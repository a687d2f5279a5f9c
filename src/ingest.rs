//! Ingest: files → documents → index, in parallel and in committed batches.
//!
//! One thread reads files and cuts the stream into windows; analysis threads clean, detect and
//! analyse each window (the costly part); the calling thread feeds the single tantivy writer in
//! input order (so "last one wins" holds for repeated ids) and commits every
//! `ingest.commit_every` documents. A crash loses only what came after the last reported commit;
//! re-running the same ingest replaces by id, so it completes without duplicates.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::analysis::Analyzer;
use crate::document::{self, Line};
use crate::engine::{Engine, PreparedDocument, Writer};
use crate::error::Result;
use crate::index::Fields;
use crate::lang::Detector;
use crate::read::{self, Problem, RawDocument, ReadEvent, ReadLimits, Severity};

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
    /// Override `ingest.commit_every` (documents per commit).
    pub commit_every: Option<usize>,
    /// Print a line per commit on stderr.
    pub report_commits: bool,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    pub files: u64,
    pub documents: u64,
    pub paragraphs: u64,
    /// Bytes of normalised text indexed.
    pub text_bytes: u64,
    /// Bytes of input files read.
    pub input_bytes: u64,
    /// Indexed documents per dominant language.
    pub languages: BTreeMap<String, u64>,
    pub problems: Vec<Problem>,
    pub commits: u64,
    pub seconds: f64,
}

impl IngestReport {
    pub fn mb_per_s(&self) -> f64 {
        if self.seconds > 0.0 {
            self.text_bytes as f64 / 1e6 / self.seconds
        } else {
            0.0
        }
    }

    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }
}

/// A window of raw documents, numbered so results can be put back in input order.
struct Window {
    seq: u64,
    docs: Vec<RawDocument>,
}

enum Prepared {
    Doc {
        doc: PreparedDocument,
        lang: String,
        paragraphs: u64,
        text_bytes: u64,
        source: Option<String>,
    },
    Problem(Problem),
}

/// Everything analysis threads share.
#[derive(Clone)]
struct Analysis {
    fields: Fields,
    analyzer: Arc<Analyzer>,
    detector: Detector,
    enabled: Vec<crate::lang::Lang>,
    min_docs: usize,
}

impl Analysis {
    fn new(engine: &Engine) -> Analysis {
        Analysis {
            fields: *engine.fields(),
            analyzer: engine.analyzer().clone(),
            detector: engine.detector().clone(),
            enabled: engine.config().enabled_langs(),
            min_docs: engine.config().ingest.boilerplate_min_docs,
        }
    }

    /// Cleans, detects and analyses one window.
    fn window(&self, docs: Vec<RawDocument>) -> Vec<Prepared> {
        let lines: Vec<Vec<Line>> = docs
            .iter()
            .map(|d| document::clean_lines(&d.text))
            .collect();
        let drop = document::repeated_lines(&lines, self.min_docs);
        docs.into_iter()
            .zip(lines)
            .flat_map(|(raw, lines)| self.one(raw, lines, &drop))
            .collect()
    }

    fn one(&self, raw: RawDocument, lines: Vec<Line>, drop: &HashSet<u64>) -> Vec<Prepared> {
        let source = raw.source.clone();
        let id = raw.id.clone();
        let problem = |severity, message: String| {
            let (file, line) = split_source(source.as_deref());
            Prepared::Problem(Problem {
                severity,
                file,
                line,
                id: Some(id.clone()),
                message,
            })
        };
        let mut warnings = Vec::new();
        let doc = match document::build(
            raw,
            lines,
            drop,
            &self.detector,
            &self.enabled,
            &mut warnings,
        ) {
            Ok(d) => d,
            Err(message) => return vec![problem(Severity::Error, message)],
        };
        let mut out: Vec<Prepared> = warnings
            .into_iter()
            .map(|w| problem(Severity::Warning, w))
            .collect();
        if crate::analysis::words(&doc.text).next().is_none() {
            out.push(problem(
                Severity::Warning,
                "no words in the text (only punctuation or symbols): stored, but no query will find it"
                    .into(),
            ));
        }
        out.push(Prepared::Doc {
            lang: doc.lang.code().to_string(),
            paragraphs: doc.spans.len() as u64,
            text_bytes: doc.text.len() as u64,
            source: doc.source.clone(),
            doc: Writer::prepare(&self.fields, &self.analyzer, &doc),
        });
        out
    }
}

/// `path:line` sources (JSONL) back into file and line.
fn split_source(source: Option<&str>) -> (String, Option<u64>) {
    match source {
        None => ("request".into(), None),
        Some(s) => match s.rsplit_once(':') {
            Some((f, l))
                if !f.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) && !l.is_empty() =>
            {
                (f.to_string(), l.parse().ok())
            }
            _ => (s.to_string(), None),
        },
    }
}

/// Ingests files and folders into the engine's index through `writer`.
pub fn ingest_paths(
    engine: &Engine,
    writer: &mut Writer,
    paths: &[PathBuf],
    opts: &IngestOptions,
) -> Result<IngestReport> {
    let started = Instant::now();
    let config = engine.config().clone();
    let mut report = IngestReport::default();
    let inputs = read::collect_inputs(paths, &mut report.problems);
    report.files = inputs.len() as u64;
    let total_bytes: u64 = inputs.iter().map(|i| i.size).sum();
    let limits = ReadLimits {
        max_file_bytes: config.ingest.max_file_mb.saturating_mul(1 << 20),
    };
    let window_size = config.ingest.boilerplate_window.max(1);
    // 0 = no bound by count (commits every `ingest.commit_secs`).
    let commit_every = opts.commit_every.unwrap_or(config.ingest.commit_every);
    let mut last_commit = Instant::now();
    let workers = config.ingest.analysis_workers();

    let bar = progress_bar(opts.progress, total_bytes);
    let analysis = Analysis::new(engine);
    // One window queued per worker each way: enough to keep every core busy; more only holds
    // documents (a window of prepared documents is tens of MB) in memory.
    let (win_tx, win_rx) = crossbeam_channel::bounded::<Window>(workers);
    let (out_tx, out_rx) = crossbeam_channel::bounded::<(u64, Vec<Prepared>)>(workers);
    let (prob_tx, prob_rx) = crossbeam_channel::unbounded::<Problem>();
    let (bytes_tx, bytes_rx) = crossbeam_channel::unbounded::<u64>();

    // Ids of this ingest, as 64-bit hashes: 8 bytes per document instead of the id string, so
    // a million-document ingest keeps its memory flat (a collision only costs a spurious
    // duplicate warning and a delete that finds nothing).
    let mut seen: HashSet<u64> = HashSet::new();
    // Into an empty index, a document whose id this ingest has not seen replaces nothing.
    engine.reload()?;
    let fresh = writer.uncommitted() == 0 && engine.searcher().num_docs() == 0;
    let segments_before = writer.segment_ids()?;
    writer.set_bulk(true);
    let mut since_commit = 0usize;
    let mut committed_total = 0u64;
    let result: Result<()> = std::thread::scope(|scope| {
        // Owned here so that an early return (a writer error) drops it and unblocks the workers.
        let out_rx = out_rx;
        scope.spawn(move || {
            let mut seq = 0u64;
            let mut buf: Vec<RawDocument> = Vec::with_capacity(window_size);
            let mut stopped = false;
            for input in &inputs {
                if stopped {
                    break;
                }
                read::read_file(input, limits, &mut |ev| match ev {
                    ReadEvent::Document(d) => {
                        buf.push(d);
                        if buf.len() >= window_size && !stopped {
                            let docs = std::mem::replace(&mut buf, Vec::with_capacity(window_size));
                            stopped = win_tx.send(Window { seq, docs }).is_err();
                            seq += 1;
                        }
                    }
                    ReadEvent::Problem(p) => {
                        let _ = prob_tx.send(p);
                    }
                });
                let _ = bytes_tx.send(input.size);
            }
            if !buf.is_empty() {
                let _ = win_tx.send(Window { seq, docs: buf });
            }
        });
        for _ in 0..workers {
            let rx = win_rx.clone();
            let tx = out_tx.clone();
            let a = analysis.clone();
            scope.spawn(move || {
                for w in rx {
                    let prepared = a.window(w.docs);
                    if tx.send((w.seq, prepared)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        drop(win_rx);

        // Feed the writer in input order.
        let mut next = 0u64;
        let mut pending: BTreeMap<u64, Vec<Prepared>> = BTreeMap::new();
        let mut langs: HashMap<String, u64> = HashMap::new();
        for (seq, batch) in out_rx.iter() {
            pending.insert(seq, batch);
            while let Some(batch) = pending.remove(&next) {
                next += 1;
                for item in batch {
                    match item {
                        Prepared::Problem(p) => report.problems.push(p),
                        Prepared::Doc {
                            doc,
                            lang,
                            paragraphs,
                            text_bytes,
                            source,
                        } => {
                            let new_id = seen.insert(document::line_key(&doc.id));
                            if !new_id {
                                let (file, line) = split_source(source.as_deref());
                                report.problems.push(Problem {
                                    severity: Severity::Warning,
                                    file,
                                    line,
                                    id: Some(doc.id.clone()),
                                    message: "duplicate id in this batch: the last one wins".into(),
                                });
                            }
                            if fresh && new_id {
                                writer.add_unique(doc)?;
                            } else {
                                writer.add(doc)?;
                            }
                            report.documents += 1;
                            report.paragraphs += paragraphs;
                            report.text_bytes += text_bytes;
                            *langs.entry(lang).or_default() += 1;
                            since_commit += 1;
                            if config
                                .ingest
                                .commit_due(since_commit, commit_every, last_commit)
                            {
                                committed_total += since_commit as u64;
                                commit(writer, committed_total, opts, &bar)?;
                                report.commits += 1;
                                since_commit = 0;
                                last_commit = Instant::now();
                            }
                        }
                    }
                }
                bar.set_message(format!("{} documents", report.documents));
            }
            while let Ok(b) = bytes_rx.try_recv() {
                bar.inc(b);
            }
        }
        report.languages = langs.into_iter().collect();
        Ok(())
    });
    if result.is_err() {
        writer.set_bulk(false);
    }
    result?;
    report.problems.extend(prob_rx.try_iter());
    for b in bytes_rx.try_iter() {
        bar.inc(b);
    }
    report.input_bytes = total_bytes;
    if since_commit > 0 || report.commits == 0 {
        committed_total += since_commit as u64;
        commit(writer, committed_total, opts, &bar)?;
        report.commits += 1;
    }
    writer.set_bulk(false);
    // One segment for what this ingest added (see Writer::set_bulk).
    writer.merge_new_segments(&segments_before)?;
    bar.finish_and_clear();
    engine.reload()?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn commit(
    writer: &mut Writer,
    total: u64,
    opts: &IngestOptions,
    bar: &indicatif::ProgressBar,
) -> Result<()> {
    writer.commit(&format!("{{\"documents\":{total}}}"))?;
    if opts.report_commits {
        bar.suspend(|| eprintln!("committed: {total} documents"));
    }
    Ok(())
}

fn progress_bar(wanted: bool, total: u64) -> indicatif::ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta}) {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Documents from a request (HTTP `POST /documents`): analysed and added in order, then
/// committed, so they are durable and searchable when this returns. Bad documents are reported
/// by their position (1-based) and do not stop the others.
pub fn ingest_documents(
    engine: &Engine,
    writer: &mut Writer,
    docs: Vec<(u64, RawDocument)>,
    mut errors: Vec<Problem>,
) -> Result<(u64, Vec<Problem>)> {
    let analysis = Analysis::new(engine);
    let lines: Vec<Vec<Line>> = docs
        .iter()
        .map(|(_, d)| document::clean_lines(&d.text))
        .collect();
    let drop = HashSet::new();
    let mut indexed = 0u64;
    for ((line_no, raw), lines) in docs.into_iter().zip(lines) {
        for item in analysis.one(raw, lines, &drop) {
            match item {
                Prepared::Doc { doc, .. } => {
                    writer.add(doc)?;
                    indexed += 1;
                }
                Prepared::Problem(mut p) => {
                    p.file = "request".into();
                    p.line = Some(line_no);
                    if p.severity == Severity::Error {
                        errors.push(p);
                    }
                }
            }
        }
    }
    if indexed > 0 {
        writer.commit(&format!("{{\"http_documents\":{indexed}}}"))?;
        engine.reload()?;
    }
    Ok((indexed, errors))
}
