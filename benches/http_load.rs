//! HTTP load: `GET /search` under concurrent keep-alive clients, against 127.0.0.1 only.
//!
//!   cargo bench --bench http_load                       # an index built from corpus/, 10 s per level
//!   cargo bench --bench http_load -- --index data/index --secs 30 --concurrency 1,8,32,64 \
//!       --queries queries.txt                           # one query per line
//!
//! `--result-cache-mb 0` turns the server's result cache off, so every request is searched (the
//! default keeps 64 MiB of answers, like `ngo-search serve`: clients cycle through the queries,
//! so after the first round repeats are answered from memory; the `hits` column says how many).
//!
//! (Environment instead of flags: NGO_LOAD_INDEX, NGO_LOAD_SECS, NGO_LOAD_CONCURRENCY,
//! NGO_LOAD_QUERIES, NGO_LOAD_RESULT_CACHE_MB.) The server runs in this process on a loopback port with the rate limit off
//! and no request log; each client is a thread with its own keep-alive connection (ureq Agent).
//! Clients and server share the machine's cores, so the figures are a floor. Prints, per
//! concurrency level: requests/s and latency p50/p90/p99/max as the clients measured them.

#[path = "../tests/server_common/mod.rs"]
mod server_common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ngo_search::server::ServeOptions;

/// The allocator the `ngo-search` binary ships with (src/main.rs), so the benchmark measures
/// what users run; the raw-tantivy baseline in the same process gets it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use ngo_search::Engine;
use server_common::{enc, TestServer};

const QUERIES: &[&str] = &[
    "sabiedrība",
    "sabiedrības integrācija",
    "biedrība",
    "pilsoniskā sabiedrība",
    "brīvprātīgā darba",
    "organizācijas",
    "projekts",
    "jaunatne",
    "Latvijas Pilsoniskā alianse",
    "NVO",
    "koordinācijas centrs",
    "sanāksme Tallinā",
    "programma",
    "pilsonisk",
    "sabiedr",
    "bevegelsen",
    "internasjonale",
    "samarbeid",
    "koordinering",
    "\"pilsoniskās sabiedrības\"",
    "kustība -ALLATRA",
    "allatra",
    "alliance",
    "volunteer",
    "Balvu pilsētas",
    "mērķis",
    "attīstība",
    "demokrātiskas",
    "kultūras",
    "sosiale",
];

struct Args {
    index: Option<PathBuf>,
    secs: f64,
    concurrency: Vec<usize>,
    queries: Vec<String>,
    result_cache_mb: usize,
}

fn args() -> Args {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut index = env("NGO_LOAD_INDEX").map(PathBuf::from);
    let mut secs: f64 = env("NGO_LOAD_SECS")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10.0);
    let mut conc = env("NGO_LOAD_CONCURRENCY").unwrap_or_else(|| "1,8,32".into());
    let mut queries_file = env("NGO_LOAD_QUERIES").map(PathBuf::from);
    let mut result_cache_mb: usize = env("NGO_LOAD_RESULT_CACHE_MB")
        .and_then(|v| v.parse().ok())
        .unwrap_or(ServeOptions::default().result_cache_bytes >> 20);
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let next = argv.get(i + 1).cloned();
        match argv[i].as_str() {
            "--index" => index = next.map(PathBuf::from),
            "--secs" => secs = next.and_then(|v| v.parse().ok()).unwrap_or(secs),
            "--concurrency" => conc = next.unwrap_or(conc),
            "--queries" => queries_file = next.map(PathBuf::from),
            "--result-cache-mb" => {
                result_cache_mb = next.and_then(|v| v.parse().ok()).unwrap_or(result_cache_mb)
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    let queries: Vec<String> = match queries_file {
        Some(p) => std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .lines()
            // A query per line; or TSV: `id<TAB>query` or `id<TAB>query<TAB>lang` (dev-eval).
            .map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                let q = if cols.len() >= 3 {
                    cols[1]
                } else {
                    cols[cols.len() - 1]
                };
                q.trim().to_string()
            })
            .filter(|l| !l.is_empty())
            .collect(),
        None => QUERIES.iter().map(|q| q.to_string()).collect(),
    };
    assert!(!queries.is_empty(), "no queries");
    Args {
        index,
        secs,
        concurrency: conc
            .split(',')
            .filter_map(|c| c.trim().parse().ok())
            .filter(|c| *c > 0)
            .collect(),
        queries,
        result_cache_mb,
    }
}

struct Level {
    requests: usize,
    errors: usize,
    /// Answers the server's result cache gave (`x-ngo-cache: hit`).
    hits: usize,
    seconds: f64,
    lat_us: Vec<u64>,
}

fn run_level(base: &str, queries: &Arc<Vec<String>>, clients: usize, dur: Duration) -> Level {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (stop, queries, base) = (stop.clone(), queries.clone(), base.to_string());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(30))
                    .build();
                let mut lat = Vec::with_capacity(1 << 14);
                let mut body: Vec<u8> = Vec::with_capacity(1 << 16);
                let mut errors = 0usize;
                let mut hits = 0usize;
                let mut i = c * 7;
                while !stop.load(Ordering::Relaxed) {
                    let q = &queries[i % queries.len()];
                    i += 1;
                    let url = format!("{base}/search?q={}&limit=10", enc(q));
                    let t = Instant::now();
                    match agent.get(&url).call() {
                        Ok(r) => {
                            hits += usize::from(r.header("x-ngo-cache") == Some("hit"));
                            // Read the whole body, as a client would, into one reused
                            // buffer as load generators (wrk, ab) do: the clients share the
                            // server's cores, and a text conversion per answer was a tenth of
                            // the machine.
                            body.clear();
                            let ok = std::io::Read::read_to_end(&mut r.into_reader(), &mut body)
                                .is_ok_and(|n| n > 0);
                            lat.push(t.elapsed().as_micros() as u64);
                            if !ok {
                                errors += 1;
                            }
                        }
                        Err(_) => errors += 1,
                    }
                }
                (lat, errors, hits)
            })
        })
        .collect();
    std::thread::sleep(dur);
    stop.store(true, Ordering::Relaxed);
    let mut lat_us = Vec::new();
    let mut errors = 0;
    let mut hits = 0;
    for t in threads {
        let (l, e, h) = t.join().unwrap();
        lat_us.extend(l);
        errors += e;
        hits += h;
    }
    let seconds = started.elapsed().as_secs_f64();
    lat_us.sort_unstable();
    Level {
        requests: lat_us.len(),
        errors,
        hits,
        seconds,
        lat_us,
    }
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() {
    // The binary's allocator settings too (src/main.rs), so the figures are the server's.
    ngo_search::allocator::tune();
    ngo_search::allocator::tune_for_serving();
    let a = args();
    let tmp = tempfile::tempdir().unwrap();
    let engine = match &a.index {
        Some(dir) => Engine::open(dir).unwrap_or_else(|e| panic!("{e}")),
        None => {
            let dir = tmp.path().join("index");
            let engine = Engine::open_or_create(&dir, None).unwrap();
            let mut w = engine.writer().unwrap();
            ngo_search::ingest_paths(
                &engine,
                &mut w,
                &[server_common::corpus_dir()],
                &Default::default(),
            )
            .unwrap();
            w.finish().unwrap();
            engine
        }
    };
    let docs = engine.searcher().num_docs();
    let server = TestServer::serve(
        engine,
        ServeOptions {
            rate_limit: 0.0,
            result_cache_bytes: a.result_cache_mb << 20,
            ..ServeOptions::default()
        },
    );
    assert!(server.addr.ip().is_loopback());
    let queries = Arc::new(a.queries);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "http_load: GET /search on {} ({docs} documents), {} queries, {} s per level, result cache {} MiB, {cores} cores shared by clients and server",
        a.index.as_ref().map_or("corpus/".to_string(), |p| p.display().to_string()),
        queries.len(),
        a.secs,
        a.result_cache_mb
    );
    // Warm-up: caches, connections, the blocking pool.
    run_level(&server.base, &queries, 4, Duration::from_secs(1));
    println!(
        "{:>11} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9} {:>7} {:>6}",
        "concurrency",
        "requests",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "hits"
    );
    for &c in &a.concurrency {
        let l = run_level(&server.base, &queries, c, Duration::from_secs_f64(a.secs));
        println!(
            "{:>11} {:>9} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>5.0}%",
            c,
            l.requests,
            l.requests as f64 / l.seconds,
            pct(&l.lat_us, 0.50),
            pct(&l.lat_us, 0.90),
            pct(&l.lat_us, 0.99),
            l.lat_us.last().copied().unwrap_or(0) as f64 / 1000.0,
            l.errors,
            100.0 * l.hits as f64 / l.requests.max(1) as f64
        );
    }
}
