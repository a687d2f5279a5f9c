//! Ranking metrics with trec_eval's definitions, per query; the caller averages.
//!
//! * `rr_at(k)`: 1 / rank of the first relevant document among the first k (0 if none) —
//!   trec_eval's `recip_rank` on a run cut at k.
//! * `ndcg_at(k)`: trec_eval's `ndcg_cut.k`: gain = the grade, discount log2(rank + 1), DCG of
//!   the first k results divided by the DCG of the ideal ranking of the judged documents (all
//!   grades from the qrels, best first, cut at k).
//! * `recall_at(k)`: relevant documents among the first k / all relevant documents.
//!
//! A document is relevant when its grade is at least 1 (trec_eval's default relevance level);
//! negative grades count as 0 gain. A query with no result scores 0 everywhere. A query with no
//! relevant document in the qrels has no defined score: the bench skips it and says so.

use std::collections::HashMap;

/// The judgments of one query: document id → grade.
pub type Judgments = HashMap<String, i32>;

fn relevant(grade: i32) -> bool {
    grade >= 1
}

/// Reciprocal rank of the first relevant document among the first `k` results.
pub fn rr_at(ranked: &[String], qrels: &Judgments, k: usize) -> f64 {
    ranked
        .iter()
        .take(k)
        .position(|d| qrels.get(d).copied().is_some_and(relevant))
        .map_or(0.0, |i| 1.0 / (i as f64 + 1.0))
}

fn discount(rank0: usize) -> f64 {
    // rank0 is 0-based: rank 1 → log2(2) = 1.
    (rank0 as f64 + 2.0).log2()
}

/// nDCG of the first `k` results, trec_eval `ndcg_cut` style.
pub fn ndcg_at(ranked: &[String], qrels: &Judgments, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| qrels.get(d).copied().unwrap_or(0).max(0) as f64 / discount(i))
        .sum();
    let mut grades: Vec<i32> = qrels.values().copied().filter(|g| *g > 0).collect();
    grades.sort_unstable_by(|a, b| b.cmp(a));
    let ideal: f64 = grades
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| *g as f64 / discount(i))
        .sum();
    if ideal > 0.0 {
        dcg / ideal
    } else {
        0.0
    }
}

/// Share of the relevant documents found among the first `k` results.
pub fn recall_at(ranked: &[String], qrels: &Judgments, k: usize) -> f64 {
    let total = qrels.values().filter(|g| relevant(**g)).count();
    if total == 0 {
        return 0.0;
    }
    let mut seen: Vec<&String> = Vec::new();
    let found = ranked
        .iter()
        .take(k)
        .filter(|d| {
            // A document listed twice counts once.
            if seen.contains(d) {
                return false;
            }
            seen.push(d);
            qrels.get(*d).copied().is_some_and(relevant)
        })
        .count();
    found as f64 / total as f64
}

/// Does the query have anything relevant to find (otherwise its scores are undefined)?
pub fn has_relevant(qrels: &Judgments) -> bool {
    qrels.values().any(|g| relevant(*g))
}

/// The `p`-th percentile (0–100) of sorted values, nearest-rank method; 0 for no values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn judged(pairs: &[(&str, i32)]) -> Judgments {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn reciprocal_rank() {
        let q = judged(&[("b", 1)]);
        close(rr_at(&docs(&["b", "x"]), &q, 10), 1.0);
        close(rr_at(&docs(&["x", "y", "b"]), &q, 10), 1.0 / 3.0);
        // Beyond the cut, or not retrieved, or no result at all: 0.
        close(rr_at(&docs(&["x", "y", "b"]), &q, 2), 0.0);
        close(rr_at(&docs(&["x"]), &q, 10), 0.0);
        close(rr_at(&[], &q, 10), 0.0);
        // A judged but non-relevant document (grade 0) is not a hit.
        let q0 = judged(&[("x", 0), ("b", 2)]);
        close(rr_at(&docs(&["x", "b"]), &q0, 10), 0.5);
    }

    #[test]
    fn ndcg_binary_one_relevant() {
        let q = judged(&[("b", 1)]);
        close(ndcg_at(&docs(&["b"]), &q, 10), 1.0);
        // Rank 2: 1/log2(3).
        close(ndcg_at(&docs(&["a", "b"]), &q, 10), 1.0 / 3f64.log2());
        // Rank 3: 1/log2(4) = 0.5.
        close(ndcg_at(&docs(&["a", "c", "b"]), &q, 10), 0.5);
        close(ndcg_at(&docs(&["a", "c", "b"]), &q, 2), 0.0);
        close(ndcg_at(&[], &q, 10), 0.0);
    }

    #[test]
    fn ndcg_graded_hand_computed() {
        // Qrels: a=3, b=2, c=1, d=0. Run: c, x, a, b.
        // DCG  = 1/log2(2) + 0 + 3/log2(4) + 2/log2(5) = 1 + 1.5 + 0.861353116
        // IDCG = 3/1 + 2/log2(3) + 1/2                  = 3 + 1.261859507 + 0.5
        let q = judged(&[("a", 3), ("b", 2), ("c", 1), ("d", 0)]);
        let dcg = 1.0 + 1.5 + 2.0 / 5f64.log2();
        let idcg = 3.0 + 2.0 / 3f64.log2() + 0.5;
        close(ndcg_at(&docs(&["c", "x", "a", "b"]), &q, 10), dcg / idcg);
        assert!((dcg / idcg - 0.705_890).abs() < 1e-6, "{}", dcg / idcg);
        // Cut at 2: DCG = 1; IDCG@2 = 3 + 2/log2(3).
        close(
            ndcg_at(&docs(&["c", "x", "a", "b"]), &q, 2),
            1.0 / (3.0 + 2.0 / 3f64.log2()),
        );
        // The ideal ranking scores 1.
        close(ndcg_at(&docs(&["a", "b", "c"]), &q, 10), 1.0);
    }

    #[test]
    fn recall() {
        let q = judged(&[("a", 1), ("b", 1), ("c", 0)]);
        close(recall_at(&docs(&["a", "c", "x"]), &q, 10), 0.5);
        close(recall_at(&docs(&["x", "c", "b", "a"]), &q, 3), 0.5);
        close(recall_at(&docs(&["b", "a"]), &q, 10), 1.0);
        close(recall_at(&docs(&["a", "a"]), &q, 10), 0.5);
        close(recall_at(&[], &q, 10), 0.0);
    }

    #[test]
    fn queries_without_relevant_documents_are_undefined() {
        assert!(!has_relevant(&judged(&[("a", 0)])));
        assert!(!has_relevant(&Judgments::new()));
        assert!(has_relevant(&judged(&[("a", 0), ("b", 1)])));
    }

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        close(percentile(&v, 50.0), 50.0);
        close(percentile(&v, 95.0), 95.0);
        close(percentile(&v, 99.0), 99.0);
        close(percentile(&v, 100.0), 100.0);
        close(percentile(&[7.0], 50.0), 7.0);
        close(percentile(&[], 50.0), 0.0);
        close(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.0);
    }
}
