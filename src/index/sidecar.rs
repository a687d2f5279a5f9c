//! `ngo-search.json` beside the tantivy files: the config an index was built with, its analyzer
//! fingerprint and a random index id. Written atomically (temp file + rename) so a crash leaves
//! either the old or the new sidecar, never half of one.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::Error;

pub const SIDECAR_FILE: &str = "ngo-search.json";
const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sidecar {
    pub format: u32,
    /// Random id of this index; with the commit it forms the answer's `snapshot`.
    pub index_id: String,
    /// `Config::analysis_fingerprint()` at build time.
    pub analysis: String,
    /// The whole config, as TOML.
    pub config: String,
    pub created: String,
}

impl Sidecar {
    pub fn new(config: &Config) -> Sidecar {
        let id: u64 = rand::random();
        Sidecar {
            format: FORMAT,
            index_id: format!("{id:016x}"),
            analysis: config.analysis_fingerprint(),
            config: config.to_toml(),
            created: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        }
    }

    pub fn read(dir: &Path) -> Result<Option<Sidecar>, Error> {
        let path = dir.join(SIDECAR_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Io { path, source }),
        };
        let s: Sidecar = serde_json::from_str(&text).map_err(|e| Error::BadIndex {
            dir: dir.to_path_buf(),
            message: format!("{SIDECAR_FILE} is unreadable: {e}"),
        })?;
        if s.format != FORMAT {
            return Err(Error::BadIndex {
                dir: dir.to_path_buf(),
                message: format!("sidecar format {} (this build reads {FORMAT})", s.format),
            });
        }
        Ok(Some(s))
    }

    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let path = dir.join(SIDECAR_FILE);
        let tmp = dir.join(format!("{SIDECAR_FILE}.tmp"));
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(json.as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(())
    }

    /// The config stored with the index.
    pub fn config(&self, dir: &Path) -> Result<Config, Error> {
        Config::from_toml_str(&self.config, &dir.join(SIDECAR_FILE).display().to_string())
            .map_err(Error::Config)
    }
}
