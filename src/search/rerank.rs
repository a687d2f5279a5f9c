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
//! `ranking.proximity` (0.25 by default) also multiplies by 1 + proximity × the share of
//! neighbouring query words found within [`NEAR`] positions of each other. It reads positions
//! for every candidate: at 0.25, English +0.014 MRR@10 but overall only +0.001 and p50 latency
//! +25–70 % (benches/RELEVANCE.md).
//!
//! `ranking.lead` (1 by default) multiplies by 1 + lead × the share of the query's words found
//! among the text's first `ranking.lead_positions` (15) words: a stand-in for the title that
//! documents without one do not get indexed twice (dev-eval: MRR@10 0.673 with the derived title
//! indexed, 0.657 without, 0.676 with the lead bonus instead, and queries 40 % faster).
//!
//! A word counts as matched when the document holds any of its readings (stem, folded or
//! truncated form, in any language). The check reads each reading's postings once per segment
//! and seeks the candidates in document order, so it costs about one dictionary lookup per
//! reading and segment, not a pass over the matches.

use std::collections::BTreeMap;

use tantivy::postings::{Postings, TermInfo};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term, TERMINATED};

use crate::error::Result;
use crate::index::Fields;

/// What the second stage multiplies a candidate's score by (see the module's documentation).
#[derive(Debug, Clone, Copy)]
pub struct Factors {
    pub coordination: f32,
    pub proximity: f32,
    pub lead: f32,
    pub lead_positions: u32,
}

impl Factors {
    pub fn from_config(r: &crate::config::RankingConfig) -> Factors {
        Factors {
            coordination: r.coordination,
            proximity: r.proximity,
            lead: r.lead,
            lead_positions: r.lead_positions,
        }
    }

    fn positions(&self) -> bool {
        self.proximity > 0.0 || self.lead > 0.0
    }
}

/// Re-scores `top` (best first) and sorts it again; ties keep index order.
pub fn rerank(
    searcher: &Searcher,
    fields: &Fields,
    mut top: Vec<(f32, DocAddress)>,
    word_terms: &[Vec<Term>],
    word_weights: &[f32],
    f: Factors,
    known: &dyn Fn(u32, &Term) -> Option<TermInfo>,
) -> Result<Vec<(f32, DocAddress)>> {
    let n = word_terms.len();
    // Coordination and proximity need two words; the lead bonus one.
    let multi = n >= 2 && (f.coordination > 0.0 || f.proximity > 0.0);
    if top.len() < 2 || n == 0 || !(multi || f.lead > 0.0) {
        return Ok(top);
    }
    let weight = |i: usize| word_weights.get(i).copied().unwrap_or(1.0).max(0.0);
    let all: f32 = (0..n).map(weight).sum();
    let matched = matched_words(searcher, fields, &top, word_terms, f.positions(), known)?;
    for ((score, _), m) in top.iter_mut().zip(matched) {
        if n >= 2 {
            let got: f32 = (0..n).filter(|&i| m[i].is_some()).map(weight).sum();
            *score *= coordination_factor(got, all, f.coordination);
            if f.proximity > 0.0 {
                *score *= 1.0 + f.proximity * near_share(&m, weight);
            }
        }
        if f.lead > 0.0 {
            *score *= 1.0 + f.lead * lead_share(&m, weight, f.lead_positions);
        }
    }
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(top)
}

/// The share of the query's words (by weight) found among the text's first `positions` words.
/// A document's opening says what it is about — the role a title plays, for the many documents
/// that have none (their title is cut from the text and not indexed twice, see
/// `index::to_tantivy`).
pub fn lead_share(
    words: &[Option<Vec<u32>>],
    weight: impl Fn(usize) -> f32,
    positions: u32,
) -> f32 {
    let all: f32 = (0..words.len()).map(&weight).sum();
    if all <= 0.0 {
        return 0.0;
    }
    let early: f32 = (0..words.len())
        .filter(|&i| {
            words[i]
                .as_ref()
                .and_then(|p| p.first())
                .is_some_and(|&first| first < positions)
        })
        .map(&weight)
        .sum();
    early / all
}

/// (matched / words) ^ power, words counted by their weights; a candidate matches at least
/// something.
pub fn coordination_factor(matched: f32, words: f32, power: f32) -> f32 {
    if words <= 0.0 {
        return 1.0;
    }
    (matched.max(1e-3 * words) / words).min(1.0).powf(power)
}

/// Query words at most this many positions apart count as near (a stopword between them, or
/// one other word).
pub const NEAR: u32 = 3;

/// The share of neighbouring pairs of the query's content words (weight > 0: stopwords of the
/// query's language are skipped) that stand near each other in the document, each pair counted
/// by the smaller of its two words' weights.
pub fn near_share(words: &[Option<Vec<u32>>], weight: impl Fn(usize) -> f32) -> f32 {
    let content: Vec<usize> = (0..words.len()).filter(|&i| weight(i) > 0.0).collect();
    let (mut near, mut all) = (0.0, 0.0);
    for pair in content.windows(2) {
        let w = weight(pair[0]).min(weight(pair[1]));
        all += w;
        if let (Some(a), Some(b)) = (&words[pair[0]], &words[pair[1]]) {
            if is_near(a, b) {
                near += w;
            }
        }
    }
    if all > 0.0 {
        near / all
    } else {
        0.0
    }
}

/// Whether two sorted position lists come within [`NEAR`] of each other.
fn is_near(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].abs_diff(b[j]) <= NEAR {
            return true;
        }
        if a[i] < b[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    false
}

/// For each candidate and query word, whether the candidate holds the word (any reading) and,
/// with `positions`, where (sorted; empty without).
fn matched_words(
    searcher: &Searcher,
    fields: &Fields,
    top: &[(f32, DocAddress)],
    word_terms: &[Vec<Term>],
    positions: bool,
    known: &dyn Fn(u32, &Term) -> Option<TermInfo>,
) -> Result<Vec<Vec<Option<Vec<u32>>>>> {
    let mut matched = vec![vec![None; word_terms.len()]; top.len()];
    let option = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::Basic
    };
    let mut buf = Vec::new();
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
            let mut hit: Vec<Option<Vec<u32>>> = vec![None; idxs.len()];
            for t in terms {
                // The dictionary entry the query already looked up, else a lookup.
                let postings = match known(segment, t) {
                    Some(info) => Some(inverted.read_postings_from_terminfo(&info, option)),
                    None => inverted.read_postings(t, option).transpose(),
                }
                .transpose()
                .map_err(tantivy::TantivyError::from)?;
                let Some(mut postings) = postings else {
                    continue;
                };
                for (j, &i) in idxs.iter().enumerate() {
                    let doc = top[i].1.doc_id;
                    if postings.doc() == TERMINATED {
                        break;
                    }
                    if (hit[j].is_some() && !positions) || postings.doc() > doc {
                        continue;
                    }
                    if postings.seek(doc) == doc {
                        let at = hit[j].get_or_insert_with(Vec::new);
                        if positions {
                            postings.positions(&mut buf);
                            at.extend_from_slice(&buf);
                        }
                    }
                }
            }
            for (j, &i) in idxs.iter().enumerate() {
                if let Some(mut at) = hit[j].take() {
                    at.sort_unstable();
                    at.dedup();
                    matched[i][w] = Some(at);
                }
            }
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::{coordination_factor, lead_share, near_share};

    #[test]
    fn the_lead_counts_words_found_early() {
        let at = |p: &[u32]| Some(p.to_vec());
        let words = [at(&[3, 90]), at(&[40]), None];
        assert!((lead_share(&words, |_| 1.0, 15) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(lead_share(&words, |_| 1.0, 2), 0.0);
        let w = [3.0, 1.0, 0.0];
        assert!((lead_share(&words, |i| w[i], 15) - 0.75).abs() < 1e-6);
        assert_eq!(lead_share(&words, |_| 0.0, 15), 0.0);
    }

    #[test]
    fn proximity_counts_neighbouring_content_words_near_each_other() {
        let at = |p: &[u32]| Some(p.to_vec());
        // Words 0-1 near (3 apart), 1-2 far apart, word 3 missing.
        let words = [at(&[1, 40]), at(&[4]), at(&[20]), None];
        assert!((near_share(&words, |_| 1.0) - 1.0 / 3.0).abs() < 1e-6);
        // A stopword of the query (weight 0) is skipped: words 0 and 2 become neighbours.
        let words = [at(&[10]), None, at(&[12])];
        let w = [2.0, 0.0, 1.0];
        assert_eq!(near_share(&words, |i| w[i]), 1.0);
        // Each pair counts by the smaller weight of its two words.
        let words = [at(&[1]), at(&[2]), at(&[50])];
        let w = [3.0, 1.0, 1.0];
        assert!((near_share(&words, |i| w[i]) - 0.5).abs() < 1e-6);
        assert_eq!(near_share(&[at(&[1])], |_| 1.0), 0.0);
    }

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
