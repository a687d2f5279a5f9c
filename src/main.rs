//! The `ngo-search` command: parses arguments, calls the library, prints.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use ngo_search::{search::Sort, Config, Engine, IngestOptions, Lang, SearchRequest};

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
    /// Add files and folders to the index (created if missing): .txt .md .html .jsonl[.gz] …
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
    /// Index statistics: documents, languages, segments, bytes.
    Stats {
        #[command(flatten)]
        index: IndexArg,
        #[arg(long)]
        json: bool,
    },
    /// Measure language identification on a TSV of `lang<TAB>bucket<TAB>id<TAB>text`.
    EvalLangid { file: PathBuf },
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
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn")),
        )
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
        None => {
            eprintln!("ngo-search: no command given; `ngo-search --help` lists them");
            Ok(())
        }
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
        Some(Command::EvalLangid { file }) => {
            let config = Config::default_config();
            let detector = ngo_search::lang::Detector::new(&config.enabled_langs());
            let report = ngo_search::lang::eval::evaluate_langid(&file, &detector)
                .with_context(|| format!("reading {}", file.display()))?;
            println!("{report}");
            Ok(())
        }
    }
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
