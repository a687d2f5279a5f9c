//! The HTTP service (`ngo-search serve`, and `cargo run` without a command).
//!
//! [`router`] builds the axum app over an [`AppState`] (the engine, the single writer, the
//! options); [`serve`] runs it on a listener until a shutdown signal and then commits what is
//! pending; [`run`] is the whole command: prepare the index, bind, print the URL, serve until
//! SIGINT/SIGTERM. Tests and the load bench call [`router`]/[`serve`] in-process.
//!
//! While it serves, a watcher follows `ngo-search reindex`: the old generation answers until the
//! new one is complete and named by `CURRENT`, then requests move to the new one (those already
//! running finish on the old). A server with writes enabled lets go of the index's writer lock
//! after [`ServeOptions::writer_idle`] without writes, so a reindex (or another writer) can run
//! beside it; the next write takes the lock again.

pub mod auth;
pub mod error;
pub mod openapi;
pub mod routes;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::engine::{Engine, Writer};
use crate::error::Error;
use crate::search::cache::ResultCache;
use auth::{Key, RateLimiter};
use error::ApiError;

/// Address served when none is given.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7700";

/// Everything `serve` can be told.
#[derive(Clone)]
pub struct ServeOptions {
    pub index: PathBuf,
    /// `HOST:PORT` to listen on.
    pub addr: String,
    /// Index this folder first when the index is missing or empty.
    pub corpus: Option<PathBuf>,
    /// Origins allowed to read cross-origin (`*` or empty = any).
    pub cors_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// Requests/s per client without the admin key (0 = no limit).
    pub rate_limit: f64,
    /// Requests a client may make at once before the rate applies.
    pub rate_burst: f64,
    /// Longest a request may take.
    pub timeout: Duration,
    /// NGO_SEARCH_ADMIN_KEY: enables writes.
    pub admin_key: Option<String>,
    /// NGO_SEARCH_READ_KEY: makes reads private.
    pub read_key: Option<String>,
    /// How often the server looks for a reindexed generation and an idle writer.
    pub watch_interval: Duration,
    /// How long the writer lock is kept after the last write.
    pub writer_idle: Duration,
    /// Bytes of search answers kept for repeated requests (0 = none; see
    /// [`crate::search::cache`]).
    pub result_cache_bytes: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            index: PathBuf::from(crate::engine::DEFAULT_INDEX_DIR),
            addr: DEFAULT_ADDR.into(),
            corpus: None,
            cors_origins: Vec::new(),
            max_body_bytes: 32 << 20,
            rate_limit: 200.0,
            rate_burst: 400.0,
            timeout: Duration::from_secs(30),
            admin_key: None,
            read_key: None,
            watch_interval: Duration::from_secs(1),
            writer_idle: Duration::from_secs(10),
            result_cache_bytes: 64 << 20,
        }
    }
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |k: &Option<String>| if k.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("ServeOptions")
            .field("index", &self.index)
            .field("addr", &self.addr)
            .field("corpus", &self.corpus)
            .field("cors_origins", &self.cors_origins)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_limit", &self.rate_limit)
            .field("rate_burst", &self.rate_burst)
            .field("timeout", &self.timeout)
            .field("admin_key", &set(&self.admin_key))
            .field("read_key", &set(&self.read_key))
            .field("watch_interval", &self.watch_interval)
            .field("writer_idle", &self.writer_idle)
            .field("result_cache_bytes", &self.result_cache_bytes)
            .finish()
    }
}

impl ServeOptions {
    /// Fills the keys from NGO_SEARCH_ADMIN_KEY / NGO_SEARCH_READ_KEY (empty = unset).
    pub fn keys_from_env(mut self) -> ServeOptions {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        self.admin_key = get("NGO_SEARCH_ADMIN_KEY");
        self.read_key = get("NGO_SEARCH_READ_KEY");
        self
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// The generation being served; replaced when a reindex switches `CURRENT`.
    engine: RwLock<Arc<Engine>>,
    /// The index's single writer: taken at start when writes are enabled, given up when idle,
    /// taken again by the next write. While it is held the generation cannot change (a reindex
    /// needs its lock).
    writer: Mutex<Option<Writer>>,
    last_write: Mutex<Instant>,
    pub opts: ServeOptions,
    pub limiter: RateLimiter,
    pub admin_key: Option<Key>,
    pub read_key: Option<Key>,
    pub openapi: String,
    /// Answers to repeated searches, keyed by request and index snapshot.
    pub results: ResultCache,
    /// Searches running at once (see [`search_slots`]).
    pub searches: tokio::sync::Semaphore,
    any_origin: bool,
}

/// Searches that run at once: two per core (answers from the result cache do not wait). The
/// others wait their turn, first come first served, instead of each getting a blocking thread and
/// a slice of the cores: with 32 clients on 2 cores every answer then took as long as the
/// slowest. On dev-eval (32 clients, result cache off) p99 fell from 107 to 43 ms and throughput
/// rose 5 %; one per core kept the cores idle while answers were serialised and sent.
fn search_slots() -> usize {
    2 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl AppState {
    /// Takes the index's writer when writes are enabled; if another process holds it, logs a
    /// warning and serves reads (writes answer 409 until the other process is done).
    pub fn new(engine: Engine, opts: ServeOptions) -> AppState {
        let writer = match &opts.admin_key {
            None => None,
            Some(_) => match engine.writer() {
                Ok(w) => Some(w),
                Err(e) => {
                    tracing::warn!("serving read-only for now: {e}");
                    None
                }
            },
        };
        let any_origin =
            opts.cors_origins.is_empty() || opts.cors_origins.iter().any(|o| o.trim() == "*");
        AppState {
            inner: Arc::new(Inner {
                engine: RwLock::new(Arc::new(engine)),
                writer: Mutex::new(writer),
                last_write: Mutex::new(Instant::now()),
                limiter: RateLimiter::new(opts.rate_limit, opts.rate_burst),
                admin_key: opts.admin_key.as_deref().map(Key::new),
                read_key: opts.read_key.as_deref().map(Key::new),
                openapi: openapi::json(),
                results: ResultCache::new(opts.result_cache_bytes),
                searches: tokio::sync::Semaphore::new(search_slots()),
                any_origin,
                opts,
            }),
        }
    }

    /// The generation requests answer from now.
    pub fn engine(&self) -> Arc<Engine> {
        self.inner
            .engine
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Moves to the generation `CURRENT` names when a reindex has switched it. Returns whether
    /// it moved. Requests already running keep the engine they started with.
    pub fn follow_reindex(&self) -> crate::Result<bool> {
        let served = self.engine();
        if served.is_current() {
            return Ok(false);
        }
        let fresh = Arc::new(Engine::open(served.root())?);
        let mut slot = self.inner.engine.write().unwrap_or_else(|p| p.into_inner());
        if !Arc::ptr_eq(&slot, &served) {
            return Ok(false);
        }
        tracing::info!(
            "the index was re-indexed: now serving {} ({} documents)",
            fresh.dir().display(),
            fresh.searcher().num_docs()
        );
        *slot = fresh;
        Ok(true)
    }

    /// Gives up the writer (committing anything pending and waiting for merges) once no write
    /// has come for [`ServeOptions::writer_idle`], so that a reindex can take the index's lock.
    /// Returns whether it let go.
    pub fn release_idle_writer(&self) -> crate::Result<bool> {
        let Ok(mut guard) = self.inner.writer.try_lock() else {
            return Ok(false);
        };
        let idle = self
            .inner
            .last_write
            .lock()
            .map(|t| t.elapsed())
            .unwrap_or_default();
        if idle < self.inner.opts.writer_idle {
            return Ok(false);
        }
        let Some(mut w) = guard.take() else {
            return Ok(false);
        };
        if w.uncommitted() > 0 {
            w.commit("{\"idle\":true}")?;
        }
        w.finish()?;
        tracing::info!("no writes for {idle:.0?}: gave up the index writer lock");
        Ok(true)
    }

    pub fn options(&self) -> &ServeOptions {
        &self.inner.opts
    }

    /// Whether this server holds the index's writer.
    pub fn holds_writer(&self) -> bool {
        self.inner
            .writer
            .lock()
            .map(|w| w.is_some())
            .unwrap_or(false)
    }

    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        self.inner.any_origin
            || self.inner.opts.cors_origins.iter().any(|o| {
                o.trim()
                    .trim_end_matches('/')
                    .eq_ignore_ascii_case(origin.trim_end_matches('/'))
            })
    }

    /// Runs `f` with the served engine and its writer (blocking; one write at a time). Takes
    /// the writer if it is not held (given up when idle, or held by another process at start),
    /// first following a reindex that happened meanwhile.
    pub(crate) fn with_writer<T>(
        &self,
        f: impl FnOnce(&Engine, &mut Writer) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut guard = self.inner.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok(mut t) = self.inner.last_write.lock() {
            *t = Instant::now();
        }
        if guard.is_none() {
            self.follow_reindex()?;
            *guard = Some(self.engine().writer()?);
            tracing::info!("took the index writer: writes enabled");
        }
        let engine = self.engine();
        match guard.as_mut() {
            Some(w) => f(&engine, w),
            None => Err(ApiError::internal("no writer")),
        }
    }

    /// Commits anything pending and waits for merges; the writer is gone afterwards.
    pub fn finish(&self) -> crate::Result<()> {
        let taken = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut w) = taken {
            if w.uncommitted() > 0 {
                tracing::info!("committing {} pending changes", w.uncommitted());
                w.commit("{\"shutdown\":true}")?;
            }
            w.finish()?;
        }
        Ok(())
    }
}

/// The app: routes, then (inner to outer) body limit, timeout, CORS and the request log.
pub fn router(state: AppState) -> Router {
    let opts = &state.inner.opts;
    Router::new()
        .route("/", get(routes::page))
        .route("/widget.js", get(routes::widget))
        .route("/search", get(routes::search_get).post(routes::search_post))
        .route("/documents", post(routes::post_documents))
        .route(
            "/documents/{*id}",
            get(routes::get_document).delete(routes::delete_document),
        )
        .route("/health", get(routes::health))
        .route("/stats", get(routes::stats))
        .route("/openapi.json", get(routes::openapi))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(opts.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), timeout))
        .layer(middleware::from_fn_with_state(state.clone(), auth::cors))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.inner.opts.timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::timeout(limit.as_secs_f64()).into_response(),
    }
}

/// One line per request: method, path (not the query string: it may be personal), status,
/// latency.
async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    tracing::info!(
        target: "ngo_search::http",
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        latency_ms = format_args!("{ms:.2}"),
        "request"
    );
    res
}

/// Serves `state` on `listener` until `shutdown` completes, lets in-flight requests finish,
/// then commits pending writes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state.clone());
    let watcher = tokio::spawn(watch(state.clone()));
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    watcher.abort();
    served.context("serving HTTP")?;
    tokio::task::spawn_blocking(move || state.finish())
        .await
        .context("finishing the writer")??;
    Ok(())
}

/// Every [`ServeOptions::watch_interval`]: follow a reindex, give up an idle writer.
async fn watch(state: AppState) {
    let mut tick = tokio::time::interval(state.inner.opts.watch_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let st = state.clone();
        let _ = tokio::task::spawn_blocking(move || {
            if let Err(e) = st.follow_reindex() {
                tracing::warn!("still serving the previous generation: {e}");
            }
            if let Err(e) = st.release_idle_writer() {
                tracing::warn!("could not give up the idle writer: {e}");
            }
        })
        .await;
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Opens the index for serving. With a `corpus`, a missing or empty index is built from it
/// first (as `ngo-search index --index DIR CORPUS` would).
pub fn prepare_index(dir: &Path, corpus: Option<&Path>) -> anyhow::Result<Engine> {
    let Some(corpus) = corpus else {
        return Ok(Engine::open(dir)?);
    };
    let exists = dir.join("meta.json").exists();
    if !exists && !corpus.exists() {
        anyhow::bail!(
            "no index at {} and no folder {} to build one from: run `ngo-search index --index {} PATH…` \
             or give --corpus DIR",
            dir.display(),
            corpus.display(),
            dir.display()
        );
    }
    let engine = Engine::open_or_create(dir, None)?;
    if engine.searcher().num_docs() > 0 {
        return Ok(engine);
    }
    if !corpus.exists() {
        tracing::warn!(
            "the index at {} is empty and there is no {} to fill it from",
            dir.display(),
            corpus.display()
        );
        return Ok(engine);
    }
    let mut writer = match engine.writer() {
        Ok(w) => w,
        Err(e @ Error::WriterBusy { .. }) => {
            tracing::warn!("not indexing {}: {e}", corpus.display());
            return Ok(engine);
        }
        Err(e) => return Err(e.into()),
    };
    eprintln!(
        "ngo-search: indexing {} into {} …",
        corpus.display(),
        dir.display()
    );
    let opts = crate::IngestOptions {
        progress: true,
        commit_every: None,
        report_commits: false,
    };
    let report = crate::ingest_paths(&engine, &mut writer, &[corpus.to_path_buf()], &opts)?;
    writer.finish()?;
    for p in &report.problems {
        eprintln!("{p}");
    }
    eprintln!(
        "ngo-search: indexed {} documents from {} files in {:.2} s",
        report.documents, report.files, report.seconds
    );
    Ok(engine)
}

/// `ngo-search serve`: prepare the index, bind, print the URL, serve until SIGINT/SIGTERM.
pub async fn run(opts: ServeOptions) -> anyhow::Result<()> {
    let (dir, corpus) = (opts.index.clone(), opts.corpus.clone());
    let engine = tokio::task::spawn_blocking(move || prepare_index(&dir, corpus.as_deref()))
        .await
        .context("preparing the index")??;
    let listener = tokio::net::TcpListener::bind(&opts.addr)
        .await
        .with_context(|| format!("cannot listen on {} (option --addr HOST:PORT)", opts.addr))?;
    let local = listener.local_addr()?;
    let documents = engine.searcher().num_docs();
    let writes = opts.admin_key.is_some();
    let state = AppState::new(engine, opts);
    let host = match local {
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
        SocketAddr::V4(a) => a.to_string(),
    };
    println!("ngo-search: serving {documents} documents on http://{host}/");
    if !writes {
        eprintln!("ngo-search: writes are disabled (set NGO_SEARCH_ADMIN_KEY to enable POST/DELETE /documents)");
    } else if !state.holds_writer() {
        eprintln!("ngo-search: another process is writing this index; writes will answer 409 until it is done");
    }
    serve(listener, state, shutdown_signal()).await
}
