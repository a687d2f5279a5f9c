//! The query's words, each read in every language, scored in one pass over their postings.
//!
//! A word reads as a dozen terms (per language its stem and folded form, the truncated form,
//! title forms) and counts as a disjunction-max over them with a tie-breaker; the words are
//! summed. As tantivy queries that is a `BooleanQuery` of `DisjunctionMaxQuery`s of
//! `TermQuery`s: a union of unions, where every matching document is buffered and scored once
//! per level through boxed scorers, each union allocating its own 4,096-document score window,
//! and every term looked up in the dictionary again to open its postings. On dev-eval that was
//! about 40 % of a query's time.
//!
//! [`ReadingsQuery`] scores the same sum in one union: it reads each term's postings a block of
//! 128 documents at a time (from the dictionary entries the search already looked up), scores
//! them with tantivy's own [`Bm25Weight`], folds each word's readings into max + tie-breaker ×
//! the others, and adds the words in order — the same formula, in the same order of floating
//! point operations, as the nested queries.

use std::fmt;
use std::sync::Arc;

use tantivy::directory::OwnedBytes;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Documents buffered per window (as tantivy's union: 64 × 64).
const HORIZON: u32 = 4096;
const BUCKETS: usize = HORIZON as usize / 64;

/// One reading of a query word: a term, its weight, and where its postings are in each segment.
#[derive(Clone, Debug)]
pub struct Reading {
    pub term: Term,
    pub weight: f32,
    /// Per segment of [`ReadingsQuery::segments`] (same order), the term's dictionary entry as
    /// the search found it (`None`, or past the end: not in that segment).
    pub infos: Vec<Option<TermInfo>>,
}

/// Σ over words of (best reading + tie_breaker × the word's other readings), BM25 per reading.
#[derive(Clone)]
pub struct ReadingsQuery {
    words: Vec<Vec<Reading>>,
    tie_breaker: f32,
    /// The segments `Reading::infos` describe; another segment looks its terms up itself.
    segments: Vec<SegmentId>,
}

impl fmt::Debug for ReadingsQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadingsQuery")
            .field("words", &self.words)
            .field("tie_breaker", &self.tie_breaker)
            .finish()
    }
}

impl ReadingsQuery {
    pub fn new(words: Vec<Vec<Reading>>, tie_breaker: f32, segments: Vec<SegmentId>) -> Self {
        ReadingsQuery {
            words,
            tie_breaker,
            segments,
        }
    }
}

impl Query for ReadingsQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut words = Vec::with_capacity(self.words.len());
        let mut average_fieldnorms: Vec<(tantivy::schema::Field, Score)> = Vec::new();
        for readings in &self.words {
            let mut scored = Vec::with_capacity(readings.len());
            for r in readings {
                // As `TermQuery` weighs a term (less its explanation, which no one reads and
                // every boost would copy), then `BoostQuery` its weight.
                let bm25 = match enable_scoring {
                    EnableScoring::Enabled {
                        statistics_provider: stats,
                        ..
                    } => {
                        let docs = stats.total_num_docs()?;
                        let field = r.term.field();
                        let average = match average_fieldnorms.iter().find(|(f, _)| *f == field) {
                            Some(&(_, a)) => a,
                            None => {
                                let a = stats.total_num_tokens(field)? as Score / docs as Score;
                                average_fieldnorms.push((field, a));
                                a
                            }
                        };
                        Bm25Weight::for_one_term_without_explain(
                            stats.doc_freq(&r.term)?,
                            docs,
                            average,
                        )
                    }
                    EnableScoring::Disabled { .. } => {
                        Bm25Weight::for_one_term_without_explain(0, 1, 1.0)
                    }
                };
                scored.push((r.clone(), bm25.boost_by(r.weight)));
            }
            words.push(scored);
        }
        Ok(Box::new(ReadingsWeight {
            words,
            tie_breaker: self.tie_breaker,
            segments: self.segments.clone(),
            scoring: enable_scoring.is_scoring_enabled(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for r in self.words.iter().flatten() {
            visitor(&r.term, false);
        }
    }
}

struct ReadingsWeight {
    words: Vec<Vec<(Reading, Bm25Weight)>>,
    tie_breaker: f32,
    segments: Vec<SegmentId>,
    scoring: bool,
}

impl ReadingsWeight {
    fn union(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<ReadingsUnion> {
        let ord = self.segments.iter().position(|s| *s == reader.segment_id());
        let mut cursors = Vec::with_capacity(self.words.iter().map(Vec::len).sum());
        // Per field searched (body, title terms), its dictionary and norms, opened once.
        let mut fields: Vec<(Field, Arc<InvertedIndexReader>, Norms)> = Vec::new();
        for (word, readings) in self.words.iter().enumerate() {
            for (r, bm25) in readings {
                let field = r.term.field();
                let at = match fields.iter().position(|(f, _, _)| *f == field) {
                    Some(at) => at,
                    None => {
                        fields.push((
                            field,
                            reader.inverted_index(field)?,
                            self.norms(reader, field)?,
                        ));
                        fields.len() - 1
                    }
                };
                let (_, inverted, norms) = &fields[at];
                let info = match ord {
                    Some(i) => r.infos.get(i).cloned().flatten(),
                    None => inverted.get_term_info(&r.term)?,
                };
                let Some(info) = info else { continue };
                let postings = inverted
                    .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
                let norms = norms.clone();
                let cursor = Cursor {
                    postings,
                    at: 0,
                    bm25: bm25.boost_by(boost),
                    norms,
                    word: word as u32,
                };
                if cursor.doc() != TERMINATED {
                    cursors.push(cursor);
                }
            }
        }
        Ok(ReadingsUnion::new(cursors, self.tie_breaker))
    }
}

impl ReadingsWeight {
    /// The field's norms as bytes (one per document), read directly: through
    /// `FieldNormReader` every posting paid a match on its kind as well.
    fn norms(&self, reader: &SegmentReader, field: Field) -> tantivy::Result<Norms> {
        let file = match self.scoring {
            true => reader
                .fieldnorms_readers()
                .get_inner_file()
                .open_read(field),
            false => None,
        };
        Ok(match file {
            Some(file) => Norms::Bytes(file.read_bytes()?),
            None => Norms::Constant(FieldNormReader::fieldnorm_to_id(1)),
        })
    }
}

impl Weight for ReadingsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.union(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut union = self.union(reader, 1.0)?;
        if union.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new(
            "Σ words (best reading + tie_breaker × other readings)",
            union.score(),
        ))
    }

    /// The collectors' usual path: every match in order, without a boxed scorer per document.
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        let mut union = self.union(reader, 1.0)?;
        if union.doc == TERMINATED {
            return Ok(());
        }
        callback(union.doc, union.score);
        loop {
            union.drain(callback);
            if !union.refill() {
                union.doc = TERMINATED;
                return Ok(());
            }
        }
    }
}

/// One reading's postings in one segment, a block at a time.
struct Cursor {
    postings: BlockSegmentPostings,
    /// Index in the current block: always inside it, unless the postings are exhausted (the
    /// block is empty).
    at: usize,
    bm25: Bm25Weight,
    norms: Norms,
    word: u32,
}

/// A field's length norms in a segment (tantivy's fieldnorm ids).
#[derive(Clone)]
enum Norms {
    Bytes(OwnedBytes),
    /// No norms (scoring off, or a field without them): every document counts as one token,
    /// as tantivy's `TermWeight` does.
    Constant(u8),
}

impl Cursor {
    fn doc(&self) -> DocId {
        self.postings
            .docs()
            .get(self.at)
            .copied()
            .unwrap_or(TERMINATED)
    }

    /// Moves to the next block when the index ran past this one.
    fn settle(&mut self) {
        if self.at >= self.postings.docs().len() && !self.postings.docs().is_empty() {
            self.postings.advance();
            self.at = 0;
        }
    }
}

/// A window's buffers (50 kB), kept per thread for the next search: a fresh allocation of
/// that size is fresh pages the kernel zeroes, on every query and segment.
struct Window {
    /// Documents of the window that match, and the ones the current word matches (both empty
    /// between uses).
    bits: Box<[u64]>,
    word_bits: Box<[u64]>,
    /// Per document of the window: the sum so far, and the current word's best and total (all
    /// zero between uses).
    total: Box<[Score]>,
    best: Box<[Score]>,
    sum: Box<[Score]>,
}

/// A window's buffers at their fixed sizes: indexes masked to the window need no bounds check.
struct Arrays<'a> {
    bits: &'a mut [u64; BUCKETS],
    word_bits: &'a mut [u64; BUCKETS],
    total: &'a mut [Score; HORIZON as usize],
    best: &'a mut [Score; HORIZON as usize],
    sum: &'a mut [Score; HORIZON as usize],
}

thread_local! {
    static WINDOWS: std::cell::RefCell<Vec<Window>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Window {
    fn take() -> Window {
        WINDOWS
            .with(|w| w.borrow_mut().pop())
            .unwrap_or_else(|| Window {
                bits: vec![0; BUCKETS].into(),
                word_bits: vec![0; BUCKETS].into(),
                total: vec![0.0; HORIZON as usize].into(),
                best: vec![0.0; HORIZON as usize].into(),
                sum: vec![0.0; HORIZON as usize].into(),
            })
    }

    /// No buffers (what a dropped union leaves behind).
    fn empty() -> Window {
        Window {
            bits: Box::default(),
            word_bits: Box::default(),
            total: Box::default(),
            best: Box::default(),
            sum: Box::default(),
        }
    }

    fn arrays(&mut self) -> Option<Arrays<'_>> {
        Some(Arrays {
            bits: (&mut *self.bits).try_into().ok()?,
            word_bits: (&mut *self.word_bits).try_into().ok()?,
            total: (&mut *self.total).try_into().ok()?,
            best: (&mut *self.best).try_into().ok()?,
            sum: (&mut *self.sum).try_into().ok()?,
        })
    }
}

/// One block of a reading's postings, scored into a window.
struct Block<'a> {
    docs: &'a [DocId],
    freqs: &'a [u32],
    start: DocId,
    horizon: DocId,
    bm25: &'a Bm25Weight,
}

impl Block<'_> {
    /// Scores the block's documents from `at` up to the window's end into the current word's
    /// best and total; returns where it stopped.
    #[inline(always)]
    fn score(&self, mut at: usize, w: &mut Arrays<'_>, norm: impl Fn(DocId) -> u8) -> usize {
        while let Some(&doc) = self.docs.get(at) {
            if doc >= self.horizon {
                break;
            }
            // (Masked: the compiler then knows it is in the window.)
            let delta = (doc - self.start) as usize & (HORIZON as usize - 1);
            let tf = self.freqs.get(at).copied().unwrap_or(1);
            let s = self.bm25.score(norm(doc), tf);
            w.word_bits[delta / 64] |= 1 << (delta % 64);
            // tantivy's dis-max, which starts from 0 too.
            w.best[delta] = w.best[delta].max(s);
            w.sum[delta] += s;
            at += 1;
        }
        at
    }
}

/// The union of every reading's postings in a segment, scored a window of documents at a time.
pub struct ReadingsUnion {
    /// Grouped by word, in the query's order.
    cursors: Vec<Cursor>,
    tie_breaker: f32,
    window: Window,
    window_start: DocId,
    bucket: usize,
    doc: DocId,
    score: Score,
}

impl ReadingsUnion {
    fn new(cursors: Vec<Cursor>, tie_breaker: f32) -> Self {
        let mut union = ReadingsUnion {
            cursors,
            tie_breaker,
            window: Window::take(),
            window_start: 0,
            bucket: BUCKETS,
            doc: 0,
            score: 0.0,
        };
        union.advance();
        union
    }

    /// Scores the next window: the `HORIZON` documents from the smallest one left.
    fn refill(&mut self) -> bool {
        let Some(start) = self.cursors.iter().map(Cursor::doc).min() else {
            return false;
        };
        if start == TERMINATED {
            return false;
        }
        let tie_breaker = self.tie_breaker;
        let Some(mut w) = self.window.arrays() else {
            return false;
        };
        self.window_start = start;
        self.bucket = 0;
        let horizon = start.saturating_add(HORIZON);
        let mut k = 0;
        while k < self.cursors.len() {
            let word = self.cursors[k].word;
            while k < self.cursors.len() && self.cursors[k].word == word {
                let c = &mut self.cursors[k];
                loop {
                    let docs = c.postings.docs();
                    if docs.is_empty() {
                        break;
                    }
                    let freqs = c.postings.freqs();
                    let block = Block {
                        docs,
                        freqs,
                        start,
                        horizon,
                        bm25: &c.bm25,
                    };
                    let at = match &c.norms {
                        Norms::Bytes(bytes) => {
                            let bytes = bytes.as_slice();
                            block.score(c.at, &mut w, |doc| {
                                bytes.get(doc as usize).copied().unwrap_or(0)
                            })
                        }
                        Norms::Constant(id) => block.score(c.at, &mut w, |_| *id),
                    };
                    c.at = at;
                    if at < docs.len() {
                        break;
                    }
                    c.postings.advance();
                    c.at = 0;
                }
                k += 1;
            }
            // The word is complete for this window: add it to each document it matched.
            for b in 0..BUCKETS {
                let mut word = std::mem::take(&mut w.word_bits[b]);
                w.bits[b] |= word;
                while word != 0 {
                    let d = (b * 64 + word.trailing_zeros() as usize) & (HORIZON as usize - 1);
                    word &= word - 1;
                    let best = std::mem::take(&mut w.best[d]);
                    let sum = std::mem::take(&mut w.sum[d]);
                    w.total[d] += best + (sum - best) * tie_breaker;
                }
            }
        }
        self.cursors.retain(|c| !c.postings.docs().is_empty());
        true
    }

    /// Hands out what is left of the window.
    fn drain(&mut self, callback: &mut dyn FnMut(DocId, Score)) {
        let start = self.window_start;
        if let Some(w) = self.window.arrays() {
            for b in self.bucket..BUCKETS {
                let mut bits = std::mem::take(&mut w.bits[b]);
                while bits != 0 {
                    let d = (b * 64 + bits.trailing_zeros() as usize) & (HORIZON as usize - 1);
                    bits &= bits - 1;
                    callback(start + d as DocId, std::mem::take(&mut w.total[d]));
                }
            }
        }
        self.bucket = BUCKETS;
    }

    /// Drops what is left of the window.
    fn clear_window(&mut self) {
        if let Some(w) = self.window.arrays() {
            for b in self.bucket..BUCKETS {
                let mut bits = std::mem::take(&mut w.bits[b]);
                while bits != 0 {
                    w.total[(b * 64 + bits.trailing_zeros() as usize) & (HORIZON as usize - 1)] =
                        0.0;
                    bits &= bits - 1;
                }
            }
        }
        self.bucket = BUCKETS;
    }
}

impl Drop for ReadingsUnion {
    fn drop(&mut self) {
        self.clear_window();
        let window = std::mem::replace(&mut self.window, Window::empty());
        // A thread keeps as many as it had in use at once (one per segment of a search).
        WINDOWS.with(|w| w.borrow_mut().push(window));
    }
}

impl DocSet for ReadingsUnion {
    fn advance(&mut self) -> DocId {
        loop {
            while let Some(bits) = self.window.bits.get_mut(self.bucket) {
                if *bits != 0 {
                    let delta = self.bucket * 64 + bits.trailing_zeros() as usize;
                    *bits &= *bits - 1;
                    self.doc = self.window_start + delta as DocId;
                    self.score = self.window.total.get_mut(delta).map_or(0.0, std::mem::take);
                    return self.doc;
                }
                self.bucket += 1;
            }
            if !self.refill() {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if target >= self.window_start.saturating_add(HORIZON) {
            self.clear_window();
            for c in &mut self.cursors {
                if c.doc() < target {
                    c.at = c.postings.seek(target);
                    c.settle();
                }
            }
            self.cursors.retain(|c| c.doc() != TERMINATED);
        }
        loop {
            let doc = self.advance();
            if doc >= target {
                return doc;
            }
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.cursors
            .iter()
            .map(|c| c.postings.doc_freq())
            .fold(0u32, u32::saturating_add)
    }
}

impl Scorer for ReadingsUnion {
    fn score(&mut self) -> Score {
        self.score
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, TermQuery};
    use tantivy::schema::{Schema, STRING, TEXT};
    use tantivy::{doc, DocAddress, Index, IndexWriter, Searcher};

    use super::*;

    /// 12,000 documents over a few words (so that windows fill and segments differ), in
    /// three segments; `tag` marks every 2,500th document (a filter that seeks far ahead).
    fn index() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let tag = schema.add_text_field("tag", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .expect("writer");
        let words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"];
        let mut state = 7u64;
        for i in 0..12_000u32 {
            let mut text = String::new();
            for _ in 0..(1 + i % 9) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Skewed: the first words are common, the last rare.
                let r = (state >> 33) % 64;
                let w = words[(r.leading_zeros() as usize + (r as usize % 3)) % words.len()];
                text.push_str(w);
                text.push(' ');
            }
            let t = if i % 2500 == 7 { "rare" } else { "common" };
            writer
                .add_document(doc!(body => text, tag => t))
                .expect("add");
            if i == 3000 || i == 7000 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        (index, body, tag)
    }

    /// Every match and its score, through the collectors' `for_each` path (top docs and a
    /// count, as the search collects) and through the boxed scorer (top docs alone).
    fn all(searcher: &Searcher, q: &dyn Query) -> HashMap<DocAddress, Score> {
        let top = || TopDocs::with_limit(20_000).order_by_score();
        let (docs, count) = searcher.search(q, &(top(), Count)).expect("search");
        let alone = searcher.search(q, &top()).expect("search");
        assert_eq!(docs, alone);
        assert_eq!(docs.len(), count);
        docs.into_iter().map(|(s, a)| (a, s)).collect()
    }

    #[test]
    fn one_pass_scores_every_document_as_the_nested_dis_max_queries_do() {
        let (index, body, tag) = index();
        let searcher = index.reader().expect("reader").searcher();
        let t = |w: &str| Term::from_field_text(body, w);
        let spec: Vec<Vec<(&str, f32)>> = vec![
            vec![("alpha", 1.0), ("beta", 0.9), ("missing", 1.0)],
            vec![("eta", 2.5)],
            vec![("zeta", 1.0), ("delta", 0.7), ("eps", 0.63)],
        ];
        let tie = 0.3;
        let nested = BooleanQuery::new(
            spec.iter()
                .map(|word| {
                    let disjuncts: Vec<Box<dyn Query>> = word
                        .iter()
                        .map(|&(w, weight)| {
                            Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(t(w), IndexRecordOption::WithFreqs)),
                                weight,
                            )) as Box<dyn Query>
                        })
                        .collect();
                    (
                        Occur::Should,
                        Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, tie))
                            as Box<dyn Query>,
                    )
                })
                .collect(),
        );
        let readings = |with_infos: bool| {
            let words = spec
                .iter()
                .map(|word| {
                    word.iter()
                        .map(|&(w, weight)| Reading {
                            term: t(w),
                            weight,
                            infos: match with_infos {
                                true => searcher
                                    .segment_readers()
                                    .iter()
                                    .map(|r| {
                                        r.inverted_index(body)
                                            .expect("index")
                                            .get_term_info(&t(w))
                                            .expect("lookup")
                                    })
                                    .collect(),
                                false => Vec::new(),
                            },
                        })
                        .collect()
                })
                .collect();
            let segments = match with_infos {
                true => searcher
                    .segment_readers()
                    .iter()
                    .map(|r| r.segment_id())
                    .collect(),
                false => Vec::new(),
            };
            ReadingsQuery::new(words, tie, segments)
        };
        assert_eq!(searcher.segment_readers().len(), 3);
        let expected = all(&searcher, &nested);
        assert!(expected.len() > 11_000, "{} matches", expected.len());
        for with_infos in [true, false] {
            let got = all(&searcher, &readings(with_infos));
            assert_eq!(got.len(), expected.len());
            for (addr, s) in &expected {
                assert_eq!(got.get(addr), Some(s), "{addr:?}");
            }
        }
        // Intersected with a filter that skips thousands of documents at a time (seek).
        let filtered = |q: Box<dyn Query>| {
            BooleanQuery::new(vec![
                (Occur::Must, q),
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(tag, "rare"),
                        IndexRecordOption::Basic,
                    )),
                ),
            ])
        };
        let expected = all(&searcher, &filtered(Box::new(nested.clone())));
        let got = all(&searcher, &filtered(Box::new(readings(true))));
        assert_eq!(expected.len(), 5);
        assert_eq!(got, expected);
    }
}
