//! An in-process ngo-search server on a loopback port over a temporary index, for the HTTP and
//! browser tests (and the HTTP load bench). Real HTTP: the tests talk to it with ureq/Chromium.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ngo_search::read::RawDocument;
use ngo_search::server::{AppState, ServeOptions};
use ngo_search::Engine;
use serde_json::{json, Value};

pub const ADMIN: &str = "test-admin-key-0123456789";
pub const READER: &str = "test-read-key-9876543210";

/// Documents every test index holds, besides the files of `corpus/`.
pub fn fixture_docs() -> Vec<Value> {
    vec![
        json!({"id": "lv-integration", "title": "Sabiedrības integrācijas programma",
               "text": "Biedrība īsteno sabiedrības integrācijas programmu. Pilsoniskās sabiedrības stiprināšana ir mūsu galvenais mērķis, un brīvprātīgie palīdz kopienai.",
               "lang": "lv", "org": "Biedrība Kopā", "date": "2021-03-04", "url": "https://example.org/lv",
               "collection": "fixtures"}),
        json!({"id": "nb-frivillig", "title": "Frivillig arbeid i kommunen",
               "text": "Frivillige organisasjoner i kommunen arbeider for et inkluderende samfunn. Vi søker flere frivillige til leksehjelp og idrett for barn og ungdom.",
               "lang": "nb", "org": "Frivillighet Norge", "date": "2022-09-01"}),
        json!({"id": "en-volunteers", "title": "Volunteers wanted",
               "text": "Our association is looking for volunteers to support community projects, youth education and environmental work in the city.",
               "lang": "en", "date": "2020"}),
        json!({"id": "xss", "title": "Security notice <b>bold</b>",
               "text": "Beware of the snippet injection <script>alert('xss')</script> attempt: markup in documents must be shown as text.",
               "lang": "en"}),
    ]
}

/// The repository's sample corpus.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Builds an index at `dir` from `corpus/` and the fixture documents.
pub fn build_index(dir: &Path) -> Engine {
    let engine = Engine::open_or_create(dir, None).expect("create index");
    let mut writer = engine.writer().expect("writer");
    ngo_search::ingest_paths(&engine, &mut writer, &[corpus_dir()], &Default::default())
        .expect("ingest corpus");
    let docs: Vec<(u64, RawDocument)> = fixture_docs()
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            (
                i as u64 + 1,
                ngo_search::read::parse_json_document(v).expect("fixture"),
            )
        })
        .collect();
    let (n, errors) = ngo_search::ingest::ingest_documents(&engine, &mut writer, docs, Vec::new())
        .expect("ingest fixtures");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(n, fixture_docs().len() as u64);
    writer.finish().expect("finish");
    engine
}

/// A running server; stopped (gracefully) when dropped.
pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub index: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

/// Options for tests: no rate limit unless asked.
pub fn test_options() -> ServeOptions {
    ServeOptions {
        rate_limit: 0.0,
        ..ServeOptions::default()
    }
}

impl TestServer {
    /// A fresh index (corpus + fixtures) in a temporary folder, served with `opts`.
    pub fn start(opts: ServeOptions) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = dir.path().join("index");
        let engine = build_index(&index);
        let mut s = TestServer::serve(engine, opts);
        s._dir = Some(dir);
        s
    }

    /// Serves an open engine.
    pub fn serve(engine: Engine, opts: ServeOptions) -> TestServer {
        let index = engine.dir().to_path_buf();
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("addr");
        let state = AppState::new(engine, opts);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || -> anyhow::Result<()> {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(4)
                .enable_all()
                .build()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener)?;
                ngo_search::server::serve(listener, state, async move {
                    let _ = rx.await;
                })
                .await
            })
        });
        TestServer {
            base: format!("http://{addr}"),
            addr,
            index,
            shutdown: Some(tx),
            thread: Some(thread),
            _dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server: in-flight requests finish, pending writes are committed.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            t.join().expect("server thread").expect("server result");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build()
}

/// Status and response, whatever the status.
pub fn send(req: ureq::Request) -> (u16, ureq::Response) {
    match req.call() {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(e) => panic!("transport error: {e}"),
    }
}

pub fn send_json(req: ureq::Request, body: &Value) -> (u16, ureq::Response) {
    match req.send_json(body.clone()) {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(e) => panic!("transport error: {e}"),
    }
}

pub fn send_bytes(req: ureq::Request, body: &[u8]) -> (u16, ureq::Response) {
    match req.send_bytes(body) {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(e) => panic!("transport error: {e}"),
    }
}

pub fn json_of(r: ureq::Response) -> Value {
    let text = r.into_string().expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts the error shape and code; returns the message.
pub fn error_of(status: u16, r: ureq::Response, want_status: u16, want_code: &str) -> String {
    let v = json_of(r);
    assert_eq!(status, want_status, "{v}");
    assert_eq!(v["error"]["code"], want_code, "{v}");
    let m = v["error"]["message"].as_str().expect("message").to_string();
    assert!(!m.is_empty());
    m
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters kept).
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
