//! `ngo-search bench`: latency, throughput and (with relevance judgments) ranking quality of a
//! query set, measured through [`Engine::search`] — the same path as the CLI and the HTTP API.
//!
//! Protocol (the one the dev-eval peer figures were measured with): untimed warm-up passes over
//! the query set until at least 20,000 queries or 15 s have run (or exactly `--warmup N`
//! passes), then timed passes — one per query by default, `--repeat N` passes, or as many as fit
//! in `--duration` seconds — on `concurrency` worker threads. Relevance is scored on each
//! query's first answer (answers do not change between passes); a query the timed phase did not
//! reach is run once more untimed, so the metrics always cover the whole query set.
//!
//! Queries without any relevant document in the qrels are **skipped** in the metrics (their
//! scores are undefined) and counted as `unjudged`; a query with no result scores 0.

pub mod metrics;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::search::SearchRequest;

use metrics::Judgments;

/// One query of the set.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchQuery {
    pub qid: String,
    pub text: String,
    /// The query's language as the query file gives it (groups figures; a hint only with
    /// `use_query_lang`).
    pub lang: Option<String>,
}

/// Relevance judgments: query id → document id → grade.
pub type Qrels = HashMap<String, Judgments>;

/// Which form a qrels file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrelsFormat {
    /// `qid<TAB>docid[<TAB>grade]`
    Tsv,
    /// `qid 0 docid grade` (whitespace-separated)
    Trec,
}

/// A line that could not be read, with its 1-based number.
#[derive(Debug, Clone, PartialEq)]
pub struct LineProblem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {}: {}", self.file, self.line, self.message)
    }
}

fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Parses a query file: `qid<TAB>query[<TAB>lang]`, one per line; `#` lines are comments.
pub fn parse_queries(text: &str, origin: &str) -> (Vec<BenchQuery>, Vec<LineProblem>) {
    let mut out: Vec<BenchQuery> = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, l) in data_lines(text) {
        let mut problem = |message: String| {
            problems.push(LineProblem {
                file: origin.to_string(),
                line,
                message,
            })
        };
        let fields: Vec<&str> = l.split('\t').collect();
        if !(2..=3).contains(&fields.len()) {
            problem(format!(
                "expected qid<TAB>query[<TAB>lang], found {} tab-separated fields",
                fields.len()
            ));
            continue;
        }
        let qid = fields[0].trim();
        let q = fields[1].trim();
        if qid.is_empty() || q.is_empty() {
            problem("empty query id or query".into());
            continue;
        }
        if let Some(first) = seen.get(qid) {
            problem(format!(
                "query id {qid:?} already given on line {first}: this line is ignored"
            ));
            continue;
        }
        seen.insert(qid.to_string(), line);
        let lang = fields
            .get(2)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        out.push(BenchQuery {
            qid: qid.to_string(),
            text: q.to_string(),
            lang,
        });
    }
    (out, problems)
}

fn trec_fields(l: &str) -> Option<(&str, &str, i32)> {
    let f: Vec<&str> = l.split_whitespace().collect();
    if f.len() != 4 {
        return None;
    }
    let grade = f[3].parse::<i32>().ok()?;
    Some((f[0], f[2], grade))
}

fn tsv_fields(l: &str) -> std::result::Result<(&str, &str, i32), String> {
    let f: Vec<&str> = l.split('\t').map(str::trim).collect();
    let grade = match f.len() {
        2 => 1,
        3 => f[2]
            .parse::<i32>()
            .map_err(|_| format!("grade {:?} is not an integer", f[2]))?,
        n => {
            return Err(format!(
                "expected qid<TAB>docid[<TAB>grade], found {n} tab-separated fields"
            ))
        }
    };
    if f[0].is_empty() || f[1].is_empty() {
        return Err("empty query id or document id".into());
    }
    Ok((f[0], f[1], grade))
}

/// Parses qrels, TSV (`qid<TAB>docid[<TAB>grade]`, grade 1 when absent) or TREC
/// (`qid 0 docid grade`): the first readable line decides the form, later lines that do not fit
/// it are reported. None when no line could be read.
pub fn parse_qrels(text: &str, origin: &str) -> (Qrels, Option<QrelsFormat>, Vec<LineProblem>) {
    let mut qrels = Qrels::new();
    let mut problems = Vec::new();
    let mut format: Option<QrelsFormat> = None;
    for (line, l) in data_lines(text) {
        let parsed = match format {
            Some(QrelsFormat::Trec) => trec_fields(l).ok_or_else(|| {
                "expected TREC qrels `qid 0 docid grade` (the form of the first line)".to_string()
            }),
            Some(QrelsFormat::Tsv) => tsv_fields(l),
            None => match trec_fields(l) {
                Some(t) => {
                    format = Some(QrelsFormat::Trec);
                    Ok(t)
                }
                None => {
                    let r = tsv_fields(l);
                    if r.is_ok() {
                        format = Some(QrelsFormat::Tsv);
                    }
                    r.map_err(|e| format!("{e} (nor TREC `qid 0 docid grade`)"))
                }
            },
        };
        match parsed {
            Ok((qid, doc, grade)) => {
                qrels
                    .entry(qid.to_string())
                    .or_default()
                    .insert(doc.to_string(), grade);
            }
            Err(message) => problems.push(LineProblem {
                file: origin.to_string(),
                line,
                message,
            }),
        }
    }
    (qrels, format, problems)
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub fn read_queries(path: &Path) -> Result<(Vec<BenchQuery>, Vec<LineProblem>)> {
    Ok(parse_queries(
        &read_text(path)?,
        &path.display().to_string(),
    ))
}

pub fn read_qrels(path: &Path) -> Result<(Qrels, Option<QrelsFormat>, Vec<LineProblem>)> {
    Ok(parse_qrels(&read_text(path)?, &path.display().to_string()))
}

/// How to run the bench.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Results per query (the metrics' cut-offs are 10, and 100 when this is ≥ 100).
    pub limit: usize,
    /// Pass the query file's language to the search as the `query_lang` hint.
    pub use_query_lang: bool,
    /// Exactly this many untimed passes; None = until 20,000 queries or 15 s.
    pub warmup_passes: Option<usize>,
    /// Worker threads.
    pub concurrency: usize,
    /// Timed passes over the query set (default 1) …
    pub repeat: Option<usize>,
    /// … or timed passes for this long (the last pass may stop part-way).
    pub duration: Option<Duration>,
    /// Snippets and passages, as the CLI and the API make them (false = retrieval alone).
    pub snippets: bool,
    /// Facet counts (false = top hits and total only).
    pub facets: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            limit: 10,
            use_query_lang: false,
            warmup_passes: None,
            concurrency: 1,
            repeat: None,
            duration: None,
            snippets: true,
            facets: true,
        }
    }
}

/// The default warm-up: at least this many queries …
pub const WARMUP_QUERIES: usize = 20_000;
/// … or this long, whichever comes first.
pub const WARMUP_SECONDS: f64 = 15.0;

/// A query's answer: document ids and scores, best first (empty on an error).
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub hits: Vec<(String, f32)>,
    /// The query language the engine detected (None when unsure or when a hint was given).
    pub detected: Option<String>,
    pub error: Option<String>,
}

/// Latency and relevance figures of one group of queries (all, or one language).
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub queries: usize,
    pub timed: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Queries with judgments (the metrics' denominator).
    pub judged: usize,
    pub mrr10: f64,
    pub ndcg10: f64,
    pub recall10: f64,
    pub recall100: Option<f64>,
    /// Queries whose detected language equals the query file's (when it gives one).
    pub detected_same: usize,
}

/// Everything a bench run measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub index: PathBuf,
    pub limit: usize,
    pub concurrency: usize,
    pub snippets: bool,
    pub facets: bool,
    pub use_query_lang: bool,
    pub warmup_queries: usize,
    pub warmup_seconds: f64,
    pub timed_seconds: f64,
    pub qps: f64,
    pub overall: Figures,
    pub per_lang: BTreeMap<String, Figures>,
    /// Whether relevance was scored (qrels given).
    pub with_qrels: bool,
    /// Queries skipped in the metrics: no relevant document in the qrels.
    pub unjudged: Vec<String>,
    /// Query ids in the qrels that the query file does not have.
    pub qrels_without_query: usize,
    /// Queries the engine refused (they score 0).
    pub errors: Vec<(String, String)>,
    /// Per query (in query-file order), its answer.
    pub answers: Vec<Answer>,
}

/// The group a query's figures go to.
pub fn lang_group(q: &BenchQuery) -> String {
    q.lang.clone().unwrap_or_else(|| "none".into())
}

fn request(q: &BenchQuery, opts: &BenchOptions) -> SearchRequest {
    SearchRequest {
        q: q.text.clone(),
        query_lang: if opts.use_query_lang {
            q.lang.clone()
        } else {
            None
        },
        limit: opts.limit,
        snippets: opts.snippets,
        facets: opts.facets,
        ..SearchRequest::default()
    }
}

fn answer(engine: &Engine, req: &SearchRequest) -> Answer {
    match engine.search(req) {
        Ok(res) => Answer {
            hits: res.hits.into_iter().map(|h| (h.id, h.score)).collect(),
            detected: res.interpretation.detected,
            error: None,
        },
        Err(e) => Answer {
            error: Some(e.to_string()),
            ..Answer::default()
        },
    }
}

/// Runs the bench. `qrels` None = latency only.
pub fn run(
    engine: &Engine,
    queries: &[BenchQuery],
    qrels: Option<&Qrels>,
    opts: &BenchOptions,
) -> BenchReport {
    let n = queries.len();
    let threads = opts.concurrency.max(1);
    let requests: Vec<SearchRequest> = queries.iter().map(|q| request(q, opts)).collect();
    let answers: Vec<Mutex<Option<Answer>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let keep = |i: usize, a: Answer| {
        if let Ok(mut slot) = answers[i].lock() {
            if slot.is_none() {
                *slot = Some(a);
            }
        }
    };

    // Warm-up: untimed, the answers kept for the metrics.
    let warm_started = Instant::now();
    let warm_next = AtomicUsize::new(0);
    if n > 0 {
        let budget = opts.warmup_passes.map(|p| p * n);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = warm_next.fetch_add(1, Ordering::Relaxed);
                    let done = match budget {
                        Some(b) => i >= b,
                        // At least one whole pass, then until either bound is reached.
                        None => {
                            i >= n
                                && (i >= WARMUP_QUERIES
                                    || warm_started.elapsed().as_secs_f64() >= WARMUP_SECONDS)
                        }
                    };
                    if done {
                        break;
                    }
                    let a = answer(engine, &requests[i % n]);
                    if i < n {
                        keep(i, a);
                    }
                });
            }
        });
    }
    // Every thread's last ticket is the one that stopped it.
    let warmup_queries = if n > 0 {
        warm_next.load(Ordering::Relaxed).saturating_sub(threads)
    } else {
        0
    };
    let warmup_seconds = warm_started.elapsed().as_secs_f64();

    // Timed passes.
    let total = match (opts.duration, opts.repeat) {
        (Some(_), _) => usize::MAX,
        (None, Some(r)) => r.max(1).saturating_mul(n),
        (None, None) => n,
    };
    let deadline = opts.duration.map(|d| Instant::now() + d);
    let next = AtomicUsize::new(0);
    let timings: Mutex<Vec<(usize, f64)>> = Mutex::new(Vec::new());
    let timed_started = Instant::now();
    if n > 0 {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let mut local: Vec<(usize, f64)> = Vec::new();
                    loop {
                        if deadline.is_some_and(|d| Instant::now() >= d) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= total {
                            break;
                        }
                        let qi = i % n;
                        let t = Instant::now();
                        let a = answer(engine, &requests[qi]);
                        let ms = t.elapsed().as_secs_f64() * 1e3;
                        local.push((qi, ms));
                        keep(qi, a);
                    }
                    if let Ok(mut all) = timings.lock() {
                        all.extend(local);
                    }
                });
            }
        });
    }
    let timed_seconds = timed_started.elapsed().as_secs_f64();
    let timings = timings.into_inner().unwrap_or_default();
    let qps = if timed_seconds > 0.0 {
        timings.len() as f64 / timed_seconds
    } else {
        0.0
    };

    // Queries neither pass reached (a short --duration with --warmup 0): answered untimed.
    let answers: Vec<Answer> = answers
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            m.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| answer(engine, &requests[i]))
        })
        .collect();

    // Figures, overall and per language.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, q) in queries.iter().enumerate() {
        groups.entry(lang_group(q)).or_default().push(i);
    }
    let mut lat_by_query: Vec<Vec<f64>> = vec![Vec::new(); n];
    for (qi, ms) in &timings {
        lat_by_query[*qi].push(*ms);
    }
    let empty = Judgments::new();
    let figures = |members: &[usize]| -> Figures {
        let mut lat: Vec<f64> = members
            .iter()
            .flat_map(|&i| lat_by_query[i].iter().copied())
            .collect();
        lat.sort_by(|a, b| a.total_cmp(b));
        let mut f = Figures {
            queries: members.len(),
            timed: lat.len(),
            p50_ms: metrics::percentile(&lat, 50.0),
            p95_ms: metrics::percentile(&lat, 95.0),
            p99_ms: metrics::percentile(&lat, 99.0),
            max_ms: lat.last().copied().unwrap_or(0.0),
            ..Figures::default()
        };
        f.detected_same = members
            .iter()
            .filter(|&&i| queries[i].lang.is_some() && answers[i].detected == queries[i].lang)
            .count();
        if let Some(qrels) = qrels {
            let (mut rr, mut nd, mut r10, mut r100) = (0.0, 0.0, 0.0, 0.0);
            for &i in members {
                let j = qrels.get(&queries[i].qid).unwrap_or(&empty);
                if !metrics::has_relevant(j) {
                    continue;
                }
                let ranked: Vec<String> = answers[i].hits.iter().map(|(d, _)| d.clone()).collect();
                f.judged += 1;
                rr += metrics::rr_at(&ranked, j, 10);
                nd += metrics::ndcg_at(&ranked, j, 10);
                r10 += metrics::recall_at(&ranked, j, 10);
                r100 += metrics::recall_at(&ranked, j, 100);
            }
            let d = f.judged.max(1) as f64;
            f.mrr10 = rr / d;
            f.ndcg10 = nd / d;
            f.recall10 = r10 / d;
            f.recall100 = (opts.limit >= 100).then_some(r100 / d);
        }
        f
    };
    let all: Vec<usize> = (0..n).collect();
    let overall = figures(&all);
    let per_lang: BTreeMap<String, Figures> = groups
        .iter()
        .map(|(g, m)| (g.clone(), figures(m)))
        .collect();

    let (unjudged, qrels_without_query) = match qrels {
        Some(qrels) => {
            let unjudged = queries
                .iter()
                .filter(|q| !qrels.get(&q.qid).is_some_and(metrics::has_relevant))
                .map(|q| q.qid.clone())
                .collect();
            let known: std::collections::HashSet<&str> =
                queries.iter().map(|q| q.qid.as_str()).collect();
            let extra = qrels.keys().filter(|k| !known.contains(k.as_str())).count();
            (unjudged, extra)
        }
        None => (Vec::new(), 0),
    };
    let errors = queries
        .iter()
        .zip(&answers)
        .filter_map(|(q, a)| a.error.clone().map(|e| (q.qid.clone(), e)))
        .collect();

    BenchReport {
        index: engine.dir().to_path_buf(),
        limit: opts.limit,
        concurrency: threads,
        snippets: opts.snippets,
        facets: opts.facets,
        use_query_lang: opts.use_query_lang,
        warmup_queries,
        warmup_seconds,
        timed_seconds,
        qps,
        overall,
        per_lang,
        with_qrels: qrels.is_some(),
        unjudged,
        qrels_without_query,
        errors,
        answers,
    }
}

fn r3(x: f64) -> Value {
    json!((x * 1000.0).round() / 1000.0)
}

fn r4(x: f64) -> Value {
    json!((x * 10000.0).round() / 10000.0)
}

impl BenchReport {
    fn figures_json(&self, f: &Figures, top: bool) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("queries".into(), json!(f.queries));
        if !top {
            m.insert("timed".into(), json!(f.timed));
        }
        m.insert("p50_ms".into(), r3(f.p50_ms));
        m.insert("p95_ms".into(), r3(f.p95_ms));
        m.insert("p99_ms".into(), r3(f.p99_ms));
        m.insert("max_ms".into(), r3(f.max_ms));
        if self.with_qrels {
            m.insert("judged".into(), json!(f.judged));
            m.insert("mrr@10".into(), r4(f.mrr10));
            m.insert("ndcg@10".into(), r4(f.ndcg10));
            m.insert("recall@10".into(), r4(f.recall10));
            if let Some(r) = f.recall100 {
                m.insert("recall@100".into(), r4(r));
            }
        }
        m.insert("query_lang_detected".into(), json!(f.detected_same));
        m
    }

    /// The report as one JSON object (`--json`).
    pub fn to_json(&self) -> Value {
        let mut m = self.figures_json(&self.overall, true);
        // `queries`, `p50_ms` … first; then the rest.
        m.insert("qps".into(), json!((self.qps * 10.0).round() / 10.0));
        let per: Map<String, Value> = self
            .per_lang
            .iter()
            .map(|(k, f)| (k.clone(), Value::Object(self.figures_json(f, false))))
            .collect();
        m.insert("per_lang".into(), Value::Object(per));
        m.insert("timed_queries".into(), json!(self.overall.timed));
        m.insert("timed_seconds".into(), r3(self.timed_seconds));
        m.insert("warmup_queries".into(), json!(self.warmup_queries));
        m.insert("warmup_seconds".into(), r3(self.warmup_seconds));
        m.insert("concurrency".into(), json!(self.concurrency));
        m.insert("limit".into(), json!(self.limit));
        m.insert("snippets".into(), json!(self.snippets));
        m.insert("facets".into(), json!(self.facets));
        m.insert("use_query_lang".into(), json!(self.use_query_lang));
        m.insert("index".into(), json!(self.index.display().to_string()));
        if self.with_qrels {
            m.insert("unjudged".into(), json!(self.unjudged.len()));
            m.insert(
                "qrels_without_query".into(),
                json!(self.qrels_without_query),
            );
        }
        m.insert("errors".into(), json!(self.errors.len()));
        Value::Object(m)
    }

    /// The report as a table (the default output).
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let label = if self.use_query_lang {
            "  [--use-query-lang: the query file's language given as the hint, not detected]"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "bench: {} queries on {}, top {}, snippets {}, facets {}, {} worker thread{}{}",
            self.overall.queries,
            self.index.display(),
            self.limit,
            if self.snippets { "on" } else { "off" },
            if self.facets { "on" } else { "off" },
            self.concurrency,
            if self.concurrency == 1 { "" } else { "s" },
            label
        );
        let _ = writeln!(
            s,
            "warm-up: {} queries in {:.1} s; timed: {} queries in {:.2} s",
            self.warmup_queries, self.warmup_seconds, self.overall.timed, self.timed_seconds
        );
        let o = &self.overall;
        let _ = writeln!(
            s,
            "latency ms: p50 {:.3}  p95 {:.3}  p99 {:.3}  max {:.3}   throughput: {:.1} queries/s",
            o.p50_ms, o.p95_ms, o.p99_ms, o.max_ms, self.qps
        );
        let r100 = self.limit >= 100;
        let mut head = format!(
            "{:<6} {:>7} {:>8} {:>8}",
            "lang", "queries", "p50 ms", "p95 ms"
        );
        if self.with_qrels {
            head.push_str(&format!(" {:>7} {:>7} {:>7}", "MRR@10", "nDCG@10", "R@10"));
            if r100 {
                head.push_str(&format!(" {:>7}", "R@100"));
            }
        }
        head.push_str(&format!(" {:>9}", "detected"));
        let _ = writeln!(s, "{head}");
        let row = |name: &str, f: &Figures| {
            let mut r = format!(
                "{:<6} {:>7} {:>8.3} {:>8.3}",
                name, f.queries, f.p50_ms, f.p95_ms
            );
            if self.with_qrels {
                r.push_str(&format!(
                    " {:>7.4} {:>7.4} {:>7.4}",
                    f.mrr10, f.ndcg10, f.recall10
                ));
                if let Some(x) = f.recall100 {
                    r.push_str(&format!(" {x:>7.4}"));
                }
            }
            let share = if f.queries > 0 {
                f.detected_same as f64 / f.queries as f64
            } else {
                0.0
            };
            r.push_str(&format!(" {:>8.0}%", share * 100.0));
            r
        };
        let _ = writeln!(s, "{}", row("all", o));
        for (k, f) in &self.per_lang {
            let _ = writeln!(s, "{}", row(k, f));
        }
        if self.with_qrels {
            let _ = writeln!(
                s,
                "metrics over {} judged queries; {} without a relevant document skipped; {} qrels queries not in the query file",
                o.judged,
                self.unjudged.len(),
                self.qrels_without_query
            );
        }
        let _ = writeln!(
            s,
            "(\"detected\": share of queries whose language the engine detected as the query file's)"
        );
        if !self.errors.is_empty() {
            let _ = writeln!(
                s,
                "{} queries refused by the engine (scored 0)",
                self.errors.len()
            );
        }
        s
    }

    /// The answers as a TREC run (`qid Q0 docid rank score ngo-search`). trec_eval re-sorts a
    /// run by score and breaks ties by document id, so tied scores are written (at least) 1e-4 apart to
    /// keep the engine's order: any standard scorer then reproduces the bench's figures.
    pub fn trec_run(&self, queries: &[BenchQuery]) -> String {
        let mut s = String::new();
        for (q, a) in queries.iter().zip(&self.answers) {
            let mut prev: Option<f64> = None;
            for (rank, (doc, score)) in a.hits.iter().enumerate() {
                let round = |x: f64| (x * 1e4).round() / 1e4;
                let mut v = round(*score as f64);
                if let Some(p) = prev {
                    if v >= p {
                        // A step that single-precision readers (pytrec_eval) still tell apart.
                        v = round(p - (p.abs() * 1e-6).max(1e-4));
                    }
                }
                prev = Some(v);
                s.push_str(&format!(
                    "{} Q0 {} {} {:.4} ngo-search\n",
                    q.qid,
                    trec_id(doc),
                    rank + 1,
                    v
                ));
            }
        }
        s
    }
}

/// TREC files are whitespace-separated: an id with spaces cannot be written as it is.
fn trec_id(id: &str) -> String {
    if id.chars().any(char::is_whitespace) {
        id.split_whitespace().collect::<Vec<_>>().join("_")
    } else {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_file_lines_and_problems() {
        let text = "q1\tklimata izmaiņas\tlv\n\n# comment\nq2\tclimate\nbroken line\nq1\tagain\tlv\nq3\t\ten\n";
        let (qs, problems) = parse_queries(text, "q.tsv");
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].lang.as_deref(), Some("lv"));
        assert_eq!(qs[1].lang, None);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [5, 6, 7]);
        assert!(problems[0].to_string().starts_with("q.tsv: line 5:"));
    }

    #[test]
    fn qrels_tsv_with_and_without_grades() {
        let (q, f, p) = parse_qrels("q1\td1\nq1\td2\t2\nq2\td3\t0\nq2 d4\n", "r.tsv");
        assert_eq!(f, Some(QrelsFormat::Tsv));
        assert_eq!(q["q1"]["d1"], 1);
        assert_eq!(q["q1"]["d2"], 2);
        assert_eq!(q["q2"]["d3"], 0);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, 4);
    }

    #[test]
    fn qrels_trec_detected() {
        let (q, f, p) = parse_qrels("q1 0 d1 1\nq1 0 d2 0\nq2\t0\td3\t2\nq3 0 d4\n", "r.trec");
        assert_eq!(f, Some(QrelsFormat::Trec));
        assert_eq!(q["q1"].len(), 2);
        assert_eq!(q["q2"]["d3"], 2);
        assert_eq!(p.iter().map(|p| p.line).collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn trec_run_keeps_order_on_ties() {
        let report = BenchReport {
            index: PathBuf::from("x"),
            limit: 10,
            concurrency: 1,
            snippets: false,
            facets: true,
            use_query_lang: false,
            warmup_queries: 0,
            warmup_seconds: 0.0,
            timed_seconds: 0.0,
            qps: 0.0,
            overall: Figures::default(),
            per_lang: BTreeMap::new(),
            with_qrels: false,
            unjudged: vec![],
            qrels_without_query: 0,
            errors: vec![],
            answers: vec![Answer {
                hits: vec![("b".into(), 2.5), ("a".into(), 2.5), ("c d".into(), 1.0)],
                ..Answer::default()
            }],
        };
        let q = vec![BenchQuery {
            qid: "q1".into(),
            text: "x".into(),
            lang: None,
        }];
        assert_eq!(
            report.trec_run(&q),
            "q1 Q0 b 1 2.5000 ngo-search\nq1 Q0 a 2 2.4999 ngo-search\nq1 Q0 c_d 3 1.0000 ngo-search\n"
        );
    }
}
