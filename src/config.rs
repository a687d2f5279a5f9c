//! The analysis and schema settings (`index-config/*.toml`).
//!
//! The config decides how text becomes terms, so an index is only readable with the config it was
//! built with: the index keeps a copy in its sidecar (see [`crate::index`]), and `search`/`serve`
//! use that copy rather than whatever file happens to be on disk.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// The default config, compiled in so the binary works without the repository around it.
pub const DEFAULT_TOML: &str = include_str!("../index-config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config {origin}: {message}")]
    Invalid { origin: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub languages: LanguagesConfig,
    #[serde(default)]
    pub analysis: AnalysisConfig,
    #[serde(default)]
    pub ranking: RankingConfig,
    #[serde(default)]
    pub snippets: SnippetConfig,
    #[serde(default)]
    pub ingest: IngestConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguagesConfig {
    /// ISO 639-1 codes of the languages text is detected and analysed in.
    pub enabled: Vec<String>,
    /// Languages whose analyzer keeps its stemmer off (e.g. to compare).
    #[serde(default)]
    pub no_stemming: Vec<String>,
    /// Languages whose analyzer keeps all stopwords.
    #[serde(default)]
    pub no_stopwords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    pub stemming: bool,
    pub stopwords: bool,
    /// Also index a diacritic-free form of each word, so `sabiedriba` finds `sabiedrības`.
    pub folding: bool,
    /// Words longer than this (in characters) are not indexed: they are almost always junk
    /// (base64, URLs glued together) and only bloat the term dictionary.
    pub max_word_chars: usize,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            stemming: true,
            stopwords: true,
            folding: true,
            max_word_chars: 64,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RankingConfig {
    /// Weight of a title match relative to a body match.
    pub title_boost: f32,
    /// Extra weight of a "quoted phrase" match.
    pub phrase_boost: f32,
    /// Weight of the reading in the hinted (or confidently detected) query language.
    pub hint_boost: f32,
    /// Weight of a match on the diacritic-folded form relative to an exact-form match.
    pub folded_weight: f32,
    /// Share of the other variants' scores kept beside the best one (0 = pure max).
    pub tie_breaker: f32,
    /// Weight of the reading in the language the detector guesses for a query too short to be
    /// sure of (1 = no preference).
    pub guess_boost: f32,
    /// Weight of a match through the truncated form (first letters) relative to the stem.
    pub prefix_weight: f32,
    /// Coordination: a candidate's score is multiplied by (matched words / query words) to this
    /// power (0 = off).
    pub coordination: f32,
    /// Candidates the second stage (coordination) re-scores.
    pub rerank_depth: usize,
    /// Coordination counts each query word by its idf (a rare word matched counts for more
    /// than a common one) instead of one per word.
    pub coordination_idf: bool,
    /// Second stage: a candidate's score is multiplied by 1 + proximity × (neighbouring query
    /// words found near each other / neighbouring pairs) (0 = off; reads positions).
    pub proximity: f32,
    /// Second stage: a candidate's score is multiplied by 1 + lead × (query words found among
    /// the text's first `lead_positions` words / query words) (0 = off; reads positions).
    pub lead: f32,
    pub lead_positions: u32,
}

impl Default for RankingConfig {
    fn default() -> Self {
        RankingConfig {
            title_boost: 2.0,
            phrase_boost: 1.5,
            hint_boost: 2.5,
            folded_weight: 0.9,
            tie_breaker: 0.3,
            guess_boost: 1.6,
            prefix_weight: 0.7,
            coordination: 1.0,
            rerank_depth: 50,
            coordination_idf: true,
            proximity: 0.25,
            lead: 1.0,
            lead_positions: 15,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SnippetConfig {
    /// Target length of a snippet, in characters.
    pub chars: usize,
    /// How many passages a hit carries.
    pub passages: usize,
}

impl Default for SnippetConfig {
    fn default() -> Self {
        SnippetConfig {
            chars: 200,
            passages: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Memory budget of the tantivy writer, in MB (split among its threads).
    pub writer_memory_mb: usize,
    /// Indexing threads of the tantivy writer; 0 = decide from the number of cores.
    pub writer_threads: usize,
    /// Analysis threads (parse, detect, analyse); 0 = decide from the number of cores.
    pub analysis_threads: usize,
    /// Documents per commit (0 = no bound by count): a crash loses at most this many, re-ingest
    /// restores them.
    pub commit_every: usize,
    /// Seconds between commits: a crash loses at most this much work. Every commit makes a
    /// segment per writer thread, and an ingest that made more merges them into one at the end
    /// (a rewrite of everything it added), so fewer commits make a faster ingest.
    pub commit_secs: u64,
    /// Files (and JSONL lines) larger than this are refused with a reason instead of read into
    /// memory. Indexing one document takes about 60 times its size in memory (a 200 MB text file
    /// peaks at 12 GB), so the default is 16.
    pub max_file_mb: u64,
    /// A line repeated in at least this many documents of one batch is boilerplate; 0 = off.
    pub boilerplate_min_docs: usize,
    /// Documents looked at together when spotting repeated lines.
    pub boilerplate_window: usize,
}

impl IngestConfig {
    /// Indexing threads of the tantivy writer: the configured number, or a third of the cores
    /// (1 to 4). Detection and analysis cost about twice what tantivy's indexing does, so they
    /// get the other two thirds. Each thread builds its own segment and writes it out when the
    /// ingest commits: two threads on two cores halve the one-core tail at the end of an ingest,
    /// but leave two segments, and each segment costs every query its term lookups again
    /// (measured on dev-eval: ingest speed the same within noise, queries 15 % slower), so one
    /// thread is the default there.
    pub fn writer_workers(&self) -> usize {
        if self.writer_threads > 0 {
            self.writer_threads
        } else {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            (cores / 3).clamp(1, 4)
        }
    }

    /// Whether `docs` documents added since the last commit (at `since`) are due to be
    /// committed: `every` of them (0 = no bound by count), or `commit_secs` after it.
    pub fn commit_due(&self, docs: usize, every: usize, since: std::time::Instant) -> bool {
        (every > 0 && docs >= every) || since.elapsed().as_secs() >= self.commit_secs
    }

    /// Analysis threads for ingest and reindex: the configured number, or one per core.
    pub fn analysis_workers(&self) -> usize {
        if self.analysis_threads > 0 {
            self.analysis_threads
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            writer_memory_mb: 200,
            writer_threads: 0,
            analysis_threads: 0,
            commit_every: 0,
            commit_secs: 60,
            max_file_mb: 16,
            boilerplate_min_docs: 5,
            boilerplate_window: 2_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Longest accepted query, in characters.
    pub max_query_chars: usize,
    /// Query words beyond this many are ignored (bounded work per query).
    pub max_query_terms: usize,
    pub max_limit: usize,
    pub max_offset: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_query_chars: 1000,
            max_query_terms: 32,
            max_limit: 100,
            max_offset: 10_000,
        }
    }
}

impl Config {
    /// The compiled-in default config.
    pub fn default_config() -> Config {
        // The default is part of the build and covered by a test: failing here is a build defect.
        Config::from_toml_str(DEFAULT_TOML, "index-config/default.toml")
            .expect("the built-in default config is valid")
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml_str(&text, &path.display().to_string())
    }

    pub fn from_toml_str(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        config.validate().map_err(invalid)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if self.languages.enabled.is_empty() {
            return Err("languages.enabled must name at least one language".into());
        }
        for (key, list) in [
            ("languages.enabled", &self.languages.enabled),
            ("languages.no_stemming", &self.languages.no_stemming),
            ("languages.no_stopwords", &self.languages.no_stopwords),
        ] {
            for code in list {
                match Lang::from_code(code) {
                    Some(Lang::Und) | None => {
                        return Err(format!(
                            "unknown language code {code:?} in {key}; known codes: {}",
                            known_codes()
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        let positive = [
            ("ranking.title_boost", self.ranking.title_boost),
            ("ranking.phrase_boost", self.ranking.phrase_boost),
            ("ranking.hint_boost", self.ranking.hint_boost),
            ("ranking.folded_weight", self.ranking.folded_weight),
            ("ranking.guess_boost", self.ranking.guess_boost),
            ("ranking.prefix_weight", self.ranking.prefix_weight),
        ];
        for (key, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{key} must be a positive number, got {v}"));
            }
        }
        if !(0.0..=1.0).contains(&self.ranking.tie_breaker) {
            return Err(format!(
                "ranking.tie_breaker must be between 0 and 1, got {}",
                self.ranking.tie_breaker
            ));
        }
        if !(0.0..=8.0).contains(&self.ranking.coordination) {
            return Err(format!(
                "ranking.coordination must be between 0 and 8, got {}",
                self.ranking.coordination
            ));
        }
        if !(0.0..=8.0).contains(&self.ranking.proximity) {
            return Err(format!(
                "ranking.proximity must be between 0 and 8, got {}",
                self.ranking.proximity
            ));
        }
        if !(0.0..=8.0).contains(&self.ranking.lead) {
            return Err(format!(
                "ranking.lead must be between 0 and 8, got {}",
                self.ranking.lead
            ));
        }
        if self.ranking.rerank_depth > 1000 {
            return Err("ranking.rerank_depth must be at most 1000".into());
        }
        if self.ingest.writer_memory_mb < 20 {
            return Err(
                "ingest.writer_memory_mb must be at least 20 (tantivy needs 15 MB per thread)"
                    .into(),
            );
        }
        if !(1..=86_400).contains(&self.ingest.commit_secs) {
            return Err(format!(
                "ingest.commit_secs must be between 1 and 86400, got {}",
                self.ingest.commit_secs
            ));
        }
        if self.snippets.chars < 20 || self.snippets.chars > 10_000 {
            return Err("snippets.chars must be between 20 and 10000".into());
        }
        if self.analysis.max_word_chars < 2 || self.analysis.max_word_chars > 1000 {
            return Err("analysis.max_word_chars must be between 2 and 1000".into());
        }
        if self.limits.max_query_terms == 0 || self.limits.max_limit == 0 {
            return Err("limits.max_query_terms and limits.max_limit must be at least 1".into());
        }
        Ok(())
    }

    /// The enabled languages, in config order (validated on load).
    pub fn enabled_langs(&self) -> Vec<Lang> {
        let mut out: Vec<Lang> = Vec::new();
        for code in &self.languages.enabled {
            if let Some(l) = Lang::from_code(code) {
                if !out.contains(&l) {
                    out.push(l);
                }
            }
        }
        out
    }

    pub fn stems(&self, lang: Lang) -> bool {
        self.analysis.stemming
            && !self
                .languages
                .no_stemming
                .iter()
                .any(|c| Lang::from_code(c) == Some(lang))
    }

    pub fn stops(&self, lang: Lang) -> bool {
        self.analysis.stopwords
            && !self
                .languages
                .no_stopwords
                .iter()
                .any(|c| Lang::from_code(c) == Some(lang))
    }

    /// The settings that change which terms are indexed: a change here needs a re-index.
    /// Ranking, snippet and limit settings can change freely on an existing index.
    pub fn analysis_fingerprint(&self) -> String {
        let mut enabled = self.enabled_langs();
        enabled.sort();
        let mut no_stem: Vec<Lang> = enabled
            .iter()
            .copied()
            .filter(|l| !self.stems(*l))
            .collect();
        no_stem.sort();
        let mut no_stop: Vec<Lang> = enabled
            .iter()
            .copied()
            .filter(|l| !self.stops(*l))
            .collect();
        no_stop.sort();
        let codes = |v: &[Lang]| v.iter().map(|l| l.code()).collect::<Vec<_>>().join(",");
        format!(
            "analyzer={};langs={};no_stem={};no_stop={};fold={};max_word={}",
            crate::analysis::ANALYZER_VERSION,
            codes(&enabled),
            codes(&no_stem),
            codes(&no_stop),
            self.analysis.folding,
            self.analysis.max_word_chars
        )
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

fn known_codes() -> String {
    Lang::ALL
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_enables_the_core_languages() {
        let c = Config::default_config();
        let codes: Vec<&str> = c.enabled_langs().iter().map(|l| l.code()).collect();
        for must in [
            "lv", "nb", "nn", "en", "ru", "lt", "et", "da", "sv", "de", "fi", "pl",
        ] {
            assert!(codes.contains(&must), "{must} not enabled by default");
        }
    }

    #[test]
    fn commits_are_due_by_count_or_by_time() {
        let c = Config::default_config().ingest;
        let now = std::time::Instant::now();
        // By default only time bounds a commit.
        assert!(!c.commit_due(1_000_000, c.commit_every, now));
        assert!(c.commit_due(500, 500, now));
        assert!(!c.commit_due(499, 500, now));
        let long_ago = now - std::time::Duration::from_secs(c.commit_secs);
        assert!(c.commit_due(1, 0, long_ago));
        assert!(c.writer_workers() >= 1);
    }

    #[test]
    fn unknown_language_is_named() {
        let err = Config::from_toml_str("[languages]\nenabled = [\"lv\", \"xx\"]\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"xx\"") && err.contains("t.toml"), "{err}");
        assert!(err.contains("lv, nb"), "lists the known codes: {err}");
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml_str(
            "[languages]\nenabled = [\"lv\"]\n[analysis]\nstemmer = true\n",
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("stemmer"), "{err}");
    }

    #[test]
    fn bad_values_are_refused() {
        let err = Config::from_toml_str(
            "[languages]\nenabled = [\"lv\"]\n[ranking]\ntitle_boost = -1.0\n",
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ranking.title_boost"), "{err}");
    }

    #[test]
    fn fingerprint_ignores_ranking_but_not_analysis() {
        let a = Config::default_config();
        let mut b = a.clone();
        b.ranking.title_boost = 5.0;
        assert_eq!(a.analysis_fingerprint(), b.analysis_fingerprint());
        b.analysis.folding = false;
        assert_ne!(a.analysis_fingerprint(), b.analysis_fingerprint());
    }
}
