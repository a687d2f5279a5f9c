//! PDF, DOCX, ODT and WARC end to end, through the real binary: real files made by LibreOffice,
//! qpdf and wget (tests/fixtures/formats, see its README) and broken inputs made here are
//! indexed in ONE batch with `ngo-search index --json`; the report must name every broken file
//! with its reason, the good documents must all be indexed, and `ngo-search search --json` must
//! find them with their ids, languages, URLs, dates and (PDF) pages.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ngo-search");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run ngo-search");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn search(index: &Path, query: &str) -> Value {
    let (ok, stdout, stderr) = run(&[
        "search",
        "--index",
        index.to_str().unwrap(),
        "--json",
        query,
    ]);
    assert!(ok, "search {query:?} failed: {stderr}");
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("search {query:?}: not JSON ({e}): {stdout}"))
}

/// The hit with this id, or a panic listing what was found.
fn hit<'a>(res: &'a Value, id: &str) -> &'a Value {
    let hits = res["hits"].as_array().expect("hits");
    hits.iter().find(|h| h["id"] == id).unwrap_or_else(|| {
        let ids: Vec<&Value> = hits.iter().map(|h| &h["id"]).collect();
        panic!("{id} not among the hits for {:?}: {ids:?}", res["query"])
    })
}

/// A PDF whose only page is a scanned image (no text layer).
fn scanned_pdf() -> Vec<u8> {
    use pdf_extract::{Dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut img = Dictionary::new();
    img.set("Type", Object::Name(b"XObject".to_vec()));
    img.set("Subtype", Object::Name(b"Image".to_vec()));
    img.set("Width", 2);
    img.set("Height", 2);
    img.set("ColorSpace", Object::Name(b"DeviceGray".to_vec()));
    img.set("BitsPerComponent", 8);
    let img_id = doc.add_object(Stream::new(img, vec![0, 255, 255, 0]));
    let mut xo = Dictionary::new();
    xo.set("Scan1", img_id);
    let mut res = Dictionary::new();
    res.set("XObject", xo);
    let content = doc.add_object(Stream::new(
        Dictionary::new(),
        b"q 595 0 0 842 0 0 cm /Scan1 Do Q".to_vec(),
    ));
    let mut page = Dictionary::new();
    page.set("Type", Object::Name(b"Page".to_vec()));
    page.set("Parent", pages_id);
    page.set("Resources", res);
    page.set("Contents", content);
    page.set(
        "MediaBox",
        Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
    );
    let page_id = doc.add_object(page);
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Count", 1);
    pages.set("Kids", Object::Array(vec![page_id.into()]));
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", pages_id);
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A DOCX whose document.xml is 60 MB of spaces (deflates about 1000:1).
fn zip_bomb() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("word/document.xml", opts).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..60 {
        w.write_all(&chunk).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn warc_record(
    kind: &str,
    uri: &str,
    date: &str,
    ctype: &str,
    block: &[u8],
    len: usize,
) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n\r\n"
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

/// Three page records; the second one's Content-Length is 25 bytes short.
fn warc_with_bad_length() -> Vec<u8> {
    let page = |lang: &str, text: &str| {
        let html = format!("<html lang=\"{lang}\"><body><p>{text}</p></body></html>");
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}")
            .into_bytes()
    };
    let http = "application/http; msgtype=response";
    let mut w = Vec::new();
    for (i, (uri, text)) in [
        (
            "http://example.org/pirma",
            "Kooperatīvs rīko lielu rudens gadatirgu pagalmā.",
        ),
        (
            "http://example.org/otra",
            "Šī lapa ir bojāta un netiks indeksēta.",
        ),
        (
            "http://example.org/tresa",
            "Biedrība izsludina konkursu jauniešu ideju īstenošanai.",
        ),
    ]
    .iter()
    .enumerate()
    {
        let block = page("lv", text);
        let len = if i == 1 {
            block.len() - 25
        } else {
            block.len()
        };
        w.extend(warc_record(
            "response",
            uri,
            "2024-05-17T08:00:00Z",
            http,
            &block,
            len,
        ));
    }
    w
}

#[test]
fn pdf_docx_odt_warc_and_broken_inputs_in_one_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let index = tmp.path().join("index");
    std::fs::create_dir(&input).unwrap();
    for f in [
        "lv_report.pdf",
        "encrypted_lv.pdf",
        "nb_rapport.docx",
        "lv_piezimes.odt",
        "crawl.warc.gz",
    ] {
        std::fs::copy(fixtures().join(f), input.join(f)).unwrap();
    }
    let pdf = std::fs::read(fixtures().join("lv_report.pdf")).unwrap();
    std::fs::write(input.join("truncated.pdf"), &pdf[..pdf.len() / 2]).unwrap();
    let mut objects = b"%PDF-1.4\n".to_vec();
    for i in 1..=150_000 {
        objects.extend(format!("{i} 0 obj null endobj\n").as_bytes());
    }
    objects.extend(b"trailer\n<< /Size 150001 >>\n%%EOF\n");
    std::fs::write(input.join("objects.pdf"), objects).unwrap();
    std::fs::write(input.join("scanned.pdf"), scanned_pdf()).unwrap();
    let docx = std::fs::read(fixtures().join("nb_rapport.docx")).unwrap();
    std::fs::write(input.join("corrupt.docx"), &docx[..docx.len() * 6 / 10]).unwrap();
    std::fs::write(input.join("bomb.docx"), zip_bomb()).unwrap();
    std::fs::write(input.join("bad_length.warc"), warc_with_bad_length()).unwrap();

    let (_, stdout, stderr) = run(&[
        "index",
        "--index",
        index.to_str().unwrap(),
        "--json",
        input.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("index --json: not JSON ({e}): {stdout}\n{stderr}"));
    let problems = report["problems"].as_array().expect("problems");

    // Each broken input: one clear problem naming its file (and WARC record).
    let expect = [
        ("encrypted_lv.pdf", "error", None, "encrypted PDF"),
        ("truncated.pdf", "error", None, "truncated PDF"),
        ("objects.pdf", "error", None, "objects, over the limit"),
        (
            "scanned.pdf",
            "skipped",
            None,
            "no text layer (scanned PDF?)",
        ),
        ("corrupt.docx", "error", None, "corrupt or truncated DOCX"),
        ("bomb.docx", "error", None, "zip bomb"),
        ("bad_length.warc", "error", Some(2), "bad Content-Length"),
        (
            "crawl.warc.gz",
            "skipped",
            None,
            "skipped 11 non-HTML or non-page record(s)",
        ),
    ];
    for (file, severity, line, what) in expect {
        let found: Vec<&Value> = problems
            .iter()
            .filter(|p| p["file"].as_str().is_some_and(|f| f.ends_with(file)))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{file}: expected one problem, got {found:?}"
        );
        let p = found[0];
        assert_eq!(p["severity"], severity, "{file}: {p}");
        assert!(p["message"].as_str().unwrap().contains(what), "{file}: {p}");
        assert!(
            !p["message"].as_str().unwrap().contains('\n'),
            "one line: {p}"
        );
        if let Some(line) = line {
            assert_eq!(p["line"], line, "{file}: record number: {p}");
            assert!(
                p["message"]
                    .as_str()
                    .unwrap()
                    .contains("http://example.org/otra"),
                "{p}"
            );
        }
    }
    assert_eq!(
        problems.len(),
        expect.len(),
        "no other problems: {}",
        serde_json::to_string_pretty(problems).unwrap()
    );
    // The rest of the batch: PDF, DOCX, ODT, the 3 crawled pages and 2 good records of the
    // broken WARC.
    assert_eq!(report["documents"], 8, "{report}");

    // Latvian PDF: a word hyphenated across a line break is found whole, on its page.
    let idx = index.as_path();
    let res = search(idx, "brīvprātīgajiem");
    let h = hit(&res, "lv_report.pdf");
    assert_eq!(h["lang"], "lv", "{h}");
    assert_eq!(h["title"], "Pilsoniskās sabiedrības pārskats 2023", "{h}");
    let passage = h["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("brīvprātīgajiem"))
        .unwrap_or_else(|| panic!("no passage with the whole word: {h}"));
    assert_eq!(passage["page"], 2, "{passage}");
    // An automatic hyphenation on page 1 (`sanāk-` / `smes`) likewise.
    let res = search(idx, "sanāksmes");
    let h = hit(&res, "lv_report.pdf");
    assert!(
        h["passages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["page"] == 1 && p["text"].as_str().unwrap().contains("sanāksmes")),
        "{h}"
    );
    // The running header and the page numbers are not text.
    for p in h["passages"].as_array().unwrap() {
        assert!(
            !p["text"].as_str().unwrap().contains("gada pārskats 2023"),
            "{p}"
        );
    }

    // Norwegian DOCX: detected as nb, found by another inflection (besøkstjenester).
    let res = search(idx, "besøkstjeneste");
    let h = hit(&res, "nb_rapport.docx");
    assert_eq!(h["lang"], "nb", "{h}");
    assert_eq!(h["title"], "Årsrapport for frivillige lag 2023", "{h}");
    assert_eq!(h["org"], "Frivillighetssentralen i Bergen", "{h}");
    assert_eq!(h["date"], "2024-01-15", "{h}");
    // Its table cells are text.
    hit(&search(idx, "Årstad"), "nb_rapport.docx");

    // ODT: the first heading is the title.
    let h = hit(&search(idx, "kopsapulci"), "lv_piezimes.odt").clone();
    assert_eq!(h["lang"], "lv", "{h}");
    assert_eq!(h["title"], "Valdes sēdes protokols", "{h}");

    // WARC from wget: three pages, with their URLs, capture dates and languages.
    for (query, page, lang) in [
        ("talkas", "lv", "lv"),
        ("ildsjeler", "nb", "nb"),
        ("advocacy", "en", "en"),
    ] {
        let url = format!("http://127.0.0.1:18731/{page}.html");
        let res = search(idx, query);
        let h = hit(&res, &url);
        assert_eq!(h["url"], url.as_str(), "{h}");
        assert_eq!(h["lang"], lang, "{h}");
        assert!(h["date"].as_str().unwrap().starts_with("2026-11-22"), "{h}");
    }
    // The broken WARC's good records are there; the bad one is not.
    hit(&search(idx, "gadatirgu"), "http://example.org/pirma");
    hit(&search(idx, "konkursu"), "http://example.org/tresa");
    assert_eq!(search(idx, "bojāta")["total"], 0);
}
