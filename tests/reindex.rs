//! `ngo-search reindex`: the new index is built beside the old one and switched to atomically.
//! Readers answer from the old index until the switch and never see a partial or mixed index;
//! writers are refused meanwhile; a kill mid-reindex leaves the old index intact.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use ngo_search::{Engine, SearchRequest};
use rand::Rng;

const DOCS: usize = 12_000;

fn build_index(dir: &Path, corpus: &Path) {
    let (status, _, err) = run(&[
        "index",
        "--index",
        path_str(dir),
        "--commit-every",
        "6000",
        "--json",
        path_str(corpus),
    ]);
    assert!(status.success(), "{err}");
}

/// A config whose analysis differs from the default: no diacritic folding, no German stemming.
fn new_config(dir: &Path) -> std::path::PathBuf {
    let text = ngo_search::config::DEFAULT_TOML
        .replace("folding = true", "folding = false")
        .replace("no_stemming = []", "no_stemming = [\"de\"]");
    assert!(text.contains("folding = false") && text.contains("[\"de\"]"));
    let path = dir.join("new.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn total(engine: &Engine, q: &str) -> u64 {
    engine.search(&SearchRequest::new(q)).unwrap().total
}

#[test]
fn reindex_switches_atomically_while_readers_answer() {
    let started = Instant::now();
    let tmp = tempdir();
    let corpus = tmp.path().join("corpus.jsonl");
    write_corpus(&corpus, DOCS, 3);
    let index = tmp.path().join("index");
    build_index(&index, &corpus);
    let config = new_config(tmp.path());

    let old = Engine::open(&index).unwrap();
    let old_analysis = old.sidecar().analysis.clone();
    // With folding, a query typed without diacritics finds the Latvian documents.
    let folded_hits = total(&old, "sabiedriba");
    assert!(folded_hits > 0);
    let lv_hits = total(&old, "sabiedrība");
    let sample: Vec<_> = [0, 1, 2, 3, 4711, DOCS - 1]
        .iter()
        .map(|&i| old.get_document(&doc_id(i)).unwrap().unwrap())
        .collect();

    let mut reindex = Running::spawn(&[
        "reindex",
        "--index",
        path_str(&index),
        "--config",
        path_str(&config),
        "--commit-every",
        "1000",
    ]);
    let intruder = tmp.path().join("intruder.jsonl");
    std::fs::write(
        &intruder,
        "{\"id\": \"intruder\", \"text\": \"a write during reindex\"}\n",
    )
    .unwrap();
    let mut opened_old = 0;
    let mut opened_new = 0;
    let mut progress = 0;
    let mut writer_refused = false;
    while reindex.alive() {
        // The reader opened before keeps answering, from the old index.
        assert_eq!(total(&old, "sabiedriba"), folded_hits);
        // A reader opening now sees the old index or the new one, always complete.
        match Engine::open(&index) {
            Ok(e) => {
                assert_eq!(
                    e.searcher().num_docs(),
                    DOCS as u64,
                    "a partial index was visible"
                );
                if e.sidecar().analysis == old_analysis {
                    opened_old += 1;
                    assert_eq!(total(&e, "sabiedriba"), folded_hits);
                } else {
                    opened_new += 1;
                    assert_eq!(total(&e, "sabiedriba"), 0, "new analysis: no folding");
                }
            }
            Err(e) => panic!("the index could not be opened during reindex: {e}"),
        }
        while let Ok(l) = reindex.lines.try_recv() {
            if l.starts_with("reindexed: ") {
                progress += 1;
            }
            reindex.stderr.push(l);
        }
        if progress > 0 && !writer_refused {
            // Writers are refused while the reindex copies (their documents would be lost).
            let (status, _, err) =
                run(&["index", "--index", path_str(&index), path_str(&intruder)]);
            assert!(
                !status.success() && err.contains("being written by another process"),
                "{err}"
            );
            writer_refused = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = reindex.wait();
    assert!(status.success(), "reindex failed: {:?}", reindex.stderr);
    assert!(
        opened_old > 0,
        "no reader opened the old index during the reindex"
    );

    let new = Engine::open(&index).unwrap();
    assert_ne!(new.sidecar().analysis, old_analysis);
    assert!(new.sidecar().analysis.contains("fold=false"));
    assert_eq!(new.searcher().num_docs(), DOCS as u64);
    let counts = id_counts(&new, DOCS);
    assert!(
        counts.iter().all(|&c| c == 1),
        "every document once in the new index"
    );
    assert_eq!(total(&new, "sabiedriba"), 0, "the new analysis is in force");
    assert_eq!(
        total(&new, "sabiedrība"),
        lv_hits,
        "the same documents are found by the exact word"
    );
    for s in &sample {
        let n = new.get_document(&s.id).unwrap().unwrap();
        assert_eq!(
            (&n.title, &n.text, &n.org, &n.lang),
            (&s.title, &s.text, &s.org, &s.lang)
        );
    }
    // The engine opened before still answers (its files stay open), knows it is stale, and
    // cannot write into the replaced generation.
    assert_eq!(total(&old, "sabiedriba"), folded_hits);
    assert!(!old.is_current() && new.is_current());
    let err = old
        .writer()
        .err()
        .expect("a stale engine must not write")
        .to_string();
    assert!(err.contains("re-indexed"), "{err}");
    // The layout: CURRENT and one generation, nothing of the old flat index.
    let mut names: Vec<String> = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["CURRENT", "gen-0002"]);
    // Ingest goes on into the live generation.
    let (status, _, err) = run(&["index", "--index", path_str(&index), path_str(&intruder)]);
    assert!(status.success(), "{err}");
    let after = Engine::open(&index).unwrap();
    assert!(after.contains("intruder").unwrap());
    println!(
        "reindex: {DOCS} documents, {opened_old} opens saw the old index and {opened_new} the new one \
         during the run, never a partial one; {}",
        elapsed(started)
    );
}

#[test]
fn killed_reindex_leaves_the_old_index_intact() {
    let started = Instant::now();
    let tmp = tempdir();
    let corpus = tmp.path().join("corpus.jsonl");
    write_corpus(&corpus, DOCS, 5);
    let index = tmp.path().join("index");
    build_index(&index, &corpus);
    let config = new_config(tmp.path());
    let old_analysis = Engine::open(&index).unwrap().sidecar().analysis.clone();
    let (mut rng, seed) = seeded("NGO_REINDEX_SEED", 99);
    let args = [
        "reindex",
        "--index",
        path_str(&index),
        "--config",
        path_str(&config),
        "--commit-every",
        "500",
    ];
    let mut mid = 0;
    for round in 0..3 {
        // Reindex twice in a row the second time round: killing a reindex of a generation
        // (not only of a flat index) must be safe too.
        if round == 2 {
            let (status, _, err) = run(&args);
            assert!(status.success(), "{err}");
        }
        let before = Engine::open(&index).unwrap();
        let before_analysis = before.sidecar().analysis.clone();
        drop(before);
        let mut r = Running::spawn(&args);
        let target = rng.gen_range(1..DOCS / 500) as u64 * 500;
        loop {
            let l = r
                .next_line(Duration::from_secs(60))
                .unwrap_or_else(|| panic!("{:?}", r.stderr));
            let n = l
                .strip_prefix("reindexed: ")
                .and_then(|s| s.split_whitespace().next())
                .and_then(|n| n.parse::<u64>().ok());
            if n.is_some_and(|n| n >= target) {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..50)));
        assert!(r.alive(), "the reindex finished before the kill");
        mid += 1;
        r.kill9();
        let e = Engine::open(&index).expect("the old index opens after a killed reindex");
        assert_eq!(e.sidecar().analysis, before_analysis, "still the old index");
        assert_eq!(e.searcher().num_docs(), DOCS as u64);
        assert!(id_counts(&e, DOCS).iter().all(|&c| c == 1));
        assert_eq!(total(&e, "uniq42"), 1);
    }
    // The next reindex completes and clears what the killed ones left.
    let (status, _, err) = run(&args);
    assert!(status.success(), "{err}");
    let e = Engine::open(&index).unwrap();
    assert_ne!(e.sidecar().analysis, old_analysis);
    assert_eq!(e.searcher().num_docs(), DOCS as u64);
    let dirs: Vec<String> = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "CURRENT")
        .collect();
    assert_eq!(dirs.len(), 1, "one generation left: {dirs:?}");
    println!(
        "reindex kills (seed {seed}): {mid} kills mid-reindex, old index intact each time; {}",
        elapsed(started)
    );
}

/// Terms of the title field over all segments.
fn title_terms(engine: &Engine) -> usize {
    let field = engine.fields().title_terms;
    engine
        .searcher()
        .segment_readers()
        .iter()
        .map(|r| r.inverted_index(field).unwrap().terms().num_terms())
        .sum()
}

/// A page the input gave no title shows its first paragraph as title, before and after a
/// reindex, and the reindex indexes it no more as a title than the first ingest did (a title
/// cut from the text is only the text's beginning); a given title stays given.
#[test]
fn a_title_cut_from_the_text_stays_cut_across_a_reindex() {
    let tmp = tempdir();
    let corpus = tmp.path().join("titles.jsonl");
    std::fs::write(
        &corpus,
        concat!(
            "{\"id\": \"untitled\", \"text\": \"Biedrība rūpējas par vidi.\\n\\nOtrā rindkopa.\"}\n",
            "{\"id\": \"titled\", \"title\": \"Gada pārskats\", \"text\": \"Pārskats par darbu.\"}\n",
        ),
    )
    .unwrap();
    let index = tmp.path().join("index");
    build_index(&index, &corpus);
    let check = |engine: &Engine, when: &str| {
        let untitled = engine.get_document("untitled").unwrap().unwrap();
        assert_eq!(untitled.title, "Biedrība rūpējas par vidi.", "{when}");
        let titled = engine.get_document("titled").unwrap().unwrap();
        assert_eq!(titled.title, "Gada pārskats", "{when}");
        let hits = engine.search(&SearchRequest::new("vide")).unwrap().hits;
        assert_eq!(
            hits.first().map(|h| h.title.as_str()),
            Some("Biedrība rūpējas par vidi."),
            "{when}"
        );
        // Only the given title's words are title terms ("gada", "pārskats", folded forms).
        let n = title_terms(engine);
        assert!(n > 0 && n <= 4, "{when}: {n} title terms");
        n
    };
    let before = check(&Engine::open(&index).unwrap(), "before the reindex");
    let (status, _, err) = run(&["reindex", "--index", path_str(&index)]);
    assert!(status.success(), "{err}");
    let after = check(&Engine::open(&index).unwrap(), "after the reindex");
    assert_eq!(before, after);
}
