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
use std::collections::HashSet;
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

/// One cached word: the word as written, then its terms, in one allocation, so a lookup reads
/// one heap block (the key compare) and finds the terms beside it. With separate blocks for key
/// and terms, the two cache misses of every lookup were 8 % of ingest CPU on dev-eval.
struct Slot {
    /// `word ++ exact ++ folded ++ prefix` (no terms for a word that reads as nothing: stopword,
    /// over-long).
    bytes: Box<str>,
    word_len: u32,
    /// 0 = the word reads as nothing.
    exact_len: u32,
    /// 0 = no folded term; the prefix term, if any, is the rest.
    folded_len: u32,
}

impl Slot {
    fn word(&self) -> &str {
        &self.bytes[..self.word_len as usize]
    }
}

// A slot is its word, for hashing and lookup by `&str` (`Borrow` requires the same hash and
// equality as `str`'s).
impl std::borrow::Borrow<str> for Slot {
    fn borrow(&self) -> &str {
        self.word()
    }
}
impl std::hash::Hash for Slot {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.word().hash(state)
    }
}
impl PartialEq for Slot {
    fn eq(&self, other: &Slot) -> bool {
        self.word() == other.word()
    }
}
impl Eq for Slot {}

#[derive(Default)]
struct Cache {
    analyzer: u64,
    entries: usize,
    /// Per language slot (`Lang::ALL` order, then `Und`).
    maps: Vec<HashSet<Slot, Fx>>,
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

fn compute(analyzer: &Analyzer, word: &str, lang: Lang) -> Slot {
    let Some(r) = analyzer.read_word(word, lang) else {
        return Slot {
            bytes: word.into(),
            word_len: word.len() as u32,
            exact_len: 0,
            folded_len: 0,
        };
    };
    let code = lang.code();
    let prefix = analyzer.truncated(word);
    let mut s = String::with_capacity(
        word.len()
            + 2 * (code.len() + 1)
            + r.stem.len()
            + r.folded.as_ref().map_or(0, |f| f.len())
            + prefix.as_ref().map_or(0, |p| p.len() + 1),
    );
    s.push_str(word);
    s.push_str(code);
    s.push(EXACT_SEP);
    s.push_str(&r.stem);
    let exact_len = (s.len() - word.len()) as u32;
    if let Some(f) = &r.folded {
        s.push_str(code);
        s.push(FOLDED_SEP);
        s.push_str(f);
    }
    let folded_len = (s.len() - word.len()) as u32 - exact_len;
    if let Some(p) = prefix {
        s.push(super::PREFIX_SEP);
        s.push_str(&p);
    }
    Slot {
        bytes: s.into_boxed_str(),
        word_len: word.len() as u32,
        exact_len,
        folded_len,
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
        emit: impl FnMut(WordTerms<'_>),
    ) {
        self.analyze_terms_where(text, lang, base, position, |_| true, emit)
    }

    /// [`Analyzer::analyze_terms`] for the words `keep` accepts (the others keep their
    /// positions but are neither read nor cached): a snippet reads only the words that can
    /// match the query.
    pub fn analyze_terms_where(
        &self,
        text: &str,
        lang: Lang,
        base: usize,
        position: &mut u32,
        keep: impl Fn(&str) -> bool,
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
                maps: (0..=Lang::ALL.len()).map(|_| HashSet::default()).collect(),
            });
        let s = slot(lang);
        for w in words(text) {
            let pos = *position;
            *position += 1;
            if !keep(w.text) {
                continue;
            }
            if cache.entries >= MAX_ENTRIES {
                for m in &mut cache.maps {
                    *m = HashSet::default();
                }
                cache.entries = 0;
            }
            let mut send = |slot: &Slot| {
                if slot.exact_len == 0 {
                    return;
                }
                let terms = &slot.bytes[slot.word_len as usize..];
                let (exact, rest) = terms.split_at(slot.exact_len as usize);
                let (folded, prefix) = rest.split_at(slot.folded_len as usize);
                emit(WordTerms {
                    start: base + w.start,
                    end: base + w.end,
                    position: pos,
                    exact,
                    folded: (!folded.is_empty()).then_some(folded),
                    prefix: (!prefix.is_empty()).then_some(prefix),
                });
            };
            let map = &mut cache.maps[s];
            match map.get(w.text) {
                Some(slot) => send(slot),
                None => {
                    let slot = compute(self, w.text, lang);
                    send(&slot);
                    map.insert(slot);
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
