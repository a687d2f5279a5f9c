//! `ngo-search bench` end to end: a small index the test writes itself, queries and qrels in
//! both forms (with a malformed line), the real binary, a hand-computable MRR and the TREC run.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_ngo-search");

fn run(args: &[&str]) -> (String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("NGO_SEARCH_INDEX", "/nonexistent-ngo-search-index")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Documents where the answer of each query is predictable:
/// * "pelican": only `bird` mentions it → rank 1 (RR 1).
/// * "harbour": `boats` says it three times in a short text, `lighthouse` (the relevant one)
///   once in a longer text → the relevant document at rank 2 (RR 1/2).
/// * "zeppelinx": in no document → no result (RR 0).
/// * "telescope": in `lighthouse`, but the query has no judgment → skipped, reported.
const DOCS: &str = r#"{"id": "bird", "lang": "en", "text": "The brown pelican dives for fish along the quiet coast every morning."}
{"id": "boats", "lang": "en", "text": "Harbour harbour harbour: fishing boats rest in the harbour."}
{"id": "lighthouse", "lang": "en", "text": "An old lighthouse keeper watched the ships from the rocks near the harbour with a brass telescope, writing down every vessel that passed during the long winter nights of that northern town."}
{"id": "garden", "lang": "en", "text": "Tomatoes and beans grow well in a sunny garden when the soil is kept moist."}
"#;

#[test]
fn bench_reports_keys_mrr_and_trec_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let docs = write(dir, "docs.jsonl", DOCS);
    let index = dir.join("ix").display().to_string();
    run(&["index", "--index", &index, "--json", &docs]);

    let queries = write(
        dir,
        "queries.tsv",
        "q1\tpelican\ten\nq2\tharbour\ten\nq3\tzeppelinx\ten\nq4\ttelescope\ten\n",
    );
    let qrels_tsv = write(
        dir,
        "qrels.tsv",
        "q1\tbird\nq2\tlighthouse\t1\nthis line is malformed\nq3\tgarden\n",
    );
    let qrels_trec = write(
        dir,
        "qrels.trec",
        "q1 0 bird 1\nq2 0 lighthouse 1\nq2 0 boats 0\nq3 0 garden 1\nq9 0\n",
    );
    let trec_out = dir.join("run.trec").display().to_string();

    let bench = |qrels: &str, extra: &[&str]| {
        let mut args = vec![
            "bench",
            "--index",
            &index,
            "--queries",
            &queries,
            "--qrels",
            qrels,
            "--json",
            "--warmup",
            "1",
            "--repeat",
            "1",
        ];
        args.extend_from_slice(extra);
        let (stdout, stderr) = run(&args);
        let v: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        (v, stderr)
    };

    for (qrels, bad_line) in [(&qrels_tsv, 3), (&qrels_trec, 5)] {
        let (v, stderr) = bench(qrels, &["--trec-out", &trec_out]);
        for key in [
            "queries",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "max_ms",
            "qps",
            "mrr@10",
            "ndcg@10",
            "recall@10",
            "per_lang",
        ] {
            assert!(v.get(key).is_some(), "missing {key}: {v}");
        }
        assert!(v.get("recall@100").is_none(), "only from --limit 100: {v}");
        assert_eq!(v["queries"], 4);
        // q1: 1, q2: 1/2, q3: 0; q4 unjudged and skipped → (1 + 0.5 + 0) / 3.
        let mrr = v["mrr@10"].as_f64().unwrap();
        assert!((mrr - 0.5).abs() < 1e-3, "MRR {mrr}: {v}");
        // nDCG: q1 1, q2 1/log2(3), q3 0.
        let ndcg = v["ndcg@10"].as_f64().unwrap();
        assert!(
            (ndcg - (1.0 + 1.0 / 3f64.log2()) / 3.0).abs() < 1e-3,
            "nDCG {ndcg}"
        );
        assert!((v["recall@10"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-3);
        assert_eq!(v["unjudged"], 1, "q4 is reported as skipped: {v}");
        assert!(stderr.contains("q4"), "{stderr}");
        assert!(
            stderr.contains(&format!("line {bad_line}")),
            "malformed line reported: {stderr}"
        );
        let en = &v["per_lang"]["en"];
        assert_eq!(en["queries"], 4);
        assert!((en["mrr@10"].as_f64().unwrap() - 0.5).abs() < 1e-3);

        let run_file = std::fs::read_to_string(&trec_out).unwrap();
        let lines: Vec<Vec<&str>> = run_file.lines().map(|l| l.split(' ').collect()).collect();
        assert!(
            lines
                .iter()
                .all(|l| l.len() == 6 && l[1] == "Q0" && l[5] == "ngo-search"),
            "{run_file}"
        );
        let of = |q: &str| {
            lines
                .iter()
                .filter(|l| l[0] == q)
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(of("q1")[0][2], "bird");
        assert_eq!(of("q1")[0][3], "1");
        let q2 = of("q2");
        assert_eq!((q2[0][2], q2[1][2]), ("boats", "lighthouse"));
        assert_eq!((q2[0][3], q2[1][3]), ("1", "2"));
        let (s1, s2): (f64, f64) = (q2[0][4].parse().unwrap(), q2[1][4].parse().unwrap());
        assert!(s1 > s2, "scores decrease with rank: {run_file}");
        assert!(of("q3").is_empty());
        assert_eq!(of("q4")[0][2], "lighthouse");
    }

    // The query language given as the hint is labelled; --no-snippets and --limit 100 work.
    let (v, _) = bench(
        &qrels_tsv,
        &["--use-query-lang", "--no-snippets", "--limit", "100"],
    );
    assert_eq!(v["use_query_lang"], true);
    assert_eq!(v["snippets"], false);
    assert!(v.get("recall@100").is_some());
    assert!((v["mrr@10"].as_f64().unwrap() - 0.5).abs() < 1e-3);

    // Without qrels: latency only, no metrics.
    let (stdout, _) = run(&[
        "bench",
        "--index",
        &index,
        "--queries",
        &queries,
        "--json",
        "--warmup",
        "0",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(v.get("mrr@10").is_none());
    assert!(v["p50_ms"].as_f64().is_some());
}
