//! The query path: parsing, planning, retrieval and passages, on a small index, with any string.
//! Any answer is fine (hits or a bad-request error); a panic is a bug.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ngo_search::read::RawDocument;
use ngo_search::{document, Engine, SearchRequest};

fn engine() -> &'static Engine {
    static E: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    &E.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open_or_create(dir.path(), None).unwrap();
        let mut w = engine.writer().unwrap();
        for (id, text) in [
            (
                "lv",
                "Biedrība atbalsta jauniešus un brīvprātīgo darbu. Sabiedrības līdzdalība.",
            ),
            (
                "nb",
                "Organisasjonen støtter frivillige i kommunen og arbeider for ungdom.",
            ),
            (
                "en",
                "The <script>alert(1)</script> community supports \"youth\" projects & volunteers.",
            ),
            ("el", "Η κοινότητα εθελοντών οργανώνει εκδηλώσεις."),
        ] {
            let raw = RawDocument {
                id: id.into(),
                text: text.into(),
                date: Some("2024-01-02".into()),
                ..RawDocument::default()
            };
            let lines = document::clean_lines(&raw.text);
            let enabled = engine.config().enabled_langs();
            let doc = document::build(
                raw,
                lines,
                &Default::default(),
                engine.detector(),
                &enabled,
                &mut Vec::new(),
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

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = ngo_search::search::parse::parse(&s, 32);
    // Prefix and typo readings build automata per word and language (costly under the
    // sanitizer): on for a quarter of the inputs each, so the fuzzer mostly explores the parser.
    let flags = data.last().copied().unwrap_or(0);
    let req = SearchRequest {
        q: s.into_owned(),
        prefix: flags & 0x11 == 0x11,
        typos: u8::from(flags & 0x22 == 0x22),
        sort: if flags & 4 != 0 {
            ngo_search::Sort::Date
        } else {
            ngo_search::Sort::Relevance
        },
        ..SearchRequest::default()
    };
    match engine().search(&req) {
        Ok(_) | Err(ngo_search::Error::BadRequest { .. }) => {}
        Err(e) => panic!("search failed: {e}"),
    }
});
