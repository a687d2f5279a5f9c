//! Crash safety of ingest, with the real binary: SIGKILL at random moments, then the index must
//! open, answer queries and hold every document of every batch reported committed; re-running
//! the same ingest completes it without duplicates. Also: a second writer gets a clear error and
//! readers run beside a writer.
//!
//! Seeds: NGO_CRASH_SEED (default 20240517). Figures are printed with `--nocapture`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use ngo_search::{Engine, SearchRequest};
use rand::Rng;

const DOCS: usize = 24_000;
const COMMIT_EVERY: usize = 1_200;
const KILLS: usize = 20;
/// Kills made at a random delay from the start, whatever has happened by then (maybe not even
/// one commit): the index must survive those too. The others land a random delay after a
/// randomly chosen commit.
const BLIND_KILLS: usize = 2;

/// After a kill: the index opens, answers a query, holds every id of the committed prefix
/// (`d000000`..`d{prefix-1}`), and no id twice. Returns (live documents, ids lost).
fn check_index(index: &Path, prefix: u64) -> (u64, u64) {
    let engine = Engine::open(index).expect("the index opens after a kill");
    let docs = engine.searcher().num_docs();
    let counts = id_counts(&engine, DOCS);
    let dup: Vec<usize> = (0..DOCS).filter(|&i| counts[i] > 1).collect();
    assert!(
        dup.is_empty(),
        "ids present more than once: {:?}",
        &dup[..dup.len().min(10)]
    );
    let present: u64 = counts.iter().map(|&c| c as u64).sum();
    assert_eq!(
        present, docs,
        "every live document is one of the corpus's, once"
    );
    let lost = (0..prefix as usize).filter(|&i| counts[i] == 0).count() as u64;
    assert!(
        docs >= prefix,
        "{docs} documents in the index, {prefix} were reported committed"
    );
    let res = engine
        .search(&SearchRequest::new("uniq0"))
        .expect("the index answers a query");
    if prefix > 0 {
        assert_eq!(res.total, 1, "d000000 was committed and must be found");
        assert_eq!(res.hits[0].id, doc_id(0));
    }
    if prefix > 1 {
        let last = prefix as usize - 1;
        let r = engine
            .search(&SearchRequest::new(format!("uniq{last}")))
            .unwrap();
        assert_eq!(r.hits.first().map(|h| h.id.clone()), Some(doc_id(last)));
    }
    (docs, lost)
}

#[test]
fn sigkill_during_ingest_loses_no_committed_document() {
    let started = Instant::now();
    let tmp = tempdir();
    let corpus = tmp.path().join("corpus.jsonl");
    write_corpus(&corpus, DOCS, 7);
    let index = tmp.path().join("index");
    let (mut rng, seed) = seeded("NGO_CRASH_SEED", 20240517);
    let commits_per_run = DOCS / COMMIT_EVERY;
    let args = [
        "index",
        "--index",
        path_str(&index),
        "--commit-every",
        &COMMIT_EVERY.to_string(),
        "--json",
        path_str(&corpus),
    ]
    .map(String::from);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let mut mid_ingest_after_commit = 0usize;
    let mut before_first_commit = 0usize;
    let mut lost_total = 0u64;
    // The longest prefix ever reported committed: it must stay in the index from then on.
    let mut durable_prefix = 0u64;
    // Typical time between two commits, learnt from the runs so far.
    let mut commit_gap = Duration::from_millis(150);
    let mut log = Vec::new();
    for kill in 0..KILLS {
        let mut run = Running::spawn(&args);
        let spawned = Instant::now();
        let mut committed = 0u64;
        let mut commit_times = Vec::new();
        if kill < BLIND_KILLS {
            // A blind kill: a random moment in the first ~2 expected commits' time.
            let ms = rng.gen_range(0..(commit_gap.as_millis() as u64 * 3).max(50));
            let deadline = spawned + Duration::from_millis(ms);
            while Instant::now() < deadline {
                if let Some(l) = run.next_line(deadline.saturating_duration_since(Instant::now())) {
                    if let Some(n) = committed_count(&l) {
                        committed = n;
                    }
                }
            }
        } else {
            // Wait for a random commit (never the last), then a random part of a commit's time.
            // At least two commits stay ahead, so a kill a little late still lands mid-ingest
            // however fast the machine is.
            let target = rng.gen_range(1..commits_per_run - 2) as u64 * COMMIT_EVERY as u64;
            while committed < target {
                let l = run.next_line(Duration::from_secs(60)).unwrap_or_else(|| {
                    panic!("no commit {target} within 60 s; stderr: {:?}", run.stderr)
                });
                if let Some(n) = committed_count(&l) {
                    committed = n;
                    commit_times.push(Instant::now());
                }
            }
            let delay = rng.gen_range(0..(commit_gap.as_millis() / 2).max(2) as u64);
            std::thread::sleep(Duration::from_millis(delay));
        }
        let alive = run.alive();
        let status = run.kill9();
        // Lines printed up to the moment of death count as reported.
        for l in &run.stderr {
            if let Some(n) = committed_count(l) {
                committed = committed.max(n);
            }
        }
        if commit_times.len() >= 2 {
            let span = commit_times[commit_times.len() - 1] - commit_times[0];
            commit_gap = span / (commit_times.len() as u32 - 1);
        }
        assert!(
            alive,
            "kill {kill}: the ingest ended before it was killed ({status})"
        );
        assert!(
            committed < DOCS as u64,
            "kill {kill}: the ingest had committed everything"
        );
        if committed > 0 {
            mid_ingest_after_commit += 1;
        } else {
            before_first_commit += 1;
        }
        durable_prefix = durable_prefix.max(committed);
        let (docs, lost) = if index.join("meta.json").exists() || committed > 0 {
            check_index(&index, durable_prefix)
        } else {
            // Killed before the index was even created: nothing was promised.
            (0, 0)
        };
        lost_total += lost;
        log.push(format!(
            "kill {kill:>2} at {:>5} ms: {committed:>5}/{DOCS} committed in this run, {docs:>5} in the index, {lost} lost",
            spawned.elapsed().as_millis()
        ));
    }
    // The CLI opens the killed index too.
    let (status, out, err) = run(&["stats", "--index", path_str(&index), "--json"]);
    assert!(status.success(), "stats after the kills: {err}");
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(stats["documents"].as_u64().unwrap() >= durable_prefix);

    // The same ingest again, to the end: complete and without duplicates.
    let mut last = Running::spawn(&args);
    let status = last.wait();
    assert!(status.success(), "final ingest failed: {:?}", last.stderr);
    let final_committed = last.stderr.iter().filter_map(|l| committed_count(l)).max();
    assert_eq!(final_committed, Some(DOCS as u64));
    let (docs, lost) = check_index(&index, DOCS as u64);
    lost_total += lost;
    assert_eq!(docs, DOCS as u64, "exactly the corpus's ids, none twice");

    for l in &log {
        println!("{l}");
    }
    println!(
        "crash test (seed {seed}): {KILLS} kills survived, {mid_ingest_after_commit} mid-ingest after >= 1 commit, \
         {before_first_commit} before the first commit, {lost_total} committed documents lost; \
         final run: {docs} documents, no duplicates; {}",
        elapsed(started)
    );
    assert_eq!(lost_total, 0, "committed documents were lost");
    assert!(
        mid_ingest_after_commit >= KILLS - BLIND_KILLS,
        "only {mid_ingest_after_commit} of {KILLS} kills landed mid-ingest after a commit"
    );
}

#[test]
fn second_writer_is_refused_and_readers_run_beside_a_writer() {
    let tmp = tempdir();
    let corpus = tmp.path().join("corpus.jsonl");
    write_corpus(&corpus, DOCS, 11);
    let other = tmp.path().join("other.jsonl");
    std::fs::write(
        &other,
        "{\"id\": \"intruder\", \"text\": \"written by a second writer\"}\n",
    )
    .unwrap();
    let index = tmp.path().join("index");
    let idx = path_str(&index);
    let mut writer = Running::spawn(&[
        "index",
        "--index",
        idx,
        "--commit-every",
        "400",
        "--json",
        path_str(&corpus),
    ]);
    loop {
        let l = writer
            .next_line(Duration::from_secs(60))
            .unwrap_or_else(|| panic!("no first commit: {:?}", writer.stderr));
        if committed_count(&l).is_some() {
            break;
        }
    }
    // A second writer: refused at once with a clear message, exit code 1.
    let t = Instant::now();
    let (status, _, err) = run(&["index", "--index", idx, path_str(&other)]);
    assert!(!status.success(), "a second writer must fail");
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("is being written by another process"),
        "unclear second-writer error: {err}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "the second writer waited instead of failing"
    );
    // Readers beside the writer.
    let (status, out, err) = run(&["search", "--index", idx, "--json", "uniq0"]);
    assert!(status.success(), "search beside a writer: {err}");
    let res: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(res["hits"][0]["id"], "d000000");
    let (status, _, err) = run(&["stats", "--index", idx]);
    assert!(status.success(), "stats beside a writer: {err}");
    let engine = Engine::open(&index).expect("a reader in this process beside the writer");
    assert!(engine.contains("d000000").unwrap());
    assert!(
        writer.alive(),
        "the writer must still be running for this test to show anything"
    );
    writer.kill9();
    // The refused writer added nothing.
    let engine = Engine::open(&index).unwrap();
    assert!(!engine.contains("intruder").unwrap());
    println!("second writer: refused with a clear message; search and stats ran beside the writer");
}

const HTTP_KILLS: usize = 20;
const KEY: &str = "crash-test-admin-key-0123456789abcdef";

#[test]
fn sigkill_of_the_server_loses_no_acknowledged_post() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    let started = Instant::now();
    let tmp = tempdir();
    let index = tmp.path().join("index");
    let seed_docs = tmp.path().join("seed.jsonl");
    write_corpus(&seed_docs, 20, 1);
    let (status, _, err) = run(&["index", "--index", path_str(&index), path_str(&seed_docs)]);
    assert!(status.success(), "{err}");
    let (mut rng, seed) = seeded("NGO_HTTP_CRASH_SEED", 4242);

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut failed_total = 0usize;
    let mut kills_mid_request = 0usize;
    let mut lost = 0usize;
    for round in 0..HTTP_KILLS {
        let (mut server, base) = start_server(&index, Some(KEY), &[]);
        let stop = Arc::new(AtomicBool::new(false));
        let failed = Arc::new(AtomicUsize::new(0));
        let clients: Vec<_> = (0..2)
            .map(|t| {
                let (base, stop, failed, acked) = (base.clone(), stop.clone(), failed.clone(), acked.clone());
                std::thread::spawn(move || {
                    let agent = http_agent();
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let ids: Vec<String> = (0..10).map(|k| format!("r{round}-c{t}-{n}-{k}")).collect();
                        n += 1;
                        let body: Vec<serde_json::Value> = ids
                            .iter()
                            .map(|id| serde_json::json!({"id": id, "text": format!("posted over http {id} kopiena")}))
                            .collect();
                        let res = agent
                            .post(&format!("{base}/documents"))
                            .set("Authorization", &format!("Bearer {KEY}"))
                            .send_json(serde_json::Value::Array(body));
                        match res {
                            Ok(r) if r.status() == 200 => {
                                let v: serde_json::Value = r.into_json().unwrap();
                                assert_eq!(v["indexed"], 10, "{v}");
                                acked.lock().unwrap().extend(ids);
                            }
                            Ok(r) => panic!("unexpected status {}", r.status()),
                            Err(ureq::Error::Status(code, r)) => {
                                panic!("status {code}: {}", r.into_string().unwrap_or_default())
                            }
                            // The server died under this request: not acknowledged.
                            Err(_) => {
                                failed.fetch_add(1, Ordering::SeqCst);
                                return;
                            }
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.gen_range(150..700)));
        server.kill9();
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.join().expect("client thread");
        }
        let f = failed.load(Ordering::SeqCst);
        failed_total += f;
        if f > 0 {
            kills_mid_request += 1;
        }
        let engine = Engine::open(&index).expect("the index opens after the server was killed");
        let acked = acked.lock().unwrap();
        lost += acked
            .iter()
            .filter(|id| !engine.contains(id).unwrap())
            .count();
        assert_eq!(lost, 0, "round {round}: acknowledged documents lost");
    }
    // Restarted, the server answers with every acknowledged document.
    let (_server, base) = start_server(&index, Some(KEY), &[]);
    let agent = http_agent();
    let acked = acked.lock().unwrap().clone();
    for id in acked.iter().step_by((acked.len() / 50).max(1)) {
        let r = agent
            .get(&format!("{base}/documents/{id}"))
            .call()
            .expect("acknowledged document");
        let v: serde_json::Value = r.into_json().unwrap();
        assert_eq!(v["id"], id.as_str());
    }
    let engine = Engine::open(&index).unwrap();
    assert_eq!(
        engine.searcher().num_docs() as usize,
        20 + acked.len() + engine_unacked_present(&engine, &acked)
    );
    println!(
        "http crash test (seed {seed}): {HTTP_KILLS} kills of the server survived, {kills_mid_request} with a POST in flight \
         ({failed_total} requests cut), {} acknowledged documents, {lost} lost; {}",
        acked.len(),
        elapsed(started)
    );
    assert!(
        kills_mid_request * 2 >= HTTP_KILLS,
        "most kills should cut a request in flight"
    );
}

/// Documents of requests cut by a kill that made it in anyway (committed just before the kill,
/// answer never sent): allowed, and counted so the total adds up.
fn engine_unacked_present(engine: &Engine, acked: &[String]) -> usize {
    let acked: std::collections::HashSet<&str> = acked.iter().map(String::as_str).collect();
    let searcher = engine.searcher();
    let mut n = 0;
    for seg in searcher.segment_readers() {
        let store = seg.get_store_reader(16).unwrap();
        for doc in 0..seg.max_doc() {
            if seg.alive_bitset().is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let d: tantivy::TantivyDocument = store.get(doc).unwrap();
            use tantivy::schema::Value;
            let id = d
                .get_first(engine.fields().id)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            if id.starts_with('r') && !acked.contains(id.as_str()) {
                n += 1;
            }
        }
    }
    n
}
