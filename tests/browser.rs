//! The search page and the widget in headless Chromium (Debian's `chromium`; `.ci/run` installs
//! it). Without Chromium these tests are skipped with a message, except under `CI=true`, where
//! a skipped browser test is a failure.
//!
//! Chromium runs with `--dump-dom` and a virtual time budget: it loads the page, runs its
//! scripts and timers (fetches hold virtual time) and prints the resulting DOM.

mod server_common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use server_common::*;

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Chromium, or None (test skipped) — a failure under CI=true.
fn chromium() -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
            panic!("CI=true and no chromium found: install it (apt-get install -y chromium) — `.ci/run` does");
        }
        eprintln!(
            "SKIPPED: no chromium on PATH (apt-get install -y chromium); browser test not run"
        );
    }
    found
}

/// The DOM of `url` after its scripts ran, in a browser whose preferred language is `lang`.
fn dump_dom(chrome: &PathBuf, url: &str, lang: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--mute-audio",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--accept-lang={lang}"))
        .arg(format!("--lang={lang}"))
        .arg("--virtual-time-budget=15000")
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// The part of the DOM inside the search box.
fn widget_html(dom: &str) -> &str {
    let start = dom
        .find("class=\"ngo-search\"")
        .unwrap_or_else(|| panic!("no search box in:\n{dom}"));
    let end = dom[start..].find("</nav>").map_or(dom.len(), |e| start + e);
    &dom[start..end]
}

fn assert_results(dom: &str, what: &str) {
    let w = widget_html(dom);
    assert!(w.contains("class=\"ngo-hit\""), "{what}: no results:\n{w}");
    let snippet = w.find("class=\"ngo-snippet\"").expect("snippet");
    assert!(
        w[snippet..].contains("<mark>"),
        "{what}: no highlight in the snippets:\n{w}"
    );
    // The language facet, with counts.
    let facet = w
        .find("class=\"ngo-facet\" type=\"button\" data-lang=\"lv\"")
        .unwrap_or_else(|| panic!("{what}: no lv facet:\n{w}"));
    let count_at = w[facet..]
        .find("<span class=\"ngo-count\">")
        .expect("facet count")
        + facet
        + 24;
    let count: String = w[count_at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    assert!(
        count.parse::<u32>().unwrap_or(0) >= 1,
        "{what}: facet count {count:?}"
    );
}

#[test]
fn the_page_searches_highlights_and_shows_the_language_facet() {
    let Some(chrome) = chromium() else { return };
    let s = TestServer::start(test_options());
    // A Latvian query, as typed into the box (the page runs the search in ?q=).
    let dom = dump_dom(
        &chrome,
        &s.url("/?q=sabiedr%C4%ABbas%20integr%C4%81cija"),
        "lv",
    );
    assert_results(&dom, "page (lv)");
    assert!(
        dom.contains("<html lang=\"lv\""),
        "interface language follows the browser"
    );
    assert!(
        dom.contains("Visas valodas") && dom.contains("Meklēšana"),
        "Latvian interface"
    );
    assert!(
        dom.contains("data-id=\"lv-integration\""),
        "the Latvian document is found"
    );

    // Norwegian and English interfaces.
    let dom = dump_dom(&chrome, &s.url("/?q=frivillige"), "nb-NO");
    assert!(
        dom.contains("Alle språk") && dom.contains("data-id=\"nb-frivillig\""),
        "{}",
        widget_html(&dom)
    );
    let dom = dump_dom(&chrome, &s.url("/?q=volunteers"), "en-US");
    assert!(
        dom.contains("All languages") && dom.contains("data-id=\"en-volunteers\""),
        "{}",
        widget_html(&dom)
    );

    // A document's markup is shown as text, never run.
    let dom = dump_dom(&chrome, &s.url("/?q=snippet%20injection"), "en");
    let w = widget_html(&dom);
    assert!(w.contains("data-id=\"xss\""), "{w}");
    assert!(w.contains("&lt;script&gt;"), "escaped in the snippet: {w}");
    assert!(
        !w.contains("<script") && !w.contains("<b>"),
        "no markup from the document: {w}"
    );
}

/// A page of another origin that embeds the widget: served from a second loopback port.
fn host_page_server(html: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let html = html.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let mut first = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if first.is_empty() {
                        first = line.clone();
                    }
                }
                let (status, body) = if first.starts_with("GET / ") || first.starts_with("GET /?") {
                    ("200 OK", html)
                } else {
                    ("404 Not Found", String::from("not found"))
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    base
}

#[test]
fn the_widget_works_on_a_page_of_another_origin() {
    let Some(chrome) = chromium() else { return };
    let s = TestServer::start(test_options());
    // Someone types "sabiedr" letter by letter into the embedded box (search as you type).
    let typing = r#"<script>
      (function typeWhenReady() {
        var input = document.querySelector('#search input');
        if (!input) { setTimeout(typeWhenReady, 20); return; }
        var text = 'sabiedr', i = 1;
        (function next() {
          if (i > text.length) return;
          input.value = text.slice(0, i++);
          input.dispatchEvent(new Event('input', { bubbles: true }));
          setTimeout(next, 60);
        })();
      })();
    </script>"#;
    let html = format!(
        "<!doctype html><html lang=\"lv\"><head><meta charset=\"utf-8\"><title>Biedrības lapa</title></head>\
         <body><h1>Mūsu biedrība</h1><div id=\"search\"></div>\
         <script src=\"{}/widget.js\" data-target=\"#search\"></script>{typing}</body></html>",
        s.base
    );
    let host = host_page_server(html);
    assert_ne!(host, s.base);
    let dom = dump_dom(&chrome, &format!("{host}/"), "en");
    assert_results(&dom, "widget on another origin");
    let w = widget_html(&dom);
    // The interface follows the host page's language (lv), not the browser's (en).
    assert!(w.contains("Visas valodas"), "{w}");
    assert!(
        dom.contains("<h1>Mūsu biedrība</h1>"),
        "the host page is left alone"
    );

    // A prefilled query (data-query) and a host page in Norwegian.
    let html = format!(
        "<!doctype html><html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body><div class=\"box\"></div>\
         <script src=\"{}/widget.js\" data-target=\".box\" data-query=\"frivillige organisasjoner\"></script></body></html>",
        s.base
    );
    let host = host_page_server(html);
    let dom = dump_dom(&chrome, &format!("{host}/"), "en");
    let w = widget_html(&dom);
    assert!(
        w.contains("data-id=\"nb-frivillig\"") && w.contains("<mark>"),
        "{w}"
    );
    assert!(w.contains("Alle språk"), "{w}");
}
