//! Every error the service answers is JSON `{"error":{"code":"…","message":"…"}}` with a fitting
//! status; bad input is always a 4xx, never a 500, and the message says what to change.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The error body of every non-2xx answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `method_not_allowed`, `writer_busy`, `payload_too_large`, `unsupported_media_type`,
    /// `rate_limited`, `timeout`, `internal`.
    pub code: String,
    /// For people: what went wrong and what to do.
    pub message: String,
    /// The request parameter at fault (`bad_request` only, when known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub param: Option<String>,
    /// Seconds, for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            param: None,
            retry_after: None,
        }
    }
    pub fn bad_request(param: Option<&str>, message: impl Into<String>) -> ApiError {
        ApiError {
            param: param.map(str::to_string),
            ..ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
        }
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn too_large(limit_bytes: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the request body is larger than the limit of {} (server option --max-body-mb): \
                 send the documents in smaller batches",
                human_bytes(limit_bytes)
            ),
        )
    }
    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from this address; retry after {retry_after} s"),
            )
        }
    }
    pub fn timeout(secs: f64) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than the server's limit of {secs} s (option --timeout-secs); \
                 a write that timed out may still be committed"
            ),
        )
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// An axum extractor's rejection, in the JSON shape. Bodies that do not deserialise into
    /// the expected type (axum says 422) are plain bad requests here.
    fn from_rejection(status: StatusCode, text: String, limit_bytes: usize) -> ApiError {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(limit_bytes),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::new(status, "unsupported_media_type", text)
            }
            s if s.is_client_error() => ApiError::bad_request(None, text),
            _ => ApiError::internal(text),
        }
    }
    pub fn from_json(r: JsonRejection, limit_bytes: usize) -> ApiError {
        ApiError::from_rejection(r.status(), r.body_text(), limit_bytes)
    }
    pub fn from_query(r: QueryRejection) -> ApiError {
        ApiError::from_rejection(r.status(), r.body_text(), 0)
    }
    pub fn from_bytes(r: BytesRejection, limit_bytes: usize) -> ApiError {
        ApiError::from_rejection(r.status(), r.body_text(), limit_bytes)
    }
    pub fn from_path(r: PathRejection) -> ApiError {
        ApiError::from_rejection(r.status(), r.body_text(), 0)
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> ApiError {
        use crate::Error as E;
        match e {
            E::BadRequest { param, message } => ApiError {
                param: Some(param.clone()),
                ..ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("{param}: {message}"),
                )
            },
            E::NotFound(_) => ApiError::not_found(e.to_string()),
            E::WriterBusy { .. } => {
                ApiError::new(StatusCode::CONFLICT, "writer_busy", e.to_string())
            }
            other => {
                tracing::error!("internal error: {other}");
                ApiError::internal(other.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                param: self.param,
            },
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

pub fn human_bytes(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}
