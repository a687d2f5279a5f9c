//! Text → terms, one code path for indexing, queries, passages and `ngo-search analyze`.
//!
//! Every term is tagged with the language whose analyzer made it (`lv:sabiedrīb`), so one body
//! field holds all languages with shared BM25 statistics (per-language fields would each keep their
//! own average length and document count, crushing small languages next to big ones). Beside each
//! stem sits a diacritic-folded variant at the same position (`lv~sabiedrib`), made by stemming the
//! folded word, so a query typed without diacritics meets the accented text.

pub mod fold;
pub mod latvian;
mod stopwords;
mod terms;

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

use crate::config::Config;
use crate::lang::Lang;

pub use fold::fold;
pub use terms::WordTerms;

/// Bumped whenever a change to analysis changes the terms of an existing text: an index built
/// with another version must be re-indexed, never mixed.
pub const ANALYZER_VERSION: &str = "4";

/// Separates the language tag from an exact-form stem.
pub const EXACT_SEP: char = ':';
/// Separates the language tag from a folded-form stem.
pub const FOLDED_SEP: char = '~';
/// Begins a truncated form (`^sabie`).
pub const PREFIX_SEP: char = '^';
/// Letters kept by truncation. Beside its stem every word of at least this many letters is
/// indexed as its first `PREFIX_CHARS` letters, folded (`sabiedrības` → `^sabie`): a fallback
/// that meets inflections and compounds the stemmer does not join, and the languages without a
/// stemmer (lt, et, pl). Crude truncation beats every stemmer on the dev-eval queries; beside the
/// stems it lifted MRR@10 from 0.592 to 0.636 (benches/RELEVANCE.md).
pub const PREFIX_CHARS: usize = 5;

/// The term of a truncated form: without a language tag. Five letters say little about a
/// language, and one term for all of them is one posting list where a tagged form made up to
/// thirteen: a query word read in every language looked up, scored and merged each of them.
pub fn truncated_term(prefix: &str) -> String {
    let mut s = String::with_capacity(1 + prefix.len());
    s.push(PREFIX_SEP);
    s.push_str(prefix);
    s
}

/// The truncated form of a lower-case word: its first [`PREFIX_CHARS`] letters, folded; None
/// for shorter words and for words with digits (numbers and codes are not truncated).
pub fn prefix_of(lower: &str) -> Option<String> {
    let mut out = String::with_capacity(PREFIX_CHARS + 2);
    let mut n = 0;
    let folded = fold(lower);
    for c in folded.chars() {
        if !c.is_alphabetic() {
            return None;
        }
        if n < PREFIX_CHARS {
            out.push(c);
        }
        n += 1;
    }
    (n >= PREFIX_CHARS).then_some(out)
}

/// One word of a text, with its byte range in that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// Whether a non-ASCII `c` is a letter, by range, for Latin-1, Latin Extended-A/B and Russian;
/// `None` elsewhere. `char` looks every non-ASCII letter up in Unicode's tables, which was a tenth
/// of a snippet's cost on Latvian text (every word of every hit is split).
#[inline]
fn letter_by_range(c: char) -> Option<bool> {
    match c {
        '\u{D7}' | '\u{F7}' => Some(false),
        '\u{C0}'..='\u{24F}' | '\u{401}'..='\u{45F}' => Some(true),
        _ => None,
    }
}

/// `char::is_alphanumeric`, fast for ASCII and the letters of [`letter_by_range`].
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    letter_by_range(c).unwrap_or_else(|| c.is_alphanumeric())
}

/// `char::is_alphabetic`, fast for ASCII and the letters of [`letter_by_range`].
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    letter_by_range(c).unwrap_or_else(|| c.is_alphabetic())
}

/// Splits text into words: maximal runs of alphanumeric characters (and the combining marks
/// that belong to them). Offsets are byte offsets and always fall on char boundaries.
///
/// Every word indexed and every word of a snippet's page comes through here, so it walks bytes:
/// an ASCII byte is tested as it is, and only a non-ASCII one is decoded.
pub fn words(text: &str) -> impl Iterator<Item = Word<'_>> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    // The char at `pos` (a char boundary) and its length in bytes; an ASCII byte as it is.
    let char_at = move |pos: usize| -> Option<(char, usize)> {
        let &b = bytes.get(pos)?;
        if b.is_ascii() {
            return Some((char::from(b), 1));
        }
        let c = text[pos..].chars().next()?;
        Some((c, c.len_utf8()))
    };
    std::iter::from_fn(move || {
        let start = loop {
            let (c, len) = char_at(pos)?;
            pos += len;
            if is_alphanumeric(c) {
                break pos - len;
            }
        };
        while let Some((c, len)) = char_at(pos) {
            if !(is_alphanumeric(c) || (!c.is_ascii() && fold::is_combining(c))) {
                break;
            }
            pos += len;
        }
        Some(Word {
            start,
            end: pos,
            text: &text[start..pos],
        })
    })
}

/// Lower-cases a word (full Unicode case mapping; ASCII fast path).
pub fn lowercase(word: &str) -> String {
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.to_lowercase()
    }
}

enum StemmerKind {
    None,
    Snowball(Stemmer),
    Latvian,
    EnglishMinimal,
}

/// The analyzer of one language: stopwords and stemmer.
struct LangAnalyzer {
    lang: Lang,
    stopwords: Option<HashSet<&'static str>>,
    stemmer: StemmerKind,
}

impl LangAnalyzer {
    fn new(lang: Lang, config: &Config) -> LangAnalyzer {
        let stopwords = if config.stops(lang) {
            stopwords::list(lang).map(|l| l.iter().copied().collect())
        } else {
            None
        };
        let stemmer = if !config.stems(lang) {
            StemmerKind::None
        } else {
            match snowball_algorithm(lang) {
                Some(a) => StemmerKind::Snowball(Stemmer::create(a)),
                None if lang == Lang::Lv => StemmerKind::Latvian,
                None if lang == Lang::En => StemmerKind::EnglishMinimal,
                None => StemmerKind::None,
            }
        };
        LangAnalyzer {
            lang,
            stopwords,
            stemmer,
        }
    }

    fn is_stopword(&self, lower: &str) -> bool {
        self.stopwords.as_ref().is_some_and(|s| s.contains(lower))
    }

    fn stem(&self, lower: &str) -> String {
        match &self.stemmer {
            StemmerKind::None => lower.to_string(),
            StemmerKind::Snowball(s) => s.stem(lower).into_owned(),
            StemmerKind::Latvian => latvian::stem(lower),
            StemmerKind::EnglishMinimal => english_minimal(lower),
        }
    }
}

fn snowball_algorithm(lang: Lang) -> Option<Algorithm> {
    Some(match lang {
        Lang::Nb | Lang::Nn => Algorithm::Norwegian,
        Lang::Da => Algorithm::Danish,
        Lang::Sv => Algorithm::Swedish,
        Lang::De => Algorithm::German,
        Lang::Fi => Algorithm::Finnish,
        Lang::Ru => Algorithm::Russian,
        Lang::Fr => Algorithm::French,
        Lang::Es => Algorithm::Spanish,
        Lang::It => Algorithm::Italian,
        Lang::Nl => Algorithm::Dutch,
        Lang::Pt => Algorithm::Portuguese,
        _ => return None,
    })
}

/// English plurals only (Harman's S-stemmer, as Lucene's `EnglishMinimalStemmer`): `files` →
/// `file`, `queries` → `query`; `class`, `bus`, `goes` stay. Porter/Snowball English also joins
/// derivations (`generic`, `general`, `generate` → `gener`), which in a big English collection
/// lets near-namesakes outrank the document that uses the query's own words; the truncated forms
/// still meet other inflections (benches/RELEVANCE.md).
pub fn english_minimal(lower: &str) -> String {
    let b = lower.as_bytes();
    let n = b.len();
    if n < 3 || b[n - 1] != b's' {
        return lower.to_string();
    }
    match b[n - 2] {
        b'u' | b's' => lower.to_string(),
        b'e' if n > 3 && b[n - 3] == b'i' && b[n - 4] != b'a' && b[n - 4] != b'e' => {
            format!("{}y", &lower[..n - 3])
        }
        b'e' if matches!(b[n - 3], b'i' | b'a' | b'o' | b'e') => lower.to_string(),
        _ => lower[..n - 1].to_string(),
    }
}

/// A word lower-cased, and folded: what every language's reading of it starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoweredWord {
    pub lower: String,
    /// The lower-cased word without its diacritics, when it has any.
    pub folded: Option<String>,
    chars: usize,
}

impl LoweredWord {
    pub fn new(word: &str) -> LoweredWord {
        let lower = lowercase(word);
        let f = fold(&lower);
        LoweredWord {
            folded: (f != lower).then_some(f),
            lower,
            chars: word.chars().count(),
        }
    }
}

/// What one language's analyzer makes of one word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The stem of the word as written (lower-cased).
    pub stem: String,
    /// The stem of the diacritic-folded word, when folding changes the word.
    pub folded: Option<String>,
}

/// An analysed word of a text: its language-tagged terms and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedWord {
    pub start: usize,
    pub end: usize,
    pub position: u32,
    pub lang: Lang,
    pub reading: Reading,
}

impl AnalyzedWord {
    pub fn exact_term(&self) -> String {
        tag(self.lang, EXACT_SEP, &self.reading.stem)
    }
    pub fn folded_term(&self) -> Option<String> {
        self.reading
            .folded
            .as_deref()
            .map(|f| tag(self.lang, FOLDED_SEP, f))
    }
}

/// `lv` + `:` + `sabiedrīb` → `lv:sabiedrīb`.
pub fn tag(lang: Lang, sep: char, stem: &str) -> String {
    let code = lang.code();
    let mut s = String::with_capacity(code.len() + 1 + stem.len());
    s.push_str(code);
    s.push(sep);
    s.push_str(stem);
    s
}

/// All languages' analyzers, built once from the config and shared (read-only) by every thread.
pub struct Analyzer {
    /// Indexed by `lang_slot`; `Und` (no stemmer, no stopwords) is always present.
    langs: Vec<LangAnalyzer>,
    enabled: Vec<Lang>,
    folding: bool,
    max_word_chars: usize,
    /// Unique per analyzer: keys the per-thread term cache (see `terms.rs`).
    id: u64,
}

impl Analyzer {
    pub fn new(config: &Config) -> Analyzer {
        let enabled = config.enabled_langs();
        let mut langs: Vec<LangAnalyzer> = Lang::ALL
            .iter()
            .map(|&l| LangAnalyzer::new(l, config))
            .collect();
        langs.push(LangAnalyzer {
            lang: Lang::Und,
            stopwords: None,
            stemmer: StemmerKind::None,
        });
        Analyzer {
            langs,
            enabled,
            folding: config.analysis.folding,
            max_word_chars: config.analysis.max_word_chars,
            id: {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
        }
    }

    /// Languages a query is read in: every enabled one, plus `und` for text nothing matched.
    pub fn query_langs(&self) -> Vec<Lang> {
        let mut v = self.enabled.clone();
        v.push(Lang::Und);
        v
    }

    pub fn enabled(&self) -> &[Lang] {
        &self.enabled
    }

    fn lang(&self, lang: Lang) -> &LangAnalyzer {
        self.langs
            .iter()
            .find(|a| a.lang == lang)
            .unwrap_or_else(|| &self.langs[self.langs.len() - 1])
    }

    /// Is `lower` (a lower-cased word) a stopword of `lang`?
    pub fn is_stopword(&self, lower: &str, lang: Lang) -> bool {
        self.lang(lang).is_stopword(lower)
    }

    /// One word read in one language: None for a stopword or an over-long word.
    pub fn read_word(&self, word: &str, lang: Lang) -> Option<Reading> {
        self.read_lowered(&LoweredWord::new(word), lang)
    }

    /// [`Analyzer::read_word`] for a word lower-cased and folded once (a query word is read in
    /// every enabled language).
    pub fn read_lowered(&self, word: &LoweredWord, lang: Lang) -> Option<Reading> {
        if word.chars > self.max_word_chars {
            return None;
        }
        let a = self.lang(lang);
        if a.is_stopword(&word.lower) {
            return None;
        }
        let stem = a.stem(&word.lower);
        let folded = match (&word.folded, self.folding) {
            (Some(f), true) => Some(a.stem(f)),
            _ => None,
        };
        Some(Reading { stem, folded })
    }

    /// The tagless truncated form of a word as typed (see [`prefix_of`]). Truncated forms are
    /// folded, so like the folded forms they exist only with `analysis.folding` on: with it off,
    /// matching stays exact to the letter.
    pub fn truncated(&self, word: &str) -> Option<String> {
        if !self.folding {
            return None;
        }
        prefix_of(&lowercase(word))
    }

    /// The stem of a word typed without diacritics, as the folded variants of the index hold it.
    pub fn read_folded(&self, word: &str, lang: Lang) -> Option<String> {
        if !self.folding {
            return None;
        }
        let a = self.lang(lang);
        let lower = lowercase(word);
        if a.is_stopword(&lower) {
            return None;
        }
        Some(a.stem(&fold(&lower)))
    }

    /// Analyses `text` (a paragraph) in `lang`. Offsets are shifted by `base` so they point into
    /// the whole document; positions continue from `*position`. Stopwords leave a position gap,
    /// so phrases match across them exactly as they were written.
    pub fn analyze(
        &self,
        text: &str,
        lang: Lang,
        base: usize,
        position: &mut u32,
        mut emit: impl FnMut(AnalyzedWord),
    ) {
        for w in words(text) {
            let pos = *position;
            *position += 1;
            if let Some(reading) = self.read_word(w.text, lang) {
                emit(AnalyzedWord {
                    start: base + w.start,
                    end: base + w.end,
                    position: pos,
                    lang,
                    reading,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        Analyzer::new(&Config::default_config())
    }

    fn stems(text: &str, lang: Lang) -> Vec<String> {
        let a = analyzer();
        let mut out = Vec::new();
        let mut pos = 0;
        a.analyze(text, lang, 0, &mut pos, |w| out.push(w.reading.stem));
        out
    }

    #[test]
    fn the_fast_alphanumeric_check_is_unicodes() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(super::is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(super::is_alphabetic(c), c.is_alphabetic(), "{c:?}");
        }
    }

    /// The definition `words` implements: runs of alphanumeric chars, each run's later chars
    /// also taking combining marks.
    fn words_by_chars(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let mut end = text.len();
            while let Some(&(j, d)) = iter.peek() {
                if d.is_alphanumeric() || (!d.is_ascii() && fold::is_combining(d)) {
                    iter.next();
                } else {
                    end = j;
                    break;
                }
            }
            out.push((i, end));
        }
        out
    }

    #[test]
    fn words_agree_with_the_definition_over_every_code_point() {
        // Every char, each also between two letters (runs that cross every kind of char).
        let text: String = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .flat_map(|c| [c, 'a', c])
            .collect();
        let got: Vec<(usize, usize)> = words(&text).map(|w| (w.start, w.end)).collect();
        assert_eq!(got, words_by_chars(&text));
    }

    proptest::proptest! {
        #[test]
        fn words_are_the_runs_of_alphanumeric_chars(
            text in "[a-zA-Z0-9 .,'\\-āčēģīķļņšūžøæåõäöüß\u{301}\u{0400}-\u{045F}\u{4E00}-\u{4E10}\u{1F600}\t\n]{0,60}"
        ) {
            let got: Vec<(usize, usize)> = words(&text).map(|w| (w.start, w.end)).collect();
            proptest::prop_assert_eq!(got, words_by_chars(&text));
        }
    }

    #[test]
    fn words_keep_byte_offsets_on_char_boundaries() {
        let t = "Sabiedrības «ALLATRA» — 2024. gads, ķēde";
        for w in words(t) {
            assert_eq!(&t[w.start..w.end], w.text);
        }
        let ws: Vec<&str> = words(t).map(|w| w.text).collect();
        assert_eq!(ws, ["Sabiedrības", "ALLATRA", "2024", "gads", "ķēde"]);
    }

    #[test]
    fn latvian_inflections_meet_on_one_stem() {
        assert_eq!(
            stems("sabiedrības sabiedrību", Lang::Lv),
            ["sabiedrīb", "sabiedrīb"]
        );
    }

    #[test]
    fn english_is_stemmed_for_plurals_only() {
        let cases = [
            ("files", "file"),
            ("queries", "query"),
            ("movements", "movement"),
            ("boxes", "boxe"),
            ("class", "class"),
            ("bus", "bus"),
            ("goes", "goes"),
            ("generic", "generic"),
            ("general", "general"),
            ("is", "is"),
            ("naïves", "naïve"),
        ];
        for (word, stem) in cases {
            assert_eq!(super::english_minimal(word), stem, "{word}");
        }
    }

    #[test]
    fn stopwords_are_per_language() {
        assert_eq!(stems("the movement", Lang::En), ["movement"]);
        assert_eq!(stems("og klimaendringene", Lang::Nb).len(), 1);
        // "og" is no Latvian stopword: read in Latvian it stays.
        assert_eq!(stems("og", Lang::Lv), ["og"]);
    }

    #[test]
    fn folded_variant_meets_diacritic_free_query() {
        let a = analyzer();
        let doc = a.read_word("Sabiedrības", Lang::Lv).unwrap();
        let typed = a.read_folded("sabiedriba", Lang::Lv).unwrap();
        assert_eq!(doc.folded.as_deref(), Some(typed.as_str()));
    }

    #[test]
    fn stopword_leaves_a_position_gap() {
        let a = analyzer();
        let mut pos = 0;
        let mut got = Vec::new();
        a.analyze("the head office", Lang::En, 10, &mut pos, |w| {
            got.push((w.position, w.start, w.exact_term()))
        });
        assert_eq!(
            got,
            [
                (1, 14, "en:head".to_string()),
                (2, 19, "en:office".to_string())
            ]
        );
        assert_eq!(pos, 3);
    }

    #[test]
    fn truncated_forms_are_the_first_letters_folded() {
        assert_eq!(prefix_of("sabiedrības").as_deref(), Some("sabie"));
        assert_eq!(prefix_of("ģimenēm").as_deref(), Some("gimen"));
        assert_eq!(prefix_of("tīkla").as_deref(), Some("tikla"));
        assert_eq!(prefix_of("tīkl"), None, "shorter than PREFIX_CHARS");
        assert_eq!(
            prefix_of("earlybatch7"),
            None,
            "codes with digits are not truncated"
        );
        let a = analyzer();
        assert_eq!(a.truncated("Sabiedrību"), a.truncated("sabiedriba"));
        let mut strict = Config::default_config();
        strict.analysis.folding = false;
        assert_eq!(
            Analyzer::new(&strict).truncated("sabiedrība"),
            None,
            "only with folding"
        );
    }

    #[test]
    fn overlong_words_are_skipped() {
        let long = "a".repeat(100);
        assert!(analyzer().read_word(&long, Lang::En).is_none());
    }
}

/// One token as `ngo-search analyze` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub token: String,
    /// Byte offsets in the analysed text.
    pub start: usize,
    pub end: usize,
    /// The stem of the diacritic-free form, when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folded: Option<String>,
}

/// What analysis makes of a text in one language (`ngo-search analyze`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Analysis {
    pub lang: Lang,
    pub tokens: Vec<TokenInfo>,
}

impl Analyzer {
    /// The tokens of `text` read in `lang`, exactly as indexing makes them.
    pub fn explain(&self, text: &str, lang: Lang) -> Analysis {
        let mut tokens = Vec::new();
        let mut pos = 0;
        self.analyze(text, lang, 0, &mut pos, |w| {
            tokens.push(TokenInfo {
                token: w.reading.stem,
                start: w.start,
                end: w.end,
                folded: w.reading.folded,
            })
        });
        Analysis { lang, tokens }
    }
}
