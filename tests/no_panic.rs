//! No panic from input: property tests over the query path (parse, plan, search, passages), the
//! JSONL and HTML readers, document building and the Latvian stemmer, with arbitrary input.
//! Inputs that once crashed a fuzz target (tests/fuzz/regressions/<target>/*) are replayed here.
//!
//! Case counts: PROPTEST_CASES overrides every test's count (e.g. PROPTEST_CASES=20000 for a
//! long run); the defaults below keep the suite to a few seconds.

use std::path::Path;
use std::sync::OnceLock;

use ngo_search::analysis::Analyzer;
use ngo_search::config::Config;
use ngo_search::document;
use ngo_search::lang::{Detector, Lang};
use ngo_search::read::{self, RawDocument, ReadEvent, ReadLimits};
use ngo_search::search::parse;
use ngo_search::{Engine, Error, SearchRequest};
use proptest::prelude::*;
use serde_json::Value;

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A small index with ordinary and hostile documents, built once per test binary.
fn engine() -> &'static Engine {
    static E: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    &E.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open_or_create(dir.path(), None).unwrap();
        let mut w = engine.writer().unwrap();
        let docs = [
            ("lv1", "Sabiedrība un kustība", "Biedrība atbalsta jauniešus un brīvprātīgo darbu Rīgā. Sabiedrības līdzdalība ir svarīga."),
            ("nb1", "Frivillig arbeid", "Organisasjonen støtter frivillige i kommunen og arbeider for ungdom."),
            ("en1", "Youth <b>work</b>", "The <script>alert(1)</script> community supports volunteers & \"youth\" projects."),
            ("xss", "<img src=x onerror=alert(1)>", "<script>document.cookie</script> sabiedrība <b>bold</b> & 'quote' \"dq\""),
            ("el1", "Κοινότητα", "Η κοινότητα εθελοντών οργανώνει εκδηλώσεις."),
            ("ru1", "Общество", "Общественная организация поддерживает молодёжь и волонтёров."),
        ];
        for (id, title, text) in docs {
            let raw = RawDocument {
                id: id.into(),
                title: Some(title.into()),
                text: text.into(),
                date: Some("2023-04-05".into()),
                org: Some("org".into()),
                ..RawDocument::default()
            };
            let lines = document::clean_lines(&raw.text);
            let mut warnings = Vec::new();
            let doc = document::build(
                raw,
                lines,
                &Default::default(),
                engine.detector(),
                &engine.config().enabled_langs(),
                &mut warnings,
            )
            .unwrap();
            w.add_document(&doc).unwrap();
        }
        w.commit("{}").unwrap();
        engine.reload().unwrap();
        (dir, engine)
    })
    .1
}

/// Query-like text: words of the index, quotes, dashes, stars, unicode, control characters.
fn query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("sabiedrība".to_string()),
        Just("\"".to_string()),
        Just("-".to_string()),
        Just(" ".to_string()),
        Just("*".to_string()),
        Just("script".to_string()),
        Just("κοινότητα".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{202e}".to_string()),
        Just("a\u{304}".to_string()),
        "[a-zA-Zāēīūšžčņļķģ]{1,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn ok_or_bad_request(r: Result<ngo_search::SearchResponse, Error>) -> Result<(), TestCaseError> {
    match r {
        Ok(res) => {
            for h in &res.hits {
                let plain = h.snippet.replace("<mark>", "").replace("</mark>", "");
                prop_assert!(
                    !plain.contains('<') && !plain.contains('>'),
                    "unescaped snippet {:?}",
                    h.snippet
                );
                for p in &h.passages {
                    prop_assert!(p.start <= p.end);
                }
            }
            Ok(())
        }
        Err(Error::BadRequest { .. }) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("not a bad request: {e}"))),
    }
}

proptest! {
    #![proptest_config(cases(400))]

    #[test]
    fn search_any_query(q in query_text(), prefix: bool, typos in 0u8..3, limit in 0usize..120, offset in 0usize..12000) {
        let req = SearchRequest { q, prefix, typos, limit, offset, ..SearchRequest::default() };
        ok_or_bad_request(engine().search(&req))?;
    }

    #[test]
    fn search_any_parameters(
        q in query_text(),
        lang in proptest::option::of(any::<String>()),
        query_lang in proptest::option::of("[a-z,]{0,8}"),
        from in proptest::option::of(any::<String>()),
        to in proptest::option::of("[0-9T:Z+-]{0,25}"),
        snippet_chars in proptest::option::of(0usize..5000),
        pre in ".{0,120}",
    ) {
        let req = SearchRequest {
            q, lang, query_lang, from, to, snippet_chars,
            highlight_pre: pre, sort: ngo_search::Sort::Date,
            ..SearchRequest::default()
        };
        match engine().search(&req) {
            Ok(_) | Err(Error::BadRequest { .. }) => {}
            Err(e) => prop_assert!(false, "not a bad request: {e}"),
        }
    }

    #[test]
    fn huge_queries_are_refused_or_bounded(word in "[a-zāē\"-]{1,8}", n in 1usize..3000) {
        let q = format!("{word} ").repeat(n);
        ok_or_bad_request(engine().search(&SearchRequest::new(q)))?;
    }

    #[test]
    fn query_parser_bounds_terms(q in query_text(), max in 1usize..64) {
        let p = parse::parse(&q, max);
        prop_assert!(p.word_count() <= max);
    }

    #[test]
    fn html_reader_any_text(s in any::<String>()) {
        let _ = read::read_html_str(&s);
    }

    #[test]
    fn html_reader_tag_soup(parts in prop::collection::vec(prop_oneof![
        Just("<div>"), Just("</div>"), Just("<p>"), Just("<b>"), Just("</i>"), Just("<table>"),
        Just("<td>"), Just("<script>"), Just("</script>"), Just("<!--"), Just("-->"), Just("<title>"),
        Just("</title>"), Just("<html lang='lv'>"), Just("&amp;"), Just("&#x110000;"), Just("&#"),
        Just("<"), Just(">"), Just("\""), Just("'"), Just("text"), Just("ā"), Just("<br/>"),
        Just("<a href=\"x>y\">"), Just("<svg>"), Just("</"), Just("<!DOCTYPE html>"),
    ], 0..400)) {
        let s = parts.concat();
        let d = read::read_html_str(&s);
        prop_assert!(!d.text.contains("<script>"));
    }

    #[test]
    fn html_flat_reader_any_text(s in any::<String>()) {
        let _ = read::nesting_depth(&s);
        let _ = read::read_html_flat(&s);
    }

    #[test]
    fn html_flat_reader_tag_soup(parts in prop::collection::vec(prop_oneof![
        Just("<div>"), Just("</div>"), Just("<p class='a>b'>"), Just("<b>"), Just("</i>"),
        Just("<script>"), Just("</script>"), Just("</SCRIPT >"), Just("<!--"), Just("-->"),
        Just("<title>"), Just("</title>"), Just("<html lang=\"nb\">"), Just("&amp;"), Just("&#x1F600;"),
        Just("&#xD800;"), Just("&#"), Just("&"), Just("<"), Just(">"), Just("\""), Just("'"),
        Just("tekst"), Just("ā"), Just("<br/>"), Just("<?php"), Just("<!x"), Just("</"), Just("<style>"),
    ], 0..400)) {
        let s = parts.concat();
        let d = read::read_html_flat(&s);
        prop_assert!(!d.text.contains("<script>") || s.matches("<script>").count() > 0);
    }

    #[test]
    fn json_documents_any_value(v in json_value()) {
        let _ = read::parse_json_document(v);
    }

    #[test]
    fn jsonl_reader_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..3000), gz: bool, limit in 1u64..2000) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(if gz { "x.jsonl.gz" } else { "x.jsonl" });
        std::fs::write(&path, &bytes).unwrap();
        read_jsonl_all(&path, gz, limit);
    }

    #[test]
    fn jsonl_reader_json_like_lines(lines in prop::collection::vec(json_line(), 0..30), limit in 10u64..4000) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, lines.join("\n")).unwrap();
        read_jsonl_all(&path, false, limit);
    }

    #[test]
    fn latvian_stemmer_any_unicode(w in any::<String>()) {
        let _ = ngo_search::analysis::latvian::stem(&w);
        let _ = ngo_search::analysis::latvian::stem(&w.to_lowercase());
    }

    #[test]
    fn latvian_stemmer_latvian_like(w in "[a-zāčēģīķļņšūž]{0,30}") {
        let s = ngo_search::analysis::latvian::stem(&w);
        prop_assert!(s.chars().count() <= w.chars().count() + 2, "{w} -> {s}");
    }

    #[test]
    fn documents_build_and_analyse(text in any::<String>(), title in proptest::option::of(any::<String>()),
                                   lang in proptest::option::of("[a-z_-]{0,6}"), date in proptest::option::of(any::<String>())) {
        build_and_analyse(text, title, lang, date)?;
    }

    #[test]
    fn documents_build_and_analyse_texty(text in text_like(), lang in proptest::option::of(prop_oneof![Just("lv".to_string()), Just("nb".to_string()), Just("xx".to_string())])) {
        build_and_analyse(text, None, lang, None)?;
    }

    #[test]
    fn analysis_any_text_any_language(text in any::<String>(), li in 0usize..18) {
        let langs: Vec<Lang> = Lang::ALL.iter().copied().chain([Lang::Und]).collect();
        let l = langs[li % langs.len()];
        let a = analyzer();
        let _ = a.explain(&text, l);
        let mut pos = 0u32;
        a.analyze(&text, l, 0, &mut pos, |w| {
            assert!(text.get(w.start..w.end).is_some(), "offsets on char boundaries");
        });
    }
}

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::new(&Config::default_config()))
}

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| Detector::new(&Config::default_config().enabled_langs()))
}

fn text_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Zāēīūšžčņļķģøæå]{1,10}",
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("\u{c}".to_string()),
            Just("\r\n".to_string()),
            Just("\u{ad}".to_string()),
            Just("a\u{304}".to_string()),
            Just("©".to_string()),
            Just("Jump to navigation".to_string()),
            "[\\PC]{1,5}",
        ],
        0..80,
    )
    .prop_map(|v| v.concat())
}

fn build_and_analyse(
    text: String,
    title: Option<String>,
    lang: Option<String>,
    date: Option<String>,
) -> Result<(), TestCaseError> {
    let raw = RawDocument {
        id: "p".into(),
        title,
        text,
        lang,
        date,
        ..RawDocument::default()
    };
    let lines = document::clean_lines(&raw.text);
    let mut warnings = Vec::new();
    let enabled = Config::default_config().enabled_langs();
    if let Ok(doc) = document::build(
        raw,
        lines,
        &Default::default(),
        detector(),
        &enabled,
        &mut warnings,
    ) {
        for s in &doc.spans {
            prop_assert!(
                doc.text.get(s.start..s.end).is_some(),
                "span {s:?} off char boundaries"
            );
        }
        let chars = doc.text.chars().count() as u32;
        for &p in &doc.page_starts {
            prop_assert!(p <= chars);
        }
        let (_, fields) = ngo_search::index::schema();
        let _ = ngo_search::index::to_tantivy(&doc, &fields, analyzer());
    }
    Ok(())
}

fn read_jsonl_all(path: &Path, gz: bool, limit: u64) {
    let mut n = 0usize;
    read::read_jsonl(
        path,
        gz,
        ReadLimits {
            max_file_bytes: limit,
        },
        &mut |ev| {
            if let ReadEvent::Document(d) = ev {
                assert!(!d.id.trim().is_empty());
            }
            n += 1;
        },
    );
}

fn json_line() -> impl Strategy<Value = String> {
    prop_oneof![
        json_value().prop_map(|v| v.to_string()),
        json_value().prop_map(|v| {
            let s = v.to_string();
            let cut = s.len() / 2;
            s.get(..cut).unwrap_or("{").to_string()
        }),
        any::<String>(),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::String),
        "[a-z ]{0,20}".prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("id".to_string()),
        Just("text".to_string()),
        Just("title".to_string()),
        Just("lang".to_string()),
        Just("date".to_string()),
        Just("org".to_string()),
        Just("url".to_string()),
        any::<String>(),
    ];
    leaf.prop_recursive(3, 40, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Inputs that crashed a fuzz target once, kept as regression tests (file name = target).
#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let mut n = 0;
    for target in ["query", "jsonl", "html", "latvian_stem"] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for e in entries {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            let s = String::from_utf8_lossy(&bytes);
            match target {
                "query" => {
                    let _ = engine().search(&SearchRequest::new(s.to_string()));
                }
                "jsonl" => {
                    let dir = tempfile::tempdir().unwrap();
                    let p = dir.path().join("r.jsonl");
                    std::fs::write(&p, &bytes).unwrap();
                    read_jsonl_all(&p, false, 1 << 20);
                }
                "html" => {
                    let _ = read::read_html_str(&s);
                }
                _ => {
                    let _ = ngo_search::analysis::latvian::stem(&s);
                }
            }
            n += 1;
        }
    }
    println!("fuzz regressions replayed: {n}");
}
