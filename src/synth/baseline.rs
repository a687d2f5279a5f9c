//! The "raw tantivy" baseline of the benchmarks: the same JSONL documents indexed into one text
//! field with tantivy's default tokenizer (split on non-alphanumerics, lower-case), no language
//! detection, no stemming, no folding; queries through tantivy's `QueryParser` (OR of the words,
//! quoted phrases as phrases) and snippets from tantivy's `SnippetGenerator`.
//!
//! ngo-search's ingest and query costs are reported as ratios to it: the price of multilinguality.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{Field, Schema, Value, STORED, STRING, TEXT};
use tantivy::snippet::SnippetGenerator;
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

/// What a baseline ingest did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RawReport {
    pub docs: u64,
    /// Bytes of `title` + `text` of the input, the figure MB/s is measured against.
    pub text_bytes: u64,
    pub seconds: f64,
}

impl RawReport {
    pub fn mb_per_s(&self) -> f64 {
        self.text_bytes as f64 / 1e6 / self.seconds.max(1e-9)
    }
}

/// Reads JSONL (`.gz` too) and yields (id, title + text) per line; bad lines are skipped.
pub fn read_docs(path: &Path, mut each: impl FnMut(String, String)) -> std::io::Result<()> {
    let file = std::fs::File::open(path)?;
    let inner: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let reader = BufReader::with_capacity(1 << 16, inner);
    #[derive(serde::Deserialize)]
    struct Line {
        id: serde_json::Value,
        #[serde(default)]
        title: Option<String>,
        text: String,
    }
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let Ok(d) = serde_json::from_str::<Line>(&line) else {
            continue;
        };
        let id = match d.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        let text = match d.title {
            Some(t) if !t.is_empty() => format!("{t}\n\n{}", d.text),
            _ => d.text,
        };
        each(id, text);
    }
    Ok(())
}

fn schema() -> (Schema, Field, Field) {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let text = b.add_text_field("text", TEXT | STORED);
    (b.build(), id, text)
}

/// Indexes `paths` into a new index at `dir` (removed first): a reader thread reads and parses
/// JSON, the calling thread feeds tantivy's writer (`threads` indexing threads, `memory_mb`).
pub fn ingest(
    dir: &Path,
    paths: &[PathBuf],
    threads: usize,
    memory_mb: usize,
) -> tantivy::Result<RawReport> {
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let (schema, id_f, text_f) = schema();
    let index = Index::create_in_dir(dir, schema)?;
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, memory_mb << 20)?;
    let (tx, rx) = crossbeam_channel::bounded::<Vec<(String, String)>>(8);
    let paths = paths.to_vec();
    let reader = std::thread::spawn(move || -> std::io::Result<()> {
        let mut batch = Vec::with_capacity(256);
        for p in &paths {
            read_docs(p, |id, text| {
                batch.push((id, text));
                if batch.len() == 256 {
                    let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(256)));
                }
            })?;
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        Ok(())
    });
    let mut report = RawReport::default();
    for batch in rx {
        for (id, text) in batch {
            report.docs += 1;
            report.text_bytes += text.len() as u64;
            writer.add_document(doc!(id_f => id, text_f => text))?;
        }
    }
    reader
        .join()
        .map_err(|_| tantivy::TantivyError::SystemError("reader thread panicked".into()))??;
    writer.commit()?;
    writer.wait_merging_threads()?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// An opened baseline index, ready to answer queries.
pub struct RawIndex {
    reader: IndexReader,
    id: Field,
    text: Field,
    parser: QueryParser,
}

/// One baseline answer: the total and the top hits' ids (and snippets when asked).
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub total: usize,
    pub ids: Vec<String>,
    pub snippets: Vec<String>,
}

impl RawIndex {
    pub fn open(dir: &Path) -> tantivy::Result<RawIndex> {
        let index = Index::open_in_dir(dir)?;
        let id = index.schema().get_field("id")?;
        let text = index.schema().get_field("text")?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let parser = QueryParser::for_index(&index, vec![text]);
        Ok(RawIndex {
            reader,
            id,
            text,
            parser,
        })
    }

    /// The top `limit` for `q` (OR of its words), loading each hit's stored fields as a search
    /// API must; with `snippets`, tantivy's snippet of each hit (200 characters).
    pub fn search(&self, q: &str, limit: usize, snippets: bool) -> tantivy::Result<RawAnswer> {
        let searcher = self.reader.searcher();
        let (query, _errors) = self.parser.parse_query_lenient(q);
        let (top, total) = searcher.search(
            &query,
            &(TopDocs::with_limit(limit).order_by_score(), Count),
        )?;
        let gen = if snippets {
            let mut g = SnippetGenerator::create(&searcher, &query, self.text)?;
            g.set_max_num_chars(200);
            Some(g)
        } else {
            None
        };
        let mut answer = RawAnswer {
            total,
            ids: Vec::with_capacity(top.len()),
            snippets: Vec::new(),
        };
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            answer.ids.push(
                d.get_first(self.id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            );
            if let Some(g) = &gen {
                answer.snippets.push(g.snippet_from_doc(&d).to_html());
            }
        }
        Ok(answer)
    }
}

/// Bytes of all files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
