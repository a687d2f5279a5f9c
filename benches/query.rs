//! Query latency: ngo-search vs raw tantivy on the same generated corpus, in the same run.
//!
//!   cargo bench --bench query                        # 10,000 generated pages, ≈ 1.5 min
//!   NGO_BENCH_DOCS=50000 cargo bench --bench query   # bigger index (built once, then reused)
//!
//! Query classes (drawn from the corpus' own documents, so they find something): 1-, 2- and
//! 5-word queries and 2- and 3-word "phrases". Per class: ngo-search with and without snippets
//! and with a `lang` filter (the query's language), and raw tantivy (QueryParser over one text
//! field, OR) with and without tantivy's snippets. One iteration runs every query of the class
//! once (top 10, total count); criterion's throughput is queries/s, time/iteration ÷ queries is
//! the mean latency. Percentiles: `cargo bench --bench scale`.

mod common;

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ngo_search::synth::baseline::RawIndex;
use ngo_search::Engine;

fn query(c: &mut Criterion) {
    let docs = common::env_or("NGO_BENCH_DOCS", 10_000u64);
    let per_class = common::env_or("NGO_BENCH_QUERIES", 40usize);
    let input = common::corpus(docs, 42);
    let work = common::work_dir();
    let ngo_dir = work.join(format!("query-bench-{docs}-ngo"));
    let raw_dir = work.join(format!("query-bench-{docs}-raw"));
    // Built once per corpus size and reused (delete the folders after changing analysis).
    if !ngo_dir.join("built").exists() || Engine::open(&ngo_dir).is_err() {
        let s = common::ngo_ingest(&ngo_dir, &input);
        eprintln!("ngo-search index built in {s:.1} s");
        std::fs::write(ngo_dir.join("built"), "").unwrap();
    }
    if !raw_dir.join("built").exists() {
        let s = common::raw_ingest(&raw_dir, &input);
        eprintln!("raw tantivy index built in {s:.1} s");
        std::fs::write(raw_dir.join("built"), "").unwrap();
    }
    let engine = Engine::open(&ngo_dir).expect("ngo-search index");
    let raw = RawIndex::open(&raw_dir).expect("raw index");
    for set in common::synth_queries(42, docs, per_class) {
        let mut g = c.benchmark_group(format!("query/{}", set.name));
        g.throughput(Throughput::Elements(set.queries.len() as u64));
        for (name, snippets, filter) in [
            ("ngo-search", false, false),
            ("ngo-search+snippets", true, false),
            ("ngo-search+lang", false, true),
        ] {
            let reqs: Vec<_> = set
                .queries
                .iter()
                .map(|(q, l)| common::ngo_request(q, snippets, filter.then_some(*l)))
                .collect();
            g.bench_function(name, |b| {
                b.iter(|| {
                    for r in &reqs {
                        black_box(engine.search(r).map(|a| a.total).unwrap_or(0));
                    }
                })
            });
        }
        for (name, snippets) in [("raw-tantivy", false), ("raw-tantivy+snippets", true)] {
            g.bench_function(name, |b| {
                b.iter(|| {
                    for (q, _) in &set.queries {
                        black_box(raw.search(q, 10, snippets).map(|a| a.total).unwrap_or(0));
                    }
                })
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .without_plots();
    targets = query
}
criterion_main!(benches);
