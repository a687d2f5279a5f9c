//! Reading a parsed query in every enabled language and turning it into one tantivy query.
//!
//! Each query word becomes a disjunction-max over its readings — per language, the stem
//! (`lv:sabiedrīb`), the diacritic-folded form, the truncated form (`^sabie`, one for all languages), title forms —
//! with a tie-breaker: the best reading counts (plus a share of the others), so a word is not
//! counted once per language it happens to be spelled the same in. Words are then summed (BM25
//! across one shared body field, so every language's scores are on one scale). The reading in
//! the query's language weighs more: much more when it is given or confidently detected, a
//! little more when it is only the detector's guess (short queries are often mis-detected).
//! The candidates are then re-scored by a second stage (`rerank.rs`).

use std::collections::BTreeMap;

use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::parse::{Clause, ParsedQuery};
use crate::analysis::{tag, Analyzer, EXACT_SEP, FOLDED_SEP, PREFIX_SEP};
use crate::config::RankingConfig;
use crate::index::Fields;
use crate::lang::Lang;

/// How to read the query.
pub struct ReadOptions {
    /// The language whose reading is boosted (hint, or confident detection).
    pub boost_lang: Option<Lang>,
    /// `boost_lang` is a hint or a confident detection, not a guess.
    pub sure: bool,
    /// How much that reading weighs: `ranking.hint_boost` for a hint or a confident detection,
    /// `ranking.guess_boost` for a guess on a query too short to be sure of.
    pub boost: f32,
    /// Whether any document has a title (otherwise title clauses are left out: each term costs
    /// a dictionary lookup per segment).
    pub titles: bool,
    /// Read the last word as a prefix (search as you type).
    pub prefix_last: bool,
    /// Tolerate one typo in words of 5+ letters.
    pub typos: bool,
}

/// What the query matches, for highlighting: term → index of the query word it reads.
#[derive(Debug, Default, Clone)]
pub struct Matcher {
    pub terms: rustc_hash::FxHashMap<String, usize>,
    /// Tagged prefixes (search as you type) → word index.
    pub prefixes: Vec<(String, usize)>,
    pub words: usize,
}

impl Matcher {
    pub fn word_of(&self, exact: &str, folded: Option<&str>) -> Option<usize> {
        if let Some(&w) = self.terms.get(exact) {
            return Some(w);
        }
        if let Some(f) = folded {
            if let Some(&w) = self.terms.get(f) {
                return Some(w);
            }
        }
        self.prefixes
            .iter()
            .find(|(p, _)| {
                exact.starts_with(p.as_str()) || folded.is_some_and(|f| f.starts_with(p.as_str()))
            })
            .map(|(_, w)| *w)
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.prefixes.is_empty()
    }
}

/// The query as tantivy runs it, plus what the answer reports and highlights.
pub struct Plan {
    /// Phrases (required) and words with a reading that is not one term (typos, search as you
    /// type), each a disjunction-max over its readings.
    pub clauses: Vec<(Occur, Box<dyn Query>)>,
    /// The other words: per word, its term readings and their weights (scored in one pass by
    /// `readings::ReadingsQuery`, see [`Plan::query`]).
    pub term_words: Vec<Vec<(Term, f32)>>,
    pub exclude: Vec<Box<dyn Query>>,
    /// Per language, the stems the query was read as.
    pub terms: BTreeMap<String, Vec<String>>,
    pub matcher: Matcher,
    /// Per query word (each word of a phrase too), the body terms that read it: what the
    /// second stage counts as a matched word (coordination, see `rerank.rs`).
    pub word_terms: Vec<Vec<Term>>,
    /// Per entry of `word_terms`, how much the word counts in coordination (1, or its idf with
    /// `ranking.coordination_idf`; 0 for a stopword of the query's language).
    pub word_weights: Vec<f32>,
}

impl Plan {
    /// The scored query: the clauses, plus `readings` (the query made of `term_words`) summed
    /// with them like one more word.
    pub fn query(
        mut clauses: Vec<(Occur, Box<dyn Query>)>,
        readings: Option<Box<dyn Query>>,
    ) -> Option<Box<dyn Query>> {
        if let Some(r) = readings {
            clauses.push((Occur::Should, r));
        }
        match clauses.len() {
            0 => None,
            1 if clauses[0].0 == Occur::Should => clauses.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(clauses))),
        }
    }
}

struct Variant {
    term: String,
    weight: f32,
    lang: Lang,
    /// The truncated form (not a stem).
    prefix: bool,
}

/// BM25's idf (tantivy's definition).
fn idf(df: u64, n: u64) -> f32 {
    let (df, n) = (df as f32, n as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// A query word's weight in coordination by idf. When the query's language is known (`lang`: a
/// hint or a confident detection) and its documents hold the word, its idf there: the query's
/// language says how informative the word is (`NetworkManager` is common in English documents,
/// rare and telling in Lithuanian ones). Otherwise its idf over all languages: from the documents
/// holding one of its stems (exact or folded form; per language the larger count, summed over
/// languages), or, for a word no document holds as a stem, its truncated forms.
/// `dfs` holds each variant's document frequency.
fn word_idf(variants: &[Variant], dfs: &[u64], num_docs: u64, lang: Option<Lang>) -> f32 {
    let n = num_docs.max(1);
    let own = |prefix: bool| -> Vec<(Lang, u64)> {
        let mut per_lang: Vec<(Lang, u64)> = Vec::new();
        for (v, &d) in variants.iter().zip(dfs).filter(|(v, _)| v.prefix == prefix) {
            match per_lang.iter_mut().find(|(l, _)| *l == v.lang) {
                Some(e) => e.1 = e.1.max(d),
                None => per_lang.push((v.lang, d)),
            }
        }
        per_lang
    };
    if let Some(l) = lang {
        if let Some(&(_, d)) = own(false).iter().find(|e| e.0 == l && e.1 > 0) {
            return idf(d.min(n), n);
        }
    }
    let total = |prefix: bool| -> u64 { own(prefix).iter().map(|e| e.1).sum() };
    let stems = total(false);
    let docs = if stems > 0 { stems } else { total(true) };
    idf(docs.min(n), n)
}

/// `doc_freq` tells how many documents hold a term (memoised by the caller: the coordination
/// weights and the query ask for the same terms). Readings no document holds are left out of the
/// scored query: they match nothing, yet each would cost tantivy two dictionary lookups, a BM25
/// weight and a scorer per segment, and the second stage another lookup. A word reads as ~39
/// terms (13 languages × stem, folded, truncated) and most of them exist in no document, so
/// this is most of a query's fixed cost. Answers are the same: absent terms score nothing.
pub fn plan(
    parsed: &ParsedQuery,
    analyzer: &Analyzer,
    fields: &Fields,
    ranking: &RankingConfig,
    opts: &ReadOptions,
    searcher: Option<&Searcher>,
    doc_freq: &dyn Fn(&Term) -> u64,
) -> Plan {
    let langs = analyzer.query_langs();
    let mut terms: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut matcher = Matcher::default();
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let word_total = parsed
        .include
        .iter()
        .filter(|c| matches!(c, Clause::Word(_)))
        .count();
    let mut word_seen = 0;
    let mut word_terms: Vec<Vec<Term>> = Vec::new();
    let mut word_weights: Vec<f32> = Vec::new();
    let mut term_words: Vec<Vec<(Term, f32)>> = Vec::new();
    let indexed = |t: &Term| doc_freq(t) > 0;
    let weigh = |variants: &[Variant], dfs: &[u64]| -> f32 {
        match searcher {
            Some(s) if ranking.coordination_idf && ranking.coordination > 0.0 => word_idf(
                variants,
                dfs,
                s.num_docs(),
                opts.boost_lang.filter(|_| opts.sure),
            ),
            _ => 1.0,
        }
    };
    // Each variant's body term (`None` when no document holds it) and its document frequency.
    let body_terms = |variants: &[Variant]| -> (Vec<Option<Term>>, Vec<u64>) {
        variants
            .iter()
            .map(|v| {
                let t = Term::from_field_text(fields.body, &v.term);
                let df = doc_freq(&t);
                ((df > 0).then_some(t), df)
            })
            .unzip()
    };

    for clause in &parsed.include {
        match clause {
            Clause::Word(w) => {
                word_seen += 1;
                let is_last = word_seen == word_total;
                let word_idx = matcher.words;
                matcher.words += 1;
                let variants = word_variants(w, analyzer, &langs, ranking, opts, Some(&mut terms));
                if variants.is_empty() {
                    continue;
                }
                // A stopword of the query's (detected or guessed) language is no content the
                // document has to match: its other readings still score, but coordination leaves
                // it out (the query's `the`, read as `lv:the`, only English-quoting documents hold).
                let stop = opts
                    .boost_lang
                    .is_some_and(|l| analyzer.is_stopword(&crate::analysis::lowercase(w), l));
                let (body, dfs) = body_terms(&variants);
                word_weights.push(if stop { 0.0 } else { weigh(&variants, &dfs) });
                word_terms.push(body.iter().flatten().cloned().collect());
                // The word's term readings, and the readings that are not one term (typos,
                // search as you type).
                let mut readings: Vec<(Term, f32)> = Vec::new();
                let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
                for (v, t) in variants.iter().zip(body) {
                    if let Some(t) = t {
                        readings.push((t, v.weight));
                    }
                    // Titles are indexed without truncated forms.
                    if opts.titles && !v.term.contains(PREFIX_SEP) {
                        let t = Term::from_field_text(fields.title_terms, &v.term);
                        if indexed(&t) {
                            readings.push((t, v.weight * ranking.title_boost));
                        }
                    }
                    if opts.typos && w.chars().count() >= 5 && v.term.contains(EXACT_SEP) {
                        let t = Term::from_field_text(fields.body, &v.term);
                        disjuncts.push(Box::new(BoostQuery::new(
                            Box::new(FuzzyTermQuery::new(t, 1, true)),
                            v.weight * 0.5,
                        )));
                    }
                }
                for v in variants {
                    matcher.terms.insert(v.term, word_idx);
                }
                if opts.prefix_last && is_last && parsed.exclude.is_empty() {
                    for (prefix, weight) in prefix_variants(w, analyzer, &langs) {
                        let pattern = format!("{}.*", regex_escape(&prefix));
                        if let Ok(q) = RegexQuery::from_pattern(&pattern, fields.body) {
                            disjuncts.push(Box::new(BoostQuery::new(Box::new(q), weight * 0.8)));
                        }
                        matcher.prefixes.push((prefix, word_idx));
                    }
                }
                if disjuncts.is_empty() {
                    // Every reading is a term: the word joins the one-pass union.
                    if !readings.is_empty() {
                        term_words.push(readings);
                    }
                    // (No reading of the word is in the index: it matches nothing.)
                    continue;
                }
                disjuncts.splice(
                    0..0,
                    readings
                        .into_iter()
                        .map(|(t, weight)| term_query(t, weight)),
                );
                should.push((
                    Occur::Should,
                    Box::new(DisjunctionMaxQuery::with_tie_breaker(
                        disjuncts,
                        ranking.tie_breaker,
                    )),
                ));
            }
            Clause::Phrase(ws) => {
                let word_idx = matcher.words;
                matcher.words += 1;
                let q = phrase_query(
                    ws,
                    analyzer,
                    &langs,
                    fields.body,
                    ranking,
                    opts,
                    &mut matcher,
                    word_idx,
                );
                if let Some(q) = q {
                    should.push((
                        Occur::Must,
                        Box::new(BoostQuery::new(q, ranking.phrase_boost)),
                    ));
                }
                for w in ws {
                    let vs = word_variants(w, analyzer, &langs, ranking, opts, Some(&mut terms));
                    if !vs.is_empty() {
                        let (body, dfs) = body_terms(&vs);
                        word_weights.push(weigh(&vs, &dfs));
                        word_terms.push(body.into_iter().flatten().collect());
                    }
                }
            }
        }
    }

    let mut exclude: Vec<Box<dyn Query>> = Vec::new();
    for clause in &parsed.exclude {
        let mut dummy = Matcher::default();
        match clause {
            Clause::Word(w) => {
                let variants = word_variants(w, analyzer, &langs, ranking, opts, None);
                let disjuncts: Vec<Box<dyn Query>> = variants
                    .iter()
                    .map(|v| Term::from_field_text(fields.body, &v.term))
                    .filter(|t| indexed(t))
                    .map(|t| term_query(t, 1.0))
                    .collect();
                if !disjuncts.is_empty() {
                    exclude.push(Box::new(DisjunctionMaxQuery::new(disjuncts)));
                }
            }
            Clause::Phrase(ws) => {
                if let Some(q) = phrase_query(
                    ws,
                    analyzer,
                    &langs,
                    fields.body,
                    ranking,
                    opts,
                    &mut dummy,
                    0,
                ) {
                    exclude.push(q);
                }
            }
        }
    }

    Plan {
        clauses: should,
        term_words,
        exclude,
        terms,
        matcher,
        word_terms,
        word_weights,
    }
}

fn term_query(term: Term, weight: f32) -> Box<dyn Query> {
    let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
    if (weight - 1.0).abs() < f32::EPSILON {
        Box::new(q)
    } else {
        Box::new(BoostQuery::new(Box::new(q), weight))
    }
}

/// Every reading of one word: for each language, the stem as typed, the stem of the folded
/// word among folded forms, and (when the word has diacritics) the stem of the folded word
/// among exact forms — so accents typed or not, in the query or in the text, still meet.
fn word_variants(
    word: &str,
    analyzer: &Analyzer,
    langs: &[Lang],
    ranking: &RankingConfig,
    opts: &ReadOptions,
    mut report: Option<&mut BTreeMap<String, Vec<String>>>,
) -> Vec<Variant> {
    let mut out: Vec<Variant> = Vec::new();
    let push = |out: &mut Vec<Variant>, term: String, weight: f32, lang: Lang, prefix: bool| {
        // Terms are tagged with their language (the truncated form with none): only a term of
        // the same language and kind can be the same string.
        if let Some(v) = out
            .iter_mut()
            .find(|v| v.lang == lang && v.prefix == prefix && v.term == term)
        {
            v.weight = v.weight.max(weight);
        } else {
            out.push(Variant {
                term,
                weight,
                lang,
                prefix,
            });
        }
    };
    let lowered = crate::analysis::LoweredWord::new(word);
    // One language-free term (see below).
    let mut truncated = analyzer
        .truncated(word)
        .map(|p| crate::analysis::truncated_term(&p));
    for &lang in langs {
        let boost = if opts.boost_lang == Some(lang) {
            opts.boost
        } else {
            1.0
        };
        let Some(reading) = analyzer.read_lowered(&lowered, lang) else {
            continue;
        };
        if let Some(r) = report.as_deref_mut() {
            // (Looked up before inserting: the key is allocated only for a new language.)
            match r.get_mut(lang.code()) {
                Some(list) if list.contains(&reading.stem) => {}
                Some(list) => list.push(reading.stem.clone()),
                None => {
                    r.insert(lang.code().to_string(), vec![reading.stem.clone()]);
                }
            }
        }
        push(
            &mut out,
            tag(lang, EXACT_SEP, &reading.stem),
            boost,
            lang,
            false,
        );
        match &reading.folded {
            // Typed with diacritics: text written without them. (The text written with them
            // also carries the folded form, which would only count the same match twice.)
            Some(folded_stem) => push(
                &mut out,
                tag(lang, EXACT_SEP, folded_stem),
                boost * ranking.folded_weight,
                lang,
                false,
            ),
            // Typed without: text written with diacritics, through its folded form.
            None => push(
                &mut out,
                tag(lang, FOLDED_SEP, &reading.stem),
                boost * ranking.folded_weight,
                lang,
                false,
            ),
        }
        // Truncation: inflections and compounds the stem does not join. One language-free
        // term, weighted like the best language's reading of the word.
        // (Every language pushes the same term: it is moved in once, then only weighed.)
        match truncated.take() {
            Some(t) => push(&mut out, t, boost * ranking.prefix_weight, Lang::Und, true),
            None => {
                if let Some(v) = out.iter_mut().find(|v| v.prefix) {
                    v.weight = v.weight.max(boost * ranking.prefix_weight);
                }
            }
        }
    }
    out
}

/// Tagged prefixes for search-as-you-type: the stem of the partial word (≥ 3 letters).
fn prefix_variants(word: &str, analyzer: &Analyzer, langs: &[Lang]) -> Vec<(String, f32)> {
    if word.chars().count() < 3 {
        return Vec::new();
    }
    let mut out: Vec<(String, f32)> = Vec::new();
    for &lang in langs {
        let lower = crate::analysis::lowercase(word);
        for p in [
            tag(lang, EXACT_SEP, &lower),
            tag(lang, FOLDED_SEP, &crate::analysis::fold(&lower)),
        ] {
            if !out.iter().any(|(q, _)| *q == p) {
                out.push((p, 1.0));
            }
        }
        if let Some(r) = analyzer.read_word(word, lang) {
            let p = tag(lang, EXACT_SEP, &r.stem);
            if !out.iter().any(|(q, _)| *q == p) {
                out.push((p, 1.0));
            }
        }
    }
    out
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~\"@<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A phrase read in every language: the words' stems at the positions analysis gives them
/// (stopwords leave the same gaps as at indexing), max over languages.
#[allow(clippy::too_many_arguments)]
fn phrase_query(
    ws: &[String],
    analyzer: &Analyzer,
    langs: &[Lang],
    field: Field,
    ranking: &RankingConfig,
    opts: &ReadOptions,
    matcher: &mut Matcher,
    word_idx: usize,
) -> Option<Box<dyn Query>> {
    let text = ws.join(" ");
    let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
    for &lang in langs {
        let boost = if opts.boost_lang == Some(lang) {
            opts.boost
        } else {
            1.0
        };
        let mut exact: Vec<(usize, Term)> = Vec::new();
        let mut folded: Vec<(usize, Term)> = Vec::new();
        let mut pos = 0u32;
        analyzer.analyze(&text, lang, 0, &mut pos, |w| {
            let e = w.exact_term();
            matcher.terms.insert(e.clone(), word_idx);
            exact.push((w.position as usize, Term::from_field_text(field, &e)));
            let word = &text[w.start..w.end];
            if let Some(f) = analyzer.read_folded(word, lang) {
                let ft = tag(lang, FOLDED_SEP, &f);
                matcher.terms.insert(ft.clone(), word_idx);
                folded.push((w.position as usize, Term::from_field_text(field, &ft)));
            }
        });
        for (terms, weight) in [(exact, boost), (folded, boost * ranking.folded_weight)] {
            let q: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 => Box::new(TermQuery::new(
                    terms[0].1.clone(),
                    IndexRecordOption::WithFreqs,
                )),
                _ => {
                    let base = terms[0].0;
                    let shifted = terms.into_iter().map(|(p, t)| (p - base, t)).collect();
                    Box::new(PhraseQuery::new_with_offset(shifted))
                }
            };
            disjuncts.push(Box::new(BoostQuery::new(q, weight)));
        }
    }
    (!disjuncts.is_empty()).then(|| Box::new(DisjunctionMaxQuery::new(disjuncts)) as Box<dyn Query>)
}
