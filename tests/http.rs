//! The HTTP API over real HTTP on a loopback port: every endpoint's success case, every error
//! with its status and code, access control, CORS, limits, writes becoming searchable, and
//! searches during writes.

mod server_common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ngo_search::server::ServeOptions;
use serde_json::{json, Value};
use server_common::*;

fn admin_options() -> ServeOptions {
    ServeOptions {
        admin_key: Some(ADMIN.into()),
        ..test_options()
    }
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

fn get(s: &TestServer, path: &str) -> (u16, ureq::Response) {
    send(agent().get(&s.url(path)))
}

fn search(s: &TestServer, q: &str, extra: &str) -> Value {
    let (st, r) = get(s, &format!("/search?q={}{extra}", enc(q)));
    let v = json_of(r);
    assert_eq!(st, 200, "{v}");
    v
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn without_timing(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("took_ms");
    v
}

/// The schema `name` of the OpenAPI document, with `$ref`s of its properties left as they are.
fn schema<'a>(api: &'a Value, name: &str) -> &'a Value {
    &api["components"]["schemas"][name]
}

/// Every key of `value` is a property of the schema, and every required property is present.
fn conforms(api: &Value, name: &str, value: &Value) {
    let s = schema(api, name);
    let props: BTreeSet<&str> = s["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {name}: {s}"))
        .keys()
        .map(String::as_str)
        .collect();
    let keys: BTreeSet<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        keys.is_subset(&props),
        "{name}: answer has {keys:?}, schema {props:?}"
    );
    for r in s["required"].as_array().into_iter().flatten() {
        assert!(
            keys.contains(r.as_str().unwrap()),
            "{name}: required {r} missing from {value}"
        );
    }
}

#[test]
fn health_stats_page_widget_and_openapi() {
    let s = TestServer::start(test_options());
    let (st, r) = get(&s, "/health");
    let v = json_of(r);
    assert_eq!(st, 200);
    let n = fixture_docs().len() as u64 + 5;
    assert_eq!(v, json!({"status": "ok", "documents": n}));

    let (st, r) = get(&s, "/stats");
    let stats = json_of(r);
    assert_eq!(st, 200);
    assert_eq!(stats["documents"], n);
    assert!(stats["languages"]["lv"].as_u64().unwrap() >= 4, "{stats}");
    assert!(stats["languages"]["nb"].as_u64().unwrap() >= 1, "{stats}");
    assert!(stats["segments"].as_u64().unwrap() >= 1);
    assert!(stats["bytes"].as_u64().unwrap() > 1000);

    let (st, r) = get(&s, "/");
    assert_eq!(st, 200);
    assert!(r.content_type().starts_with("text/html"));
    assert!(r
        .header("content-security-policy")
        .unwrap()
        .contains("script-src 'self'"));
    let html = r.into_string().unwrap();
    assert!(
        html.contains("/widget.js") && !html.contains("https://"),
        "no external resources"
    );

    let (st, r) = get(&s, "/widget.js");
    assert_eq!(st, 200);
    assert_eq!(r.content_type(), "text/javascript");
    let js = r.into_string().unwrap();
    assert!(js.contains("currentScript") && js.contains("data-target"));

    // The OpenAPI description lists every route served, with the methods served.
    let (st, r) = get(&s, "/openapi.json");
    assert_eq!(st, 200);
    let api = json_of(r);
    assert!(
        api["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        api["openapi"]
    );
    let paths = api["paths"].as_object().unwrap();
    let expected: &[(&str, &[&str])] = &[
        ("/", &["get"]),
        ("/widget.js", &["get"]),
        ("/search", &["get", "post"]),
        ("/documents", &["post"]),
        ("/documents/{id}", &["get", "delete"]),
        ("/health", &["get"]),
        ("/stats", &["get"]),
        ("/openapi.json", &["get"]),
    ];
    assert_eq!(
        paths.len(),
        expected.len(),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (p, methods) in expected {
        let item = paths
            .get(*p)
            .unwrap_or_else(|| panic!("{p} missing from openapi.json"));
        for m in *methods {
            assert!(item.get(*m).is_some(), "{m} {p} missing from openapi.json");
        }
    }
    assert!(api["components"]["securitySchemes"]["admin_key"].is_object());
    // …and every documented GET answers (no 404/405 for something documented).
    for (p, methods) in expected {
        if methods.contains(&"get") {
            let path = p.replace("{id}", "lv-integration");
            let path = if path == "/search" {
                "/search?q=biedrība".to_string()
            } else {
                path
            };
            let (st, _) = get(&s, &path);
            assert_eq!(st, 200, "GET {path}");
        }
    }
    // Answers match their schemas.
    conforms(&api, "Health", &v);
    conforms(&api, "Stats", &stats);
    let res = search(&s, "sabiedrība", "");
    conforms(&api, "SearchResponse", &res);
    conforms(&api, "Hit", &res["hits"][0]);
    let (_, r) = get(&s, "/documents/lv-integration");
    conforms(&api, "StoredDocument", &json_of(r));
    let (_, r) = get(&s, "/nope");
    conforms(&api, "ErrorBody", &json_of(r));
}

#[test]
fn search_get_post_and_cli_answer_the_same() {
    let s = TestServer::start(test_options());
    let q = "pilsoniskās sabiedrības";
    let v = search(
        &s,
        q,
        "&lang=lv,nb&query_lang=lv&limit=3&offset=0&snippet_chars=120&sort=relevance",
    );
    assert!(v["total"].as_u64().unwrap() >= 3, "{v}");
    assert_eq!(v["hits"].as_array().unwrap().len(), 3);
    assert_eq!(v["interpretation"]["hint"], "lv");
    assert!(v["facets"]["lang"]["lv"].as_u64().unwrap() >= 3);
    assert!(
        v["hits"][0]["snippet"].as_str().unwrap().contains("<mark>"),
        "{v}"
    );
    let bare = search(&s, q, "&lang=lv,nb&query_lang=lv&limit=3&facets=false");
    assert_eq!(bare["facets"]["lang"], json!({}), "{bare}");
    assert_eq!(bare["total"], v["total"]);

    let body =
        json!({"q": q, "lang": "lv,nb", "query_lang": "lv", "limit": 3, "snippet_chars": 120});
    let (st, r) = send_json(agent().post(&s.url("/search")), &body);
    let p = json_of(r);
    assert_eq!(st, 200, "{p}");
    assert_eq!(without_timing(p), without_timing(v.clone()));

    // `ngo-search search --json` prints the same JSON.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ngo-search"))
        .args(["search", "--json", "--index"])
        .arg(&s.index)
        .args(["--lang", "lv,nb", "--query-lang", "lv", "--limit", "3", q])
        .output()
        .expect("run the CLI");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).expect("CLI JSON");
    // snippet_chars differs from the CLI default: compare everything but the snippets' length.
    let v2 = search(&s, q, "&lang=lv,nb&query_lang=lv&limit=3");
    assert_eq!(without_timing(cli), without_timing(v2));

    // Options: date sort, filters, prefix, typos, custom highlight markup.
    let v = search(
        &s,
        "frivillige",
        "&sort=date&org=Frivillighet%20Norge&from=2022&to=2022-12",
    );
    assert_eq!(ids(&v), vec!["nb-frivillig"]);
    let v = search(&s, "frivillige", "&from=2023");
    assert_eq!(v["total"], 0);
    let v = search(&s, "volunt", "&prefix=true");
    assert!(ids(&v).contains(&"en-volunteers".to_string()), "{v}");
    // (Typo tolerance itself is the engine's, tested there; here: the parameter is passed on.)
    let v = search(&s, "volunteers", "&typos=1");
    assert!(ids(&v).contains(&"en-volunteers".to_string()), "{v}");
    let v = search(&s, "volunteers", "&highlight_pre=%5B&highlight_post=%5D");
    assert!(
        v["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("[volunteers]"),
        "{v}"
    );

    // Unknown query parameters are ignored, and named in a header.
    let (st, r) = get(&s, "/search?q=biedr%C4%ABba&utm_source=x&_=123");
    assert_eq!(st, 200);
    assert_eq!(r.header("x-ngo-ignored-params"), Some("utm_source,_"));
}

#[test]
fn get_document() {
    let s = TestServer::start(test_options());
    let (st, r) = get(&s, "/documents/lv-integration");
    let d = json_of(r);
    assert_eq!(st, 200, "{d}");
    for k in [
        "id", "title", "lang", "langs", "text", "source", "url", "date", "metadata",
    ] {
        assert!(d.get(k).is_some(), "{k} missing: {d}");
    }
    assert_eq!(d["id"], "lv-integration");
    assert_eq!(d["lang"], "lv");
    assert_eq!(d["url"], "https://example.org/lv");
    assert_eq!(d["metadata"]["collection"], "fixtures");
    let (st, r) = get(&s, "/documents/no-such-doc");
    error_of(st, r, 404, "not_found");
}

#[test]
fn bad_requests_are_400_with_the_parameter_named() {
    let s = TestServer::start(test_options());
    let cases: &[(&str, &str)] = &[
        ("/search", "q"),
        ("/search?q=", "q"),
        ("/search?q=%20%20", "q"),
        ("/search?q=a&limit=0", "limit"),
        ("/search?q=a&limit=101", "limit"),
        ("/search?q=a&offset=10001", "offset"),
        ("/search?q=a&lang=xx", "lang"),
        ("/search?q=a&query_lang=zz", "query_lang"),
        ("/search?q=a&typos=2", "typos"),
        ("/search?q=a&from=yesterday", "from"),
    ];
    for (path, param) in cases {
        let (st, r) = get(&s, path);
        let v = json_of(r);
        assert_eq!(st, 400, "{path}: {v}");
        assert_eq!(v["error"]["code"], "bad_request", "{path}: {v}");
        assert_eq!(v["error"]["param"], *param, "{path}: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().starts_with(param),
            "{path}: {v}"
        );
    }
    // The unknown language message lists the enabled ones.
    let (st, r) = get(&s, "/search?q=a&lang=lv,xx");
    let m = error_of(st, r, 400, "bad_request");
    assert!(
        m.contains("\"xx\"") && m.contains("lv") && m.contains("nb") && m.contains("en"),
        "{m}"
    );
    // Over-long q: 1,000 characters pass, 1,001 do not.
    let ok = "ā".repeat(1000);
    let (st, _) = get(&s, &format!("/search?q={}", enc(&ok)));
    assert_eq!(st, 200);
    let long = "ā".repeat(1001);
    let (st, r) = get(&s, &format!("/search?q={}", enc(&long)));
    let m = error_of(st, r, 400, "bad_request");
    assert!(m.contains("1001") && m.contains("1000"), "{m}");
    // Wrong types in the query string, and the JSON body.
    for path in [
        "/search?q=a&limit=ten",
        "/search?q=a&offset=-1",
        "/search?q=a&prefix=maybe",
        "/search?q=a&sort=best",
    ] {
        let (st, r) = get(&s, path);
        error_of(st, r, 400, "bad_request");
    }
    let (st, r) = send_bytes(
        agent()
            .post(&s.url("/search"))
            .set("Content-Type", "application/json"),
        b"{\"q\": ",
    );
    error_of(st, r, 400, "bad_request");
    let (st, r) = send_json(
        agent().post(&s.url("/search")),
        &json!({"q": "a", "limit": "ten"}),
    );
    error_of(st, r, 400, "bad_request");
    let (st, r) = send_json(
        agent().post(&s.url("/search")),
        &json!({"q": "a", "limt": 5}),
    );
    let m = error_of(st, r, 400, "bad_request");
    assert!(m.contains("limt"), "{m}");
    let (st, r) = send_json(agent().post(&s.url("/search")), &json!({"q": ""}));
    error_of(st, r, 400, "bad_request");
    let (st, r) = send_bytes(
        agent()
            .post(&s.url("/search"))
            .set("Content-Type", "text/plain"),
        b"{\"q\":\"a\"}",
    );
    error_of(st, r, 415, "unsupported_media_type");
    // Unknown routes and methods.
    let (st, r) = get(&s, "/nope");
    error_of(st, r, 404, "not_found");
    let (st, r) = get(&s, "/documents/");
    error_of(st, r, 404, "not_found");
    let (st, r) = send(agent().put(&s.url("/search")));
    error_of(st, r, 405, "method_not_allowed");
    // Odd queries are answered, never a 500.
    for q in [
        "\"",
        "\"\"\"",
        "-",
        "--x",
        "*",
        "a AND OR NOT",
        "((",
        "\u{0}",
        "🙂🙂",
        "-the",
        "the of and",
        "\"unterminated phrase",
        &"x".repeat(300),
    ] {
        let (st, r) = get(&s, &format!("/search?q={}&prefix=true&typos=1", enc(q)));
        assert!(
            st == 200 || st == 400,
            "{q:?}: {st} {}",
            r.into_string().unwrap()
        );
    }
}

#[test]
fn writes_need_the_admin_key() {
    // Without NGO_SEARCH_ADMIN_KEY: writes are disabled, with a message saying how to enable them.
    let s = TestServer::start(test_options());
    let (st, r) = send_json(agent().post(&s.url("/documents")), &json!([]));
    let m = error_of(st, r, 403, "forbidden");
    assert!(m.contains("NGO_SEARCH_ADMIN_KEY"), "{m}");
    let (st, r) = send(agent().delete(&s.url("/documents/lv-integration")));
    error_of(st, r, 403, "forbidden");
    drop(s);

    let s = TestServer::start(admin_options());
    let (st, r) = send_json(agent().post(&s.url("/documents")), &json!([]));
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    error_of(st, r, 401, "unauthorized");
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer("wrong")),
        &json!([]),
    );
    error_of(st, r, 403, "forbidden");
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", "Basic abc"),
        &json!([]),
    );
    error_of(st, r, 401, "unauthorized");
    let (st, r) = send(agent().delete(&s.url("/documents/lv-integration")));
    error_of(st, r, 401, "unauthorized");
    let (st, r) = send(
        agent()
            .delete(&s.url("/documents/lv-integration"))
            .set("Authorization", &bearer("wrong")),
    );
    error_of(st, r, 403, "forbidden");
    // With the right key, but sent by a page of another origin: refused.
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN))
            .set("Origin", "http://evil.example"),
        &json!([]),
    );
    assert!(r.header("access-control-allow-origin").is_none());
    error_of(st, r, 403, "forbidden");
    // Same origin (a page served by this server) is fine.
    let origin = s.base.clone();
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN))
            .set("Origin", &origin),
        &json!([]),
    );
    assert_eq!(st, 200);
    assert_eq!(json_of(r), json!({"indexed": 0, "errors": []}));
    // The document is still there after all the refused deletes.
    let (st, _) = get(&s, "/documents/lv-integration");
    assert_eq!(st, 200);
}

#[test]
fn a_read_key_makes_reads_private() {
    let s = TestServer::start(ServeOptions {
        read_key: Some(READER.into()),
        ..admin_options()
    });
    for path in [
        "/search?q=biedr%C4%ABba",
        "/documents/lv-integration",
        "/stats",
    ] {
        let (st, r) = get(&s, path);
        error_of(st, r, 401, "unauthorized");
        let (st, r) = send(
            agent()
                .get(&s.url(path))
                .set("Authorization", &bearer("wrong")),
        );
        error_of(st, r, 403, "forbidden");
        let (st, _) = send(
            agent()
                .get(&s.url(path))
                .set("Authorization", &bearer(READER)),
        );
        assert_eq!(st, 200, "{path} with the read key");
        let (st, _) = send(
            agent()
                .get(&s.url(path))
                .set("Authorization", &bearer(ADMIN)),
        );
        assert_eq!(st, 200, "{path} with the admin key");
    }
    let (st, r) = send_json(agent().post(&s.url("/search")), &json!({"q": "biedrība"}));
    error_of(st, r, 401, "unauthorized");
    // The read key does not allow writes.
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(READER)),
        &json!([]),
    );
    error_of(st, r, 403, "forbidden");
    // Health, the page and the description stay public.
    for path in ["/health", "/", "/widget.js", "/openapi.json"] {
        assert_eq!(get(&s, path).0, 200, "{path}");
    }
}

#[test]
fn posted_documents_are_searchable_at_once_and_deleted_ones_gone() {
    let s = TestServer::start(admin_options());
    let auth = bearer(ADMIN);
    assert_eq!(search(&s, "zebrastrēķiem", "")["total"], 0);
    let docs = json!([
        {"id": "new/1", "title": "Zebrastrēķa biedrība", "text": "Biedrība rūpējas par zebrastrēķiem un to dzīvesvietām Latvijā.", "lang": "lv", "tags": ["a"]},
        {"id": "missing-text"},
        "not an object",
        {"id": 42, "text": "Numbered documents keep their number as the id: quokkas everywhere.", "lang": "en"},
        {"id": "bad-title", "text": "x", "title": 7},
    ]);
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &auth),
        &docs,
    );
    let v = json_of(r);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["indexed"], 2, "{v}");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{v}");
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[0]["id"], "missing-text");
    assert!(errors[0]["message"].as_str().unwrap().contains("text"));
    assert_eq!(errors[1]["line"], 3);
    assert_eq!(errors[1]["id"], Value::Null);
    assert_eq!(errors[2]["line"], 5);
    assert_eq!(errors[2]["id"], "bad-title");

    // Found right after the answer.
    assert_eq!(ids(&search(&s, "zebrastrēķiem", "")), vec!["new/1"]);
    assert_eq!(ids(&search(&s, "quokkas", "")), vec!["42"]);
    let (st, r) = get(&s, "/documents/new/1");
    assert_eq!(st, 200);
    let d = json_of(r);
    assert_eq!(d["metadata"]["tags"], json!(["a"]));
    assert_eq!(get(&s, "/documents/new%2F1").0, 200);

    // NDJSON; replacing by id.
    let nd = "{\"id\":\"new/1\",\"text\":\"Biedrība tagad rūpējas par pingvīniem.\",\"lang\":\"lv\"}\n\n{broken\n{\"id\":\"nd-2\",\"text\":\"Second line document about ocelots.\"}\n";
    let (st, r) = send_bytes(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &auth)
            .set("Content-Type", "application/x-ndjson"),
        nd.as_bytes(),
    );
    let v = json_of(r);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["indexed"], 2, "{v}");
    assert_eq!(v["errors"][0]["line"], 3, "{v}");
    assert_eq!(search(&s, "zebrastrēķiem", "")["total"], 0, "replaced");
    assert_eq!(ids(&search(&s, "pingvīniem", "")), vec!["new/1"]);
    assert_eq!(ids(&search(&s, "ocelots", "")), vec!["nd-2"]);
    let (_, r) = get(&s, "/health");
    assert_eq!(json_of(r)["documents"], fixture_docs().len() as u64 + 5 + 3);

    // Not JSON at all / not an array.
    let (st, r) = send_bytes(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &auth)
            .set("Content-Type", "application/json"),
        b"[{",
    );
    error_of(st, r, 400, "bad_request");
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &auth),
        &json!("text"),
    );
    error_of(st, r, 400, "bad_request");

    // DELETE: 200, gone from search and GET; a second DELETE is 404.
    let (st, r) = send(
        agent()
            .delete(&s.url("/documents/new%2F1"))
            .set("Authorization", &auth),
    );
    assert_eq!(st, 200);
    assert_eq!(json_of(r), json!({"deleted": "new/1"}));
    assert_eq!(search(&s, "pingvīniem", "")["total"], 0);
    let (st, r) = get(&s, "/documents/new%2F1");
    error_of(st, r, 404, "not_found");
    let (st, r) = send(
        agent()
            .delete(&s.url("/documents/new%2F1"))
            .set("Authorization", &auth),
    );
    error_of(st, r, 404, "not_found");
}

/// `x-ngo-cache` of a GET /search, and its body.
fn search_cached(s: &TestServer, query: &str) -> (String, Value) {
    let (st, r) = get(s, &format!("/search?{query}"));
    let cache = r.header("x-ngo-cache").unwrap_or("").to_string();
    let v = json_of(r);
    assert_eq!(st, 200, "{v}");
    (cache, v)
}

#[test]
fn repeated_searches_come_from_the_cache_and_never_outlive_a_write() {
    let s = TestServer::start(admin_options());
    let q = format!("q={}&lang=lv", enc("sabiedrības pingvīni"));
    let (first, a) = search_cached(&s, &q);
    assert_eq!(first, "miss");
    let (second, b) = search_cached(&s, &q);
    assert_eq!(second, "hit");
    assert_eq!(
        without_timing(a.clone()),
        without_timing(b),
        "the same answer"
    );
    // The same request as JSON is the same request.
    let (st, r) = send_json(
        agent().post(&s.url("/search")),
        &json!({"q": "sabiedrības pingvīni", "lang": "lv"}),
    );
    assert_eq!(st, 200);
    assert_eq!(r.header("x-ngo-cache"), Some("hit"));
    // Another parameter is another request.
    assert_eq!(search_cached(&s, &format!("{q}&limit=3")).0, "miss");
    // Errors are answered, never kept.
    let (st, r) = get(&s, "/search?q=x&limit=0");
    assert_eq!(st, 400);
    assert_eq!(r.header("x-ngo-cache"), None);

    // A write changes the index snapshot: the next answer is searched again and has the new page.
    let doc =
        json!({"id": "penguins", "text": "Sabiedrības pingvīni dzīvo Antarktīdā.", "lang": "lv"});
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN)),
        &doc,
    );
    assert_eq!(st, 200, "{}", json_of(r));
    let (after, c) = search_cached(&s, &q);
    assert_eq!(after, "miss");
    assert_ne!(c["snapshot"], a["snapshot"]);
    assert_eq!(ids(&c)[0], "penguins", "{c}");
    assert_eq!(c["total"].as_u64(), a["total"].as_u64().map(|t| t + 1));
    assert_eq!(search_cached(&s, &q).0, "hit");

    // Off: every request is searched.
    let off = TestServer::start(ServeOptions {
        result_cache_bytes: 0,
        ..test_options()
    });
    assert_eq!(search_cached(&off, &q).0, "miss");
    assert_eq!(search_cached(&off, &q).0, "miss");
}

#[test]
fn snippets_are_html_escaped() {
    let s = TestServer::start(test_options());
    let v = search(&s, "snippet injection", "");
    assert_eq!(ids(&v), vec!["xss"]);
    let hit = &v["hits"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(!snippet.contains("<script"), "{snippet}");
    assert!(snippet.contains("<mark>snippet</mark>"), "{snippet}");
    // Without a match in view (lead snippet) too.
    let v = search(&s, "alert", "&snippet_chars=20");
    let snippet = v["hits"][0]["snippet"].as_str().unwrap();
    assert!(!snippet.contains("<script"), "{snippet}");
    // Titles are data (JSON strings): the page and widget set them as text.
    assert_eq!(hit["title"], "Security notice <b>bold</b>");
}

#[test]
fn body_over_the_limit_is_413() {
    let s = TestServer::start(ServeOptions {
        max_body_bytes: 2048,
        ..admin_options()
    });
    let big = json!([{"id": "big", "text": "x ".repeat(4000)}]);
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN)),
        &big,
    );
    let m = error_of(st, r, 413, "payload_too_large");
    assert!(m.contains("2 KiB"), "{m}");
    let (st, r) = send_json(
        agent().post(&s.url("/search")),
        &json!({"q": "a ".repeat(2000)}),
    );
    error_of(st, r, 413, "payload_too_large");
    // Under the limit is fine.
    let small = json!([{"id": "small", "text": "a small document"}]);
    let (st, _) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN)),
        &small,
    );
    assert_eq!(st, 200);
}

#[test]
fn rate_limit_is_429_with_retry_after() {
    let s = TestServer::start(ServeOptions {
        rate_limit: 0.5,
        rate_burst: 3.0,
        ..admin_options()
    });
    let mut statuses = Vec::new();
    let mut retry = None;
    for _ in 0..5 {
        let (st, r) = get(&s, "/search?q=biedr%C4%ABba");
        if st == 429 {
            retry = r.header("retry-after").map(str::to_string);
            error_of(st, r, 429, "rate_limited");
        }
        statuses.push(st);
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    // The admin key is not limited.
    let (st, _) = send(
        agent()
            .get(&s.url("/search?q=biedr%C4%ABba"))
            .set("Authorization", &bearer(ADMIN)),
    );
    assert_eq!(st, 200);
}

#[test]
fn cors_allows_reads_from_other_origins_and_never_writes() {
    let s = TestServer::start(admin_options());
    let origin = "http://other.example:8080";
    // Preflight for a search.
    let (st, r) = send(
        agent()
            .request("OPTIONS", &s.url("/search"))
            .set("Origin", origin)
            .set("Access-Control-Request-Method", "GET"),
    );
    assert_eq!(st, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(origin));
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    let (st, r) = send(
        agent()
            .request("OPTIONS", &s.url("/search"))
            .set("Origin", origin)
            .set("Access-Control-Request-Method", "POST")
            .set("Access-Control-Request-Headers", "content-type"),
    );
    assert_eq!(st, 204);
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert!(r
        .header("access-control-allow-headers")
        .unwrap()
        .contains("content-type"));
    // The search itself.
    let (st, r) = send(
        agent()
            .get(&s.url("/search?q=biedr%C4%ABba"))
            .set("Origin", origin),
    );
    assert_eq!(st, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(origin));
    // Writes: no preflight allowance, no CORS header on the answer.
    for (method, path) in [
        ("POST", "/documents"),
        ("DELETE", "/documents/lv-integration"),
    ] {
        let (st, r) = send(
            agent()
                .request("OPTIONS", &s.url(path))
                .set("Origin", origin)
                .set("Access-Control-Request-Method", method)
                .set(
                    "Access-Control-Request-Headers",
                    "authorization, content-type",
                ),
        );
        assert!(
            r.header("access-control-allow-origin").is_none(),
            "{method} {path}"
        );
        assert!(
            r.header("access-control-allow-methods").is_none(),
            "{method} {path}"
        );
        error_of(st, r, 403, "forbidden");
    }
    let (st, r) = send(
        agent()
            .delete(&s.url("/documents/lv-integration"))
            .set("Origin", origin)
            .set("Authorization", &bearer(ADMIN)),
    );
    assert!(r.header("access-control-allow-origin").is_none());
    error_of(st, r, 403, "forbidden");
    drop(s);

    // An origin list: others get no allowance.
    let s = TestServer::start(ServeOptions {
        cors_origins: vec!["https://good.example".into()],
        ..test_options()
    });
    let (_, r) = send(
        agent()
            .get(&s.url("/search?q=biedr%C4%ABba"))
            .set("Origin", "https://good.example"),
    );
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://good.example")
    );
    let (st, r) = send(
        agent()
            .get(&s.url("/search?q=biedr%C4%ABba"))
            .set("Origin", "https://bad.example"),
    );
    assert_eq!(st, 200, "answered; the browser withholds it");
    assert!(r.header("access-control-allow-origin").is_none());
    let (st, r) = send(
        agent()
            .request("OPTIONS", &s.url("/search"))
            .set("Origin", "https://bad.example")
            .set("Access-Control-Request-Method", "GET"),
    );
    assert!(r.header("access-control-allow-origin").is_none());
    error_of(st, r, 403, "forbidden");
}

#[test]
fn searches_keep_working_during_ingest() {
    let s = Arc::new(TestServer::start(admin_options()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for t in 0..8 {
        let (s, stop, done) = (s.clone(), stop.clone(), done.clone());
        threads.push(std::thread::spawn(move || {
            let agent = agent();
            let queries = [
                "sabiedrība",
                "frivillig",
                "volunteers",
                "biedrība",
                "sabiedr",
                "lielums",
            ];
            let mut i = t;
            let mut failures = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let q = queries[i % queries.len()];
                i += 1;
                let url = s.url(&format!("/search?q={}&prefix=true", enc(q)));
                match agent.get(&url).call() {
                    Ok(r) if r.status() == 200 => {
                        let v: Value = r.into_json().unwrap();
                        assert!(v["hits"].is_array());
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => failures.push(format!("{q}: {}", r.status())),
                    Err(e) => failures.push(format!("{q}: {e}")),
                }
            }
            failures
        }));
    }
    let auth = bearer(ADMIN);
    let before = done.load(Ordering::Relaxed);
    for batch in 0..6 {
        let docs: Vec<Value> = (0..300)
            .map(|i| {
                json!({"id": format!("bulk-{batch}-{i}"), "lang": "lv",
                       "text": format!("Lielums {i} partijā {batch}: biedrība un sabiedrība strādā kopā pie projekta numur {i}.")})
            })
            .collect();
        let (st, r) = send_json(
            agent()
                .post(&s.url("/documents"))
                .set("Authorization", &auth),
            &Value::Array(docs),
        );
        let v = json_of(r);
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["indexed"], 300);
        // Each batch is searchable when its answer arrives.
        let hits = search(&s, "lielums", "&limit=1");
        assert_eq!(hits["total"].as_u64().unwrap(), 300 * (batch + 1), "{hits}");
    }
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::Relaxed);
    let mut failures = Vec::new();
    for t in threads {
        failures.extend(t.join().unwrap());
    }
    assert!(failures.is_empty(), "{failures:?}");
    let served = done.load(Ordering::Relaxed);
    assert!(
        served > before + 16,
        "searches were served during the ingest: {served}"
    );
}

#[test]
fn timeouts_answer_503() {
    // A 1 ms limit and a write that takes longer: the answer is a 503 in the error shape.
    let s = TestServer::start(ServeOptions {
        timeout: Duration::from_millis(1),
        ..admin_options()
    });
    let docs: Vec<Value> = (0..600)
        .map(|i| json!({"id": format!("t{i}"), "text": format!("Dokuments {i} par laika ierobežojumiem.")}))
        .collect();
    let body = Value::Array(docs);
    // The limit may strike while the body is still being sent (then the connection is closed
    // under the client): try again, it is the answer that is tested.
    for attempt in 0.. {
        let req = agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN));
        match req.send_json(body.clone()) {
            Err(ureq::Error::Status(st, r)) => {
                let m = error_of(st, r, 503, "timeout");
                assert!(m.contains("--timeout-secs"), "{m}");
                return;
            }
            Ok(r) => panic!("answered {} within 1 ms", r.status()),
            Err(e) if attempt < 5 => eprintln!("retrying after a transport error: {e}"),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn one_writer_per_index() {
    let mut s = TestServer::start(admin_options());
    // A CLI ingest while the server holds the writer: a clear message, no harm done.
    let extra = tempfile::tempdir().unwrap();
    std::fs::write(
        extra.path().join("a.txt"),
        "Papildu dokuments par biedrībām.",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ngo-search"))
        .args(["index", "--index"])
        .arg(&s.index)
        .arg(extra.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("POST /documents") && err.contains("stop"),
        "{err}"
    );
    let (_, r) = get(&s, "/health");
    let n = json_of(r)["documents"].as_u64().unwrap();
    // Writes through the server still work.
    let (st, _) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN)),
        &json!([{"id": "w1", "text": "Rakstīts caur serveri."}]),
    );
    assert_eq!(st, 200);
    s.stop();
    // Stopped: the writer is released and the index is intact.
    let engine = ngo_search::Engine::open(&s.index).unwrap();
    assert_eq!(engine.searcher().num_docs(), n + 1);
    drop(engine);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ngo-search"))
        .args(["index", "--index"])
        .arg(&s.index)
        .arg(extra.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_server_beside_another_writer_serves_reads_and_answers_409() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let engine = build_index(&index);
    // Another process's writer (here: another engine on the same index holding the lock).
    let other = ngo_search::Engine::open(&index).unwrap();
    let held = other.writer().unwrap();
    let s = TestServer::serve(engine, admin_options());
    assert!(!search(&s, "biedrība", "")["hits"]
        .as_array()
        .unwrap()
        .is_empty());
    let docs = json!([{"id": "late", "text": "Vēlāk pievienots dokuments par ūdriem."}]);
    let (st, r) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN)),
        &docs,
    );
    let m = error_of(st, r, 409, "writer_busy");
    assert!(m.contains("POST /documents"), "{m}");
    // Once the other writer is gone, the server takes the lock on the next write.
    held.finish().unwrap();
    drop(other);
    let (st, _) = send_json(
        agent()
            .post(&s.url("/documents"))
            .set("Authorization", &bearer(ADMIN)),
        &docs,
    );
    assert_eq!(st, 200);
    assert_eq!(ids(&search(&s, "ūdriem", "")), vec!["late"]);
}

#[test]
fn shutdown_finishes_requests_in_flight() {
    use std::io::{Read, Write};
    let mut s = TestServer::start(admin_options());
    let docs: Vec<Value> = (0..5000)
        .map(|i| json!({"id": format!("s{i}"), "text": format!("Dokuments {i} par pienācīgu izslēgšanos un biedrībām."), "lang": "lv"}))
        .collect();
    let body = serde_json::to_vec(&docs).unwrap();
    // `Expect: 100-continue`: the server asks for the body once the handler reads it, so the
    // request is provably in flight when the shutdown starts.
    let mut conn = std::net::TcpStream::connect(s.addr).unwrap();
    write!(
        conn,
        "POST /documents HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {ADMIN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        s.addr,
        body.len()
    )
    .unwrap();
    let mut interim = Vec::new();
    let mut byte = [0u8; 1];
    while !interim.ends_with(b"\r\n\r\n") {
        conn.read_exact(&mut byte).unwrap();
        interim.push(byte[0]);
    }
    assert!(
        interim.starts_with(b"HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&interim)
    );
    conn.write_all(&body).unwrap();
    s.stop(); // what SIGINT/SIGTERM do in `ngo-search serve`; returns when the server is done
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"indexed\":5000"), "{answer}");
    let engine = ngo_search::Engine::open(&s.index).unwrap();
    assert_eq!(
        engine.searcher().num_docs(),
        fixture_docs().len() as u64 + 5 + 5000
    );
}

/// `ngo-search reindex` beside a running server that writes: the server gives up its idle writer
/// lock so the reindex can run, answers from the old index meanwhile (every request succeeds),
/// then moves to the new one by itself; the next write lands in the new index.
#[test]
fn a_running_server_follows_a_reindex() {
    let mut server = TestServer::start(ServeOptions {
        watch_interval: Duration::from_millis(50),
        writer_idle: Duration::from_millis(300),
        ..admin_options()
    });
    let root = server.index.clone();
    let folded = |v: &Value| v["total"].as_u64().unwrap();
    let before = folded(&search(&server, "sabiedriba", ""));
    assert!(before > 0, "folding finds the Latvian pages before");

    // Held at start; given up after the idle time, so the reindex is not refused.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let reindexed = loop {
        let text = ngo_search::config::DEFAULT_TOML.replace("folding = true", "folding = false");
        let config = ngo_search::Config::from_toml_str(&text, "test").unwrap();
        let opts = ngo_search::reindex::ReindexOptions {
            config: Some(config),
            ..Default::default()
        };
        let r = std::thread::spawn({
            let root = root.clone();
            move || ngo_search::reindex::reindex(&root, &opts)
        });
        // The server answers all along, from one whole index or the other.
        let mut answered = 0;
        while !r.is_finished() {
            let t = folded(&search(&server, "sabiedriba", ""));
            assert!(t == before || t == 0, "a mixed index answered: {t}");
            answered += 1;
        }
        match r.join().unwrap() {
            Ok(report) => break (report, answered),
            Err(e) if e.to_string().contains("another process") => {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the server never gave up its idle writer: {e}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("reindex failed: {e}"),
        }
    };
    let (report, answered) = reindexed;
    assert!(report.current.ends_with("gen-0002"), "{report:?}");

    // The server moves to the new generation without a restart.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while folded(&search(&server, "sabiedriba", "")) != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server still answers from the old index"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(folded(&search(&server, "sabiedrība", "")) > 0);

    // A write after the switch goes into the new generation and survives a restart.
    let doc =
        json!({"id": "after-reindex", "text": "Jauna biedrība pēc pārindeksēšanas", "lang": "lv"});
    let (st, r) = send_json(
        agent()
            .post(&server.url("/documents"))
            .set("Authorization", &bearer(ADMIN)),
        &doc,
    );
    assert_eq!(st, 200, "{}", json_of(r));
    assert_eq!(
        ids(&search(&server, "pārindeksēšanas", "")),
        ["after-reindex"]
    );
    server.stop();
    let reopened = ngo_search::Engine::open(&root).unwrap();
    assert!(reopened.dir().ends_with("gen-0002"));
    assert!(reopened.contains("after-reindex").unwrap());
    println!("server followed the reindex; {answered} searches answered during it");
}
