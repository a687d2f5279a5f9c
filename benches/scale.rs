//! Scale benchmark: ngo-search vs raw tantivy on one corpus, in one run.
//!
//!   cargo bench --bench scale                                   # 100k generated documents
//!   NGO_SCALE_DOCS=1000000 cargo bench --bench scale            # 1M (≈ 3.8 GB of text; long)
//!   NGO_SCALE_INPUT=../shared/dev-eval/corpus.jsonl.gz \
//!   NGO_SCALE_QUERIES_TSV=../shared/dev-eval/queries.tsv cargo bench --bench scale
//!
//! Each ingest runs in a child process (this binary again), so its peak RSS (VmHWM) is its own.
//! Reports ingest MB/s and docs/s of both and their ratio, peak RSS, index bytes per input byte,
//! and query latency p50/p95/p99 (single thread, after a warm-up pass; one pass per variant,
//! the two engines taking turns query by query so machine load and cache warmth hit both alike)
//! with and without snippets.
//!
//! Other knobs: NGO_SCALE_SEED (42), NGO_SCALE_REPEAT (ingest rounds, 1), NGO_SCALE_QPC
//! (queries per class, 200), NGO_SCALE_SKIP_INGEST=1 (reuse the indexes of the last run),
//! NGO_SCALE_ONLY=ngo|raw (ingest one side only), NGO_BENCH_DIR (work folder), NGO_BENCH_WRITER_THREADS
//! (ngo-search's `ingest.writer_threads`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use ngo_search::synth::baseline::{self, RawIndex};
use ngo_search::{Engine, SearchRequest};

#[derive(Debug, Clone, Copy, Default)]
#[allow(dead_code)]
struct IngestRun {
    seconds: f64,
    docs: u64,
    text_bytes: u64,
    peak_rss_mb: f64,
    cpu_seconds: f64,
    peak_anon_mb: f64,
}

/// RssAnon of this process now, in MB (heap and stacks; not the mmapped index files that a
/// merge reads, which VmHWM counts too).
fn rss_anon_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("RssAnon:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn child(mode: &str) {
    let peak_anon = std::sync::Arc::new(std::sync::Mutex::new(0.0f64));
    {
        let peak = peak_anon.clone();
        std::thread::spawn(move || loop {
            let now = rss_anon_mb();
            let mut p = peak.lock().unwrap();
            *p = p.max(now);
            drop(p);
            std::thread::sleep(std::time::Duration::from_millis(50));
        });
    }
    let input = PathBuf::from(std::env::var("NGO_SCALE_CHILD_INPUT").expect("input"));
    let dir = PathBuf::from(std::env::var("NGO_SCALE_CHILD_DIR").expect("dir"));
    let (seconds, docs, text_bytes) = match mode {
        "raw" => {
            let threads = env_or("NGO_SCALE_RAW_THREADS", 2usize);
            let r = baseline::ingest(&dir, &[input], threads, 200).expect("raw ingest");
            (r.seconds, r.docs, r.text_bytes)
        }
        _ => (ngo_ingest(&dir, &input), 0, 0),
    };
    let anon = peak_anon.lock().unwrap().max(rss_anon_mb());
    println!(
        "RESULT {seconds} {docs} {text_bytes} {} {} {anon}",
        peak_rss_mb(),
        cpu_seconds()
    );
}

fn run_child(mode: &str, input: &Path, dir: &Path) -> IngestRun {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .env("NGO_SCALE_CHILD", mode)
        .env("NGO_SCALE_CHILD_INPUT", input)
        .env("NGO_SCALE_CHILD_DIR", dir)
        .output()
        .expect("running the ingest child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| {
            panic!(
                "{mode} ingest failed: {}\n{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let f: Vec<f64> = line[7..]
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    IngestRun {
        seconds: f[0],
        docs: f[1] as u64,
        text_bytes: f[2] as u64,
        peak_rss_mb: f[3],
        cpu_seconds: f[4],
        peak_anon_mb: f.get(5).copied().unwrap_or(0.0),
    }
}

fn main() {
    if let Ok(mode) = std::env::var("NGO_SCALE_CHILD") {
        child(&mode);
        return;
    }
    let docs = env_or("NGO_SCALE_DOCS", 100_000u64);
    let seed = env_or("NGO_SCALE_SEED", 42u64);
    let repeat = env_or("NGO_SCALE_REPEAT", 1usize).max(1);
    let per_class = env_or("NGO_SCALE_QPC", 200usize);
    let only = std::env::var("NGO_SCALE_ONLY").unwrap_or_default();
    let skip_ingest = std::env::var("NGO_SCALE_SKIP_INGEST").is_ok_and(|v| v == "1");
    let input = match std::env::var_os("NGO_SCALE_INPUT") {
        Some(p) => std::fs::canonicalize(PathBuf::from(p)).expect("NGO_SCALE_INPUT exists"),
        None => corpus(docs, seed),
    };
    let work = work_dir();
    let ngo_dir = work.join("scale-ngo");
    let raw_dir = work.join("scale-raw");
    println!("# scale benchmark: {}", input.display());
    println!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    let (in_docs, in_bytes) = text_bytes(&input);
    println!(
        "input: {in_docs} documents, {:.1} MB of text (title + text)",
        in_bytes as f64 / 1e6
    );
    if !skip_ingest {
        let mut ngo_runs = Vec::new();
        let mut raw_runs = Vec::new();
        for round in 0..repeat {
            // Alternate the order so neither side always runs on a warmer page cache.
            let order: [&str; 2] = if round % 2 == 0 {
                ["raw", "ngo"]
            } else {
                ["ngo", "raw"]
            };
            for mode in order {
                if !only.is_empty() && only != mode {
                    continue;
                }
                let dir = if mode == "raw" { &raw_dir } else { &ngo_dir };
                let r = run_child(mode, &input, dir);
                println!(
                    "  round {round} {mode}: {:.2} s, {:.2} MB/s, {:.1} CPU s, peak RSS {:.0} MB (anonymous {:.0} MB)",
                    r.seconds,
                    in_bytes as f64 / 1e6 / r.seconds,
                    r.cpu_seconds,
                    r.peak_rss_mb,
                    r.peak_anon_mb
                );
                if mode == "raw" {
                    raw_runs.push(r);
                } else {
                    ngo_runs.push(r);
                }
            }
        }
        let best = |runs: &[IngestRun]| {
            runs.iter()
                .copied()
                .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
                .unwrap_or_default()
        };
        let (n, r) = (best(&ngo_runs), best(&raw_runs));
        let mbs = |s: f64| in_bytes as f64 / 1e6 / s;
        let dps = |s: f64| in_docs as f64 / s;
        println!("\n## ingest (best of {repeat})");
        println!("| | ngo-search | raw tantivy | ratio |");
        println!("|---|---|---|---|");
        println!(
            "| MB/s | {:.2} | {:.2} | {:.2} |",
            mbs(n.seconds),
            mbs(r.seconds),
            r.seconds / n.seconds
        );
        println!(
            "| docs/s | {:.0} | {:.0} | {:.2} |",
            dps(n.seconds),
            dps(r.seconds),
            r.seconds / n.seconds
        );
        println!("| seconds | {:.1} | {:.1} | |", n.seconds, r.seconds);
        // CPU time is what a loaded machine does not distort (much): the load-robust ratio.
        println!(
            "| CPU s (user+sys) | {:.1} | {:.1} | {:.2} |",
            n.cpu_seconds,
            r.cpu_seconds,
            r.cpu_seconds / n.cpu_seconds.max(1e-9)
        );
        println!(
            "| peak RSS MB (VmHWM, counts mmapped index files) | {:.0} | {:.0} | {:.2} |",
            n.peak_rss_mb,
            r.peak_rss_mb,
            n.peak_rss_mb / r.peak_rss_mb.max(1.0)
        );
        println!(
            "| peak anonymous RSS MB (sampled / 50 ms) | {:.0} | {:.0} | {:.2} |",
            n.peak_anon_mb,
            r.peak_anon_mb,
            n.peak_anon_mb / r.peak_anon_mb.max(1.0)
        );
    }
    let (ngo_bytes, raw_bytes) = (baseline::dir_bytes(&ngo_dir), baseline::dir_bytes(&raw_dir));
    println!("\n## index size");
    println!(
        "| bytes on disk | {ngo_bytes} | {raw_bytes} | {:.2} |",
        ngo_bytes as f64 / raw_bytes.max(1) as f64
    );
    println!(
        "| per input byte | {:.3} | {:.3} | |",
        ngo_bytes as f64 / in_bytes as f64,
        raw_bytes as f64 / in_bytes as f64
    );
    if ngo_dir.exists() {
        size_breakdown(&ngo_dir, "ngo-search");
        if let Ok(engine) = Engine::open(&ngo_dir) {
            variant_breakdown(&engine);
        }
    }
    if raw_dir.exists() {
        size_breakdown(&raw_dir, "raw tantivy");
    }

    if !ngo_dir.exists() || !raw_dir.exists() {
        return;
    }
    let sets = match std::env::var_os("NGO_SCALE_QUERIES_TSV") {
        Some(p) => tsv_queries(Path::new(&p)),
        None => synth_queries(seed, in_docs, per_class),
    };
    let engine = Engine::open(&ngo_dir).expect("opening the ngo-search index");
    let raw = RawIndex::open(&raw_dir).expect("opening the raw index");
    println!("\n## query latency, ms (single thread, top 10, after warm-up; p50 / p95 / p99)");
    println!("| queries | n | ngo no snippets | raw no snippets | ratio p50 | ngo snippets | raw snippets | ratio p50 | ngo lang filter, no snippets | ngo no snippets, no facets (raw's work: top 10 + total) | raw no snippets (same pass) | ratio p50 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut all: [Vec<Duration>; 7] = Default::default();
    for set in &sets {
        // Warm-up: every query once on both.
        for (q, _) in &set.queries {
            let _ = engine.search(&ngo_request(q, true, None));
            let _ = raw.search(q, 10, true);
        }
        // One pass over the queries per variant, ngo-search and raw tantivy taking turns query by
        // query (which goes first alternates), so that each meets every query as cold as the
        // other. Running all the variants of one query back to back warmed the caches for the
        // later ones: the `facets=false` variant, run last, measured up to 1.5x faster than the
        // same work run first.
        let mut t: [Vec<Duration>; 7] = Default::default();
        let time = |f: &mut dyn FnMut()| {
            let s = Instant::now();
            f();
            s.elapsed()
        };
        // (ngo-search's slot, its request, raw tantivy's slot and snippets)
        type Pass<'a> = (
            usize,
            &'a dyn Fn(&str, ngo_search::Lang) -> SearchRequest,
            Option<(usize, bool)>,
        );
        let passes: [Pass; 4] = [
            (0, &|q, _| ngo_request(q, false, None), Some((1, false))),
            (2, &|q, _| ngo_request(q, true, None), Some((3, true))),
            (4, &|q, l| ngo_request(q, false, Some(l)), None),
            (
                5,
                &|q, _| SearchRequest {
                    facets: false,
                    ..ngo_request(q, false, None)
                },
                Some((6, false)),
            ),
        ];
        for (ngo_slot, request, raw_side) in passes {
            for (i, (q, lang)) in set.queries.iter().enumerate() {
                let req = request(q, *lang);
                let ngo = || {
                    time(&mut || {
                        let _ = engine.search(&req);
                    })
                };
                let Some((raw_slot, snippets)) = raw_side else {
                    t[ngo_slot].push(ngo());
                    continue;
                };
                let raw_time = || {
                    time(&mut || {
                        let _ = raw.search(q, 10, snippets);
                    })
                };
                if i % 2 == 0 {
                    t[ngo_slot].push(ngo());
                    t[raw_slot].push(raw_time());
                } else {
                    t[raw_slot].push(raw_time());
                    t[ngo_slot].push(ngo());
                }
            }
        }
        for (a, b) in all.iter_mut().zip(t.iter()) {
            a.extend_from_slice(b);
        }
        print_row(&set.name, &mut t);
    }
    if sets.len() > 1 {
        print_row("all", &mut all);
    }
}

fn print_row(name: &str, t: &mut [Vec<Duration>; 7]) {
    let p: Vec<Percentiles> = t.iter_mut().map(|v| percentiles(v)).collect();
    let f = |p: &Percentiles| format!("{:.2} / {:.2} / {:.2}", p.p50, p.p95, p.p99);
    println!(
        "| {name} | {} | {} | {} | {:.2} | {} | {} | {:.2} | {} | {} | {} | {:.2} |",
        p[0].n,
        f(&p[0]),
        f(&p[1]),
        p[0].p50 / p[1].p50.max(1e-9),
        f(&p[2]),
        f(&p[3]),
        p[2].p50 / p[3].p50.max(1e-9),
        f(&p[4]),
        f(&p[5]),
        f(&p[6]),
        p[5].p50 / p[6].p50.max(1e-9),
    );
}

/// Bytes per tantivy file kind (postings, positions, term dictionary, store, fast fields …).
fn size_breakdown(dir: &Path, name: &str) {
    let mut by_ext: std::collections::BTreeMap<String, u64> = Default::default();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if let Ok(m) = e.metadata() {
            if m.is_file() {
                let ext = e
                    .path()
                    .extension()
                    .map(|x| x.to_string_lossy().to_string())
                    .unwrap_or_else(|| "other".into());
                *by_ext.entry(ext).or_default() += m.len();
            }
        }
    }
    let parts: Vec<String> = by_ext
        .iter()
        .filter(|(_, b)| **b > 0)
        .map(|(k, b)| format!("{k} {:.1} MB", *b as f64 / 1e6))
        .collect();
    println!("{name}: {}", parts.join(", "));
}

/// Postings (`.idx`) and positions (`.pos`) bytes and term counts per kind of term: exact stems
/// (`lv:`), folded stems (`lv~`), truncated forms (`lv^`), for the body and title fields.
fn variant_breakdown(engine: &Engine) {
    let searcher = engine.searcher();
    let fields = engine.fields();
    println!("| field | term kind | terms | postings MB | positions MB |");
    println!("|---|---|---|---|---|");
    for (fname, field) in [("body", fields.body), ("title_terms", fields.title_terms)] {
        // kind -> (terms, postings bytes, positions bytes)
        let mut kinds: std::collections::BTreeMap<&str, (u64, u64, u64)> = Default::default();
        for seg in searcher.segment_readers() {
            let Ok(inv) = seg.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().stream() else {
                continue;
            };
            while stream.advance() {
                let key = stream.key();
                let kind = match key.iter().find(|b| matches!(b, b':' | b'~' | b'^')) {
                    Some(b':') => "exact (xx:)",
                    Some(b'~') => "folded (xx~)",
                    Some(b'^') => "truncated (^, no language tag)",
                    _ => "other",
                };
                let ti = stream.value();
                let e = kinds.entry(kind).or_default();
                e.0 += 1;
                e.1 += ti.postings_range.len() as u64;
                e.2 += ti.positions_range.len() as u64;
            }
        }
        for (k, (n, p, q)) in kinds {
            println!(
                "| {fname} | {k} | {n} | {:.1} | {:.1} |",
                p as f64 / 1e6,
                q as f64 / 1e6
            );
        }
    }
}
