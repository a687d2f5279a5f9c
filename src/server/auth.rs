//! Access: API keys, the per-client rate limit and CORS.
//!
//! - Reads (search, documents, stats) are public unless a read key is configured; then they need
//!   `Authorization: Bearer <read key or admin key>`.
//! - Writes need `Authorization: Bearer <admin key>`; without an admin key configured they are
//!   refused (403) with a message saying how to enable them. No key: 401; a wrong key: 403.
//! - Keys are compared in constant time (SHA-256 of both sides, then `subtle`).
//! - Requests without the admin key are rate-limited per client address (IPv6 per /64).
//! - CORS: GET/HEAD anywhere and POST /search are allowed from the configured origins (default
//!   any); writes never get a CORS allowance and are refused when sent from another origin.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::AppState;

/// A key, kept only as its SHA-256.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl Key {
    pub fn new(secret: &str) -> Key {
        Key(Sha256::digest(secret.as_bytes()).into())
    }
    pub fn matches(&self, given: &str) -> bool {
        let h: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        bool::from(self.0.ct_eq(&h))
    }
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn is_admin(state: &AppState, headers: &HeaderMap) -> bool {
    match (&state.inner.admin_key, bearer(headers)) {
        (Some(k), Some(given)) => k.matches(given),
        _ => false,
    }
}

fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn rate_check(state: &AppState, parts: &Parts) -> Result<(), ApiError> {
    match client_ip(parts) {
        Some(ip) => state
            .inner
            .limiter
            .check(ip)
            .map_err(ApiError::rate_limited),
        None => Ok(()),
    }
}

/// Public endpoints (page, script, health, OpenAPI): only rate-limited.
pub struct Limited;

impl FromRequestParts<AppState> for Limited {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !is_admin(state, &parts.headers) {
            rate_check(state, parts)?;
        }
        Ok(Limited)
    }
}

/// Reads: public (rate-limited) unless a read key is configured.
pub struct ReadAccess;

impl FromRequestParts<AppState> for ReadAccess {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if is_admin(state, &parts.headers) {
            return Ok(ReadAccess);
        }
        rate_check(state, parts)?;
        if let Some(read) = &state.inner.read_key {
            match bearer(&parts.headers) {
                None => {
                    return Err(ApiError::unauthorized(
                        "this collection is private: send `Authorization: Bearer <key>` with the read key \
                         (NGO_SEARCH_READ_KEY) or the admin key",
                    ))
                }
                Some(k) if read.matches(k) => {}
                Some(_) => return Err(ApiError::forbidden("this key does not give access to this collection")),
            }
        }
        Ok(ReadAccess)
    }
}

/// Writes: the admin key, same origin only.
pub struct WriteAccess;

impl FromRequestParts<AppState> for WriteAccess {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(admin) = &state.inner.admin_key else {
            return Err(ApiError::forbidden(
                "writes are disabled on this server: start it with the environment variable \
                 NGO_SEARCH_ADMIN_KEY set to a secret, and send `Authorization: Bearer <that secret>`",
            ));
        };
        if let Some(origin) = parts.headers.get(header::ORIGIN) {
            if !same_origin(origin, &parts.headers) {
                return Err(ApiError::forbidden(
                    "writes are not accepted from web pages of another origin; send them from a server or script",
                ));
            }
        }
        match bearer(&parts.headers) {
            Some(k) if admin.matches(k) => Ok(WriteAccess),
            None => {
                rate_check(state, parts)?;
                Err(ApiError::unauthorized(
                    "writes need `Authorization: Bearer <key>` with the admin key (NGO_SEARCH_ADMIN_KEY)",
                ))
            }
            Some(_) => {
                rate_check(state, parts)?;
                Err(ApiError::forbidden(
                    "this key is not the admin key: writes need the admin key",
                ))
            }
        }
    }
}

/// `Origin: http://host:port` against the request's own `Host`.
fn same_origin(origin: &HeaderValue, headers: &HeaderMap) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or("");
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => authority.eq_ignore_ascii_case(host),
        None => false,
    }
}

/// A token bucket per client address: `rate` requests/s sustained, `burst` at once.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    state: Mutex<Buckets>,
}

struct Buckets {
    map: HashMap<IpAddr, Bucket>,
    swept: Instant,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// `rate` 0 = no limit.
    pub fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            rate,
            burst: burst.max(1.0),
            state: Mutex::new(Buckets {
                map: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Takes a token for this client, or says in how many seconds to retry.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let key = match ip {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
            IpAddr::V6(v6) => IpAddr::V4(
                v6.to_ipv4_mapped()
                    .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
            ),
            v4 => v4,
        };
        let now = Instant::now();
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // A bucket idle long enough to be full again is the same as no bucket: forget it.
        let refill = Duration::from_secs_f64(self.burst / self.rate + 1.0);
        if st.map.len() > 10_000 && now.duration_since(st.swept) > Duration::from_secs(10) {
            st.map.retain(|_, b| now.duration_since(b.last) < refill);
            st.swept = now;
        }
        let b = st.map.entry(key).or_insert(Bucket {
            tokens: self.burst,
            last: now,
        });
        b.tokens =
            (b.tokens + now.duration_since(b.last).as_secs_f64() * self.rate).min(self.burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err((((1.0 - b.tokens) / self.rate).ceil() as u64).max(1))
        }
    }
}

/// Reads other pages may make: GET/HEAD anywhere, POST only to /search.
fn is_read(method: &Method, path: &str) -> bool {
    *method == Method::GET
        || *method == Method::HEAD
        || (*method == Method::POST && path == "/search")
}

/// CORS as described in the module documentation; preflights are answered here.
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
        return next.run(req).await;
    };
    let allowed_origin = state.origin_allowed(origin.to_str().unwrap_or(""));
    let path = req.uri().path().to_string();
    if req.method() == Method::OPTIONS {
        if let Some(m) = req.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD) {
            let m = Method::from_bytes(m.as_bytes()).unwrap_or(Method::OPTIONS);
            if !allowed_origin {
                return ApiError::forbidden(
                    "this origin is not allowed to use this API (server option --cors-origin)",
                )
                .into_response();
            }
            if !is_read(&m, &path) {
                return ApiError::forbidden(format!(
                    "cross-origin {m} {path} is not allowed: only reads are, writes must come from a server"
                ))
                .into_response();
            }
            let methods = if path == "/search" {
                "GET, HEAD, POST"
            } else {
                "GET, HEAD"
            };
            let mut res = StatusCode::NO_CONTENT.into_response();
            let h = res.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(methods),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization, content-type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            return res;
        }
    }
    let read = is_read(req.method(), &path);
    let mut res = next.run(req).await;
    if read {
        // The answer depends on the Origin: caches must key on it.
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Origin"));
    }
    if allowed_origin && read {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after, x-ngo-ignored-params, x-ngo-cache"),
        );
    }
    res
}
