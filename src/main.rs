//! The `ngo-search` command: parses arguments, calls the library, prints.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use ngo_search::{search::Sort, Config, Engine, IngestOptions, Lang, SearchRequest};

/// mimalloc instead of the system allocator: ingest and search allocate many small, short-lived
/// strings (terms, lines, JSON values) across threads, where glibc's malloc spent ~10 % of CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Multilingual full-text search for the documents of civil-society organisations.
///
/// Without a command, serves search over ./corpus on http://127.0.0.1:7700, indexing it first
/// if the index is missing or empty.
#[derive(Parser)]
#[command(name = "ngo-search", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Args, Clone)]
struct IndexArg {
    /// Index directory.
    #[arg(long, env = "NGO_SEARCH_INDEX", default_value = ngo_search::DEFAULT_INDEX_DIR)]
    index: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API, the search page (/) and the embeddable widget (/widget.js).
    ///
    /// Writes (POST/DELETE /documents) need NGO_SEARCH_ADMIN_KEY; reads are public unless
    /// NGO_SEARCH_READ_KEY is set. `ngo-search` without a command is `serve --corpus corpus`.
    Serve(ServeArgs),
    /// Add files and folders to the index (created if missing): .txt .md .html .jsonl[.gz] .pdf .docx .odt .warc[.gz]
    ///
    /// Documents are identified by their path relative to the folder given (or the JSONL "id");
    /// ingesting an id again replaces the document. Problems with single files or lines are
    /// reported and the rest of the batch is still indexed.
    Index {
        #[command(flatten)]
        index: IndexArg,
        /// Analysis settings for a new index (TOML; default: the built-in index-config/default.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Commit every N documents (overrides ingest.commit_every).
        #[arg(long)]
        commit_every: Option<usize>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Files or folders (read recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Search the index.
    ///
    /// Syntax: plain words, "quoted phrases", -excluded words. The query is read in every
    /// enabled language; --query-lang boosts one reading, --lang filters documents.
    Search(SearchArgs),
    /// Show what analysis makes of a text (the same code as indexing and queries).
    Analyze {
        /// Language to analyse in (default: detected).
        #[arg(long)]
        lang: Option<String>,
        #[arg(long)]
        json: bool,
        text: Vec<String>,
    },
    /// Rebuild the index with new analysis settings beside the old one, then switch atomically.
    ///
    /// Reads every stored document of the index and analyses it again with --config (default:
    /// the config the index was built with, e.g. after an analyzer upgrade) into a new generation
    /// `DIR/gen-NNNN`, then points `DIR/CURRENT` at it in one atomic rename. Until then every
    /// reader (search, a read-only server) answers from the old index; writers are refused. An
    /// interrupted reindex leaves the old index as it was.
    Reindex {
        #[command(flatten)]
        index: IndexArg,
        /// The new analysis settings (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Commit the new generation every N documents (progress is printed at each commit).
        #[arg(long)]
        commit_every: Option<usize>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Index statistics: documents, languages, segments, bytes.
    Stats {
        #[command(flatten)]
        index: IndexArg,
        #[arg(long)]
        json: bool,
    },
    /// Measure query latency and throughput, and with relevance judgments MRR@10, nDCG@10 and
    /// recall, overall and per query language.
    ///
    /// Queries: TSV `qid<TAB>query[<TAB>lang]`; qrels: TSV `qid<TAB>docid[<TAB>grade]` or TREC
    /// `qid 0 docid grade` (detected). Warm-up: untimed passes until 20,000 queries or 15 s (or
    /// exactly --warmup N passes), then one timed pass per query (or --repeat / --duration).
    Bench(BenchArgs),
    /// Measure language identification on a TSV of `lang<TAB>bucket<TAB>id<TAB>text`.
    EvalLangid { file: PathBuf },
    /// Write a seeded synthetic multilingual corpus (JSONL, gzip if FILE ends in .gz) for
    /// benchmarks: real words of 12 languages with Zipf frequencies, page-like sizes.
    GenCorpus {
        /// Number of documents.
        #[arg(long, default_value_t = 100_000)]
        docs: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// Word lists `<code>.txt` to use instead of the compiled-in benches/words/.
        #[arg(long)]
        words: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct SearchArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Only documents with text in these languages (comma-separated codes, e.g. lv,nb).
    #[arg(long)]
    lang: Option<String>,
    /// The query's language, if known: boosts that reading, never hides the others.
    #[arg(long)]
    query_lang: Option<String>,
    /// Only documents of this organisation.
    #[arg(long)]
    org: Option<String>,
    /// Only documents dated on or after (YYYY, YYYY-MM, YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Only documents dated on or before.
    #[arg(long)]
    to: Option<String>,
    #[arg(long, value_enum, default_value = "relevance")]
    sort: SortArg,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Read the last word as a prefix.
    #[arg(long)]
    prefix: bool,
    /// Tolerate one typo in words of 5+ letters (0 or 1).
    #[arg(long, default_value_t = 0)]
    typos: u8,
    /// Leave out the facet counts (languages, organisations).
    #[arg(long)]
    no_facets: bool,
    /// Print the answer as JSON (the same shape as the HTTP API).
    #[arg(long)]
    json: bool,
    /// The query.
    #[arg(required = true)]
    query: Vec<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Date,
}

fn main() {
    ngo_search::allocator::tune();
    // Printing into a closed pipe (`ngo-search search … | head`) ends quietly, like other
    // Unix tools, instead of panicking in println!.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info.to_string();
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,tantivy=warn,lopdf=off,pdf_extract=off")
            }),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => cmd_serve(ServeArgs::default_run()),
        Some(Command::Serve(args)) => cmd_serve(args),
        Some(Command::Index {
            index,
            config,
            commit_every,
            json,
            paths,
        }) => cmd_index(&index.index, config, commit_every, json, &paths),
        Some(Command::Search(args)) => cmd_search(args),
        Some(Command::Analyze { lang, json, text }) => cmd_analyze(lang, json, &text.join(" ")),
        Some(Command::Stats { index, json }) => {
            let engine = Engine::open(&index.index)?;
            let stats = engine.stats()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                println!("documents: {}", stats.documents);
                let langs: Vec<String> = stats
                    .languages
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect();
                println!("languages: {}", langs.join(", "));
                println!("segments:  {}", stats.segments);
                println!("bytes:     {}", stats.bytes);
                println!("snapshot:  {}", stats.snapshot);
            }
            Ok(())
        }
        Some(Command::Reindex {
            index,
            config,
            commit_every,
            json,
        }) => cmd_reindex(&index.index, config, commit_every, json),
        Some(Command::Bench(args)) => cmd_bench(args),
        Some(Command::EvalLangid { file }) => {
            let config = Config::default_config();
            let detector = ngo_search::lang::Detector::new(&config.enabled_langs());
            let report = ngo_search::lang::eval::evaluate_langid(&file, &detector)
                .with_context(|| format!("reading {}", file.display()))?;
            println!("{report}");
            Ok(())
        }
        Some(Command::GenCorpus {
            docs,
            seed,
            out,
            words,
        }) => {
            let gen = ngo_search::synth::generator(seed, words.as_ref())?;
            let stats = ngo_search::synth::write_corpus(&gen, docs, &out)
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "wrote {} documents ({:.1} MB of text, {:.1} MB file) to {} in {:.1} s",
                stats.docs,
                stats.text_bytes as f64 / 1e6,
                stats.file_bytes as f64 / 1e6,
                out.display(),
                stats.seconds
            );
            Ok(())
        }
    }
}

fn cmd_reindex(
    dir: &std::path::Path,
    config: Option<PathBuf>,
    commit_every: Option<usize>,
    json: bool,
) -> Result<()> {
    let config = config.map(|p| Config::load(&p)).transpose()?;
    let opts = ngo_search::reindex::ReindexOptions {
        config,
        commit_every,
        report_progress: true,
    };
    let report = ngo_search::reindex::reindex(dir, &opts)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    for p in &report.problems {
        eprintln!("{p}");
    }
    println!(
        "reindexed {} documents in {:.2} s: {} is now live (the previous generation, {}, removed)",
        report.documents,
        report.seconds,
        report.current.display(),
        report.previous.display()
    );
    if report.analysis_before != report.analysis_after {
        println!(
            "analysis: {} -> {}",
            report.analysis_before, report.analysis_after
        );
    }
    Ok(())
}

fn cmd_index(
    dir: &std::path::Path,
    config: Option<PathBuf>,
    commit_every: Option<usize>,
    json: bool,
    paths: &[PathBuf],
) -> Result<()> {
    let config = config.map(|p| Config::load(&p)).transpose()?;
    let engine = Engine::open_or_create(dir, config.as_ref())?;
    let mut writer = engine.writer()?;
    let opts = IngestOptions {
        progress: !json,
        commit_every,
        report_commits: true,
    };
    let report = ngo_search::ingest_paths(&engine, &mut writer, paths, &opts)?;
    writer.finish()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    for p in &report.problems {
        eprintln!("{p}");
    }
    let langs: Vec<String> = {
        let mut v: Vec<(&String, &u64)> = report.languages.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter().map(|(k, n)| format!("{k} {n}")).collect()
    };
    println!(
        "indexed {} documents ({} paragraphs, {:.1} MB of text) from {} files in {:.2} s: {:.1} MB/s",
        report.documents,
        report.paragraphs,
        report.text_bytes as f64 / 1e6,
        report.files,
        report.seconds,
        report.mb_per_s()
    );
    println!("languages: {}", langs.join(", "));
    let skipped = report
        .problems
        .iter()
        .filter(|p| p.severity == ngo_search::read::Severity::Skipped)
        .count();
    if report.errors() > 0 || skipped > 0 {
        println!(
            "problems: {} errors, {} skipped (listed above)",
            report.errors(),
            skipped
        );
    }
    println!(
        "index: {} ({} documents)",
        dir.display(),
        engine.searcher().num_docs()
    );
    Ok(())
}

fn cmd_search(a: SearchArgs) -> Result<()> {
    let engine = Engine::open(&a.index.index)?;
    let color = std::io::stdout().is_terminal();
    let (pre, post) = if a.json {
        ("<mark>", "</mark>")
    } else if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let req = SearchRequest {
        q: a.query.join(" "),
        lang: a.lang,
        query_lang: a.query_lang,
        org: a.org,
        from: a.from,
        to: a.to,
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        limit: a.limit,
        offset: a.offset,
        highlight_pre: pre.into(),
        highlight_post: post.into(),
        prefix: a.prefix,
        typos: a.typos,
        facets: !a.no_facets,
        ..SearchRequest::default()
    };
    let res = engine.search(&req)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&res)?);
        return Ok(());
    }
    let facets: Vec<String> = res
        .facets
        .lang
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!(
        "{} results in {:.1} ms  [{}]",
        res.total,
        res.took_ms,
        facets.join(", ")
    );
    for (i, h) in res.hits.iter().enumerate() {
        println!(
            "{:>3}. {}  {}  [{}]  {:.3}",
            req.offset + i + 1,
            h.id,
            h.title,
            h.langs.join(","),
            h.score
        );
        println!("     {}", unescape(&h.snippet));
    }
    Ok(())
}

/// The snippet is HTML for the web; the terminal wants the characters back.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn cmd_analyze(lang: Option<String>, json: bool, text: &str) -> Result<()> {
    let config = Config::default_config();
    let enabled = config.enabled_langs();
    let analyzer = ngo_search::analysis::Analyzer::new(&config);
    let lang = match lang {
        Some(code) => Lang::from_code(&code)
            .filter(|l| *l == Lang::Und || enabled.contains(l))
            .with_context(|| {
                format!(
                    "--lang: unknown or disabled language {code:?}; enabled: {}",
                    enabled
                        .iter()
                        .map(|l| l.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
        None => ngo_search::lang::Detector::new(&enabled)
            .detect(text)
            .map(|d| d.lang)
            .unwrap_or(Lang::Und),
    };
    let out = analyzer.explain(text, lang);
    if json {
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("lang: {}", out.lang);
        for t in &out.tokens {
            match &t.folded {
                Some(f) => println!("{:>5}..{:<5} {}  (folded: {f})", t.start, t.end, t.token),
                None => println!("{:>5}..{:<5} {}", t.start, t.end, t.token),
            }
        }
    }
    Ok(())
}

#[derive(clap::Args)]
struct BenchArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Queries: `qid<TAB>query[<TAB>lang]` per line.
    #[arg(long)]
    queries: PathBuf,
    /// Relevance judgments: `qid<TAB>docid[<TAB>grade]` or TREC `qid 0 docid grade`.
    #[arg(long)]
    qrels: Option<PathBuf>,
    /// Give each query's `lang` column to the search as its --query-lang hint (figures are
    /// labelled so; without it the language is detected, as for a user's query).
    #[arg(long)]
    use_query_lang: bool,
    /// Results per query (Recall@100 is reported from 100).
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Exactly N untimed passes over the queries (default: until 20,000 queries or 15 s).
    #[arg(long)]
    warmup: Option<usize>,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Time passes over the queries for this many seconds …
    #[arg(long, conflicts_with = "repeat")]
    duration: Option<f64>,
    /// … or time N passes (default 1).
    #[arg(long)]
    repeat: Option<usize>,
    /// Time retrieval alone, without snippets and passages.
    #[arg(long)]
    no_snippets: bool,
    /// Without facet counts (the work raw tantivy's top 10 + total does).
    #[arg(long)]
    no_facets: bool,
    /// Write the answers as a TREC run file (`qid Q0 docid rank score ngo-search`).
    #[arg(long)]
    trec_out: Option<PathBuf>,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

fn cmd_bench(a: BenchArgs) -> Result<()> {
    use ngo_search::bench;
    let engine = Engine::open(&a.index.index)?;
    let (queries, problems) = bench::read_queries(&a.queries)?;
    for p in &problems {
        eprintln!("{p}");
    }
    anyhow::ensure!(
        !queries.is_empty(),
        "{}: no queries could be read",
        a.queries.display()
    );
    let qrels = match &a.qrels {
        Some(path) => {
            let (qrels, format, problems) = bench::read_qrels(path)?;
            for p in &problems {
                eprintln!("{p}");
            }
            anyhow::ensure!(
                format.is_some(),
                "{}: no judgments could be read",
                path.display()
            );
            Some(qrels)
        }
        None => None,
    };
    if let Some(d) = a.duration {
        anyhow::ensure!(
            d.is_finite() && d > 0.0,
            "--duration must be a positive number of seconds"
        );
    }
    let max_limit = engine.config().limits.max_limit;
    anyhow::ensure!(
        (1..=max_limit).contains(&a.limit),
        "--limit must be between 1 and {max_limit}"
    );
    let opts = bench::BenchOptions {
        limit: a.limit,
        use_query_lang: a.use_query_lang,
        warmup_passes: a.warmup,
        concurrency: a.concurrency.max(1),
        repeat: a.repeat,
        duration: a.duration.map(std::time::Duration::from_secs_f64),
        snippets: !a.no_snippets,
        facets: !a.no_facets,
    };
    let report = bench::run(&engine, &queries, qrels.as_ref(), &opts);
    if let Some(path) = &a.trec_out {
        std::fs::write(path, report.trec_run(&queries))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    for (qid, e) in report.errors.iter().take(5) {
        eprintln!("query {qid}: {e}");
    }
    if !report.unjudged.is_empty() {
        let some: Vec<&str> = report.unjudged.iter().take(5).map(String::as_str).collect();
        eprintln!(
            "{} queries have no relevant document in the qrels and are skipped in the metrics (e.g. {})",
            report.unjudged.len(),
            some.join(", ")
        );
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

#[derive(clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Address to listen on.
    #[arg(long, env = "NGO_SEARCH_ADDR", default_value = ngo_search::server::DEFAULT_ADDR)]
    addr: String,
    /// Index this folder first if the index is missing or empty.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Origins allowed to read cross-origin (repeat or comma-separate; default: any origin).
    /// Writes are never allowed cross-origin.
    #[arg(long = "cors-origin", value_name = "ORIGIN", num_args = 1.., value_delimiter = ',')]
    cors_origin: Vec<String>,
    /// Largest request body, in MiB (larger: 413).
    #[arg(long, default_value_t = 32)]
    max_body_mb: usize,
    /// Requests per second per client address without the admin key (burst: twice that; 0 = off).
    #[arg(long, default_value_t = 200.0)]
    rate_limit: f64,
    /// Longest a request may take, in seconds (then 503).
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
    /// With writes enabled: give up the index's writer lock after this many seconds without
    /// writes, so `ngo-search reindex` can run while the server answers (the next write takes
    /// it again).
    #[arg(long, default_value_t = 10)]
    writer_idle_secs: u64,
    /// Memory for answers to repeated searches, in MiB (0 = off). An answer is kept with the
    /// index snapshot it came from: a commit or reindex makes it unreachable, so a cached answer
    /// is always the one a fresh search would give.
    #[arg(long, default_value_t = 64)]
    result_cache_mb: usize,
}

impl ServeArgs {
    /// `cargo run` / `ngo-search` alone: serve ./corpus (indexed first if needed) with defaults.
    fn default_run() -> ServeArgs {
        ServeArgs {
            index: IndexArg {
                index: std::env::var_os("NGO_SEARCH_INDEX")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from(ngo_search::DEFAULT_INDEX_DIR)),
            },
            addr: std::env::var("NGO_SEARCH_ADDR")
                .unwrap_or_else(|_| ngo_search::server::DEFAULT_ADDR.into()),
            corpus: Some(PathBuf::from("corpus")),
            cors_origin: Vec::new(),
            max_body_mb: 32,
            rate_limit: 200.0,
            timeout_secs: 30,
            writer_idle_secs: 10,
            result_cache_mb: 64,
        }
    }
}

fn cmd_serve(a: ServeArgs) -> Result<()> {
    ngo_search::allocator::tune_for_serving();
    anyhow::ensure!(a.max_body_mb >= 1, "--max-body-mb must be at least 1");
    anyhow::ensure!(a.timeout_secs >= 1, "--timeout-secs must be at least 1");
    anyhow::ensure!(
        a.rate_limit.is_finite() && a.rate_limit >= 0.0,
        "--rate-limit must be 0 (off) or more"
    );
    let opts = ngo_search::server::ServeOptions {
        index: a.index.index,
        addr: a.addr,
        corpus: a.corpus,
        cors_origins: a.cors_origin,
        max_body_bytes: a.max_body_mb << 20,
        rate_limit: a.rate_limit,
        rate_burst: a.rate_limit * 2.0,
        timeout: std::time::Duration::from_secs(a.timeout_secs),
        writer_idle: std::time::Duration::from_secs(a.writer_idle_secs),
        result_cache_bytes: a.result_cache_mb.saturating_mul(1 << 20),
        ..Default::default()
    }
    .keys_from_env();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(ngo_search::server::run(opts))
}
