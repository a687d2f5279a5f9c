//! ngo-search: multilingual full-text search for the documents of civil-society organisations.
//!
//! Data flows one way: [`read`] (files → raw documents) → [`document`] (normalise, detect
//! languages with [`lang`]) → [`analysis`] (language-tagged stems and folded forms) → [`index`]
//! (tantivy) → [`search`] (query reading, ranking, passages). [`Engine`] ties one index to the
//! config it was built with; the CLI, the HTTP [`server`] and the [`bench`] all use it.

pub mod allocator;
pub mod analysis;
pub mod bench;
pub mod config;
pub mod document;
pub mod engine;
pub mod error;
pub mod index;
pub mod ingest;
pub mod lang;
pub mod read;
pub mod reindex;
pub mod search;
pub mod server;
pub mod synth;

pub use config::Config;
pub use engine::{Engine, StoredDocument, Writer, DEFAULT_INDEX_DIR};
pub use error::{Error, Result};
pub use ingest::{ingest_paths, IngestOptions, IngestReport};
pub use lang::Lang;
pub use search::{SearchRequest, SearchResponse, Sort};
