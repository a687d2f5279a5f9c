//! Search: request validation, query reading, retrieval, facets, hits with passages.
//! One request and one response type serve the CLI (`--json`), the HTTP API and the bench.

pub mod cache;
mod facets;
pub mod parse;
pub mod passages;
pub mod plan;
mod readings;
mod rerank;
mod term_filter;

use std::collections::BTreeMap;
use std::ops::Bound;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::postings::TermInfo;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, DocAddress, Order, Searcher, Term};

use crate::document::{parse_date, DocDate};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::index::{decode_spans, StoredValues};
use crate::lang::Lang;

pub use facets::{FacetCache, Facets};
pub use passages::Passage;
pub use term_filter::TermFilters;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

/// A search request. Language codes, dates and numbers are taken as the user typed them and
/// validated here, so every interface gives the same error for the same mistake.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchRequest {
    /// The query: words, "quoted phrases", -excluded words.
    pub q: String,
    /// Filter: only documents with text in one of these languages (comma-separated codes).
    pub lang: Option<String>,
    /// Hint: the query's language (boosts that reading, never hides others).
    pub query_lang: Option<String>,
    /// Filter: exact organisation.
    pub org: Option<String>,
    /// Filter: documents dated on or after (YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339).
    pub from: Option<String>,
    /// Filter: documents dated on or before (a date includes its whole day/month/year).
    pub to: Option<String>,
    pub sort: Sort,
    /// Hits to return (1–100).
    pub limit: usize,
    /// Hits to skip (at most 10,000).
    pub offset: usize,
    /// Snippet length in characters.
    pub snippet_chars: Option<usize>,
    pub highlight_pre: String,
    pub highlight_post: String,
    /// Read the last word as a prefix (search as you type).
    pub prefix: bool,
    /// 1 = tolerate one typo in words of 5+ letters.
    pub typos: u8,
    /// false = no snippets or passages (retrieval only).
    pub snippets: bool,
    /// false = no facet counts (`facets` comes back empty): one pass less over the matches, for
    /// clients that do not show them.
    pub facets: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            lang: None,
            query_lang: None,
            org: None,
            from: None,
            to: None,
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            snippet_chars: None,
            highlight_pre: "<mark>".into(),
            highlight_post: "</mark>".into(),
            prefix: false,
            typos: 0,
            snippets: true,
            facets: true,
        }
    }
}

impl SearchRequest {
    pub fn new(q: impl Into<String>) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Interpretation {
    /// The query's language when detection was confident, else null.
    pub detected: Option<String>,
    /// The hint given (`query_lang`).
    pub hint: Option<String>,
    /// Per language, the stems the query was read as.
    pub terms: BTreeMap<String, Vec<String>>,
    /// Query words ignored beyond the term limit.
    #[serde(skip_serializing_if = "is_zero")]
    pub dropped_words: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub lang: String,
    pub langs: Vec<String>,
    pub score: f32,
    pub source: Option<String>,
    pub url: Option<String>,
    pub org: Option<String>,
    pub date: Option<String>,
    /// ~snippet_chars characters around the best match: HTML-escaped, matches in highlight markup.
    pub snippet: String,
    pub passages: Vec<Passage>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    pub query: String,
    pub total: u64,
    pub total_exact: bool,
    pub took_ms: f64,
    pub snapshot: String,
    pub interpretation: Interpretation,
    pub facets: Facets,
    pub hits: Vec<Hit>,
}

/// Parses a comma-separated language list, naming the enabled languages on a mistake.
pub fn parse_lang_list(param: &str, value: &str, enabled: &[Lang]) -> Result<Vec<Lang>> {
    let mut out = Vec::new();
    for code in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let lang = Lang::from_code(code)
            .filter(|l| *l == Lang::Und || enabled.contains(l))
            .ok_or_else(|| {
                Error::bad_request(
                    param,
                    format!(
                        "unknown or disabled language {code:?}; enabled: {}",
                        enabled
                            .iter()
                            .map(|l| l.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
        if !out.contains(&lang) {
            out.push(lang);
        }
    }
    Ok(out)
}

/// A date filter bound: `to` covers the whole period a short date names.
fn date_bound(param: &str, value: &str, upper: bool) -> Result<Bound<i64>> {
    let d: DocDate = parse_date(value).ok_or_else(|| {
        Error::bad_request(
            param,
            format!("cannot read date {value:?} (expected YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339)"),
        )
    })?;
    if !upper {
        return Ok(Bound::Included(d.timestamp));
    }
    let v = value.trim();
    let next = match v.len() {
        4 => parse_date(&format!("{}", v.parse::<i32>().unwrap_or(0) + 1)).map(|n| n.timestamp),
        7 => {
            let (y, m) = (
                v[..4].parse::<i32>().unwrap_or(0),
                v[5..].parse::<u32>().unwrap_or(1),
            );
            let (y, m) = if m >= 12 { (y + 1, 1) } else { (y, m + 1) };
            parse_date(&format!("{y:04}-{m:02}")).map(|n| n.timestamp)
        }
        10 => Some(d.timestamp + 86_400),
        _ => None,
    };
    Ok(match next {
        Some(n) => Bound::Excluded(n),
        None => Bound::Included(d.timestamp),
    })
}

impl Engine {
    /// Runs a search. Errors are the caller's mistakes (`Error::BadRequest`, naming the
    /// parameter) or index failures; never a panic, whatever the query.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        self.search_in(&self.searcher(), req)
    }

    /// The query's language as the collection reads it: the enabled language whose documents'
    /// vocabulary best explains the query's words, Σ ln P(word | language), with P the share of
    /// the language's documents that hold the word's stem in it (a stopword of the language
    /// counts as common; no prior: a small language's queries are not outvoted by a large
    /// one's documents). `None` unless it beats the runner-up by [`COLLECTION_MARGIN`].
    ///
    /// whatlang and the function words see two or three words without context; the index knows
    /// which languages' documents use them. On dev-eval (known-item queries, 12 languages,
    /// half of them too short for a confident detection) MRR@10 0.6725 → 0.678; Nynorsk +0.019,
    /// Swedish +0.009, Estonian +0.017, Bokmål +0.012, English +0.008.
    pub(crate) fn collection_language(
        &self,
        searcher: &Searcher,
        parsed: &parse::ParsedQuery,
        doc_freq: &dyn Fn(&Term) -> u64,
    ) -> Option<Lang> {
        let fields = self.fields();
        let words: Vec<String> = parsed
            .include
            .iter()
            .flat_map(|c| match c {
                parse::Clause::Word(w) => vec![w.as_str()],
                parse::Clause::Phrase(ws) => ws.iter().map(String::as_str).collect(),
            })
            .flat_map(|w| {
                crate::analysis::words(w)
                    .map(|x| x.text.to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        if words.is_empty() {
            return None;
        }
        let mut scores: Vec<(Lang, f64)> = Vec::new();
        for (lang, n) in self.lang_doc_counts(searcher) {
            let n = n as f64;
            if n < 1.0 {
                continue;
            }
            let mut s = 0.0;
            for w in &words {
                // The indexing path's per-thread term cache: most query words were read before.
                let mut exact = None;
                let mut position = 0;
                self.analyzer()
                    .analyze_terms(w, lang, 0, &mut position, |t| {
                        exact = Some(Term::from_field_text(fields.body, t.exact))
                    });
                let df = match exact {
                    None => n * 0.5,
                    Some(t) => doc_freq(&t) as f64,
                };
                s += ((df + 0.5) / (n + 1.0)).ln();
            }
            scores.push((lang, s));
        }
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        match scores.as_slice() {
            [(l, a), (_, b), ..] if a - b >= COLLECTION_MARGIN => Some(*l),
            [(l, _)] => Some(*l),
            _ => None,
        }
    }

    /// [`Engine::search`] on a searcher the caller holds (one snapshot for several reads).
    pub fn search_in(&self, searcher: &Searcher, req: &SearchRequest) -> Result<SearchResponse> {
        let started = Instant::now();
        let limits = &self.config().limits;
        let q = req.q.trim();
        if q.is_empty() {
            return Err(Error::bad_request("q", "the query is empty"));
        }
        let q_chars = q.chars().count();
        if q_chars > limits.max_query_chars {
            return Err(Error::bad_request(
                "q",
                format!(
                    "the query is {q_chars} characters long; the limit is {}",
                    limits.max_query_chars
                ),
            ));
        }
        if req.limit == 0 || req.limit > limits.max_limit {
            return Err(Error::bad_request(
                "limit",
                format!(
                    "must be between 1 and {}, got {}",
                    limits.max_limit, req.limit
                ),
            ));
        }
        if req.offset > limits.max_offset {
            return Err(Error::bad_request(
                "offset",
                format!("must be at most {}, got {}", limits.max_offset, req.offset),
            ));
        }
        if req.typos > 1 {
            return Err(Error::bad_request("typos", "must be 0 or 1"));
        }
        let snippet_chars = req.snippet_chars.unwrap_or(self.config().snippets.chars);
        if !(20..=2000).contains(&snippet_chars) {
            return Err(Error::bad_request(
                "snippet_chars",
                "must be between 20 and 2000",
            ));
        }
        if req.highlight_pre.len() > 100 || req.highlight_post.len() > 100 {
            return Err(Error::bad_request(
                "highlight_pre",
                "highlight markup is limited to 100 bytes",
            ));
        }
        let enabled = self.config().enabled_langs();
        let filter_langs = match &req.lang {
            Some(v) => parse_lang_list("lang", v, &enabled)?,
            None => Vec::new(),
        };
        let hint = match req
            .query_lang
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(v) => {
                let l = parse_lang_list("query_lang", v, &enabled)?;
                if l.len() > 1 {
                    return Err(Error::bad_request("query_lang", "give one language"));
                }
                l.first().copied()
            }
            None => None,
        };
        let from = req
            .from
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|v| date_bound("from", v, false))
            .transpose()?;
        let to = req
            .to
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|v| date_bound("to", v, true))
            .transpose()?;

        let parsed = parse::parse(q, limits.max_query_terms);
        let detected = if hint.is_none() {
            self.detector().detect_query(q)
        } else {
            None
        };
        // A query too short for a confident detection still gets the detector's guess, trusted
        // a little (ranking.guess_boost), never as a filter.
        let sure = hint.or(detected);
        let guess = match sure {
            Some(_) => None,
            None if self.config().ranking.guess_boost != 1.0 => self
                .detector()
                .detect(q)
                .map(|d| d.lang)
                .filter(|l| *l != Lang::Und),
            None => None,
        };
        let titles = searcher.segment_readers().iter().any(|r| {
            r.inverted_index(self.fields().title_terms)
                .is_ok_and(|i| i.terms().num_terms() > 0)
        });
        let mut opts = plan::ReadOptions {
            boost_lang: sure.or(guess),
            sure: sure.is_some(),
            boost: if sure.is_some() {
                self.config().ranking.hint_boost
            } else {
                self.config().ranking.guess_boost
            },
            titles,
            prefix_last: req.prefix,
            typos: req.typos == 1,
        };
        let fields = *self.fields();
        let lexicons = [fields.body, fields.title_terms].map(|field| {
            searcher
                .segment_readers()
                .iter()
                .map(|r| r.inverted_index(field).ok())
                .collect::<Vec<_>>()
        });
        // The searcher's segments, and per segment its body terms' filter when built: most
        // readings are in no dictionary.
        let live: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        let filters: Vec<_> = searcher
            .segment_readers()
            .iter()
            .zip(&lexicons[0])
            .map(|(r, ii)| {
                let ii = ii.as_ref()?;
                self.term_filters().get(r.segment_id(), ii, &live)
            })
            .collect();
        // Each term is looked up once per query (the plan asks for some twice): its document
        // frequency, and where its postings are in each segment (the second stage reads them).
        let seen = std::cell::RefCell::new(rustc_hash::FxHashMap::<
            Term,
            (u64, Vec<Option<TermInfo>>),
        >::default());
        let doc_freq = |t: &Term| -> u64 {
            if let Some((df, _)) = seen.borrow().get(t) {
                return *df;
            }
            let readers = if t.field() == fields.body {
                &lexicons[0]
            } else {
                &lexicons[1]
            };
            let mut df = 0u64;
            // (Filled only once a segment holds the term: most terms looked up are in none.)
            let mut infos = Vec::new();
            let body = t.field() == fields.body;
            let mut walked = false;
            for (i, ii) in readers.iter().enumerate() {
                let filter = filters.get(i).and_then(|f| f.as_ref()?.get());
                if body && filter.is_some_and(|f| !f.may_contain(t.serialized_value_bytes())) {
                    continue;
                }
                walked = true;
                let info = match ii.as_ref().map(|ii| ii.get_term_info(t)) {
                    Some(Ok(info)) => info,
                    // A failed lookup keeps the term in the plan (the queries that look terms up
                    // themselves, phrases and typos, report the error when they run).
                    Some(Err(_)) => {
                        df = df.max(1);
                        None
                    }
                    None => None,
                };
                if let Some(info) = info {
                    df += u64::from(info.doc_freq);
                    infos.resize(i, None);
                    infos.push(Some(info));
                }
            }
            if !walked {
                // Every filter ruled the term out: asking them again is cheaper than remembering
                // (most of a query's readings end here).
                return 0;
            }
            if df == 0 {
                infos = Vec::new();
            }
            seen.borrow_mut().insert(t.clone(), (df, infos));
            df
        };
        if sure.is_none() {
            // The collection's vocabulary reads short queries the detector cannot be sure of:
            // its language is the one boosted (as a guess), and when the detector guessed the
            // same, the reading is boosted like a confident detection.
            if let Some(l) = self.collection_language(searcher, &parsed, &doc_freq) {
                if guess == Some(l) {
                    opts.boost = self.config().ranking.hint_boost;
                }
                opts.boost_lang = Some(l);
            }
        }
        let mut plan = plan::plan(
            &parsed,
            self.analyzer(),
            &fields,
            &self.config().ranking,
            &opts,
            Some(searcher),
            &doc_freq,
        );

        let readings = (!plan.term_words.is_empty()).then(|| {
            let seen = seen.borrow();
            let words = std::mem::take(&mut plan.term_words)
                .into_iter()
                .map(|readings| {
                    readings
                        .into_iter()
                        .map(|(term, weight)| readings::Reading {
                            infos: seen.get(&term).map(|e| e.1.clone()).unwrap_or_default(),
                            term,
                            weight,
                        })
                        .collect()
                })
                .collect();
            Box::new(readings::ReadingsQuery::new(
                words,
                self.config().ranking.tie_breaker,
                live.clone(),
            )) as Box<dyn Query>
        });
        let scored = plan::Plan::query(std::mem::take(&mut plan.clauses), readings);
        let word_terms = std::mem::take(&mut plan.word_terms);
        let word_weights = std::mem::take(&mut plan.word_weights);
        // Assemble: the scored query, exclusions, then filters that do not score.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let has_positive = scored.is_some();
        match scored {
            Some(query) => clauses.push((Occur::Must, query)),
            None if !plan.exclude.is_empty() => clauses.push((Occur::Must, Box::new(AllQuery))),
            None => {}
        }
        for ex in plan.exclude {
            clauses.push((Occur::MustNot, ex));
        }
        let mut filter =
            |q: Box<dyn Query>| clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
        if !filter_langs.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = filter_langs
                .iter()
                .map(|l| {
                    let t = Term::from_field_text(fields.langs, l.code());
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            filter(Box::new(BooleanQuery::new(any)));
        }
        if let Some(org) = req.org.as_deref().filter(|s| !s.trim().is_empty()) {
            let t = Term::from_field_text(fields.org, org.trim());
            filter(Box::new(TermQuery::new(t, IndexRecordOption::Basic)));
        }
        if from.is_some() || to.is_some() {
            let term =
                |ts: i64| Term::from_field_date(fields.date, DateTime::from_timestamp_secs(ts));
            let map = |b: Option<Bound<i64>>| match b {
                Some(Bound::Included(t)) => Bound::Included(term(t)),
                Some(Bound::Excluded(t)) => Bound::Excluded(term(t)),
                _ => Bound::Unbounded,
            };
            filter(Box::new(RangeQuery::new(map(from), map(to))));
        }

        let snapshot = self.snapshot(searcher);
        let interpretation = Interpretation {
            detected: detected.map(|l| l.code().to_string()),
            hint: hint.map(|l| l.code().to_string()),
            terms: plan.terms,
            dropped_words: parsed.dropped,
        };
        if clauses.is_empty()
            || (!has_positive && clauses.iter().all(|(o, _)| *o != Occur::MustNot))
        {
            // Nothing searchable (only stopwords or punctuation): an empty answer, not an error.
            return Ok(SearchResponse {
                query: req.q.clone(),
                total: 0,
                total_exact: true,
                took_ms: elapsed_ms(started),
                snapshot,
                interpretation,
                facets: Facets::default(),
                hits: Vec::new(),
            });
        }
        // The scored query alone (no exclusion, no filter) goes to tantivy as it is.
        let query: Box<dyn Query> = if clauses.len() == 1 && clauses[0].0 == Occur::Must {
            clauses
                .pop()
                .map(|(_, q)| q)
                .unwrap_or_else(|| Box::new(AllQuery))
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        let statistics = Statistics {
            searcher,
            doc_freq: &doc_freq,
            tokens: [
                (fields.body, &lexicons[0]),
                (fields.title_terms, &lexicons[1]),
            ]
            .map(|(field, readers)| {
                let n = readers.iter().flatten().map(|i| i.total_num_tokens()).sum();
                (field, n)
            }),
        };
        let facet_collector = req
            .facets
            .then(|| facets::FacetCollector::new(self.facet_cache(), searcher));
        let (scored, total, facets): (Vec<(f32, DocAddress)>, usize, Facets) = match req.sort {
            Sort::Relevance => {
                // First stage: BM25 candidates; second stage: re-scored (coordination), then
                // the page is cut. Pages beyond the rerank depth keep the first-stage order.
                // Always the same `rerank_depth` candidates are re-scored, whatever the page, so
                // paging never shows a document twice or skips one.
                let ranking = &self.config().ranking;
                let fetch = ranking.rerank_depth.max(req.offset + req.limit);
                let top = TopDocs::with_limit(fetch).order_by_score();
                let (mut top, total, facets) = searcher.search_with_statistics_provider(
                    &*query,
                    &(top, Count, facet_collector),
                    &statistics,
                )?;
                let facets = facets.unwrap_or_default();
                let rest = top.split_off(ranking.rerank_depth.min(top.len()));
                let mut top = rerank::rerank(
                    searcher,
                    &fields,
                    top,
                    &word_terms,
                    &word_weights,
                    rerank::Factors::from_config(ranking),
                    &|segment, t| {
                        let seen = seen.borrow();
                        let (_, infos) = seen.get(t)?;
                        infos.get(segment as usize).cloned().flatten()
                    },
                )?;
                top.extend(rest);
                let page = top.into_iter().skip(req.offset).take(req.limit).collect();
                (page, total, facets)
            }
            Sort::Date => {
                let top = TopDocs::with_limit(req.limit)
                    .and_offset(req.offset)
                    .order_by_fast_field::<DateTime>("date", Order::Desc);
                let (docs, total, facets) = searcher.search_with_statistics_provider(
                    &*query,
                    &(top, Count, facet_collector),
                    &statistics,
                )?;
                let facets = facets.unwrap_or_default();
                (
                    docs.into_iter().map(|(_, a)| (0.0, a)).collect(),
                    total,
                    facets,
                )
            }
        };

        let highlighter = req
            .snippets
            .then(|| passages::Highlighter::new(&plan.matcher));
        let mut hits = Vec::with_capacity(scored.len());
        for (score, addr) in scored {
            let mut values: StoredValues = searcher.doc(addr)?;
            let stored = self.stored(&mut values, req.snippets);
            let (snippet, passages) = if let Some(highlighter) = &highlighter {
                let spans_text = values.get(fields.spans).unwrap_or("");
                let spans = decode_spans(spans_text, &stored.text);
                let ps = highlighter.passages(
                    &stored.text,
                    &spans,
                    &stored.page_starts,
                    self.analyzer(),
                    snippet_chars,
                    self.config().snippets.passages,
                );
                let best = ps
                    .iter()
                    .max_by_key(|p| (distinct_words(p, &ps), std::cmp::Reverse(p.start)))
                    .cloned();
                let snippet = match best {
                    Some(p) => passages::snippet_html(
                        &stored.text,
                        &p,
                        &req.highlight_pre,
                        &req.highlight_post,
                    ),
                    None => passages::lead_snippet(&stored.text, snippet_chars),
                };
                (snippet, ps)
            } else {
                (String::new(), Vec::new())
            };
            hits.push(Hit {
                id: stored.id,
                title: stored.title,
                lang: stored.lang,
                langs: stored.langs,
                score,
                source: stored.source,
                url: stored.url,
                org: stored.org,
                date: stored.date,
                snippet,
                passages,
            });
        }
        Ok(SearchResponse {
            query: req.q.clone(),
            total: total as u64,
            total_exact: true,
            took_ms: elapsed_ms(started),
            snapshot,
            interpretation,
            facets,
            hits,
        })
    }
}

fn distinct_words(p: &Passage, _all: &[Passage]) -> usize {
    p.highlights.len()
}

/// Nats by which the collection's reading of a query's language must beat the runner-up
/// (0.5 was best on dev-eval among 0, 0.5, 1, 2, 4, 8).
const COLLECTION_MARGIN: f64 = 0.5;

/// BM25's collection figures for one search, from the dictionary lookups the search already
/// made: tantivy's `TermQuery` would look every scored term up once more for its document
/// frequency (and sum every segment's token count again per term).
struct Statistics<'a> {
    searcher: &'a Searcher,
    doc_freq: &'a dyn Fn(&Term) -> u64,
    /// Tokens of the fields searched (body, title terms) over all segments.
    tokens: [(Field, u64); 2],
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.tokens.iter().find(|(f, _)| *f == field) {
            Some(&(_, n)) => Ok(n),
            None => self.searcher.total_num_tokens(field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok((self.doc_freq)(term))
    }
}

fn elapsed_ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::read::parse_json_document;

    /// An index in `dir` of `pages` (language, text), with ids `p0`, `p1`, …
    pub(crate) fn engine_with_pages(dir: &std::path::Path, pages: &[(&str, &str)]) -> Engine {
        let engine = Engine::open_or_create(dir, None).expect("index");
        let mut w = engine.writer().expect("writer");
        let docs = pages
            .iter()
            .enumerate()
            .map(|(i, (lang, text))| {
                let v = serde_json::json!({"id": format!("p{i}"), "text": text, "lang": lang});
                (i as u64 + 1, parse_json_document(v).expect("document"))
            })
            .collect();
        crate::ingest::ingest_documents(&engine, &mut w, docs, Vec::new()).expect("ingest");
        engine
    }

    /// Three Nynorsk pages and their Bokmål translations.
    fn engine(dir: &std::path::Path) -> Engine {
        engine_with_pages(
            dir,
            &[
                ("nn", "Eg veit ikkje kva laget skal gjere med pengane."),
                ("nn", "Kva tid byrjar møtet? Eg veit ikkje."),
                ("nn", "Laget har ikkje fått svar frå kommunen."),
                ("nb", "Jeg vet ikke hva laget skal gjøre med pengene."),
                ("nb", "Når begynner møtet? Jeg vet ikke."),
                ("nb", "Laget har ikke fått svar fra kommunen."),
            ],
        )
    }

    /// Once a segment's term filter is built, searches skip the terms it rules out and find
    /// the same documents (a filter that wrongly ruled a term out would lose them).
    #[test]
    fn searches_answer_the_same_once_the_term_filter_is_ready() {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = engine(dir.path());
        let queries = [
            "kommunen",
            "pengane byrjar",
            "pengene",
            "svar",
            "fått møtet",
        ];
        let ids = |q: &str| -> Vec<String> {
            let mut req = SearchRequest::new(q);
            req.snippets = false;
            let answer = engine.search(&req).expect("search");
            answer.hits.into_iter().map(|h| h.id).collect()
        };
        let before: Vec<Vec<String>> = queries.iter().map(|q| ids(q)).collect();
        let searcher = engine.searcher();
        let reader = &searcher.segment_readers()[0];
        let inverted = reader.inverted_index(engine.fields().body).expect("terms");
        let cell = engine
            .term_filters()
            .get(reader.segment_id(), &inverted, &[reader.segment_id()])
            .expect("filter cell");
        let started = Instant::now();
        while cell.get().is_none() && started.elapsed().as_secs() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let filter = cell.get().expect("the filter is built");
        assert!(!filter.may_contain(b"nb:zzzabsent"));
        let after: Vec<Vec<String>> = queries.iter().map(|q| ids(q)).collect();
        assert_eq!(before, after);
        assert!(after.iter().all(|hits| !hits.is_empty()), "{after:?}");
    }

    #[test]
    fn the_collection_reads_a_short_query_in_the_language_whose_pages_use_its_words() {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = engine(dir.path());
        let searcher = engine.searcher();
        let df = |t: &Term| searcher.doc_freq(t).unwrap_or(0);
        let read = |q: &str| {
            let parsed = parse::parse(q, 32);
            engine.collection_language(&searcher, &parsed, &df)
        };
        assert_eq!(read("byrjar pengane"), Some(Lang::Nn));
        assert_eq!(read("begynner pengene"), Some(Lang::Nb));
        // Words both languages' pages use alike: no reading.
        assert_eq!(read("laget kommunen"), None);
    }
}
