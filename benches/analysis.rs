//! Analysis and language-detection throughput (MB/s), on generated text in each language.
//!
//!   cargo bench --bench analysis                  # ≈ 1 min
//!   NGO_BENCH_SECS=3 cargo bench --bench analysis # longer, steadier
//!
//! Groups:
//! - `analyze/<lang>`: tokenize + lower-case + stopwords + stem + folded stem + tagged terms,
//!   every word computed (the query path, and the cost of a word indexing has not seen before);
//! - `analyze_terms/<lang>`: the indexing path, with its per-thread term cache warm (steady state
//!   of a long ingest: most words have been seen);
//! - `tantivy_default/<lang>`: tantivy's default tokenizer (split + lower-case) on the same text,
//!   the baseline's whole analysis;
//! - `detect/paragraph`: `Detector::detect` on each paragraph (mixed languages);
//! - `detect/document`: `Detector::detect_document` on whole generated pages;
//! - `detect_sample/<N>B`: `Detector::detect` on the first N bytes of each paragraph (paragraphs/s).

mod common;

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ngo_search::analysis::Analyzer;
use ngo_search::lang::Detector;
use ngo_search::synth::{self, LANGS};
use ngo_search::Config;
use tantivy::tokenizer::TokenStream;

fn config() -> Criterion {
    let secs: f64 = common::env_or("NGO_BENCH_SECS", 1.0);
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs_f64(secs / 2.0))
        .measurement_time(Duration::from_secs_f64(secs))
        .without_plots()
}

fn analysis(c: &mut Criterion) {
    let gen = synth::generator(42, None).expect("word lists");
    let config = Config::default_config();
    let analyzer = Analyzer::new(&config);
    let mut default_tokenizer = tantivy::tokenizer::TokenizerManager::default()
        .get("default")
        .expect("tantivy's default tokenizer");
    for group in ["analyze", "analyze_terms", "tantivy_default"] {
        let mut g = c.benchmark_group(group);
        for &(lang, _) in LANGS {
            let paragraphs = gen.paragraphs_in(lang, 64 * 1024, 1);
            let bytes: usize = paragraphs.iter().map(|p| p.len()).sum();
            g.throughput(Throughput::Bytes(bytes as u64));
            g.bench_function(lang.code(), |b| {
                b.iter(|| {
                    let mut n = 0usize;
                    for p in &paragraphs {
                        let mut pos = 0u32;
                        match group {
                            "analyze" => analyzer.analyze(p, lang, 0, &mut pos, |w| {
                                n += w.exact_term().len() + w.folded_term().map_or(0, |f| f.len());
                            }),
                            "analyze_terms" => analyzer.analyze_terms(p, lang, 0, &mut pos, |w| {
                                n += w.exact.len() + w.folded.map_or(0, str::len);
                            }),
                            _ => {
                                let mut ts = default_tokenizer.token_stream(p);
                                while ts.advance() {
                                    n += ts.token().text.len();
                                }
                            }
                        }
                    }
                    black_box(n)
                })
            });
        }
        g.finish();
    }
}

fn detection(c: &mut Criterion) {
    let gen = synth::generator(42, None).expect("word lists");
    let config = Config::default_config();
    let detector = Detector::new(&config.enabled_langs());
    let docs: Vec<synth::SynthDoc> = (0..200).map(|n| gen.doc(n)).collect();
    let paragraphs: Vec<&str> = docs
        .iter()
        .flat_map(|d| d.text.split("\n\n"))
        .filter(|p| !p.trim().is_empty())
        .collect();
    let bytes: usize = paragraphs.iter().map(|p| p.len()).sum();
    let mut g = c.benchmark_group("detect");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("paragraph", |b| {
        b.iter(|| {
            for p in &paragraphs {
                black_box(detector.detect(p).map(|d| d.lang));
            }
        })
    });
    let per_doc: Vec<Vec<&str>> = docs
        .iter()
        .map(|d| {
            d.text
                .split('\n')
                .filter(|l| !l.trim().is_empty())
                .collect()
        })
        .collect();
    g.bench_function("document", |b| {
        b.iter(|| {
            for ps in &per_doc {
                black_box(detector.detect_document(ps, None).lang);
            }
        })
    });
    g.finish();
    // Cost against sample length: how much a tighter MAX_SAMPLE_BYTES would save.
    let mut g = c.benchmark_group("detect_sample");
    for max in [64usize, 128, 256, 512, 1024] {
        let samples: Vec<&str> = paragraphs
            .iter()
            .map(|p| ngo_search::lang::bounded_sample(p, max))
            .collect();
        let bytes: usize = samples.iter().map(|p| p.len()).sum();
        g.throughput(Throughput::Elements(samples.len() as u64));
        g.bench_function(
            format!("{max}B ({:.0} B avg)", bytes as f64 / samples.len() as f64),
            |b| {
                b.iter(|| {
                    for p in &samples {
                        black_box(detector.detect(p).map(|d| d.lang));
                    }
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = analysis, detection
}
criterion_main!(benches);
