//! End-to-end ingest: ngo-search vs raw tantivy on the same generated JSONL, in the same run.
//!
//!   cargo bench --bench ingest                         # 5,000 generated pages (≈ 19 MB), ≈ 1.5 min
//!   NGO_BENCH_DOCS=20000 cargo bench --bench ingest    # bigger corpus
//!   NGO_BENCH_INPUT=../shared/dev-eval/corpus.jsonl.gz cargo bench --bench ingest
//!
//! Each iteration indexes the whole file into a fresh index (read + parse JSON + [detect +
//! analyse] + index + commit + merges done). Criterion reports MB/s of input text (title +
//! text); a summary line gives docs/s and the ratio ngo-search / raw tantivy (medians).

mod common;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

static TIMES: Mutex<Vec<(&'static str, f64)>> = Mutex::new(Vec::new());

fn ingest(c: &mut Criterion) {
    let input = match std::env::var_os("NGO_BENCH_INPUT") {
        Some(p) => PathBuf::from(p),
        None => common::corpus(common::env_or("NGO_BENCH_DOCS", 5_000u64), 42),
    };
    let (docs, bytes) = common::text_bytes(&input);
    let work = common::work_dir();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Bytes(bytes));
    for (name, f) in [
        (
            "raw-tantivy",
            common::raw_ingest as fn(&std::path::Path, &std::path::Path) -> f64,
        ),
        ("ngo-search", common::ngo_ingest),
    ] {
        let dir = work.join(format!("ingest-bench-{name}"));
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let s = f(&dir, &input);
                    TIMES.lock().unwrap().push((name, s));
                    total += Duration::from_secs_f64(s);
                }
                total
            })
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    g.finish();
    let times = TIMES.lock().unwrap();
    let median = |name: &str| {
        let mut v: Vec<f64> = times.iter().filter(|t| t.0 == name).map(|t| t.1).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let (n, r) = (median("ngo-search"), median("raw-tantivy"));
    println!(
        "\ningest summary ({docs} docs, {:.1} MB): ngo-search {:.2} MB/s {:.0} docs/s | raw tantivy {:.2} MB/s {:.0} docs/s | ratio {:.2}",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / n,
        docs as f64 / n,
        bytes as f64 / 1e6 / r,
        docs as f64 / r,
        r / n
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1))
        .without_plots();
    targets = ingest
}
criterion_main!(benches);
