//! Helpers shared by the benchmarks: corpora, both engines' ingest, query sets, timing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ngo_search::synth::{self, baseline};
use ngo_search::{Engine, IngestOptions, Lang, SearchRequest};

/// The allocator the `ngo-search` binary ships with (src/main.rs), so the benchmark measures
/// what users run; the raw-tantivy baseline in the same process gets it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An environment variable parsed, or the default.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Where benchmark files go: `$NGO_BENCH_DIR`, else `target/ngo-bench`.
pub fn work_dir() -> PathBuf {
    let dir = std::env::var_os("NGO_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/ngo-bench"));
    std::fs::create_dir_all(&dir).expect("creating the bench directory");
    dir
}

/// A generated corpus of `docs` documents (seed `seed`), written once and reused.
pub fn corpus(docs: u64, seed: u64) -> PathBuf {
    let path = work_dir().join(format!("synth-{docs}-{seed}.jsonl"));
    if !path.exists() {
        let tmp = path.with_extension("partial");
        let gen = synth::generator(seed, None).expect("word lists");
        let stats = synth::write_corpus(&gen, docs, &tmp).expect("writing the corpus");
        std::fs::rename(&tmp, &path).expect("renaming the corpus");
        eprintln!(
            "generated {} documents, {:.1} MB of text, in {:.1} s: {}",
            stats.docs,
            stats.text_bytes as f64 / 1e6,
            stats.seconds,
            path.display()
        );
    }
    path
}

/// Bytes of `title` + `text` of a JSONL corpus (the figure both engines' MB/s use).
pub fn text_bytes(path: &Path) -> (u64, u64) {
    let mut bytes = 0u64;
    let mut docs = 0u64;
    baseline::read_docs(path, |_, t| {
        bytes += t.len() as u64;
        docs += 1;
    })
    .expect("reading the corpus");
    (docs, bytes)
}

/// Indexes `input` with ngo-search into a fresh index at `dir`; returns the seconds it took
/// (read, detect, analyse, index, commit, merges finished).
pub fn ngo_ingest(dir: &Path, input: &Path) -> f64 {
    let _ = std::fs::remove_dir_all(dir);
    // The binary's allocator settings, so the bench measures what `ngo-search index` does.
    ngo_search::allocator::tune();
    let started = Instant::now();
    // NGO_BENCH_WRITER_THREADS sets `ingest.writer_threads` (default: the product's).
    let config = std::env::var("NGO_BENCH_WRITER_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(|threads| {
            let mut c = ngo_search::Config::default_config();
            c.ingest.writer_threads = threads;
            c
        });
    let engine = Engine::open_or_create(dir, config.as_ref()).expect("creating the index");
    let mut writer = engine.writer().expect("writer");
    let opts = IngestOptions {
        progress: false,
        // The product's default (ingest.commit_every) unless NGO_BENCH_COMMIT_EVERY says.
        commit_every: std::env::var("NGO_BENCH_COMMIT_EVERY")
            .ok()
            .and_then(|v| v.parse().ok()),
        report_commits: false,
    };
    ngo_search::ingest_paths(&engine, &mut writer, &[input.to_path_buf()], &opts)
        .expect("ngo-search ingest");
    writer.finish().expect("finishing the writer");
    started.elapsed().as_secs_f64()
}

/// The raw-tantivy baseline's ingest (2 indexing threads, 200 MB like ngo-search's default).
pub fn raw_ingest(dir: &Path, input: &Path) -> f64 {
    let r = baseline::ingest(dir, &[input.to_path_buf()], 2, 200).expect("raw tantivy ingest");
    r.seconds
}

/// A class of queries for the benchmarks.
#[derive(Clone)]
pub struct QuerySet {
    pub name: String,
    pub queries: Vec<(String, Lang)>,
}

/// 1-, 2- and 5-word queries and 2- and 3-word phrases drawn from the corpus' documents.
pub fn synth_queries(seed: u64, docs: u64, per_class: usize) -> Vec<QuerySet> {
    let gen = synth::generator(seed, None).expect("word lists");
    let classes: [(&str, usize, bool); 5] = [
        ("1-word", 1, false),
        ("2-word", 2, false),
        ("5-word", 5, false),
        ("phrase-2", 2, true),
        ("phrase-3", 3, true),
    ];
    classes
        .iter()
        .enumerate()
        .map(|(c, &(name, words, phrase))| {
            let queries = (0..per_class as u64)
                .map(|i| {
                    let n = (i * 7919 + c as u64 * 104_729) % docs.max(1);
                    gen.query(n, words, phrase)
                })
                .collect();
            QuerySet {
                name: name.to_string(),
                queries,
            }
        })
        .collect()
}

/// Queries of a `qid<TAB>query<TAB>lang` file (dev-eval's queries.tsv).
pub fn tsv_queries(path: &Path) -> Vec<QuerySet> {
    let text = std::fs::read_to_string(path).expect("reading the queries");
    let queries = text
        .lines()
        .filter_map(|l| {
            let mut it = l.split('\t');
            let _qid = it.next()?;
            let q = it.next()?.trim().to_string();
            let lang = it.next().and_then(Lang::from_code).unwrap_or(Lang::En);
            (!q.is_empty()).then_some((q, lang))
        })
        .collect();
    vec![QuerySet {
        name: "tsv".into(),
        queries,
    }]
}

/// ngo-search's request for a benchmark query.
pub fn ngo_request(q: &str, snippets: bool, lang: Option<Lang>) -> SearchRequest {
    SearchRequest {
        q: q.to_string(),
        snippets,
        lang: lang.map(|l| l.code().to_string()),
        limit: 10,
        ..SearchRequest::default()
    }
}

/// Latency percentiles of a list of durations.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub mean: f64,
}

pub fn percentiles(times: &mut [Duration]) -> Percentiles {
    if times.is_empty() {
        return Percentiles::default();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at =
        |p: f64| ms(times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1]);
    Percentiles {
        n: times.len(),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        mean: times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64,
    }
}

/// CPU seconds (user + system) this process has used so far.
pub fn cpu_seconds() -> f64 {
    // /proc/self/stat fields 14 and 15 (utime, stime), in clock ticks (100 per second on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

/// Peak resident memory of this process so far (VmHWM), in MB.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
