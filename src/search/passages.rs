//! The passage finder: re-analyses a hit's stored text with the analysis it was indexed with,
//! marks the words any reading of the query matched (inflected, unaccented, any language), and
//! picks the windows that hold the most distinct query words. Snippets are the best passage,
//! HTML-escaped with the caller's highlight markup around matches.
//!
//! Offsets are Unicode character offsets into the stored text (what `GET /documents/{id}`
//! returns), computed over the whole text — no cut-off however long the document.

use serde::Serialize;

use super::plan::Matcher;
use crate::analysis::{Analyzer, EXACT_SEP, FOLDED_SEP, PREFIX_SEP};
use crate::document::Span;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Passage {
    /// Character offset of the passage in the document text.
    pub start: usize,
    /// Character offset just past the passage.
    pub end: usize,
    /// The passage text (plain, not escaped).
    pub text: String,
    /// Matched words, as `[start, end]` character offsets in the document text.
    pub highlights: Vec<[usize; 2]>,
    /// The page the passage starts on (paged formats such as PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    word: usize,
}

/// A cheap test of whether a word can match the query at all. Stemming, truncation and folding
/// change the end of a word, not its first letters, so a word can only read as a query term if
/// its first letters (lower-cased, folded) begin one of the terms: three letters for long words,
/// two for words of up to seven letters (a Latvian consonant alternation, `māte`/`māšu`, can
/// reach the third letter of a short stem). The other words — nearly all of a long page — skip
/// analysis, which is most of the cost of a snippet. Latvian `jā-` (debitive) and `vis-`
/// (superlative) are prefixes the stemmer removes: such words always pass.
struct Gate {
    /// The first two and the first three letters of every term (folded), packed by [`pack`].
    heads: rustc_hash::FxHashSet<u64>,
    /// Terms shorter than three letters, whole and packed, by their length (0 to 2).
    shorts: [rustc_hash::FxHashSet<u64>; 3],
}

/// Up to three characters in one integer (21 bits each), for allocation-free comparisons.
fn pack(chars: &[char]) -> u64 {
    chars
        .iter()
        .take(3)
        .enumerate()
        .fold(0, |k, (i, &c)| k | (u64::from(c) << (21 * i)))
}

/// The packed key of the first `n` characters of a packed key.
fn head_of(key: u64, n: usize) -> u64 {
    key & ((1u64 << (21 * n)) - 1)
}

impl Gate {
    fn new(matcher: &Matcher) -> Gate {
        let mut heads = rustc_hash::FxHashSet::default();
        let mut shorts: [rustc_hash::FxHashSet<u64>; 3] = Default::default();
        let values = matcher
            .terms
            .keys()
            .map(String::as_str)
            .chain(matcher.prefixes.iter().map(|(p, _)| p.as_str()));
        for t in values {
            let value = t
                .find([EXACT_SEP, FOLDED_SEP, PREFIX_SEP])
                .map_or(t, |i| &t[i + 1..]);
            // The first three letters of the folded term, folded a character at a time.
            let mut folded: Vec<char> = Vec::with_capacity(4);
            for c in value.chars() {
                if folded.len() >= 3 {
                    break;
                }
                crate::analysis::fold::fold_char_into(c, |f| folded.push(f));
            }
            folded.truncate(3);
            if let Some(set) = shorts.get_mut(folded.len()) {
                set.insert(pack(&folded));
            }
            for n in [2, 3] {
                heads.insert(pack(&folded[..n.min(folded.len())]));
            }
        }
        Gate { heads, shorts }
    }

    fn may_match(&self, word: &str) -> bool {
        let mut key = [0 as char; 3];
        let mut n = 0;
        for c in word.chars() {
            if c.is_ascii() {
                key[n] = c.to_ascii_lowercase();
                n += 1;
            } else {
                crate::analysis::fold::lower_fold_into(c, |f| {
                    if n < 3 {
                        key[n] = f;
                        n += 1;
                    }
                });
            }
            if n >= 3 {
                break;
            }
        }
        if (key[0], key[1]) == ('j', 'a') || key == ['v', 'i', 's'] {
            return true;
        }
        // (Fewer than eight bytes are fewer than eight characters.)
        let long = word.len() >= 8 && word.chars().nth(7).is_some();
        let want = n.min(if long { 3 } else { 2 });
        let head = pack(&key[..want]);
        self.heads.contains(&head)
            || self
                .shorts
                .iter()
                .enumerate()
                .take(want + 1)
                .any(|(len, set)| !set.is_empty() && set.contains(&head_of(head, len)))
    }
}

/// The matched words of `text` that `keep` lets through, in order (byte ranges). Words are
/// read through the indexing path's per-thread term cache: a page's words are mostly words read
/// before, and a cached word costs a lookup instead of stemming and two allocations.
fn find_hits_where(
    text: &str,
    spans: &[Span],
    analyzer: &Analyzer,
    matcher: &Matcher,
    keep: impl Fn(&str) -> bool,
) -> Vec<Hit> {
    let mut hits = Vec::new();
    for span in spans {
        let mut pos = 0;
        analyzer.analyze_terms_where(
            &text[span.start..span.end],
            span.lang,
            span.start,
            &mut pos,
            &keep,
            |w| {
                // A document may match only through a word's truncated form (`^klima`):
                // highlight those words too, or the hit would come without a passage.
                let word = matcher
                    .word_of(w.exact, w.folded)
                    .or_else(|| w.prefix.and_then(|p| matcher.terms.get(p).copied()));
                if let Some(word) = word {
                    hits.push(Hit {
                        start: w.start,
                        end: w.end,
                        word,
                    });
                }
            },
        );
    }
    hits
}

/// What a query highlights: its matcher, and the gate made of it. Made once per search: the gate
/// folds every reading of every query word (about 40 a word), which made once per hit was a
/// sixth of a search with snippets.
pub struct Highlighter<'a> {
    matcher: &'a Matcher,
    gate: Gate,
}

impl<'a> Highlighter<'a> {
    pub fn new(matcher: &'a Matcher) -> Self {
        Highlighter {
            matcher,
            gate: Gate::new(matcher),
        }
    }

    /// Up to `max` best passages of about `chars` characters, in document order.
    pub fn passages(
        &self,
        text: &str,
        spans: &[Span],
        page_starts: &[u32],
        analyzer: &Analyzer,
        chars: usize,
        max: usize,
    ) -> Vec<Passage> {
        if self.matcher.is_empty() {
            return Vec::new();
        }
        let hits = find_hits_where(text, spans, analyzer, self.matcher, |w| {
            self.gate.may_match(w)
        });
        best_passages(text, &hits, page_starts, chars, max)
    }
}

/// The `max` best windows of `hits` (matched words, in order), in document order.
fn best_passages(
    text: &str,
    hits: &[Hit],
    page_starts: &[u32],
    chars: usize,
    max: usize,
) -> Vec<Passage> {
    if hits.is_empty() || max == 0 {
        return Vec::new();
    }
    // Character offsets of every hit, counted in one pass over the text.
    let mut char_at = Vec::with_capacity(hits.len());
    let (mut byte, mut ch) = (0usize, 0usize);
    for h in hits {
        ch += text[byte..h.start].chars().count();
        let s = ch;
        ch += text[h.start..h.end].chars().count();
        byte = h.end;
        char_at.push((s, ch));
    }
    // Candidate windows: each hit with the following hits that fit in `chars`.
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new(); // (score, first, last)
    for i in 0..hits.len() {
        let mut words = Vec::new();
        let mut last = i;
        for j in i..hits.len() {
            if char_at[j].1 - char_at[i].0 > chars {
                break;
            }
            last = j;
            if !words.contains(&hits[j].word) {
                words.push(hits[j].word);
            }
        }
        let score = words.len() * 1000 + (last - i + 1);
        candidates.push((score, i, last));
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let mut out: Vec<Passage> = Vec::new();
    for (_, first, last) in candidates {
        if out.len() >= max {
            break;
        }
        let (start_b, end_b) = window(text, hits, first, last, chars);
        if chosen.iter().any(|&(s, e)| start_b < e && s < end_b) {
            continue;
        }
        chosen.push((start_b, end_b));
        let start_c = char_at[first].0 - text[start_b..hits[first].start].chars().count();
        let passage_text = text[start_b..end_b].to_string();
        let end_c = start_c + passage_text.chars().count();
        let highlights = (0..hits.len())
            .filter(|&k| hits[k].start >= start_b && hits[k].end <= end_b)
            .map(|k| [char_at[k].0, char_at[k].1])
            .collect();
        let page = (!page_starts.is_empty()).then(|| {
            1 + page_starts
                .iter()
                .filter(|&&p| p as usize <= start_c)
                .count() as u32
        });
        out.push(Passage {
            start: start_c,
            end: end_c,
            text: passage_text,
            highlights,
            page,
        });
    }
    out.sort_by_key(|p| p.start);
    out
}

/// The byte window around hits `first..=last`: centred, about `chars` long, inside the lines
/// of those hits, and not cutting words.
fn window(text: &str, hits: &[Hit], first: usize, last: usize, chars: usize) -> (usize, usize) {
    let (hs, he) = (hits[first].start, hits[last].end);
    let covered = text[hs..he].chars().count();
    let spare = chars.saturating_sub(covered);
    let line_start = text[..hs].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[he..].find('\n').map_or(text.len(), |i| he + i);
    // A little more context before than after reads naturally, but keep the match early.
    let before = (spare / 3).max(spare.min(40));
    let mut start = back_chars(text, hs, before).max(line_start);
    let used = text[start..hs].chars().count();
    let mut end = fwd_chars(text, he, spare.saturating_sub(used)).min(line_end);
    if start > line_start {
        // Move to the start of the next word, unless that would pass the first match.
        if let Some(i) = text[start..hs].find(char::is_whitespace) {
            start += i + 1;
        }
    }
    if end < line_end {
        if let Some(i) = text[he..end].rfind(char::is_whitespace) {
            end = he + i;
        }
    }
    (start, end.max(he))
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
        .min(from)
}

fn fwd_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// A passage as HTML: text escaped, matches wrapped in `pre`…`post`, `…` where it cuts a line.
pub fn snippet_html(text: &str, p: &Passage, pre: &str, post: &str) -> String {
    let mut out = String::with_capacity(p.text.len() + 32);
    let starts_line = p.start == 0 || char_before(text, p.start) == Some('\n');
    if !starts_line {
        out.push('…');
    }
    let mut cursor = p.start;
    let chars: Vec<char> = p.text.chars().collect();
    for &[s, e] in &p.highlights {
        if s < cursor || e > p.end {
            continue;
        }
        escape_into(&mut out, chars[cursor - p.start..s - p.start].iter());
        out.push_str(pre);
        escape_into(&mut out, chars[s - p.start..e - p.start].iter());
        out.push_str(post);
        cursor = e;
    }
    escape_into(&mut out, chars[cursor - p.start..].iter());
    let after = text.chars().nth(p.end);
    if after.is_some() && after != Some('\n') {
        out.push('…');
    }
    out
}

fn char_before(text: &str, char_pos: usize) -> Option<char> {
    text.chars().nth(char_pos.checked_sub(1)?)
}

/// The start of a text as a snippet, for hits with no highlight (a title or prefix match).
pub fn lead_snippet(text: &str, chars: usize) -> String {
    let end = fwd_chars(text, 0, chars);
    let mut end = end;
    if end < text.len() {
        if let Some(i) = text[..end].rfind(char::is_whitespace) {
            end = i;
        }
    }
    let mut out = String::new();
    escape_into(&mut out, text[..end].chars().collect::<Vec<_>>().iter());
    if end < text.len() {
        out.push('…');
    }
    out
}

pub fn escape_into<'a>(out: &mut String, chars: impl Iterator<Item = &'a char>) {
    for &c in chars {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
}

/// HTML-escapes a string.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s.chars().collect::<Vec<_>>().iter());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{tag, words};
    use crate::config::Config;
    use crate::lang::Lang;

    /// The query terms a word reads as in every language (what the plan puts in the matcher).
    fn matcher_for(word: &str, analyzer: &Analyzer) -> Matcher {
        let mut m = Matcher {
            words: 1,
            ..Matcher::default()
        };
        for lang in analyzer.query_langs() {
            if let Some(r) = analyzer.read_word(word, lang) {
                m.terms.insert(tag(lang, EXACT_SEP, &r.stem), 0);
                m.terms.insert(tag(lang, FOLDED_SEP, &r.stem), 0);
                if let Some(f) = r.folded {
                    m.terms.insert(tag(lang, EXACT_SEP, &f), 0);
                }
            }
            if let Some(p) = analyzer.truncated(word) {
                m.terms.insert(crate::analysis::truncated_term(&p), 0);
            }
        }
        m
    }

    /// The gate only skips words that could not have matched: for every word of a mixed text
    /// (inflections, alternations, debitive, superlative, other scripts) taken as the query,
    /// the gated search finds exactly the words the full analysis finds.
    #[test]
    fn the_gate_never_hides_a_match() {
        let analyzer = Analyzer::new(&Config::default_config());
        let text = "Māte un māšu biedrība; mātes sabiedrības, sabiedrību, sabiedriba. \
                    Jāstrādā, strādāja, strādāt, visaugstākā augstākais augsts. Ceļš, ceļi, \
                    suņi, suns, lāči, lācis. The movement's volunteers moved; Frivillige \
                    organisasjoner i kommunen, frivillighet. Общественная организация, \
                    общественные. İstanbul, STRASSE, Straße, ir, un, ja, jā.";
        let spans = [
            Span {
                start: 0,
                end: text.len(),
                lang: Lang::Lv,
            },
            Span {
                start: 0,
                end: text.len(),
                lang: Lang::En,
            },
            Span {
                start: 0,
                end: text.len(),
                lang: Lang::Nb,
            },
            Span {
                start: 0,
                end: text.len(),
                lang: Lang::Ru,
            },
        ];
        let mut checked = 0;
        for w in words(text) {
            let matcher = matcher_for(w.text, &analyzer);
            let gate = Gate::new(&matcher);
            let all: Vec<(usize, usize)> =
                find_hits_where(text, &spans, &analyzer, &matcher, |_| true)
                    .iter()
                    .map(|h| (h.start, h.end))
                    .collect();
            let gated: Vec<(usize, usize)> =
                find_hits_where(text, &spans, &analyzer, &matcher, |x| gate.may_match(x))
                    .iter()
                    .map(|h| (h.start, h.end))
                    .collect();
            assert_eq!(gated, all, "query {:?}", w.text);
            checked += all.len();
        }
        assert!(checked > 100, "{checked}");
        // And it does skip: a query shares no first letters with most words.
        let gate = Gate::new(&matcher_for("sabiedrība", &analyzer));
        assert!(gate.may_match("sabiedrības") && gate.may_match("Sabiedriskā"));
        assert!(!gate.may_match("organizācija") && !gate.may_match("movement"));
    }
}
