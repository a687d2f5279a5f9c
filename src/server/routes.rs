//! The handlers. Engine work (search, reads, writes) is synchronous CPU and disk work: it runs
//! on tokio's blocking pool so the async workers keep accepting and answering requests.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;

use super::auth::{Limited, ReadAccess, WriteAccess};
use super::error::{ApiError, ErrorBody};
use super::AppState;
use crate::engine::{Engine, Stats, StoredDocument};
use crate::read::{parse_json_document, Problem, RawDocument, Severity};
use crate::search::cache::Cached;
use crate::search::{SearchRequest, SearchResponse};

const INDEX_HTML: &str = include_str!("static/index.html");
const WIDGET_JS: &str = include_str!("static/widget.js");

/// Runs engine work on the blocking pool; a panic there is a 500, never a dead server.
async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
{
    let engine = state.engine();
    match tokio::task::spawn_blocking(move || f(&engine)).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("request task failed: {e}");
            Err(ApiError::internal(
                "the request failed inside the server (see its log)",
            ))
        }
    }
}

/// Searches through the result cache; `x-ngo-cache: hit|miss` says which answered. A repeat is
/// answered at once; a search waits for one of the server's search slots (`search_slots`).
async fn search(state: &AppState, req: SearchRequest) -> Response {
    if let Some(res) = state.inner.results.lookup(&state.engine(), &req) {
        return answer(res, Cached::Hit);
    }
    let _slot = state.inner.searches.acquire().await;
    let st = state.clone();
    let result = blocking(state, move |engine| {
        st.inner
            .results
            .search(engine, &req)
            .map_err(ApiError::from)
    })
    .await;
    match result {
        Ok((res, cached)) => answer(res, cached),
        Err(e) => e.into_response(),
    }
}

fn answer(res: SearchResponse, cached: Cached) -> Response {
    let mut r = Json(res).into_response();
    r.headers_mut()
        .insert("x-ngo-cache", HeaderValue::from_static(cached.as_str()));
    r
}

/// The parameter names `SearchRequest` knows (its serde field names).
fn search_params() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| match serde_json::to_value(SearchRequest::default()) {
        Ok(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    })
}

/// GET /search's query string → a `SearchRequest`. Unknown parameters (cache busters, tracking
/// parameters) are ignored and named in the `x-ngo-ignored-params` response header.
fn parse_search_query(raw: &str) -> Result<(SearchRequest, Vec<String>), ApiError> {
    let known = search_params();
    let mut kept = Vec::new();
    let mut ignored = Vec::new();
    for seg in raw.split('&').filter(|s| !s.is_empty()) {
        let key = seg.split('=').next().unwrap_or("");
        if known.iter().any(|k| k == key) {
            kept.push(seg);
        } else {
            ignored.push(key.to_string());
        }
    }
    let uri: axum::http::Uri = format!("/?{}", kept.join("&"))
        .parse()
        .map_err(|_| ApiError::bad_request(None, "cannot read the query string"))?;
    let axum::extract::Query(req) =
        axum::extract::Query::<SearchRequest>::try_from_uri(&uri).map_err(ApiError::from_query)?;
    Ok((req, ignored))
}

/// Search, parameters in the query string.
///
/// Answers exactly what `ngo-search search --json` prints. Unknown parameters are ignored (and
/// listed in the `x-ngo-ignored-params` header).
#[utoipa::path(
    get, path = "/search", tag = "search",
    params(SearchRequest),
    responses(
        (status = 200, description = "Hits, facets and the query's reading", body = SearchResponse,
            headers(("x-ngo-cache" = String, description = "`hit` when the answer was kept from the same request on the same index snapshot, else `miss`"))),
        (status = 400, description = "Missing, empty or over-long `q`; bad `limit`/`offset`; unknown language code", body = ErrorBody),
        (status = 401, description = "Private collection: a key is needed", body = ErrorBody),
        (status = 403, description = "The key given is not valid here", body = ErrorBody),
        (status = 429, description = "Rate limit: see the Retry-After header", body = ErrorBody),
        (status = 503, description = "Timeout", body = ErrorBody),
    ),
    security((), ("read_key" = []))
)]
pub async fn search_get(
    _: ReadAccess,
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Response {
    let (req, mut ignored) = match parse_search_query(q.as_deref().unwrap_or("")) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let mut res = search(&state, req).await;
    if !ignored.is_empty() {
        ignored.truncate(20);
        if let Ok(v) = HeaderValue::from_str(&ignored.join(",")) {
            res.headers_mut().insert("x-ngo-ignored-params", v);
        }
    }
    res
}

/// Search, parameters as a JSON body (the same fields as GET; unknown fields are an error).
#[utoipa::path(
    post, path = "/search", tag = "search",
    request_body = SearchRequest,
    responses(
        (status = 200, description = "Hits, facets and the query's reading", body = SearchResponse,
            headers(("x-ngo-cache" = String, description = "`hit` when the answer was kept from the same request on the same index snapshot, else `miss`"))),
        (status = 400, description = "Malformed JSON, an unknown field, or a bad parameter", body = ErrorBody),
        (status = 401, description = "Private collection: a key is needed", body = ErrorBody),
        (status = 403, description = "The key given is not valid here", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json`", body = ErrorBody),
        (status = 429, description = "Rate limit: see the Retry-After header", body = ErrorBody),
    ),
    security((), ("read_key" = []))
)]
pub async fn search_post(
    _: ReadAccess,
    State(state): State<AppState>,
    body: Result<Json<SearchRequest>, JsonRejection>,
) -> Response {
    match body {
        Ok(Json(req)) => search(&state, req).await,
        Err(r) => ApiError::from_json(r, state.inner.opts.max_body_bytes).into_response(),
    }
}

/// One stored document.
#[utoipa::path(
    get, path = "/documents/{id}", tag = "documents",
    params(("id" = String, Path, description = "The document id (URL-encoded; a `/` may be left as is)")),
    responses(
        (status = 200, description = "The document", body = StoredDocument),
        (status = 404, description = "No document with this id", body = ErrorBody),
        (status = 401, description = "Private collection: a key is needed", body = ErrorBody),
        (status = 403, description = "The key given is not valid here", body = ErrorBody),
        (status = 429, description = "Rate limit", body = ErrorBody),
    ),
    security((), ("read_key" = []))
)]
pub async fn get_document(
    _: ReadAccess,
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<StoredDocument>, ApiError> {
    let Path(id) = id.map_err(ApiError::from_path)?;
    let doc = blocking(&state, move |engine| match engine.get_document(&id)? {
        Some(d) => Ok(d),
        None => Err(ApiError::not_found(format!("no document with id {id:?}"))),
    })
    .await?;
    Ok(Json(doc))
}

/// The answer to `POST /documents`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IngestResponse {
    /// Documents added or replaced, committed and searchable.
    pub indexed: u64,
    /// Elements that were not indexed.
    pub errors: Vec<IngestError>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IngestError {
    /// 1-based position of the element in the array, or line of the NDJSON body.
    pub line: u64,
    /// The element's id, when it has one.
    pub id: Option<String>,
    pub message: String,
}

/// A document to add (`POST /documents`): `id` and `text` required; other keys are kept as metadata.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewDocument {
    /// A non-empty string or a number; a document with the same id is replaced.
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    /// The declared language (a strong prior for detection).
    pub lang: Option<String>,
    pub url: Option<String>,
    /// YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339.
    pub date: Option<String>,
    pub org: Option<String>,
}

fn request_problem(line: u64, id: Option<String>, message: String) -> Problem {
    Problem {
        severity: Severity::Error,
        file: "request".into(),
        line: Some(line),
        id,
        message,
    }
}

fn element_id(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Documents with their element number, and the elements that are not documents.
type Numbered = (Vec<(u64, RawDocument)>, Vec<Problem>);

/// The body of `POST /documents` → numbered documents and per-element problems.
fn parse_documents(body: &[u8], ndjson: bool) -> Result<Numbered, ApiError> {
    // (position, the element or why it is not JSON)
    let mut elements: Vec<(u64, Result<Value, String>)> = Vec::new();
    if ndjson {
        for (i, line) in body.split(|b| *b == b'\n').enumerate() {
            let n = i as u64 + 1;
            match std::str::from_utf8(line) {
                Ok(s) if s.trim().is_empty() => {}
                Ok(s) => elements.push((
                    n,
                    serde_json::from_str::<Value>(s.trim())
                        .map_err(|e| format!("malformed JSON: {e}")),
                )),
                Err(e) => elements.push((
                    n,
                    Err(format!(
                        "invalid UTF-8 at byte {} of the line",
                        e.valid_up_to()
                    )),
                )),
            }
        }
    } else {
        let v: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(
                None,
                format!(
                    "the body is not valid JSON ({e}); send a JSON array of documents, \
                     or NDJSON with `Content-Type: application/x-ndjson`"
                ),
            )
        })?;
        match v {
            Value::Array(items) => {
                elements.extend(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (i as u64 + 1, Ok(v))),
                );
            }
            obj @ Value::Object(_) => elements.push((1, Ok(obj))),
            _ => {
                return Err(ApiError::bad_request(
                    None,
                    "expected a JSON array of document objects (or one object)",
                ))
            }
        }
    }
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for (line, element) in elements {
        match element {
            Ok(v) => {
                let id = element_id(&v);
                match parse_json_document(v) {
                    Ok(mut d) => {
                        d.source = Some("http".into());
                        docs.push((line, d));
                    }
                    Err(m) => problems.push(request_problem(line, id, m)),
                }
            }
            Err(m) => problems.push(request_problem(line, None, m)),
        }
    }
    Ok((docs, problems))
}

fn is_ndjson(headers: &HeaderMap) -> bool {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        ct.as_str(),
        "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonlines"
            | "application/jsonlines"
    )
}

/// Adds or replaces documents by id, then commits: when this answers, they are searchable.
///
/// The body is a JSON array of documents (a single object is accepted too), or NDJSON (one
/// document per line) with `Content-Type: application/x-ndjson`. Bad elements are reported with
/// their position and do not stop the others.
#[utoipa::path(
    post, path = "/documents", tag = "documents",
    request_body(
        description = "A JSON array of documents, or NDJSON",
        content(
            (Vec<NewDocument> = "application/json"),
            (NewDocument = "application/x-ndjson"),
        )
    ),
    responses(
        (status = 200, description = "Indexed and committed (per-element errors listed)", body = IngestResponse),
        (status = 400, description = "The body is not JSON / not an array", body = ErrorBody),
        (status = 401, description = "No `Authorization: Bearer` key", body = ErrorBody),
        (status = 403, description = "Wrong key, writes disabled (no NGO_SEARCH_ADMIN_KEY), or a cross-origin request", body = ErrorBody),
        (status = 409, description = "Another process is writing the index", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    ),
    security(("admin_key" = []))
)]
pub async fn post_documents(
    _: WriteAccess,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestResponse>, ApiError> {
    let body = body.map_err(|r| ApiError::from_bytes(r, state.inner.opts.max_body_bytes))?;
    let ndjson = is_ndjson(&headers);
    let st = state.clone();
    let (indexed, problems) = blocking(&state, move |_| {
        let (docs, problems) = parse_documents(&body, ndjson)?;
        drop(body);
        st.with_writer(|engine, writer| {
            crate::ingest::ingest_documents(engine, writer, docs, problems).map_err(|e| {
                let _ = writer.rollback();
                ApiError::from(e)
            })
        })
    })
    .await?;
    let mut errors: Vec<IngestError> = problems
        .into_iter()
        .map(|p| IngestError {
            line: p.line.unwrap_or(0),
            id: p.id,
            message: p.message,
        })
        .collect();
    errors.sort_by_key(|e| e.line);
    Ok(Json(IngestResponse { indexed, errors }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeleteResponse {
    /// The id of the deleted document.
    pub deleted: String,
}

/// Deletes a document and commits.
#[utoipa::path(
    delete, path = "/documents/{id}", tag = "documents",
    params(("id" = String, Path, description = "The document id")),
    responses(
        (status = 200, description = "Deleted and committed", body = DeleteResponse),
        (status = 404, description = "No document with this id", body = ErrorBody),
        (status = 401, description = "No `Authorization: Bearer` key", body = ErrorBody),
        (status = 403, description = "Wrong key, writes disabled, or a cross-origin request", body = ErrorBody),
        (status = 409, description = "Another process is writing the index", body = ErrorBody),
    ),
    security(("admin_key" = []))
)]
pub async fn delete_document(
    _: WriteAccess,
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<DeleteResponse>, ApiError> {
    let Path(id) = id.map_err(ApiError::from_path)?;
    let st = state.clone();
    blocking(&state, move |_| {
        st.with_writer(|engine, writer| {
            if !engine.contains(&id)? {
                return Err(ApiError::not_found(format!("no document with id {id:?}")));
            }
            writer.delete(&id);
            let committed = writer
                .commit(&format!(
                    "{{\"http_delete\":{}}}",
                    serde_json::Value::from(id.as_str())
                ))
                .and_then(|_| engine.reload());
            if let Err(e) = committed {
                let _ = writer.rollback();
                return Err(e.into());
            }
            Ok(Json(DeleteResponse { deleted: id }))
        })
    })
    .await
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always "ok" when the server answers.
    pub status: String,
    /// Searchable documents.
    pub documents: u64,
}

/// Liveness and the number of searchable documents (always public).
#[utoipa::path(
    get, path = "/health", tag = "service",
    responses((status = 200, description = "The server is up", body = Health))
)]
pub async fn health(_: Limited, State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        documents: state.engine().searcher().num_docs(),
    })
}

/// Documents per language, segments, bytes on disk.
#[utoipa::path(
    get, path = "/stats", tag = "service",
    responses(
        (status = 200, description = "Index statistics", body = Stats),
        (status = 401, description = "Private collection: a key is needed", body = ErrorBody),
        (status = 403, description = "The key given is not valid here", body = ErrorBody),
    ),
    security((), ("read_key" = []))
)]
pub async fn stats(_: ReadAccess, State(state): State<AppState>) -> Result<Json<Stats>, ApiError> {
    Ok(Json(
        blocking(&state, |engine| engine.stats().map_err(ApiError::from)).await?,
    ))
}

/// This description (OpenAPI 3.1, generated from the code).
#[utoipa::path(
    get, path = "/openapi.json", tag = "service",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
pub async fn openapi(_: Limited, State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        state.inner.openapi.clone(),
    )
        .into_response()
}

/// The search page (HTML; its interface follows the browser's language: lv, nb, en).
#[utoipa::path(
    get, path = "/", tag = "web",
    params(("q" = Option<String>, Query, description = "Search for this on load"),
           ("lang" = Option<String>, Query, description = "Language filter on load")),
    responses((status = 200, description = "The page", content_type = "text/html"))
)]
pub async fn page(_: Limited) -> Response {
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'",
                ),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        Html(INDEX_HTML),
    )
        .into_response()
}

/// The embeddable search box: `<script src="http://HOST/widget.js" data-target="#search"></script>`.
#[utoipa::path(
    get, path = "/widget.js", tag = "web",
    responses((status = 200, description = "The script", content_type = "text/javascript"))
)]
pub async fn widget(_: Limited) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        WIDGET_JS,
    )
        .into_response()
}

pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no such endpoint: {}; GET /openapi.json lists them",
        uri.path()
    ))
}

pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{method} is not allowed on {}; GET /openapi.json lists what is",
            uri.path()
        ),
    )
}
