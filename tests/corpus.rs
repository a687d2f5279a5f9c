//! What a user sees searching the embedded corpus (`corpus/`): inflected and unaccented Latvian
//! queries, Norwegian, an English sentence inside a Latvian page, filters, passages.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ngo_search::{Engine, IngestOptions, SearchRequest, SearchResponse};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

const D000: &str = "000_3784fbae6d120c83.txt";
const D001: &str = "001_95fdd53509a6a7ae.txt";
const D002: &str = "002_fb85d5f6309d8db4.txt";
const D003: &str = "003_0ca70e4c041b217b.txt";
const D004: &str = "004_6865d741d3b0f063.txt";

/// One index of corpus/ shared by the tests of this file (built once).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let engine = Engine::open_or_create(dir.path(), None).unwrap();
            let mut writer = engine.writer().unwrap();
            let report = ngo_search::ingest_paths(
                &engine,
                &mut writer,
                &[corpus()],
                &IngestOptions::default(),
            )
            .unwrap();
            assert_eq!(report.documents, 5, "problems: {:?}", report.problems);
            writer.finish().unwrap();
            (dir, engine)
        })
        .1
}

fn search(req: SearchRequest) -> SearchResponse {
    engine().search(&req).unwrap()
}

fn ids(q: &str) -> Vec<String> {
    let mut req = SearchRequest::new(q);
    req.limit = 100;
    search(req).hits.into_iter().map(|h| h.id).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn inflected_and_unaccented_latvian_forms_find_the_same_documents() {
    let want = vec![D000, D002, D003, D004];
    for q in ["sabiedrību", "sabiedrības", "sabiedriba"] {
        assert_eq!(sorted(ids(q)), want, "query {q:?}");
    }
}

#[test]
fn latvian_query_in_another_form_ranks_the_climate_page_first() {
    assert_eq!(
        ids("klimats izmaiņas").first().map(String::as_str),
        Some(D000)
    );
}

#[test]
fn norwegian_query_finds_the_norwegian_page() {
    assert_eq!(
        ids("klimaendringene").first().map(String::as_str),
        Some(D001)
    );
}

#[test]
fn english_sentence_inside_a_latvian_page_is_found_in_english() {
    let res = search(SearchRequest::new("locate"));
    assert_eq!(
        res.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        [D000]
    );
    let hit = &res.hits[0];
    assert_eq!(hit.langs, ["lv", "en"]);
    assert_eq!(hit.lang, "lv");
    // Found through the English reading (its stem `locate`, and the truncated form `locat` that
    // meets `located`): the highlight is the English word "located".
    assert!(
        hit.snippet.contains("<mark>located</mark>"),
        "{}",
        hit.snippet
    );
    assert!(res.interpretation.terms["en"].contains(&"locate".to_string()));
}

#[test]
fn volunteering_query_ranks_the_volunteering_page_first() {
    assert_eq!(
        ids("brīvprātīgais darbs").first().map(String::as_str),
        Some(D002)
    );
}

#[test]
fn language_filter_keeps_only_norwegian() {
    let mut req = SearchRequest::new("ALLATRA");
    req.lang = Some("nb".into());
    let res = search(req);
    assert_eq!(
        res.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        [D001]
    );
    // Unfiltered, the Latvian original is there too.
    assert!(ids("ALLATRA").contains(&D000.to_string()));
}

#[test]
fn a_stopword_of_one_language_does_not_break_a_query_in_another() {
    assert!(ids("the movement").contains(&D000.to_string()));
    assert!(ids("og klimaendringene").contains(&D001.to_string()));
}

#[test]
fn facets_count_languages_of_all_matches() {
    let res = search(SearchRequest::new("ALLATRA"));
    assert_eq!(res.facets.lang.get("nb"), Some(&1));
    assert_eq!(res.facets.lang.get("lv"), Some(&1));
    assert_eq!(res.total, 2);
    assert!(res.total_exact);
}

#[test]
fn facets_can_be_left_out_without_changing_the_hits() {
    let with = search(SearchRequest::new("ALLATRA sabiedrība"));
    let without = search(SearchRequest {
        facets: false,
        ..SearchRequest::new("ALLATRA sabiedrība")
    });
    assert!(!with.facets.lang.is_empty());
    assert!(without.facets.lang.is_empty() && without.facets.org.is_empty());
    assert_eq!(with.total, without.total);
    let ids = |r: &SearchResponse| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&with), ids(&without));
}

#[test]
fn passages_cut_exactly_their_text_out_of_the_stored_document() {
    for q in [
        "sabiedrība",
        "klimats izmaiņas",
        "locate",
        "ALLATRA",
        "brīvprātīgais darbs",
    ] {
        let res = search(SearchRequest::new(q));
        assert!(!res.hits.is_empty(), "{q}");
        for hit in &res.hits {
            let doc = engine().get_document(&hit.id).unwrap().unwrap();
            let chars: Vec<char> = doc.text.chars().collect();
            assert!(!hit.passages.is_empty(), "{q}: {} has no passage", hit.id);
            for p in &hit.passages {
                let cut: String = chars[p.start..p.end].iter().collect();
                assert_eq!(cut, p.text, "{q}: passage of {}", hit.id);
                for &[s, e] in &p.highlights {
                    assert!(p.start <= s && s < e && e <= p.end);
                    let word: String = chars[s..e].iter().collect();
                    assert!(
                        word.chars().all(char::is_alphanumeric),
                        "highlight {word:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn snippet_highlights_inflected_and_unaccented_matches() {
    let res = search(SearchRequest::new("sabiedriba"));
    let hit = res.hits.iter().find(|h| h.id == D003).unwrap();
    assert!(
        hit.snippet.contains("<mark>sabiedrības</mark>"),
        "{}",
        hit.snippet
    );
}

#[test]
fn excluded_words_and_phrases() {
    let all = ids("ALLATRA");
    let without = ids("ALLATRA -klimaendringer");
    assert!(all.contains(&D001.to_string()) && !without.contains(&D001.to_string()));
    assert_eq!(
        ids("\"klimata izmaiņām\"").first().map(String::as_str),
        Some(D000)
    );
    assert!(
        ids("\"izmaiņām klimata\"").is_empty(),
        "a phrase keeps its order"
    );
}

#[test]
fn bad_requests_name_their_parameter() {
    let e = engine();
    let err = |req: SearchRequest| e.search(&req).unwrap_err().to_string();
    assert!(err(SearchRequest::new("  ")).starts_with("q:"));
    assert!(err(SearchRequest::new("x".repeat(1001))).starts_with("q:"));
    let mut r = SearchRequest::new("a");
    r.limit = 0;
    assert!(err(r).starts_with("limit:"));
    let mut r = SearchRequest::new("a");
    r.lang = Some("xx".into());
    let m = err(r);
    assert!(m.starts_with("lang:") && m.contains("lv, nb"), "{m}");
    let mut r = SearchRequest::new("a");
    r.from = Some("someday".into());
    assert!(err(r).starts_with("from:"));
}

#[test]
fn interpretation_and_snapshot_are_reported() {
    let res = search(SearchRequest::new("sabiedrības"));
    assert_eq!(res.interpretation.terms["lv"], ["sabiedrīb"]);
    assert!(!res.snapshot.is_empty());
    assert_eq!(res.snapshot, engine().stats().unwrap().snapshot);
}

#[test]
fn stats_count_documents_per_language() {
    let stats = engine().stats().unwrap();
    assert_eq!(stats.documents, 5);
    assert_eq!(stats.languages.get("lv"), Some(&4));
    assert_eq!(stats.languages.get("nb"), Some(&1));
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ngo-search")
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(bin())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_reingesting_the_corpus_replaces_documents_and_search_json_has_the_api_shape() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let ix = ix.to_str().unwrap();
    let c = corpus();
    let c = c.to_str().unwrap();
    for _ in 0..2 {
        let (ok, out, err) = run(&["index", "--index", ix, c]);
        assert!(ok, "{out}\n{err}");
        assert!(out.contains("indexed 5 documents"), "{out}");
    }
    let (ok, out, _) = run(&["stats", "--index", ix, "--json"]);
    assert!(ok);
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["documents"], 5);

    let (ok, out, err) = run(&["search", "--index", ix, "--json", "--lang", "nb", "ALLATRA"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "query",
        "total",
        "total_exact",
        "took_ms",
        "snapshot",
        "interpretation",
        "facets",
        "hits",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["hits"][0]["id"], D001);
    let hit = &v["hits"][0];
    for key in [
        "id", "title", "lang", "langs", "score", "source", "url", "org", "date", "snippet",
        "passages",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}");
    }

    let (ok, _, err) = run(&["search", "--index", ix, "--lang", "xx", "a"]);
    assert!(
        !ok && err.contains("lang:") && err.contains("enabled: lv"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "search",
        "--index",
        dir.path().join("none").to_str().unwrap(),
        "a",
    ]);
    assert!(!ok && err.contains("no index at"), "{err}");
}

#[test]
fn cli_analyze_shows_tokens_with_byte_offsets() {
    let (ok, out, _) = run(&["analyze", "--lang", "lv", "--json", "sabiedrības"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["lang"], "lv");
    assert_eq!(v["tokens"][0]["token"], "sabiedrīb");
    assert_eq!(v["tokens"][0]["start"], 0);
    assert_eq!(v["tokens"][0]["end"], 12);
}

#[test]
fn index_built_with_other_analysis_is_not_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    Engine::open_or_create(&ix, None).unwrap();
    let cfg_path = dir.path().join("c.toml");
    std::fs::write(
        &cfg_path,
        ngo_search::config::DEFAULT_TOML.replace("folding = true", "folding = false"),
    )
    .unwrap();
    let (ok, _, err) = run(&[
        "index",
        "--index",
        ix.to_str().unwrap(),
        "--config",
        cfg_path.to_str().unwrap(),
        corpus().to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("Re-index"), "{err}");
}

#[test]
fn facets_count_organisations_of_all_matches() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("orgs.jsonl");
    let orgs = [
        "Zaļā brīvība",
        "Zaļā brīvība",
        "Bergen",
        "Zaļā brīvība",
        "",
        "Bergen",
    ];
    let lines: Vec<String> = orgs
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let mut d = serde_json::json!({"id": format!("d{i}"), "text": format!("Klimata pārmaiņas un kopiena {i}.")});
            if !org.is_empty() {
                d["org"] = serde_json::json!(org);
            }
            d.to_string()
        })
        .chain(std::iter::once(
            serde_json::json!({"id": "other", "org": "Other", "text": "Nothing to see here."})
                .to_string(),
        ))
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let engine = Engine::open_or_create(&dir.path().join("ix"), None).unwrap();
    let mut writer = engine.writer().unwrap();
    ngo_search::ingest_paths(&engine, &mut writer, &[input], &IngestOptions::default()).unwrap();
    writer.finish().unwrap();
    // Twice: the second answer comes from the per-segment cache the first one filled.
    for _ in 0..2 {
        let res = engine.search(&SearchRequest::new("klimats")).unwrap();
        assert_eq!(res.total, 6);
        let org: Vec<(&str, u64)> = res
            .facets
            .org
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(org, [("Bergen", 2), ("Zaļā brīvība", 3)]);
        let filtered = engine
            .search(&SearchRequest {
                org: Some("Bergen".into()),
                ..SearchRequest::new("klimats")
            })
            .unwrap();
        assert_eq!(filtered.total, 2);
        assert_eq!(filtered.facets.org.get("Bergen"), Some(&2));
        assert_eq!(filtered.facets.org.len(), 1);
    }
}
