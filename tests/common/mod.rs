//! Helpers shared by the integration tests that drive the real binary: a generated corpus, a
//! child process whose stderr is read line by line as it appears, and index checks.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const BIN: &str = env!("CARGO_BIN_EXE_ngo-search");

const LV: &[&str] = &[
    "sabiedrība",
    "biedrība",
    "brīvprātīgais",
    "darbs",
    "projekts",
    "jaunieši",
    "kultūra",
    "izglītība",
    "vide",
    "pilsēta",
    "kopiena",
    "atbalsts",
    "organizācija",
    "līdzekļi",
    "pasākums",
    "novads",
    "skola",
    "bērni",
    "ģimene",
    "veselība",
];
const NB: &[&str] = &[
    "frivillig",
    "organisasjon",
    "samfunn",
    "ungdom",
    "kultur",
    "utdanning",
    "miljø",
    "prosjekt",
    "støtte",
    "kommune",
    "arbeid",
    "fellesskap",
    "barn",
    "familie",
    "helse",
    "skole",
];
const EN: &[&str] = &[
    "volunteer",
    "organisation",
    "community",
    "youth",
    "culture",
    "education",
    "environment",
    "project",
    "support",
    "city",
    "work",
    "funding",
    "children",
    "family",
    "health",
    "school",
];
const DE: &[&str] = &[
    "Verein",
    "Gemeinschaft",
    "Jugend",
    "Kultur",
    "Bildung",
    "Umwelt",
    "Projekt",
    "Förderung",
    "Stadt",
    "Arbeit",
    "Kinder",
    "Familie",
    "Gesundheit",
    "Schule",
    "Ehrenamt",
];

/// The id of the `i`-th generated document.
pub fn doc_id(i: usize) -> String {
    format!("d{i:06}")
}

/// Writes `n` small multilingual documents (ids `d000000`…, in order) as JSONL. Every document
/// holds the word `uniq<i>` and a word of its language, so each one can be found by a query.
pub fn write_corpus(path: &Path, n: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        let (lang, words) = match i % 4 {
            0 => ("lv", LV),
            1 => ("nb", NB),
            2 => ("en", EN),
            _ => ("de", DE),
        };
        let len = rng.gen_range(12..30);
        let mut text = String::new();
        for k in 0..len {
            if k > 0 {
                text.push(' ');
            }
            text.push_str(words[rng.gen_range(0..words.len())]);
        }
        text.push_str(&format!(" uniq{i}."));
        let doc = serde_json::json!({
            "id": doc_id(i),
            "title": format!("{} {i}", words[i % words.len()]),
            "text": text,
            "lang": lang,
            "org": format!("org{}", i % 7),
        });
        writeln!(out, "{doc}").unwrap();
    }
    out.flush().unwrap();
}

/// A running `ngo-search` whose stderr lines arrive on a channel as they are printed.
pub struct Running {
    pub child: Child,
    pub lines: Receiver<String>,
    reader: Option<JoinHandle<()>>,
    /// Every stderr line seen so far.
    pub stderr: Vec<String>,
}

impl Running {
    pub fn spawn(args: &[&str]) -> Running {
        Running::spawn_with(args, &[])
    }

    /// With extra environment variables (`RUST_LOG` is `warn` unless given).
    pub fn spawn_with(args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut cmd = Command::new(BIN);
        cmd.args(args).env("RUST_LOG", "warn");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ngo-search");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines: rx,
            reader: Some(reader),
            stderr: Vec::new(),
        }
    }

    /// The next stderr line, or None on timeout / end of output.
    pub fn next_line(&mut self, timeout: Duration) -> Option<String> {
        match self.lines.recv_timeout(timeout) {
            Ok(l) => {
                self.stderr.push(l.clone());
                Some(l)
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Waits for the process to end and collects the rest of its stderr.
    pub fn wait(&mut self) -> ExitStatus {
        let status = self.child.wait().unwrap();
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        while let Ok(l) = self.lines.try_recv() {
            self.stderr.push(l);
        }
        status
    }

    /// SIGKILL (Rust's `Child::kill` sends SIGKILL on Unix), then [`Running::wait`].
    pub fn kill9(&mut self) -> ExitStatus {
        let _ = self.child.kill();
        self.wait()
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.alive() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `committed: N documents` → N.
pub fn committed_count(line: &str) -> Option<u64> {
    line.strip_prefix("committed: ")?
        .strip_suffix(" documents")?
        .trim()
        .parse()
        .ok()
}

/// Runs the binary to completion: (status, stdout, stderr).
pub fn run(args: &[&str]) -> (ExitStatus, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run ngo-search");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn seeded(name: &str, default: u64) -> (StdRng, u64) {
    let seed = std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    (StdRng::seed_from_u64(seed), seed)
}

/// How many live documents carry each of the ids `d000000`…`d{n-1}` (0 or 1 in a sound index).
pub fn id_counts(engine: &ngo_search::Engine, n: usize) -> Vec<usize> {
    use tantivy::collector::Count;
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;
    let searcher = engine.searcher();
    (0..n)
        .map(|i| {
            let t = tantivy::Term::from_field_text(engine.fields().id, &doc_id(i));
            searcher
                .search(&TermQuery::new(t, IndexRecordOption::Basic), &Count)
                .unwrap()
        })
        .collect()
}

pub fn elapsed(since: Instant) -> String {
    format!("{:.1} s", since.elapsed().as_secs_f64())
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("ngo-test-")
        .tempdir()
        .unwrap()
}

pub fn join(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// A loopback port free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn http_agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(20))
        .build()
}

/// `ngo-search serve` on a free loopback port over `index`, with writes enabled by `admin_key`;
/// returns once `/health` answers.
pub fn start_server(
    index: &Path,
    admin_key: Option<&str>,
    env: &[(&str, &str)],
) -> (Running, String) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut all: Vec<(&str, &str)> = env.to_vec();
    all.push(("NGO_SEARCH_ADMIN_KEY", admin_key.unwrap_or("")));
    let mut server = Running::spawn_with(
        &[
            "serve",
            "--index",
            path_str(index),
            "--addr",
            &addr,
            "--rate-limit",
            "0",
        ],
        &all,
    );
    let base = format!("http://{addr}");
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(2))
        .build();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if agent.get(&format!("{base}/health")).call().is_ok() {
            return (server, base);
        }
        assert!(server.alive(), "the server exited: {:?}", {
            server.wait();
            server.stderr.clone()
        });
        assert!(
            Instant::now() < deadline,
            "the server did not answer within 30 s"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}
