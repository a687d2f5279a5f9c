//! Bad input, tried for real: the test writes every kind of bad file the issue lists, indexes
//! them in ONE batch together with good documents through the real binary, and checks that each
//! gets a clear message naming its file (and line), that the good documents of the batch are
//! indexed and searchable, and that documents committed before are still there.
//!
//! Policy (see README "Bad input"): invalid UTF-8 in a text/HTML/Markdown file is decoded lossily
//! (U+FFFD) with a warning giving the byte offset; in a JSONL line it rejects that line (JSON
//! must be UTF-8). Binary, empty and unknown-type files are skipped with the reason. Files (and
//! JSONL lines) over `ingest.max_file_mb` are refused without being read into memory.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::*;
use ngo_search::{Engine, SearchRequest};

/// `/usr/bin/time -v` around the binary when it is there, for the peak RSS of the run.
fn run_measured(args: &[&str]) -> (bool, String, String, Option<u64>) {
    let time = Path::new("/usr/bin/time");
    let out = if time.exists() {
        Command::new(time)
            .arg("-v")
            .arg(BIN)
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
    } else {
        Command::new(BIN)
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
    }
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rss_kb = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok());
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        rss_kb,
    )
}

/// Writes about `mb` MB of real (indexable) text, a chunk at a time.
fn write_big_text(path: &Path, mb: usize) {
    let mut line = String::new();
    for i in 0..1000 {
        line.push_str(&format!(
            "kopiena sabiedrība volunteer {i} frivillig organisasjon\n"
        ));
    }
    let chunk = line.repeat((1 << 20) / line.len() + 1);
    let chunk = &chunk.as_bytes()[..1 << 20];
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for _ in 0..mb {
        f.write_all(chunk).unwrap();
    }
    f.flush().unwrap();
}

fn jsonl_line(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "text": text}).to_string()
}

/// One expected message: a stderr line naming `file` (and `:line`) and saying `what`.
struct Expect {
    case: &'static str,
    file: String,
    what: &'static str,
}

#[test]
fn every_bad_input_gets_a_message_and_the_rest_is_indexed() {
    let tmp = tempdir();
    let index = tmp.path().join("index");
    let idx = path_str(&index);
    // A small size limit keeps the test fast; the default is tried on the 200 MB file below.
    let config = tmp.path().join("small.toml");
    std::fs::write(
        &config,
        ngo_search::config::DEFAULT_TOML.replace("max_file_mb = 16", "max_file_mb = 2"),
    )
    .unwrap();
    assert!(std::fs::read_to_string(&config)
        .unwrap()
        .contains("max_file_mb = 2"));

    // Batch 1, committed before the bad batch.
    let first = tmp.path().join("first.jsonl");
    let lines: Vec<String> = (0..50)
        .map(|i| {
            jsonl_line(
                &format!("g{i:03}"),
                &format!("Pirmā partija dokuments earlybatch{i}"),
            )
        })
        .collect();
    std::fs::write(&first, lines.join("\n") + "\n").unwrap();
    let (status, _, err) = run(&[
        "index",
        "--index",
        idx,
        "--config",
        path_str(&config),
        path_str(&first),
    ]);
    assert!(status.success(), "{err}");

    // Batch 2: bad inputs and good documents, one directory, one run.
    let batch = tmp.path().join("batch");
    std::fs::create_dir(&batch).unwrap();
    let b = |name: &str| batch.join(name);
    let name = |n: &str| b(n).display().to_string();
    let mut expects: Vec<Expect> = Vec::new();
    let mut expect = |case: &'static str, file: String, what: &'static str| {
        expects.push(Expect { case, file, what })
    };

    // Invalid UTF-8 in a text file: decoded lossily with a warning.
    let mut bytes = "Sabiedrība un brīvprātīgais darbs invalidutfword "
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"\xff\xfe\xc3 tail");
    std::fs::write(b("01_invalid_utf8.txt"), &bytes).unwrap();
    expect(
        "invalid UTF-8 (text file)",
        name("01_invalid_utf8.txt"),
        "invalid UTF-8 at byte",
    );
    // Binary content under a text name, and a binary file type.
    let mut bin = b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec();
    bin.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    std::fs::write(b("02_binary.txt"), &bin).unwrap();
    expect(
        "binary content named .txt",
        name("02_binary.txt"),
        "binary file",
    );
    std::fs::write(b("03_image.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    expect(
        "binary file type",
        name("03_image.png"),
        "unsupported file type (.png)",
    );
    std::fs::write(b("03_noextension"), b"some text").unwrap();
    expect(
        "no extension",
        name("03_noextension"),
        "unsupported file type (no extension)",
    );
    // Empty files.
    std::fs::write(b("04_empty.txt"), b"").unwrap();
    expect("empty file", name("04_empty.txt"), "empty file");
    std::fs::write(b("04_blank.md"), b"  \n\n\t\n").unwrap();
    expect("whitespace-only file", name("04_blank.md"), "empty file");
    std::fs::write(b("04_empty.jsonl"), b"\n\n").unwrap();
    expect("empty JSONL file", name("04_empty.jsonl"), "empty file");
    // 200 MB single file: over the limit, refused without being read.
    write_big_text(&b("05_huge.txt"), 200);
    expect(
        "200 MB file",
        name("05_huge.txt"),
        "over the limit of 2.1 MB (ingest.max_file_mb)",
    );
    // HTML with very deep nesting and tags never closed.
    let mut html =
        String::from("<html lang=\"en\"><head><title>Deep <b>nesting</title></head><body>");
    for i in 0..60_000 {
        html.push_str(if i % 3 == 0 {
            "<div>"
        } else if i % 3 == 1 {
            "<span><b>"
        } else {
            "<p><i>"
        });
    }
    html.push_str("deepnestword inside everything <table><tr><td>cell <a href=x");
    std::fs::write(b("06_nested.html"), &html).unwrap();
    expect(
        "deeply nested HTML",
        name("06_nested.html"),
        "read as flat text",
    );
    std::fs::write(
        b("06_unclosed.html"),
        "<html><body><h1>Unclosed title<p>unclosedword in a page <div><ul><li>item <script>var x = '</div>'",
    )
    .unwrap();
    // HTML with no text at all.
    std::fs::write(
        b("06_notext.html"),
        "<html><head><script>1</script></head><body><div></div></body></html>",
    )
    .unwrap();
    expect(
        "HTML without text",
        name("06_notext.html"),
        "no text in the file",
    );

    // JSONL with malformed lines among good ones, duplicate ids, odd documents.
    let mut j: Vec<Vec<u8>> = Vec::new();
    let mut push = |s: &[u8]| j.push(s.to_vec());
    push(jsonl_line("j1", "Labs dokuments goodlineone").as_bytes()); // 1
    push(b"{\"id\": \"j2\", \"text\": \"unterminated"); // 2
    push(jsonl_line("j3", "Otrs labs dokuments goodlinethree").as_bytes()); // 3
    push(b"{\"id\": \"j4\"}"); // 4
    push(b"[1, 2, 3]"); // 5
    push(b"{\"id\": \"j6\", \"text\": \"bad \xff byte\"}"); // 6
    push(b"{\"id\": {\"nested\": 1}, \"text\": \"id is an object\"}"); // 7
    push(jsonl_line("dup1", "firstversion of a duplicated document").as_bytes()); // 8
    push(jsonl_line("dup1", "secondversion of a duplicated document").as_bytes()); // 9
    push(jsonl_line("../../etc/passwd", "pathlikeid is only an id").as_bytes()); // 10
    push(b""); // 11
    push(jsonl_line("punct", "!!! ... ??? --- ***").as_bytes()); // 12
    push(jsonl_line("oneword", "solitaryword").as_bytes()); // 13
    push(
        jsonl_line(
            "greek",
            "Η κοινότητα εθελοντών οργανώνει εκδηλώσεις για τους νέους",
        )
        .as_bytes(),
    ); // 14
    push(jsonl_line("georgian", "სათემო ორგანიზაცია მოხალისეები ახალგაზრდები").as_bytes()); // 15
    push(jsonl_line("chinese", "志愿者组织，社区活动").as_bytes()); // 16
    push(jsonl_line("huge", &"overlong ".repeat(300_000)).as_bytes()); // 17: 2.7 MB > 2 MB
    push(jsonl_line("j18", "after the overlong line goodlineeighteen").as_bytes()); // 18
    push(jsonl_line("   ", "blank id").as_bytes()); // 19
    push(b"{\"id\": \"j20\", \"text\": \"trailing garbage\"} xyz"); // 20
    push(jsonl_line("j21", "").as_bytes()); // 21
    let mut content = Vec::new();
    for l in &j {
        content.extend_from_slice(l);
        content.push(b'\n');
    }
    std::fs::write(b("07_mixed.jsonl"), &content).unwrap();
    let m = |line: u32| format!("{}:{line}", name("07_mixed.jsonl"));
    expect("malformed JSON line", m(2), "malformed JSON");
    expect("missing text field", m(4), "missing field \"text\"");
    expect("JSON line not an object", m(5), "expected a JSON object");
    expect("invalid UTF-8 in a JSONL line", m(6), "invalid UTF-8");
    expect("id of the wrong type", m(7), "field \"id\" must be");
    expect(
        "duplicate id in one batch",
        m(9),
        "duplicate id in this batch: the last one wins",
    );
    expect("only punctuation", m(12), "no words in the text");
    expect("overlong JSONL line", m(17), "line longer than 2.1 MB");
    expect("blank id", m(19), "field \"id\" must be");
    expect("trailing garbage after JSON", m(20), "malformed JSON");
    expect("empty text", m(21), "no text left after normalisation");
    // A truncated gzip file: the lines before the cut are indexed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..3000 {
        writeln!(
            gz,
            "{}",
            jsonl_line(
                &format!("z{i}"),
                &format!("saspiests gzipword{i} {}", i * 7919 % 10007)
            )
        )
        .unwrap();
    }
    let gz = gz.finish().unwrap();
    std::fs::write(b("08_truncated.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    expect(
        "truncated gzip",
        name("08_truncated.jsonl.gz"),
        "cannot read further",
    );

    let (ok, out, err, rss) = run_measured(&["index", "--index", idx, path_str(&batch)]);
    assert!(ok, "a batch with bad inputs still succeeds: {err}");
    let err_lines: Vec<&str> = err.lines().collect();
    let mut missing = Vec::new();
    for e in &expects {
        // `file` must be followed by ':' (message or line) or ' (id)': that file, not a prefix.
        let hit = err_lines.iter().any(|l| {
            l.contains(e.what)
                && l.find(&e.file).is_some_and(|at| {
                    let rest = &l[at + e.file.len()..];
                    rest.starts_with(':') || rest.starts_with(" (")
                })
        });
        if !hit {
            missing.push(format!("{}: {} / {}", e.case, e.file, e.what));
        }
    }
    assert!(
        missing.is_empty(),
        "messages missing: {missing:#?}\nstderr:\n{err}"
    );
    assert!(
        out.contains("problems:"),
        "the summary counts the problems: {out}"
    );

    let engine = Engine::open(&index).unwrap();
    let find = |q: &str| -> Vec<String> {
        engine
            .search(&SearchRequest::new(q))
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    // Nothing committed before was lost.
    for i in 0..50 {
        assert!(
            engine.contains(&format!("g{i:03}")).unwrap(),
            "g{i:03} lost"
        );
    }
    assert_eq!(find("earlybatch7"), ["g007"]);
    // The good inputs of the batch are searchable.
    assert_eq!(find("invalidutfword"), ["01_invalid_utf8.txt"]);
    let lossy = engine.get_document("01_invalid_utf8.txt").unwrap().unwrap();
    assert!(
        lossy.text.contains('\u{fffd}'),
        "lossy decoding keeps a visible mark"
    );
    assert_eq!(find("deepnestword"), ["06_nested.html"]);
    assert_eq!(find("unclosedword"), ["06_unclosed.html"]);
    // The three share their first letters, and truncation (a word's first 5 letters, see
    // analysis::PREFIX_CHARS) lets each find the others too: the exact match ranks first.
    let first = |q: &str| find(q).into_iter().next().unwrap_or_default();
    assert_eq!(first("goodlineone"), "j1");
    assert_eq!(first("goodlinethree"), "j3");
    assert_eq!(
        first("goodlineeighteen"),
        "j18",
        "lines after an overlong line are read"
    );
    assert_eq!(find("secondversion"), ["dup1"], "the last duplicate wins");
    assert!(find("firstversion").is_empty());
    assert_eq!(find("solitaryword"), ["oneword"]);
    assert_eq!(find("pathlikeid"), ["../../etc/passwd"]);
    let p = engine.get_document("../../etc/passwd").unwrap().unwrap();
    assert_eq!(
        p.text, "pathlikeid is only an id",
        "an id is data, never a path that is read"
    );
    assert!(
        engine.get_document("punct").unwrap().is_some(),
        "kept, with a warning"
    );
    for (id, word) in [
        ("greek", "κοινότητα"),
        ("georgian", "ორგანიზაცია"),
        ("chinese", "志愿者组织"),
    ] {
        let d = engine.get_document(id).unwrap().unwrap();
        assert_eq!(
            d.lang, "und",
            "{id}: an unsupported script is indexed as und"
        );
        assert_eq!(find(word), [id], "{id} is found by a word of it");
    }
    let gz_docs = find("saspiests").len();
    assert!(
        gz_docs > 0,
        "the lines of the gzip file before the cut are indexed"
    );
    for bad in [
        "j2",
        "j4",
        "j6",
        "j20",
        "j21",
        "huge",
        "05_huge.txt",
        "02_binary.txt",
        "04_empty.txt",
    ] {
        assert!(
            !engine.contains(bad).unwrap(),
            "{bad} should not be indexed"
        );
    }
    if let Some(kb) = rss {
        assert!(kb < 1_000_000, "peak RSS {kb} kB indexing the bad batch");
    }

    // The 200 MB file with the default limit: refused too, in bounded memory.
    let index2 = tmp.path().join("index2");
    let (ok, _, err, rss2) =
        run_measured(&["index", "--index", path_str(&index2), &name("05_huge.txt")]);
    assert!(ok, "{err}");
    assert!(err.contains("over the limit of 16.8 MB"), "{err}");
    if let Some(kb) = rss2 {
        assert!(kb < 400_000, "peak RSS {kb} kB for a refused 200 MB file");
    }
    // A file under a custom limit is indexed (the limit is what refuses, not the size as such).
    let mid = tmp.path().join("mid.txt");
    write_big_text(&mid, 1);
    let (ok, _, err, rss3) = run_measured(&["index", "--index", idx, path_str(&mid)]);
    assert!(ok, "{err}");
    assert!(
        Engine::open(&index).unwrap().contains("mid.txt").unwrap(),
        "{err}"
    );

    println!(
        "bad input: {} bad inputs tried in one batch, each with its message; 0 documents lost; \
         peak RSS {} (bad batch), {} (200 MB file, default limit), {} (1 MB file indexed)",
        expects.len() + 2, // + unclosed tags, unsupported scripts (indexed, checked above)
        rss.map_or("n/a".into(), |k| format!("{} MB", k / 1024)),
        rss2.map_or("n/a".into(), |k| format!("{} MB", k / 1024)),
        rss3.map_or("n/a".into(), |k| format!("{} MB", k / 1024)),
    );
}

/// `index --config FILE` on an existing index: settings that may change at any time (here the
/// file size limit and the result limit) take effect and stay with the index; a config with
/// other analysis is refused with the reason, and nothing indexed is lost either way.
#[test]
fn a_new_config_changes_limits_of_an_existing_index() {
    let tmp = tempdir();
    let index = tmp.path().join("index");
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("small.txt"), "Biedrība atbalsta jauniešus.").unwrap();
    let (st, _, err) = run(&["index", "--index", path_str(&index), path_str(&docs)]);
    assert!(st.success(), "{err}");

    let big = tmp.path().join("big.txt");
    write_big_text(&big, 2);
    let config = tmp.path().join("small-limits.toml");
    let text = ngo_search::config::DEFAULT_TOML
        .replace("max_file_mb = 16", "max_file_mb = 1")
        .replace("max_limit = 100", "max_limit = 5");
    assert!(text.contains("max_file_mb = 1\n") && text.contains("max_limit = 5\n"));
    std::fs::write(&config, text).unwrap();
    let (_, _, err) = run(&[
        "index",
        "--index",
        path_str(&index),
        "--config",
        path_str(&config),
        path_str(&big),
    ]);
    assert!(
        err.contains("big.txt") && err.contains("1 MB"),
        "the new size limit applies: {err}"
    );
    // The new limits stay with the index for later commands.
    let (st, _, err) = run(&[
        "search",
        "--index",
        path_str(&index),
        "--limit",
        "10",
        "biedrība",
    ]);
    assert!(!st.success() && err.contains("limit"), "{err}");
    let (st, out, err) = run(&[
        "search",
        "--index",
        path_str(&index),
        "--limit",
        "5",
        "biedrība",
    ]);
    assert!(st.success() && out.contains("small.txt"), "{out}{err}");

    // Other analysis: refused, the index untouched.
    let other = tmp.path().join("other.toml");
    std::fs::write(
        &other,
        ngo_search::config::DEFAULT_TOML.replace("folding = true", "folding = false"),
    )
    .unwrap();
    let (st, _, err) = run(&[
        "index",
        "--index",
        path_str(&index),
        "--config",
        path_str(&other),
        path_str(&docs),
    ]);
    assert!(!st.success() && err.contains("reindex"), "{err}");
    let engine = Engine::open(&index).unwrap();
    assert_eq!(engine.searcher().num_docs(), 1);
    assert_eq!(engine.config().limits.max_limit, 5);
}
