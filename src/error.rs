//! The library's errors. Each says what went wrong and what to do about it, naming the file,
//! directory or parameter concerned; the HTTP layer maps them to statuses.

use std::path::PathBuf;

use crate::config::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),

    #[error("no index at {}: build one with `ngo-search index --index {} PATH…`", dir.display(), dir.display())]
    NoIndex { dir: PathBuf },

    #[error("{} is not a usable ngo-search index: {message}", dir.display())]
    BadIndex { dir: PathBuf, message: String },

    #[error(
        "the index at {} was built with other analysis settings ({built}); this run uses ({current}). \
         Re-index with `ngo-search reindex --index {}` instead of mixing the two",
        dir.display(), dir.display()
    )]
    AnalysisMismatch {
        dir: PathBuf,
        built: String,
        current: String,
    },

    #[error(
        "the index at {} is being written by another process (a running `ngo-search serve` with writes \
         enabled, or another `ngo-search index`): send documents to the server with POST /documents, \
         or stop the other process first",
        dir.display()
    )]
    WriterBusy { dir: PathBuf },

    #[error("{path}: {source}", path = path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A request parameter is invalid (HTTP 400).
    #[error("{param}: {message}")]
    BadRequest { param: String, message: String },

    #[error("no document with id {0:?}")]
    NotFound(String),

    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl Error {
    pub fn bad_request(param: &str, message: impl Into<String>) -> Error {
        Error::BadRequest {
            param: param.to_string(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
