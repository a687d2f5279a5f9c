//! `ngo-search reindex`: rebuilds an index with new analysis settings (another config, a new
//! stemmer version) beside the old one, then switches over atomically.
//!
//! **Layout.** An index directory `DIR` is either *flat* — the tantivy files and
//! `ngo-search.json` directly in it, which is what `ngo-search index` creates — or holds
//! *generations*: the file `DIR/CURRENT` names the live one (`gen-0002`), a subdirectory holding a
//! complete index. [`Engine::open`] follows `CURRENT`, so every command and the server take
//! `--index DIR` as before. One directory holds everything: back it up or remove it as a whole.
//!
//! **Reindex**, step by step:
//! 1. open the live generation and take its writer lock: other writers are refused
//!    ([`Error::WriterBusy`]) until the end, readers (and a read-only server) go on answering
//!    from it;
//! 2. remove what an interrupted reindex left (generation directories `CURRENT` does not name);
//! 3. build `DIR/gen-N` from the stored documents (stored text, title, date, org, url, metadata
//!    and page breaks are all a document needs to be analysed again) with the new config,
//!    committing as it goes;
//! 4. check that it holds every document of the old one (else remove it and fail: the index is
//!    unchanged);
//! 5. write `CURRENT.tmp`, fsync it, rename it over `CURRENT` (atomic) and fsync `DIR`;
//! 6. remove the old generation.
//!
//! A crash before step 5 leaves the old index exactly as it was (the half-built `gen-N` is
//! ignored and removed by the next reindex); from step 5 on, the new one is live. No reader ever
//! sees a half-built or mixed index: an [`Engine`] reads one generation for its whole life and its
//! [`Engine::is_current`] tells a long-running server when to reopen. (An engine still reading
//! the removed generation keeps working — its files stay open — until it is reopened.)

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tantivy::DocAddress;

use crate::config::Config;
use crate::document;
use crate::engine::{Engine, PreparedDocument, StoredDocument, Writer};
use crate::error::{Error, Result};
use crate::index::StoredValues;
use crate::lang::Lang;
use crate::read::{Problem, RawDocument, Severity};

/// The file naming the live generation of an index directory.
pub const CURRENT_FILE: &str = "CURRENT";
const GENERATION_PREFIX: &str = "gen-";

/// Where the live index of `root` is: the generation `root/CURRENT` names, or `root` itself.
pub fn resolve(root: &Path) -> Result<PathBuf> {
    let pointer = root.join(CURRENT_FILE);
    let text = match std::fs::read_to_string(&pointer) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(root.to_path_buf()),
        Err(source) => {
            return Err(Error::Io {
                path: pointer,
                source,
            })
        }
    };
    let name = text.trim();
    if !is_generation_name(name) {
        return Err(Error::BadIndex {
            dir: root.to_path_buf(),
            message: format!("{CURRENT_FILE} names {name:?}, not a generation (gen-NNNN)"),
        });
    }
    Ok(root.join(name))
}

fn is_generation_name(name: &str) -> bool {
    name.strip_prefix(GENERATION_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn generation_number(name: &str) -> Option<u64> {
    if !is_generation_name(name) {
        return None;
    }
    name[GENERATION_PREFIX.len()..].parse().ok()
}

#[derive(Debug, Clone, Default)]
pub struct ReindexOptions {
    /// The new config; None = the one the index was built with (e.g. after an analyzer upgrade).
    pub config: Option<Config>,
    /// Documents per commit of the new generation (default: the new config's `ingest.commit_every`).
    pub commit_every: Option<usize>,
    /// Print `reindexed: N of M documents` on stderr after each commit.
    pub report_progress: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReindexReport {
    pub documents: u64,
    /// The generation that was live before (a directory, now removed).
    pub previous: PathBuf,
    /// The new live generation.
    pub current: PathBuf,
    /// The analysis fingerprint before and after.
    pub analysis_before: String,
    pub analysis_after: String,
    /// Warnings from analysing the documents again (none were dropped: a reindex that would
    /// lose a document fails instead).
    pub problems: Vec<Problem>,
    pub seconds: f64,
}

/// Rebuilds the index at `root` with `opts.config` and switches to it atomically.
pub fn reindex(root: &Path, opts: &ReindexOptions) -> Result<ReindexReport> {
    let started = Instant::now();
    let old = Engine::open_stored(root)?;
    let lock = old.write_lock()?;
    let current_name = old
        .dir()
        .strip_prefix(root)
        .ok()
        .and_then(|p| p.to_str())
        .filter(|s| is_generation_name(s))
        .map(str::to_string);
    remove_leftovers(root, current_name.as_deref())?;

    let config = match &opts.config {
        Some(c) => c.clone(),
        None => old.config().clone(),
    };
    let next = std::fs::read_dir(root)
        .map_err(|source| Error::Io {
            path: root.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok())
        .filter_map(|e| generation_number(&e.file_name().to_string_lossy()))
        .max()
        .unwrap_or(1)
        + 1;
    let name = format!("{GENERATION_PREFIX}{next:04}");
    let new_dir = root.join(&name);
    let built = build_generation(&old, &new_dir, &config, opts);
    let (documents, problems) = match built {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&new_dir);
            return Err(e);
        }
    };

    // The switch.
    write_pointer(root, &name)?;
    let previous = old.dir().to_path_buf();
    let analysis_before = old.sidecar().analysis.clone();
    drop(lock);
    drop(old);
    if previous == root {
        remove_flat_files(root)?;
    } else {
        remove_dir(&previous)?;
    }
    let new = Engine::open(root)?;
    Ok(ReindexReport {
        documents,
        previous,
        current: new.dir().to_path_buf(),
        analysis_before,
        analysis_after: new.sidecar().analysis.clone(),
        problems,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Builds a complete index of `old`'s documents at `dir` with `config`. Returns the number of
/// documents and the warnings.
fn build_generation(
    old: &Engine,
    dir: &Path,
    config: &Config,
    opts: &ReindexOptions,
) -> Result<(u64, Vec<Problem>)> {
    let new = Engine::open_or_create(dir, Some(config))?;
    let mut writer = new.writer()?;
    let searcher = old.searcher();
    let expected = searcher.num_docs();
    let mut last_commit = std::time::Instant::now();
    // 0 = no bound by count (commits every `ingest.commit_secs`).
    let commit_every = opts.commit_every.unwrap_or(config.ingest.commit_every);
    let workers = config.ingest.analysis_workers();
    let fields = *new.fields();
    let analyzer = new.analyzer().clone();
    let detector = new.detector().clone();
    let enabled = config.enabled_langs();
    const CHUNK: usize = 256;

    let (raw_tx, raw_rx) = crossbeam_channel::bounded::<(u64, Vec<RawDocument>)>(workers * 2);
    let (out_tx, out_rx) = crossbeam_channel::bounded::<(
        u64,
        Vec<std::result::Result<(PreparedDocument, Vec<String>), Problem>>,
    )>(workers * 2);
    let mut problems = Vec::new();
    let mut added = 0u64;
    let mut since_commit = 0usize;
    let result: Result<()> = std::thread::scope(|scope| {
        let out_rx = out_rx;
        let reader = scope.spawn(|| -> Result<()> {
            let raw_tx = raw_tx;
            let mut seq = 0u64;
            let mut buf = Vec::with_capacity(CHUNK);
            for (ord, seg) in searcher.segment_readers().iter().enumerate() {
                let alive = seg.alive_bitset();
                for doc in 0..seg.max_doc() {
                    if alive.is_some_and(|a| !a.is_alive(doc)) {
                        continue;
                    }
                    let mut d: StoredValues = searcher.doc(DocAddress::new(ord as u32, doc))?;
                    buf.push(raw_from_stored(old.stored(&mut d, true), &enabled));
                    if buf.len() == CHUNK {
                        let chunk = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK));
                        if raw_tx.send((seq, chunk)).is_err() {
                            return Ok(());
                        }
                        seq += 1;
                    }
                }
            }
            if !buf.is_empty() {
                let _ = raw_tx.send((seq, buf));
            }
            Ok(())
        });
        for _ in 0..workers {
            let rx = raw_rx.clone();
            let tx = out_tx.clone();
            let (analyzer, detector, enabled) = (&analyzer, &detector, &enabled);
            scope.spawn(move || {
                let none = std::collections::HashSet::new();
                for (seq, raws) in rx {
                    let out = raws
                        .into_iter()
                        .map(|raw| {
                            let id = raw.id.clone();
                            let lines = document::clean_lines(&raw.text);
                            let mut warnings = Vec::new();
                            match document::build(
                                raw,
                                lines,
                                &none,
                                detector,
                                enabled,
                                &mut warnings,
                            ) {
                                Ok(doc) => Ok((Writer::prepare(&fields, analyzer, &doc), warnings)),
                                Err(message) => Err(Problem {
                                    severity: Severity::Error,
                                    file: "index".into(),
                                    line: None,
                                    id: Some(id),
                                    message,
                                }),
                            }
                        })
                        .collect();
                    if tx.send((seq, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        drop(raw_rx);
        let mut next = 0u64;
        let mut pending = std::collections::BTreeMap::new();
        for (seq, batch) in out_rx.iter() {
            pending.insert(seq, batch);
            while let Some(batch) = pending.remove(&next) {
                next += 1;
                for item in batch {
                    match item {
                        Ok((doc, warnings)) => {
                            let id = doc.id.clone();
                            writer.add(doc)?;
                            added += 1;
                            since_commit += 1;
                            problems.extend(warnings.into_iter().map(|message| Problem {
                                severity: Severity::Warning,
                                file: "index".into(),
                                line: None,
                                id: Some(id.clone()),
                                message,
                            }));
                        }
                        Err(p) => problems.push(p),
                    }
                    if since_commit > 0
                        && config
                            .ingest
                            .commit_due(since_commit, commit_every, last_commit)
                    {
                        writer.commit(&format!("{{\"reindexed\":{added}}}"))?;
                        since_commit = 0;
                        last_commit = std::time::Instant::now();
                        if opts.report_progress {
                            eprintln!("reindexed: {added} of {expected} documents");
                        }
                    }
                }
            }
        }
        reader.join().map_err(|_| Error::BadIndex {
            dir: old.root().to_path_buf(),
            message: "reading the stored documents failed".into(),
        })??;
        Ok(())
    });
    result?;
    if since_commit > 0 || added == 0 {
        writer.commit(&format!("{{\"reindexed\":{added}}}"))?;
        if opts.report_progress {
            eprintln!("reindexed: {added} of {expected} documents");
        }
    }
    writer.finish()?;
    new.reload()?;
    let got = new.searcher().num_docs();
    if got != expected {
        let first = problems
            .iter()
            .find(|p| p.severity == Severity::Error)
            .map(|p| format!(" (first: {p})"))
            .unwrap_or_default();
        return Err(Error::BadIndex {
            dir: old.root().to_path_buf(),
            message: format!(
                "re-indexing would keep {got} of its {expected} documents{first}; the index is unchanged"
            ),
        });
    }
    Ok((added, problems))
}

/// A stored document back into reader output. The stored text is already normalised; page
/// breaks come back as form feeds, and the dominant language is kept as a hint when the new
/// config still enables it (so a re-index changes analysis, not language decisions).
fn raw_from_stored(s: StoredDocument, enabled: &[Lang]) -> RawDocument {
    let mut text = s.text;
    if !s.page_starts.is_empty() {
        let mut starts: Vec<usize> = s.page_starts.iter().map(|&c| c as usize).collect();
        starts.sort_unstable();
        let mut out = String::with_capacity(text.len() + starts.len());
        let mut next = starts.iter().peekable();
        for (ci, (_, ch)) in text.char_indices().enumerate() {
            while next.peek().is_some_and(|&&p| p <= ci) {
                out.push('\u{c}');
                next.next();
            }
            out.push(ch);
        }
        text = out;
    }
    let lang = Lang::from_code(&s.lang)
        .filter(|l| *l != Lang::Und && enabled.contains(l))
        .map(|l| l.code().to_string());
    RawDocument {
        id: s.id,
        // A derived title is cut again from the text; given as a title it would be indexed as
        // one (every query then reads the title field too).
        title: Some(s.title).filter(|t| !t.is_empty() && !s.title_derived),
        text,
        lang,
        url: s.url,
        date: s.date,
        org: s.org,
        source: s.source,
        metadata: s.metadata,
    }
}

/// Writes `root/CURRENT` atomically: a temp file, fsynced, renamed over it, the directory fsynced.
fn write_pointer(root: &Path, name: &str) -> Result<()> {
    use std::io::Write;
    let path = root.join(CURRENT_FILE);
    let tmp = root.join(format!("{CURRENT_FILE}.tmp"));
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    {
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(format!("{name}\n").as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, &path).map_err(io)?;
    std::fs::File::open(root)
        .and_then(|d| d.sync_all())
        .map_err(io)?;
    Ok(())
}

/// Removes generation directories `CURRENT` does not name (an interrupted reindex), and the
/// files of a flat index that a generation has replaced (a crash right after a switch).
fn remove_leftovers(root: &Path, current: Option<&str>) -> Result<()> {
    let entries = std::fs::read_dir(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        if is_generation_name(&name) && Some(name.as_str()) != current && e.path().is_dir() {
            remove_dir(&e.path())?;
        }
    }
    let _ = std::fs::remove_file(root.join(format!("{CURRENT_FILE}.tmp")));
    if current.is_some() {
        remove_flat_files(root)?;
    }
    Ok(())
}

fn remove_dir(dir: &Path) -> Result<()> {
    std::fs::remove_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// The files of a flat index: tantivy's (`meta.json`, `.managed.json`, locks, `<uuid>.*`) and
/// the sidecar. Nothing else in the directory is touched.
fn remove_flat_files(root: &Path) -> Result<()> {
    let entries = std::fs::read_dir(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let segment_file = name.len() > 33
            && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit)
            && name.as_bytes()[32] == b'.';
        let known = matches!(
            name.as_str(),
            "meta.json" | ".managed.json" | ".tantivy-meta.lock" | ".tantivy-writer.lock"
        ) || name.starts_with(crate::index::SIDECAR_FILE);
        if (segment_file || known) && e.path().is_file() {
            std::fs::remove_file(e.path()).map_err(|source| Error::Io {
                path: e.path(),
                source,
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_names() {
        assert!(is_generation_name("gen-0002"));
        assert!(!is_generation_name("gen-"));
        assert!(!is_generation_name("gen-../x"));
        assert!(!is_generation_name("../gen-1"));
        assert_eq!(generation_number("gen-0012"), Some(12));
    }

    #[test]
    fn page_breaks_come_back() {
        let s = StoredDocument {
            id: "p".into(),
            title: "t".into(),
            title_derived: false,
            lang: "en".into(),
            langs: vec!["en".into()],
            text: "one\n\ntwo\n\nthree".into(),
            source: None,
            url: None,
            date: None,
            org: None,
            metadata: Default::default(),
            page_starts: vec![5],
        };
        let raw = raw_from_stored(s, &[Lang::En]);
        assert_eq!(raw.text, "one\n\n\u{c}two\n\nthree");
        assert_eq!(raw.lang.as_deref(), Some("en"));
    }
}
