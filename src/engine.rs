//! The engine: one open index with the config and analysis it was built with. The CLI, the HTTP
//! service and the bench all go through it, so they answer the same query the same way.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, TantivyError, Term,
};

use crate::analysis::Analyzer;
use crate::config::Config;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::index::{self, Fields, Sidecar, StoredValues};
use crate::lang::{Detector, Lang};

/// Where the index lives when nothing says otherwise.
pub const DEFAULT_INDEX_DIR: &str = "data/index";

/// The stored documents are compressed in blocks of this many bytes, and a hit decompresses its
/// whole block (tantivy's default is 16 kB).
const DOCSTORE_BLOCK_BYTES: usize = 8192;

/// Bytes of decompressed store blocks to keep per segment (tantivy keeps 100 blocks). Hits
/// cluster: known documents answer many queries, and neighbours in a block share a site. In one
/// cold pass over the lighter half of the dev-eval queries (5,659 hits), 100 blocks decompressed
/// 4,274 blocks, 400 decompressed 3,196 and 1,000 decompressed 2,291; reading hits was a fifth
/// of such a query's instructions.
const DOCSTORE_CACHE_BYTES: u64 = 8 << 20;

/// Store blocks to cache: [`DOCSTORE_CACHE_BYTES`] over the index's mean block size (a block
/// holds 8 kB of documents, or one bigger document; sizes as stored, compressed), between
/// tantivy's 100 and 1,000. tantivy counts blocks, not bytes: a corpus of big PDFs gets fewer.
fn docstore_cache_blocks(dir: &Path, index: &Index) -> usize {
    let (mut bytes, mut docs) = (0u64, 0u64);
    for meta in index.searchable_segment_metas().unwrap_or_default() {
        let path = dir.join(meta.relative_path(tantivy::index::SegmentComponent::Store));
        bytes += std::fs::metadata(path).map_or(0, |m| m.len());
        docs += u64::from(meta.max_doc());
    }
    let block = (bytes / docs.max(1)).max(DOCSTORE_BLOCK_BYTES as u64);
    (DOCSTORE_CACHE_BYTES / block).clamp(100, 1000) as usize
}

/// A searcher generation's id, and per enabled language its documents.
type LangDocs = (u64, Vec<(Lang, u64)>);

pub struct Engine {
    /// The index directory as given (`--index`).
    root: PathBuf,
    /// Where the tantivy files are: `root`, or the generation its `CURRENT` names (see
    /// [`crate::reindex`]). Fixed for the engine's life, so it never mixes two generations.
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    config: Config,
    analyzer: Arc<Analyzer>,
    detector: Detector,
    sidecar: Sidecar,
    /// Per segment, each document's language mask and organisation, for facet counting.
    facets: crate::search::FacetCache,
    /// Per enabled language, how many documents have text in it, for the searcher generation
    /// it was counted in (the collection's reading of a query asks on every search).
    lang_docs: std::sync::Mutex<Option<LangDocs>>,
    /// Per segment, which terms its body dictionary may hold (see `search::term_filter`).
    term_filters: crate::search::TermFilters,
}

/// A stored document, as `GET /documents/{id}` returns it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct StoredDocument {
    pub id: String,
    pub title: String,
    /// The title was cut from the text (the input gave none), so a reindex does not index it
    /// as a title.
    #[serde(skip)]
    pub title_derived: bool,
    pub lang: String,
    pub langs: Vec<String>,
    pub text: String,
    pub source: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
    pub org: Option<String>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Character offsets where pages 2, 3, … start (paged formats only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub page_starts: Vec<u32>,
}

/// Index statistics (`ngo-search stats`, `GET /stats`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub documents: u64,
    /// Documents per dominant language.
    pub languages: BTreeMap<String, u64>,
    pub segments: usize,
    /// Bytes on disk.
    pub bytes: u64,
    pub snapshot: String,
}

impl Engine {
    /// Opens an existing index with the config it was built with.
    pub fn open(dir: &Path) -> Result<Engine> {
        Engine::open_checked(dir, true)
    }

    /// Opens an index for its stored documents whatever analysis it was built with (`reindex`
    /// after an analyzer upgrade). Never search through such an engine.
    pub(crate) fn open_stored(dir: &Path) -> Result<Engine> {
        Engine::open_checked(dir, false)
    }

    fn open_checked(root: &Path, check_analysis: bool) -> Result<Engine> {
        let data = crate::reindex::resolve(root)?;
        let dir = data.as_path();
        let sidecar = match Sidecar::read(dir)? {
            Some(s) => s,
            None if dir.join("meta.json").exists() => {
                return Err(Error::BadIndex {
                    dir: dir.to_path_buf(),
                    message: format!("no {} (not built by ngo-search)", index::SIDECAR_FILE),
                })
            }
            None => {
                return Err(Error::NoIndex {
                    dir: root.to_path_buf(),
                })
            }
        };
        if !dir.join("meta.json").exists() {
            return Err(Error::NoIndex {
                dir: root.to_path_buf(),
            });
        }
        let config = sidecar.config(dir)?;
        let current = config.analysis_fingerprint();
        if check_analysis && current != sidecar.analysis {
            return Err(Error::AnalysisMismatch {
                dir: root.to_path_buf(),
                built: sidecar.analysis.clone(),
                current,
            });
        }
        let index = Index::open_in_dir(dir)?;
        Engine::with_index(root, dir, index, config, sidecar)
    }

    /// Opens the index at `dir`, creating it with `config` (or the default) if there is none.
    /// An existing index built with other analysis settings than `config` is an error.
    pub fn open_or_create(root: &Path, config: Option<&Config>) -> Result<Engine> {
        let data = crate::reindex::resolve(root)?;
        let dir = data.as_path();
        if dir.join("meta.json").exists() {
            let mut engine = Engine::open(root)?;
            if let Some(c) = config {
                let wanted = c.analysis_fingerprint();
                if wanted != engine.sidecar.analysis {
                    return Err(Error::AnalysisMismatch {
                        dir: root.to_path_buf(),
                        built: engine.sidecar.analysis.clone(),
                        current: wanted,
                    });
                }
                // Same analysis: the settings that may change at any time ([ranking],
                // [snippets], [ingest], [limits]) take effect now and stay with the index.
                if *c != engine.config {
                    let sidecar = Sidecar {
                        config: c.to_toml(),
                        ..engine.sidecar.clone()
                    };
                    sidecar.write(&engine.dir)?;
                    engine.sidecar = sidecar;
                    engine.config = c.clone();
                }
            }
            return Ok(engine);
        }
        let config = config.cloned().unwrap_or_else(Config::default_config);
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        // Sidecar first: a crash before the index exists leaves a sidecar and no meta.json,
        // which the next run completes; never an index without its config.
        let sidecar = match Sidecar::read(dir)? {
            Some(s) if s.analysis == config.analysis_fingerprint() => s,
            _ => {
                let s = Sidecar::new(&config);
                s.write(dir)?;
                s
            }
        };
        let (schema, _) = index::schema();
        let settings = tantivy::IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCK_BYTES,
            ..tantivy::IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_dir(dir)?;
        Engine::with_index(root, dir, index, config, sidecar)
    }

    fn with_index(
        root: &Path,
        dir: &Path,
        index: Index,
        config: Config,
        sidecar: Sidecar,
    ) -> Result<Engine> {
        let (_, fields) = index::schema();
        // The body's tokenizer decodes our encoded terms (index::TermsTokenizer); an index made
        // before that ("raw") would store the encoding as one term.
        let body_tokenizer = match index.schema().get_field_entry(fields.body).field_type() {
            tantivy::schema::FieldType::Str(o) => {
                o.get_indexing_options().map(|i| i.tokenizer().to_string())
            }
            _ => None,
        };
        if index.schema().get_field("body").ok() != Some(fields.body)
            || index.schema().get_field("langmask").ok() != Some(fields.langmask)
            || body_tokenizer.as_deref() != Some(index::TERMS_TOKENIZER)
        {
            return Err(Error::BadIndex {
                dir: dir.to_path_buf(),
                message: "its schema is not this version's: re-index".into(),
            });
        }
        index::register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .doc_store_cache_num_blocks(docstore_cache_blocks(dir, &index))
            .try_into()?;
        let analyzer = Arc::new(Analyzer::new(&config));
        let detector = Detector::new(&config.enabled_langs());
        Ok(Engine {
            root: root.to_path_buf(),
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            config,
            analyzer,
            detector,
            sidecar,
            facets: Default::default(),
            lang_docs: Default::default(),
            term_filters: Default::default(),
        })
    }

    /// The index directory as given; [`Engine::dir`] is where its current files are.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// False once `ngo-search reindex` has switched the index to a new generation: reopen
    /// (`Engine::open(engine.root())`) to answer from it.
    pub fn is_current(&self) -> bool {
        crate::reindex::resolve(&self.root).is_ok_and(|d| d == self.dir)
    }

    /// Holds the index's writer lock without a writer (what `reindex` does while it copies):
    /// other writers get [`Error::WriterBusy`], readers go on.
    pub fn write_lock(&self) -> Result<tantivy::directory::DirectoryLock> {
        use tantivy::Directory;
        match self
            .index
            .directory()
            .acquire_lock(&tantivy::directory::INDEX_WRITER_LOCK)
        {
            Ok(lock) => Ok(lock),
            Err(LockError::LockBusy) => Err(Error::WriterBusy {
                dir: self.root.clone(),
            }),
            Err(e) => Err(TantivyError::LockFailure(e, None).into()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }
    pub fn detector(&self) -> &Detector {
        &self.detector
    }
    pub fn fields(&self) -> &Fields {
        &self.fields
    }
    pub(crate) fn facet_cache(&self) -> &crate::search::FacetCache {
        &self.facets
    }

    pub(crate) fn term_filters(&self) -> &crate::search::TermFilters {
        &self.term_filters
    }

    /// Per enabled language, the documents with text in it (remembered per searcher
    /// generation: twelve dictionary lookups a search otherwise).
    pub(crate) fn lang_doc_counts(&self, searcher: &Searcher) -> Vec<(Lang, u64)> {
        let generation = searcher.generation().generation_id();
        if let Ok(memo) = self.lang_docs.lock() {
            if let Some((g, counts)) = memo.as_ref() {
                if *g == generation {
                    return counts.clone();
                }
            }
        }
        let counts: Vec<(Lang, u64)> = self
            .config
            .enabled_langs()
            .into_iter()
            .map(|lang| {
                let t = tantivy::Term::from_field_text(self.fields.langs, lang.code());
                (lang, searcher.doc_freq(&t).unwrap_or(0))
            })
            .collect();
        if let Ok(mut memo) = self.lang_docs.lock() {
            *memo = Some((generation, counts.clone()));
        }
        counts
    }
    pub fn sidecar(&self) -> &Sidecar {
        &self.sidecar
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Makes the latest commit visible now (instead of after the reload delay).
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// The only writer of this index, until it is dropped. Another process holding the lock is
    /// a clear error, not a wait.
    pub fn writer(&self) -> Result<Writer> {
        let ingest = &self.config.ingest;
        let threads = ingest.writer_workers();
        let budget = (ingest.writer_memory_mb << 20).max(threads * (16 << 20));
        let reindexed = || Error::BadIndex {
            dir: self.root.clone(),
            message: "it was re-indexed since this process opened it: open it again".into(),
        };
        if !self.is_current() {
            return Err(reindexed());
        }
        let writer: IndexWriter = match self.index.writer_with_num_threads(threads, budget) {
            Ok(w) => w,
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                return Err(Error::WriterBusy {
                    dir: self.root.clone(),
                })
            }
            Err(e) => return Err(e.into()),
        };
        // Checked with the lock held: `reindex` switches generations only while it holds this
        // generation's lock, so a writer never adds to a generation that is no longer read.
        if !self.is_current() {
            drop(writer);
            return Err(reindexed());
        }
        Ok(Writer {
            writer,
            fields: self.fields,
            analyzer: self.analyzer.clone(),
            uncommitted: 0,
            threads,
        })
    }

    /// Changes with every commit: lets a client tell whether two answers come from one state.
    pub fn snapshot(&self, searcher: &Searcher) -> String {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (id, del) in searcher.generation().segments() {
            id.uuid_string().hash(&mut h);
            del.hash(&mut h);
        }
        format!("{}-{:08x}", self.sidecar.index_id, h.finish() as u32)
    }

    fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.fields.id, id)
    }

    /// The stored document with this id.
    pub fn get_document(&self, id: &str) -> Result<Option<StoredDocument>> {
        let searcher = self.searcher();
        let q = TermQuery::new(self.id_term(id), IndexRecordOption::Basic);
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = top.first() else {
            return Ok(None);
        };
        let mut values: StoredValues = searcher.doc(*addr)?;
        Ok(Some(self.stored(&mut values, true)))
    }

    pub fn contains(&self, id: &str) -> Result<bool> {
        let q = TermQuery::new(self.id_term(id), IndexRecordOption::Basic);
        Ok(self.searcher().search(&q, &Count)? > 0)
    }

    /// A hit's or a reindex's document from its stored values (moved out; `spans` stays).
    /// Without `extras`, metadata and page starts stay empty: a hit without snippets shows
    /// neither, and parsing their JSON was a sixth of reading a hit.
    pub(crate) fn stored(&self, values: &mut StoredValues, extras: bool) -> StoredDocument {
        let f = &self.fields;
        let text = values.take(f.text).unwrap_or_default();
        // Only given titles are stored. Indexes before that stored the derived ones too: a
        // stored title that begins the text is one of those.
        let (title, title_derived) = match values.take(f.title) {
            Some(t) => {
                let derived = text.starts_with(t.trim_end_matches('…'));
                (t, derived)
            }
            None => {
                // Only the first span is needed: its triple leads the encoded list.
                let first = values
                    .get(f.spans)
                    .and_then(|s| {
                        let triple = s.split(' ').next().unwrap_or_default();
                        crate::index::decode_spans(triple, &text).into_iter().next()
                    })
                    .map_or("", |s| &text[s.start..s.end]);
                (crate::document::derived_title(first), true)
            }
        };
        StoredDocument {
            id: values.take(f.id).unwrap_or_default(),
            title,
            title_derived,
            lang: values.take(f.lang).unwrap_or_else(|| "und".into()),
            langs: values.take_all(f.langs),
            source: values.take(f.source),
            url: values.take(f.url),
            date: values.take(f.date_text),
            org: values.take(f.org),
            metadata: values
                .get(f.metadata)
                .filter(|_| extras)
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or_default(),
            page_starts: values
                .get(f.pages)
                .filter(|_| extras)
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or_default(),
            text,
        }
    }

    pub fn stats(&self) -> Result<Stats> {
        let searcher = self.searcher();
        let mut languages = BTreeMap::new();
        let mut langs: Vec<Lang> = self.config.enabled_langs();
        langs.push(Lang::Und);
        for l in langs {
            let q = TermQuery::new(
                Term::from_field_text(self.fields.lang, l.code()),
                IndexRecordOption::Basic,
            );
            let n = searcher.search(&q, &Count)? as u64;
            if n > 0 {
                languages.insert(l.code().to_string(), n);
            }
        }
        let bytes = walkdir::WalkDir::new(&self.dir)
            .max_depth(1)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        Ok(Stats {
            documents: searcher.num_docs(),
            languages,
            segments: searcher.segment_readers().len(),
            bytes,
            snapshot: self.snapshot(&searcher),
        })
    }
}

/// The index's single writer. Documents added are invisible (and not durable) until `commit`.
pub struct Writer {
    writer: IndexWriter,
    fields: Fields,
    analyzer: Arc<Analyzer>,
    uncommitted: usize,
    /// tantivy's indexing threads: a commit makes up to one segment per thread.
    threads: usize,
}

impl Writer {
    /// Analyses a document into its tantivy form; pure, so ingest runs it on worker threads.
    pub fn prepare(fields: &Fields, analyzer: &Analyzer, doc: &Document) -> PreparedDocument {
        PreparedDocument {
            id: doc.id.clone(),
            doc: index::to_tantivy(doc, fields, analyzer),
        }
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Adds or replaces (by id) a document.
    pub fn add(&mut self, doc: PreparedDocument) -> Result<()> {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, &doc.id));
        self.writer.add_document(doc.doc)?;
        self.uncommitted += 1;
        Ok(())
    }

    /// Adds a document whose id the caller knows no committed or pending document has (a
    /// fresh index, an id not seen before): no delete is queued for it, which saves tantivy a
    /// delete operation per document and a term lookup per document and segment at commit.
    pub fn add_unique(&mut self, doc: PreparedDocument) -> Result<()> {
        self.writer.add_document(doc.doc)?;
        self.uncommitted += 1;
        Ok(())
    }

    pub fn add_document(&mut self, doc: &Document) -> Result<()> {
        let p = Writer::prepare(&self.fields, &self.analyzer, doc);
        self.add(p)
    }

    pub fn delete(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, id));
        self.uncommitted += 1;
    }

    pub fn uncommitted(&self) -> usize {
        self.uncommitted
    }

    /// Makes everything added so far durable and searchable (atomically), with a note of what
    /// was committed stored in the commit itself.
    pub fn commit(&mut self, payload: &str) -> Result<u64> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(payload);
        let opstamp = prepared.commit()?;
        self.uncommitted = 0;
        Ok(opstamp)
    }

    /// Drops everything added since the last commit.
    pub fn rollback(&mut self) -> Result<()> {
        self.writer.rollback()?;
        self.uncommitted = 0;
        Ok(())
    }

    /// The segments searchable now (to tell later which ones a bulk ingest made).
    pub fn segment_ids(&self) -> Result<std::collections::HashSet<tantivy::index::SegmentId>> {
        Ok(self
            .writer
            .index()
            .searchable_segment_ids()?
            .into_iter()
            .collect())
    }

    /// Bulk mode: no background merges while a large ingest commits batch after batch (each
    /// commit leaves a segment per indexing thread; merging them level by level as they come
    /// rewrote the same postings several times). [`Writer::merge_new_segments`] then merges
    /// what the ingest made once, and the normal merge policy comes back.
    pub fn set_bulk(&mut self, bulk: bool) {
        if bulk {
            self.writer
                .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        } else {
            self.writer
                .set_merge_policy(Box::new(tantivy::indexer::LogMergePolicy::default()));
        }
    }

    /// Merges the committed segments that are not in `before` into one, and waits for it, when
    /// there are more of them than indexing threads (several commits). Queries pay a
    /// term-dictionary lookup per term and segment, and a query reads each word in every language
    /// (dozens of terms), so many segments cost query time; but one commit's segments (one per
    /// thread, when `ingest.writer_threads` asks for several to ingest faster) are left as they
    /// are: merging them would rewrite the whole ingest on one core.
    pub fn merge_new_segments(
        &mut self,
        before: &std::collections::HashSet<tantivy::index::SegmentId>,
    ) -> Result<()> {
        let ids: Vec<tantivy::index::SegmentId> = self
            .writer
            .index()
            .searchable_segment_ids()?
            .into_iter()
            .filter(|id| !before.contains(id))
            .collect();
        if ids.len() > self.threads {
            self.writer.merge(&ids).wait()?;
        }
        Ok(())
    }

    /// Waits for background merges, so a process that exits leaves no half-merged files.
    pub fn finish(self) -> Result<()> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// A document analysed and ready for the writer.
pub struct PreparedDocument {
    pub id: String,
    pub doc: TantivyDocument,
}

#[cfg(test)]
mod tests {
    use super::docstore_cache_blocks;
    use crate::search::tests::engine_with_pages;

    /// Small documents get the most blocks, big ones (a block each) as few as tantivy's default:
    /// the cache stays near its bytes either way.
    #[test]
    fn the_store_cache_holds_fewer_blocks_of_bigger_documents() {
        let small = tempfile::tempdir().expect("tempdir");
        let e = engine_with_pages(small.path(), &[("en", "A short page about volunteers.")]);
        assert_eq!(docstore_cache_blocks(e.dir(), &e.index), 1000);

        let big = tempfile::tempdir().expect("tempdir");
        // Varied words, so the store cannot compress the pages to almost nothing.
        let page: String = (0..40_000u32)
            .map(|i| format!("w{} ", i.wrapping_mul(2_654_435_761) % 1_000_003))
            .collect();
        let e = engine_with_pages(big.path(), &[("en", &page), ("en", &page)]);
        assert_eq!(docstore_cache_blocks(e.dir(), &e.index), 100);
    }
}
