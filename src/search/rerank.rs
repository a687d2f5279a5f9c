//! Second stage of relevance ranking. The first stage — BM25 summed over the query's words, each
//! word the best of its readings — proposes the best `ranking.rerank_depth` candidates; here each
//! candidate's score is multiplied by the share of the query's words it matches (coordination),
//! to the power `ranking.coordination`. A sum of term scores cannot express "matches more of the
//! words": one rare word's BM25 can outweigh three common ones, which buries the document that
//! matches the whole short description a known-item query usually is (+0.025 MRR@10 on dev-eval,
//! benches/RELEVANCE.md).
//!
//! With `ranking.coordination_idf` (the default) each word counts by its idf: the share is of the
//! query's information, so matching `geolocation` counts for more than matching `api` — a plain
//! count of words would prefer a document with three common words of the query to one with its
//! rarest word and one other (+0.008 MRR@10, English +0.027).
//!
//! A word counts as matched when the document holds any of its readings (stem, folded or
//! truncated form, in any language). The check reads each reading's postings once per segment
//! and seeks the candidates in document order, so it costs about one dictionary lookup per
//! reading and segment, not a pass over the matches.

use std::collections::BTreeMap;

use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term, TERMINATED};

use crate::error::Result;
use crate::index::Fields;

/// Re-scores `top` (best first) and sorts it again; ties keep index order.
pub fn rerank(
    searcher: &Searcher,
    fields: &Fields,
    mut top: Vec<(f32, DocAddress)>,
    word_terms: &[Vec<Term>],
    word_weights: &[f32],
    coordination: f32,
) -> Result<Vec<(f32, DocAddress)>> {
    let n = word_terms.len();
    if top.len() < 2 || n < 2 || coordination == 0.0 {
        return Ok(top);
    }
    let weight = |i: usize| word_weights.get(i).copied().unwrap_or(1.0).max(0.0);
    let all: f32 = (0..n).map(weight).sum();
    let matched = matched_words(searcher, fields, &top, word_terms)?;
    for ((score, _), m) in top.iter_mut().zip(matched) {
        let got: f32 = m.iter().map(|&i| weight(i)).sum();
        *score *= coordination_factor(got, all, coordination);
    }
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(top)
}

/// (matched / words) ^ power, words counted by their weights; a candidate matches at least
/// something.
pub fn coordination_factor(matched: f32, words: f32, power: f32) -> f32 {
    if words <= 0.0 {
        return 1.0;
    }
    (matched.max(1e-3 * words) / words).min(1.0).powf(power)
}

/// For each candidate, which of the query's words it holds (any reading).
fn matched_words(
    searcher: &Searcher,
    fields: &Fields,
    top: &[(f32, DocAddress)],
    word_terms: &[Vec<Term>],
) -> Result<Vec<Vec<usize>>> {
    let mut matched = vec![Vec::new(); top.len()];
    let mut by_segment: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, (_, a)) in top.iter().enumerate() {
        by_segment.entry(a.segment_ord).or_default().push(i);
    }
    for (segment, mut idxs) in by_segment {
        idxs.sort_by_key(|&i| top[i].1.doc_id);
        let inverted = searcher
            .segment_reader(segment)
            .inverted_index(fields.body)?;
        for (w, terms) in word_terms.iter().enumerate() {
            let mut hit = vec![false; idxs.len()];
            for t in terms {
                let postings = inverted
                    .read_postings(t, IndexRecordOption::Basic)
                    .map_err(tantivy::TantivyError::from)?;
                let Some(mut postings) = postings else {
                    continue;
                };
                for (j, &i) in idxs.iter().enumerate() {
                    let doc = top[i].1.doc_id;
                    if postings.doc() == TERMINATED {
                        break;
                    }
                    if hit[j] || postings.doc() > doc {
                        continue;
                    }
                    if postings.seek(doc) == doc {
                        hit[j] = true;
                    }
                }
            }
            for (j, &i) in idxs.iter().enumerate() {
                if hit[j] {
                    matched[i].push(w);
                }
            }
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::coordination_factor;

    #[test]
    fn coordination_favours_documents_matching_more_words() {
        assert_eq!(coordination_factor(3.0, 3.0, 1.0), 1.0);
        assert!((coordination_factor(1.0, 3.0, 1.0) - 1.0 / 3.0).abs() < 1e-6);
        assert!((coordination_factor(2.0, 4.0, 2.0) - 0.25).abs() < 1e-6);
        // Power 0 leaves scores alone; weights count like words.
        assert_eq!(coordination_factor(1.0, 5.0, 0.0), 1.0);
        assert!((coordination_factor(6.0, 8.0, 1.0) - 0.75).abs() < 1e-6);
    }
}
