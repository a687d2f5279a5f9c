//! The fast path of analysis for indexing and passages: each word's tagged terms, memoised.
//!
//! Word frequencies are Zipfian, so most words of a text have been read before: a per-thread
//! cache maps (language, word as written) to the terms [`Analyzer::read_word`] makes of it, and
//! a cache hit costs one hash of the word instead of lower-casing, a stopword lookup, stemming,
//! folding, stemming again and two allocations. The terms are exactly those of the slow path
//! (the cache only remembers its answers), so an index built either way is the same.
//!
//! The cache is bounded (it is cleared when it grows past [`MAX_ENTRIES`]) and belongs to the
//! last analyzer used on the thread (another analyzer — another config — starts a fresh one).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{words, Analyzer, EXACT_SEP, FOLDED_SEP};
use crate::lang::Lang;

/// Entries per thread before the cache is dropped and rebuilt (≈ 10 MB at most).
pub const MAX_ENTRIES: usize = 1 << 17;

/// One analysed word, its terms borrowed for the duration of the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordTerms<'a> {
    /// Byte offsets (shifted by the `base` given).
    pub start: usize,
    pub end: usize,
    pub position: u32,
    /// The tagged exact-form term (`lv:sabiedrīb`).
    pub exact: &'a str,
    /// The tagged folded-form term (`lv~sabiedrib`), when folding changes the word.
    pub folded: Option<&'a str>,
    /// The truncated form (`^sabie`, no language tag), for words of at least `PREFIX_CHARS` letters.
    pub prefix: Option<&'a str>,
}

/// FxHash (rustc's): a few instructions per 8 bytes; the keys are short words, not attacker
/// controlled in a way that matters (the map is bounded and per thread).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h.rotate_left(5) ^ v).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type Fx = BuildHasherDefault<FxHasher>;

/// What one word reads as: nothing (stopword, over-long), or its terms.
enum Entry {
    Skip,
    /// `terms[..exact_len]` is the exact term; the rest, if any, the folded one.
    Terms {
        terms: Box<str>,
        exact_len: u32,
        /// Length of the folded term after the exact one (0 = none); the prefix term follows.
        folded_len: u32,
    },
}

#[derive(Default)]
struct Cache {
    analyzer: u64,
    entries: usize,
    /// Per language slot (`Lang::ALL` order, then `Und`).
    maps: Vec<HashMap<Box<str>, Entry, Fx>>,
}

thread_local! {
    static CACHE: RefCell<Option<Cache>> = const { RefCell::new(None) };
}

fn slot(lang: Lang) -> usize {
    Lang::ALL
        .iter()
        .position(|&l| l == lang)
        .unwrap_or(Lang::ALL.len())
}

fn compute(analyzer: &Analyzer, word: &str, lang: Lang) -> Entry {
    match analyzer.read_word(word, lang) {
        None => Entry::Skip,
        Some(r) => {
            let code = lang.code();
            let mut s = String::with_capacity(
                2 * (code.len() + 1) + r.stem.len() + r.folded.as_ref().map_or(0, |f| f.len()),
            );
            s.push_str(code);
            s.push(EXACT_SEP);
            s.push_str(&r.stem);
            let exact_len = s.len() as u32;
            if let Some(f) = &r.folded {
                s.push_str(code);
                s.push(FOLDED_SEP);
                s.push_str(f);
            }
            let folded_len = s.len() as u32 - exact_len;
            if let Some(p) = analyzer.truncated(word) {
                s.push(super::PREFIX_SEP);
                s.push_str(&p);
            }
            Entry::Terms {
                terms: s.into_boxed_str(),
                exact_len,
                folded_len,
            }
        }
    }
}

impl Analyzer {
    /// Analyses `text` (a paragraph) in `lang` like [`Analyzer::analyze`] — same words, terms,
    /// positions and offsets — but hands out the tagged terms borrowed, from a per-thread cache.
    pub fn analyze_terms(
        &self,
        text: &str,
        lang: Lang,
        base: usize,
        position: &mut u32,
        mut emit: impl FnMut(WordTerms<'_>),
    ) {
        // Taken out of the thread-local for the loop, so a nested call (from `emit`) finds no
        // cache and simply works without one instead of tripping over a borrow.
        let mut cache = CACHE
            .with(|c| c.borrow_mut().take())
            .filter(|c| c.analyzer == self.id)
            .unwrap_or_else(|| Cache {
                analyzer: self.id,
                entries: 0,
                maps: (0..=Lang::ALL.len()).map(|_| HashMap::default()).collect(),
            });
        let s = slot(lang);
        for w in words(text) {
            let pos = *position;
            *position += 1;
            if cache.entries >= MAX_ENTRIES {
                for m in &mut cache.maps {
                    *m = HashMap::default();
                }
                cache.entries = 0;
            }
            let mut send = |entry: &Entry| {
                if let Entry::Terms {
                    terms,
                    exact_len,
                    folded_len,
                } = entry
                {
                    let (exact, rest) = terms.split_at(*exact_len as usize);
                    let (folded, prefix) = rest.split_at(*folded_len as usize);
                    emit(WordTerms {
                        start: base + w.start,
                        end: base + w.end,
                        position: pos,
                        exact,
                        folded: (!folded.is_empty()).then_some(folded),
                        prefix: (!prefix.is_empty()).then_some(prefix),
                    });
                }
            };
            let map = &mut cache.maps[s];
            match map.get(w.text) {
                Some(entry) => send(entry),
                None => {
                    let entry = compute(self, w.text, lang);
                    send(&entry);
                    map.insert(w.text.into(), entry);
                    cache.entries += 1;
                }
            }
        }
        CACHE.with(|c| *c.borrow_mut() = Some(cache));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::Analyzer;
    use crate::config::Config;
    use crate::lang::Lang;

    /// The cached path gives exactly the slow path's terms, positions and offsets.
    #[test]
    fn cached_terms_equal_the_slow_path() {
        let a = Analyzer::new(&Config::default_config());
        let texts = [
            (
                "Sabiedrības «ALLATRA» — 2024. gads, ķēde sabiedrību SABIEDRĪBAS",
                Lang::Lv,
            ),
            ("The head office of the Movement, the movements", Lang::En),
            ("Søk blåbær og klimaendringene i Tromsø", Lang::Nb),
            ("Общество и культура общества", Lang::Ru),
            ("x".repeat(100).as_str().to_owned().leak(), Lang::En),
        ];
        for round in 0..3 {
            for (text, lang) in texts {
                let mut slow = Vec::new();
                let mut p1 = 7;
                a.analyze(text, lang, 3, &mut p1, |w| {
                    slow.push((w.start, w.end, w.position, w.exact_term(), w.folded_term()))
                });
                let mut fast = Vec::new();
                let mut p2 = 7;
                a.analyze_terms(text, lang, 3, &mut p2, |w| {
                    fast.push((
                        w.start,
                        w.end,
                        w.position,
                        w.exact.to_string(),
                        w.folded.map(str::to_string),
                    ))
                });
                assert_eq!(slow, fast, "round {round}: {text}");
                assert_eq!(p1, p2);
            }
        }
    }

    #[test]
    fn another_config_gets_its_own_terms() {
        let a = Analyzer::new(&Config::default_config());
        let mut c = Config::default_config();
        c.analysis.stemming = false;
        let b = Analyzer::new(&c);
        let terms = |an: &Analyzer| {
            let mut v = Vec::new();
            let mut p = 0;
            an.analyze_terms("movements", Lang::En, 0, &mut p, |w| {
                v.push(w.exact.to_string())
            });
            v
        };
        assert_eq!(terms(&a), ["en:movement"]);
        assert_eq!(terms(&b), ["en:movements"]);
        assert_eq!(terms(&a), ["en:movement"]);
    }
}
