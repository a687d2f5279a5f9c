//! Security of the service, against the real binary on a loopback port: the admin key (required,
//! compared whole, never logged), ids as data (never paths), hostile documents escaped in
//! snippets, and bounded query work (limits refused up front, worst-case queries do not starve
//! simple ones).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const KEY: &str = "s3cr3t-admin-key-7f3a9c1e5b2d4a6f";

fn seed_index(dir: &std::path::Path, docs: usize) {
    let corpus = dir.join("seed.jsonl");
    write_corpus(&corpus, docs, 9);
    let index = dir.join("index");
    let (status, _, err) = run(&[
        "index",
        "--index",
        path_str(&index),
        "--json",
        path_str(&corpus),
    ]);
    assert!(status.success(), "{err}");
}

fn status_of(r: Result<ureq::Response, ureq::Error>) -> u16 {
    match r {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(c, _)) => c,
        Err(e) => panic!("transport error: {e}"),
    }
}

/// A raw HTTP/1.1 GET, so the path goes out exactly as written (no client normalisation).
fn raw_get(base: &str, path: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[allow(clippy::result_large_err)]
fn post(base: &str, key: Option<&str>, body: &Value) -> Result<ureq::Response, ureq::Error> {
    let mut req = http_agent().post(&format!("{base}/documents"));
    if let Some(k) = key {
        req = req.set("Authorization", &format!("Bearer {k}"));
    }
    req.send_json(body.clone())
}

#[test]
fn admin_key_is_required_compared_whole_and_never_logged() {
    let tmp = tempdir();
    seed_index(tmp.path(), 20);
    let index = tmp.path().join("index");
    // The most verbose logging there is (tantivy aside): still no key in it.
    let (mut server, base) = start_server(&index, Some(KEY), &[("RUST_LOG", "trace,tantivy=info")]);
    let doc = json!([{"id": "k1", "text": "written with the admin key"}]);
    assert_eq!(status_of(post(&base, None, &doc)), 401, "no key");
    let wrong = [
        "wrong-key",
        &KEY[..KEY.len() - 1],   // a prefix
        &format!("{KEY}x"),      // the key and more
        &KEY.to_uppercase(),     // another case
        &format!("{KEY} {KEY}"), // twice
        "",
    ];
    for w in wrong {
        let st = status_of(post(&base, Some(w), &doc));
        assert!(st == 401 || st == 403, "key {w:?} gave {st}");
    }
    // The key anywhere but the Authorization header grants nothing.
    let st = status_of(
        http_agent()
            .post(&format!("{base}/documents?key={KEY}&admin_key={KEY}"))
            .set("X-Api-Key", KEY)
            .send_json(doc.clone()),
    );
    assert_eq!(st, 401);
    let st = status_of(
        http_agent()
            .delete(&format!("{base}/documents/d000001"))
            .call(),
    );
    assert_eq!(st, 401, "deletes need the key too");
    assert_eq!(
        status_of(post(&base, Some(KEY), &doc)),
        200,
        "the right key writes"
    );
    server.kill9();
    let log = server.stderr.join("\n");
    assert!(log.len() > 100, "trace logging produced output: {log}");
    for secret in [KEY, &KEY[..KEY.len() - 1], &KEY.to_uppercase()] {
        assert!(!log.contains(secret), "a key was logged:\n{log}");
    }
    assert!(!log.contains(&KEY[..12]), "part of the key was logged");
    println!(
        "admin key: {} wrong keys refused, key absent from {} lines of trace log",
        wrong.len() + 2,
        server.stderr.len()
    );
}

#[test]
fn ids_are_data_never_paths() {
    let tmp = tempdir();
    seed_index(tmp.path(), 20);
    let index = tmp.path().join("index");
    let (_server, base) = start_server(&index, Some(KEY), &[]);
    let hostile_ids = [
        "../../etc/passwd",
        "/etc/passwd",
        "..\\..\\Cargo.toml",
        "%2e%2e/x",
        "a\u{0}b",
        "CURRENT",
    ];
    let docs: Vec<Value> = hostile_ids
        .iter()
        .map(|id| json!({"id": id, "text": format!("just a document named {id}")}))
        .collect();
    let r = post(&base, Some(KEY), &Value::Array(docs)).unwrap();
    let v: Value = r.into_json().unwrap();
    assert_eq!(v["indexed"], hostile_ids.len(), "{v}");
    for id in hostile_ids {
        let mut enc = String::new();
        for b in id.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                enc.push(b as char);
            } else {
                enc.push_str(&format!("%{b:02X}"));
            }
        }
        let (st, body) = raw_get(&base, &format!("/documents/{enc}"));
        assert_eq!(st, 200, "{id}: {body}");
        assert!(body.contains("just a document named"), "{id}: {body}");
    }
    // Paths that would reach files if ids or static routes were paths.
    let probes = [
        "/documents/..%2F..%2F..%2F..%2Fetc%2Fshadow",
        "/documents/%2Fetc%2Fhostname",
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../Cargo.toml",
        "/widget.js/../../Cargo.toml",
        "/documents/../../../etc/passwd",
        "/index/meta.json",
        "/data/index/meta.json",
        "/documents/meta.json",
        "/documents/..%2Fmeta.json",
    ];
    for p in probes {
        let (st, body) = raw_get(&base, p);
        assert!(st == 404 || st == 400, "{p}: status {st}");
        for leak in ["root:x:", "[package]", "segments", "opstamp"] {
            assert!(!body.contains(leak), "{p} leaked {leak}: {body}");
        }
    }
    println!(
        "ids as data: {} hostile ids stored and fetched as data, {} path probes refused",
        hostile_ids.len(),
        probes.len()
    );
}

/// A snippet is safe when, without our highlight markup, it has no tag and only the five
/// entities escaping makes.
fn assert_safe_html(s: &str, what: &str) {
    let plain = s.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !plain.contains('<') && !plain.contains('>'),
        "{what}: unescaped markup in {s:?}"
    );
    let mut rest = plain.as_str();
    while let Some(at) = rest.find('&') {
        rest = &rest[at..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "{what}: bare & in {s:?}"
        );
        rest = &rest[1..];
    }
    assert_eq!(
        s.matches("<mark>").count(),
        s.matches("</mark>").count(),
        "{what}: unbalanced marks in {s:?}"
    );
}

#[test]
fn hostile_documents_are_escaped_in_snippets() {
    let tmp = tempdir();
    seed_index(tmp.path(), 20);
    let index = tmp.path().join("index");
    let (_server, base) = start_server(&index, Some(KEY), &[]);
    let payloads = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "</mark><script>steal()</script><mark>",
        "&lt;b&gt;already escaped&lt;/b&gt; &amp; &#60;",
        "<a href=\"javascript:alert(1)\">link</a>",
        "<svg/onload=alert(1)>",
        "<!-- comment --> <![CDATA[x]]>",
        "' onmouseover='alert(1)",
        "\u{202e}<b>rtl</b>",
        "<<script>script>alert(1)<</script>/script>",
    ];
    let docs: Vec<Value> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "id": format!("hostile{i}"),
                "title": format!("{p} title{i}"),
                "text": format!("hostilemarker{i} before {p} after hostilemarker{i} {p}"),
                "url": "javascript:alert(1)",
            })
        })
        .collect();
    let v: Value = post(&base, Some(KEY), &Value::Array(docs))
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(v["indexed"], payloads.len(), "{v}");
    let agent = http_agent();
    let mut checked = 0;
    for (i, p) in payloads.iter().enumerate() {
        for (q, extra) in [
            (format!("hostilemarker{i}"), ""),
            (
                format!("hostilemarker{i}"),
                "&snippet_chars=20&highlight_pre=%3Cmark%3E",
            ),
            (format!("title{i}"), ""), // matches only the title: the lead snippet
        ] {
            let url = format!("{base}/search?q={}{extra}", q.replace(' ', "+"));
            let v: Value = agent.get(&url).call().unwrap().into_json().unwrap();
            let hit = &v["hits"][0];
            assert_eq!(hit["id"], format!("hostile{i}"), "{q}: {v}");
            assert_safe_html(hit["snippet"].as_str().unwrap(), &format!("{p} / {q}"));
            for passage in hit["passages"].as_array().unwrap() {
                // Passages are plain text with offsets (for clients that build their own markup).
                assert!(passage["text"].is_string());
            }
            // Titles are data: JSON strings, set as text by the page and widget.
            assert!(hit["title"].as_str().unwrap().contains(p.trim()));
            checked += 1;
        }
    }
    // The page and the widget never insert document fields as HTML.
    let widget = agent
        .get(&format!("{base}/widget.js"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    for line in widget.lines().filter(|l| l.contains("innerHTML")) {
        assert!(
            !line.contains("title") && !line.contains(".url") && !line.contains(".id"),
            "widget.js inserts a document field as HTML: {line}"
        );
    }
    println!(
        "escaping: {} hostile payloads, {checked} snippets checked",
        payloads.len()
    );
}

#[test]
fn query_work_is_bounded() {
    let tmp = tempdir();
    seed_index(tmp.path(), 12_000);
    let index = tmp.path().join("index");
    let (_server, base) = start_server(&index, None, &[]);
    let agent = http_agent();
    let get = |q: &str, extra: &str| -> (u16, Duration) {
        let t = Instant::now();
        let mut enc = String::new();
        for b in q.bytes() {
            if b.is_ascii_alphanumeric() {
                enc.push(b as char);
            } else {
                enc.push_str(&format!("%{b:02X}"));
            }
        }
        let st = status_of(agent.get(&format!("{base}/search?q={enc}{extra}")).call());
        (st, t.elapsed())
    };
    // Limits refused up front.
    assert_eq!(get(&"a".repeat(5000), "").0, 400, "query too long");
    assert_eq!(get("kopiena", "&limit=1000").0, 400, "limit too large");
    assert_eq!(get("kopiena", "&offset=1000000").0, 400, "offset too large");
    assert_eq!(get("kopiena", "&typos=5").0, 400);
    // The worst query the limits allow: many words (the term cap drops the rest), prefixes,
    // typos, phrases, deep offset, sorted by date.
    let words = [
        "kopiena", "sabiedr", "volunt", "frivill", "projekt", "kultur", "jugend", "barn",
    ];
    let mut worst = String::new();
    for i in 0..120 {
        let w = words[i % words.len()];
        worst.push_str(&match i % 3 {
            0 => format!("\"{w} {w}\" "),
            1 => format!("-{w}x "),
            _ => format!("{w} "),
        });
    }
    worst.truncate(990);
    let worst_extra = "&prefix=true&typos=1&offset=10000&limit=100";
    let (st, alone) = get(&worst, worst_extra);
    assert_eq!(st, 200);
    let (st, _) = get(&worst, "&prefix=true&typos=1&sort=date&limit=100");
    assert_eq!(st, 200);
    // Worst queries hammering the server do not starve a simple one.
    let stop = Arc::new(AtomicBool::new(false));
    let hammers: Vec<_> = (0..4)
        .map(|_| {
            let (stop, base, worst) = (stop.clone(), base.clone(), worst.clone());
            std::thread::spawn(move || {
                let agent = http_agent();
                let mut n = 0;
                let mut enc = String::new();
                for b in worst.bytes() {
                    enc.push_str(&format!("%{b:02X}"));
                }
                while !stop.load(Ordering::SeqCst) {
                    let _ = agent
                        .get(&format!("{base}/search?q={enc}{worst_extra}"))
                        .call();
                    n += 1;
                }
                n
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut simple = Vec::new();
    for i in 0..20 {
        let (st, t) = get(&format!("uniq{i}"), "");
        assert_eq!(st, 200);
        simple.push(t);
    }
    stop.store(true, Ordering::SeqCst);
    let worst_runs: usize = hammers.into_iter().map(|h| h.join().unwrap()).sum();
    simple.sort();
    let max = *simple.last().unwrap();
    println!(
        "bounded work: worst query alone {:.0} ms; under {worst_runs} concurrent worst queries a simple one took median {:.0} ms, max {:.0} ms",
        alone.as_secs_f64() * 1e3,
        simple[simple.len() / 2].as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
    assert!(
        alone < Duration::from_secs(5),
        "the worst query took {alone:?}"
    );
    assert!(
        max < Duration::from_secs(5),
        "a simple query waited {max:?} behind worst queries"
    );
}
