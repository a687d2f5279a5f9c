//! Raw document → normalised [`Document`]: Unicode NFC, whitespace, boilerplate lines removed,
//! languages detected per line with the document as prior.
//!
//! The normalised text is what the index stores and what `GET /documents/{id}` returns, so every
//! offset the search API gives (passages, highlights) points into exactly this text.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde_json::{Map, Value};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::lang::{Detector, Lang};
use crate::read::RawDocument;

/// A stretch of the text in one language (a line of the normalised text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub lang: Lang,
}

/// A document ready for analysis and indexing.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub text: String,
    /// Language spans covering every line of `text` (byte ranges).
    pub spans: Vec<Span>,
    /// The title's language.
    pub title_lang: Lang,
    /// The input gave a title (else it was cut from the first paragraph).
    pub title_given: bool,
    /// Dominant language by characters.
    pub lang: Lang,
    /// Every language present, dominant first.
    pub langs: Vec<Lang>,
    pub url: Option<String>,
    pub date: Option<DocDate>,
    pub org: Option<String>,
    pub source: Option<String>,
    pub metadata: Map<String, Value>,
    /// Character offsets where pages 2, 3, … start (paged formats such as PDF); empty otherwise.
    pub page_starts: Vec<u32>,
}

/// A parsed date: the instant (for filters and sorting) and how it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocDate {
    pub timestamp: i64,
    pub display: String,
}

/// A line of input after cleaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Text(String),
    Blank,
    PageBreak,
}

/// Splits text into cleaned lines: NFC, control characters and runs of whitespace collapsed,
/// inline boilerplate removed, boilerplate lines dropped.
pub fn clean_lines(text: &str) -> Vec<Line> {
    let text: std::borrow::Cow<str> = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.into()
    } else {
        text.nfc().collect::<String>().into()
    };
    let mut out = Vec::new();
    for raw_line in text.split('\n') {
        for (i, piece) in raw_line.split('\u{c}').enumerate() {
            if i > 0 {
                out.push(Line::PageBreak);
            }
            let line = clean_line(piece);
            if line.is_empty() || is_boilerplate_line(&line) {
                out.push(Line::Blank);
            } else {
                out.push(Line::Text(line));
            }
        }
    }
    out
}

/// Collapses runs of whitespace and control characters to one space (none at either end) and
/// drops soft hyphens and BOMs. Copies runs of ordinary characters whole: only ASCII bytes and the
/// lead bytes of the few non-ASCII characters that are spaces, controls or dropped (U+0080–U+00AD,
/// U+1680, U+2000–U+205F, U+3000, U+FEFF) are looked at one by one; Latvian and Norwegian letters
/// are copied with the run they stand in.
fn clean_line(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut s = String::with_capacity(line.len());
    let mut pending_space = false;
    let mut run: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (len, class) = if b < 0x80 {
            let space = b == b' ' || b.is_ascii_control();
            (1, if space { Class::Space } else { Class::Keep })
        } else if matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF) {
            let Some(c) = line[i..].chars().next() else {
                break;
            };
            let class = if c == '\u{ad}' || c == '\u{feff}' {
                // Soft hyphens and BOMs are invisible in the page: drop them, keep real spaces.
                Class::Drop
            } else if c.is_whitespace() || c.is_control() {
                Class::Space
            } else {
                Class::Keep
            };
            (c.len_utf8(), class)
        } else {
            (utf8_len(b), Class::Keep)
        };
        match class {
            Class::Keep => {
                if run.is_none() {
                    if pending_space {
                        s.push(' ');
                        pending_space = false;
                    }
                    run = Some(i);
                }
            }
            Class::Space | Class::Drop => {
                if let Some(start) = run.take() {
                    s.push_str(&line[start..i]);
                }
                if class == Class::Space {
                    pending_space = !s.is_empty();
                }
            }
        }
        i += len;
    }
    if let Some(start) = run {
        s.push_str(&line[start..]);
    }
    // Every noise phrase is in parentheses: one scan for '(' spares four searches a line.
    if s.contains('(') {
        for noise in INLINE_NOISE {
            if s.contains(noise) {
                s = s
                    .replace(noise, "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
    }
    s
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Keep,
    Space,
    Drop,
}

/// The length of the UTF-8 sequence a lead byte begins.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        _ => 2,
    }
}

/// Whether `s` has at most `n` characters, without counting them when its length decides.
fn at_most_chars(s: &str, n: usize) -> bool {
    s.len() <= n || (s.len() <= 4 * n && s.chars().count() <= n)
}

/// Phrases scraped pages sprinkle inside lines.
const INLINE_NOISE: &[&str] = &[
    "(link is external)",
    "(ārēja saite)",
    "(ekstern lenke)",
    "(opens in a new window)",
];

/// Whole lines that are navigation, sharing or edit chrome in the sample sites' languages.
const NOISE_LINES: &[&str] = &[
    "jump to navigation",
    "skip to main content",
    "skip to content",
    "pāriet uz saturu",
    "pāriet uz galveno saturu",
    "hopp til innhold",
    "hopp til hovedinnhold",
    "ieteikt draugiem",
    "ieteikt",
    "dalīties",
    "share",
    "share this",
    "del",
    "del på facebook",
    "tweet",
    "edit",
    "labot",
    "rediģēt",
    "rediger",
    "read more",
    "lasīt vairāk",
    "les mer",
    "print",
    "drukāt",
    "skriv ut",
    "menu",
    "izvēlne",
    "meny",
    "toggle navigation",
    "main menu",
    "back to top",
    "uz augšu",
    "til toppen",
];

fn is_boilerplate_line(line: &str) -> bool {
    if !at_most_chars(line, 200) || !may_be_boilerplate(line) {
        return false;
    }
    let lower = line.to_lowercase();
    let trimmed = lower.trim_matches(|c: char| !c.is_alphanumeric());
    if NOISE_LINES.contains(&trimmed) {
        return true;
    }
    let copyright =
        lower.starts_with('©') || lower.starts_with("(c)") || lower.starts_with("copyright");
    copyright
        || lower.contains("design by")
        || lower.contains("designed by")
        || lower.contains("powered by")
        || lower.contains("all rights reserved")
        || lower.contains("visas tiesības aizsargātas")
}

/// Whether a line could be boilerplate at all: short enough to be a noise line once trimmed, or
/// holding (in any case) an ASCII stretch every other test needs. Most lines are neither, and are
/// spared lower-casing into a new string (lower-casing only adds characters, and no letter
/// outside ASCII lower-cases to the letters sought).
fn may_be_boilerplate(line: &str) -> bool {
    let trimmed = line.trim_matches(|c: char| !c.is_alphanumeric());
    if trimmed.len() <= NOISE_LINE_MAX_BYTES {
        return true;
    }
    let b = line.as_bytes();
    if b.first() == Some(&b'(') || line.starts_with('©') || starts_with_ci(b, b"copyright") {
        return true;
    }
    // One pass for "by" (design by, designed by, powered by), "reserved" and "aizsarg"
    // (tiesības aizsargātas), in any case: `| 0x20` lower-cases ASCII letters and maps no other
    // byte onto them.
    (0..b.len()).any(|i| match b[i] | 0x20 {
        b'b' => b.get(i + 1).is_some_and(|&y| y | 0x20 == b'y'),
        b'r' => starts_with_ci(&b[i..], b"reserved"),
        b'a' => starts_with_ci(&b[i..], b"aizsarg"),
        _ => false,
    })
}

/// Whether `hay` begins with `needle` (lower-case ASCII), ignoring ASCII case.
fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle))
}

/// Longest [`NOISE_LINES`] entry in characters (a test checks it). Lower-casing never removes
/// characters, so a line whose trimmed form has more than 4 bytes per character of that is none.
const NOISE_LINE_MAX_CHARS: usize = 25;
const NOISE_LINE_MAX_BYTES: usize = 4 * NOISE_LINE_MAX_CHARS;

/// A stable hash of a cleaned line, for spotting lines repeated across documents.
pub fn line_key(line: &str) -> u64 {
    // FxHash: a few instructions per 8 bytes, where SipHash was 1 % of ingest (every line of
    // every document, and every id, is hashed).
    let mut h = rustc_hash::FxHasher::default();
    line.hash(&mut h);
    h.finish()
}

/// Lines found in at least `min_docs` of the given documents: the chrome of a scraped site
/// (menus, footers, cookie notices) that would otherwise dominate snippets.
pub fn repeated_lines(docs: &[Vec<Line>], min_docs: usize) -> HashSet<u64> {
    if min_docs == 0 || docs.len() < min_docs {
        return HashSet::new();
    }
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for lines in docs {
        let mut seen = HashSet::new();
        for l in lines {
            if let Line::Text(t) = l {
                let key = line_key(t);
                if at_most_chars(t, 200) && seen.insert(key) {
                    *counts.entry(key).or_default() += 1;
                }
            }
        }
    }
    counts
        .into_iter()
        .filter(|&(_, n)| n >= min_docs)
        .map(|(k, _)| k)
        .collect()
}

/// Problems with a document that do not stop it from being indexed.
pub type Warnings = Vec<String>;

/// Builds a document from a raw one and its cleaned lines.
pub fn build(
    raw: RawDocument,
    lines: Vec<Line>,
    drop: &HashSet<u64>,
    detector: &Detector,
    enabled: &[Lang],
    warnings: &mut Warnings,
) -> Result<Document, String> {
    let id = raw.id.trim().to_string();
    if id.is_empty() {
        return Err("empty document id".into());
    }
    let (mut text, mut line_ranges, mut page_starts) = assemble(&lines, drop);
    if text.is_empty() && !drop.is_empty() {
        // Lines repeated across the batch are chrome only beside real content: a document made
        // of nothing else (a one-line description shared by many packages) keeps them, or it
        // would vanish from the index.
        (text, line_ranges, page_starts) = assemble(&lines, &HashSet::new());
    }
    if text.is_empty() {
        return Err("no text left after normalisation (empty, or only boilerplate)".into());
    }
    let hint = match raw.lang.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => match Lang::from_code(code) {
            Some(l) if l == Lang::Und || enabled.contains(&l) => Some(l),
            Some(l) => {
                warnings.push(format!(
                    "language {:?} is not enabled in the index config: detected instead",
                    l.code()
                ));
                None
            }
            None => {
                warnings.push(format!("unknown language code {code:?}: detected instead"));
                None
            }
        },
    };
    let paragraphs: Vec<&str> = line_ranges.iter().map(|r| &text[r.clone()]).collect();
    let detected = detector.detect_document(&paragraphs, hint);
    let spans: Vec<Span> = line_ranges
        .iter()
        .zip(
            detected
                .paragraphs
                .iter()
                .chain(std::iter::repeat(&detected.lang)),
        )
        .map(|(r, &lang)| Span {
            start: r.start,
            end: r.end,
            lang,
        })
        .collect();
    let given_title = raw
        .title
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty() && !is_boilerplate_line(t))
        .map(|t| t.nfc().collect::<String>());
    let title_given = given_title.is_some();
    let title = given_title
        .or_else(|| paragraphs.first().map(|p| derived_title(p)))
        .unwrap_or_default();
    let title_lang = if !title_given {
        // A title made from the first paragraph has that paragraph's language (detected just
        // above, with the document as prior): detecting its first 200 characters again cost
        // ~15% of ingest time and could only disagree with the text it was cut from.
        spans.first().map_or(detected.lang, |s| s.lang)
    } else if title.chars().count() >= 40 {
        detector
            .detect(&title)
            .map(|d| d.lang)
            .filter(|l| *l == detected.lang || detected.langs.contains(l))
            .unwrap_or(detected.lang)
    } else {
        detected.lang
    };
    let date = match raw.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match parse_date(s) {
            Some(d) => Some(d),
            None => {
                warnings.push(format!(
                    "field \"date\": cannot read {s:?} (expected YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339): date left out"
                ));
                None
            }
        },
    };
    let clean_opt = |s: Option<String>| {
        s.map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|v| !v.is_empty())
    };
    Ok(Document {
        id,
        title,
        text,
        spans,
        title_lang,
        title_given,
        lang: detected.lang,
        langs: detected.langs,
        url: clean_opt(raw.url),
        date,
        org: clean_opt(raw.org),
        source: raw.source,
        metadata: raw.metadata,
        page_starts,
    })
}

/// The title of a document the input gave none: its first paragraph, cut at 200 characters.
/// It is not stored (the index keeps only given titles): reading a document cuts it again.
pub fn derived_title(first_paragraph: &str) -> String {
    first_chars(first_paragraph, 200)
}

fn first_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Joins cleaned lines into the stored text: lines of a paragraph with `\n`, paragraphs with a
/// blank line. Returns the text, each line's byte range, and page start char offsets.
fn assemble(
    lines: &[Line],
    drop: &HashSet<u64>,
) -> (String, Vec<std::ops::Range<usize>>, Vec<u32>) {
    let mut text = String::new();
    let mut ranges = Vec::new();
    let mut pages = Vec::new();
    let mut pending_break = false;
    let mut page_pending = 0usize;
    let mut chars = 0usize;
    for line in lines {
        match line {
            Line::Blank => pending_break = true,
            Line::PageBreak => {
                pending_break = true;
                page_pending += 1;
            }
            Line::Text(t) => {
                if !drop.is_empty() && drop.contains(&line_key(t)) {
                    pending_break = true;
                    continue;
                }
                if !text.is_empty() {
                    let sep = if pending_break { "\n\n" } else { "\n" };
                    text.push_str(sep);
                    chars += sep.len();
                }
                for _ in 0..page_pending {
                    pages.push(chars as u32);
                }
                page_pending = 0;
                pending_break = false;
                let start = text.len();
                text.push_str(t);
                chars += t.chars().count();
                ranges.push(start..text.len());
            }
        }
    }
    (text, ranges, pages)
}

/// Reads the dates NGO data carries: `2024`, `2024-05`, `2024-05-17`, RFC 3339, and
/// `2024-05-17T10:00:00` without a zone (read as UTC).
pub fn parse_date(s: &str) -> Option<DocDate> {
    use time::format_description::well_known::Rfc3339;
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
    let s = s.trim();
    let day = |y: i32, m: u8, d: u8| -> Option<DocDate> {
        let date = Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()?;
        let ts = PrimitiveDateTime::new(date, Time::MIDNIGHT)
            .assume_utc()
            .unix_timestamp();
        Some(DocDate {
            timestamp: ts,
            display: format!("{y:04}-{m:02}-{d:02}"),
        })
    };
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| -> Option<i64> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y] if y.len() == 4 => return day(num(y)? as i32, 1, 1),
        [y, m] if y.len() == 4 => return day(num(y)? as i32, num(m)? as u8, 1),
        [y, m, d] if y.len() == 4 && d.len() <= 2 => {
            return day(num(y)? as i32, num(m)? as u8, num(d)? as u8)
        }
        _ => {}
    }
    if let Ok(dt) = OffsetDateTime::parse(s, &Rfc3339) {
        let utc = dt.to_offset(time::UtcOffset::UTC);
        return Some(DocDate {
            timestamp: utc.unix_timestamp(),
            display: utc.format(&Rfc3339).ok()?,
        });
    }
    let zoned = format!("{s}Z");
    OffsetDateTime::parse(&zoned, &Rfc3339)
        .ok()
        .map(|dt| DocDate {
            timestamp: dt.unix_timestamp(),
            display: dt.format(&Rfc3339).unwrap_or(zoned),
        })
}

/// Formats a timestamp the way [`parse_date`] shows it.
pub fn display_date(ts: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::from_unix_timestamp(ts) {
        Ok(dt) if dt.time() == time::Time::MIDNIGHT => {
            format!("{:04}-{:02}-{:02}", dt.year(), dt.month() as u8, dt.day())
        }
        Ok(dt) => dt.format(&Rfc3339).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clean_line of before runs were copied whole: one char at a time.
    fn clean_line_by_chars(line: &str) -> String {
        let mut s = String::with_capacity(line.len());
        let mut pending_space = false;
        for c in line.chars() {
            let space = if c.is_ascii() {
                c == ' ' || c.is_ascii_control()
            } else if c == '\u{ad}' || c == '\u{feff}' {
                continue;
            } else {
                c.is_whitespace() || c.is_control()
            };
            if space {
                pending_space = !s.is_empty();
                continue;
            }
            if pending_space {
                s.push(' ');
                pending_space = false;
            }
            s.push(c);
        }
        s
    }

    /// Every character that can be a space, a control or dropped, and letters around them.
    fn tricky_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let chars: Vec<char> = " \t\r\u{1}\u{7f}\u{80}\u{85}\u{9f}\u{a0}\u{ad}\u{a9}\u{c2}\u{1680}\u{180e}\u{2000}\u{200a}\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{2060}\u{3000}\u{feff}\u{fffd}aZ(āšŽøÅжҐ€😀"
            .chars()
            .collect();
        proptest::collection::vec(proptest::sample::select(chars), 0..40)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest::proptest! {
        #[test]
        fn clean_line_copies_runs_exactly_as_char_by_char(text in tricky_text()) {
            proptest::prop_assert_eq!(clean_line(&text), clean_line_by_chars(&text));
        }

        /// The pre-check never turns away a line the full test would call boilerplate.
        #[test]
        fn the_boilerplate_pre_check_keeps_every_candidate(
            text in proptest::sample::select(NOISE_LINES.to_vec()),
            upper in proptest::bool::ANY,
            pad in "[ .|»*-]{0,5}",
        ) {
            let line = if upper { text.to_uppercase() } else { text.to_string() };
            let line = format!("{pad}{line}{pad}");
            proptest::prop_assert!(may_be_boilerplate(&line), "{}", line);
        }
    }

    #[test]
    fn noise_lines_fit_the_pre_check() {
        for l in NOISE_LINES {
            assert!(l.chars().count() <= NOISE_LINE_MAX_CHARS, "{l}");
        }
        for line in [
            "© 2024 Biedrība. Design by Studija",
            "Copyright 2019 — a long line that goes on and on about the organisation and its aims",
            "(C) SOME ORGANISATION, ALL RIGHTS RESERVED, AND A LONG TAIL OF WORDS AFTER THAT ONE",
            "VISAS TIESĪBAS AIZSARGĀTAS — BIEDRĪBA, KAS RŪPĒJAS PAR SABIEDRĪBU UN TĀS LABKLĀJĪBU",
            "Website proudly POWERED BY some content management system, which is also very long",
        ] {
            assert!(is_boilerplate_line(line), "{line}");
        }
        assert!(!is_boilerplate_line(
            "Biedrība rūpējas par sabiedrības labklājību un organizē pasākumus visā Latvijā."
        ));
    }

    fn text_of(s: &str) -> String {
        assemble(&clean_lines(s), &HashSet::new()).0
    }

    #[test]
    fn whitespace_and_paragraphs_are_normalised() {
        assert_eq!(
            text_of("  Par\t centru \r\n\n\n\nTeksts\u{a0}ar  atstarpēm\notrā rinda"),
            "Par centru\n\nTeksts ar atstarpēm\notrā rinda"
        );
    }

    #[test]
    fn invisible_and_control_characters() {
        // Soft hyphen and BOM vanish; controls and other spaces (em space, NEL) separate words.
        assert_eq!(
            text_of("\u{feff}sabied\u{ad}rība\u{2003}un\u{85}kultūra\u{1}X\u{7f}Y"),
            "sabiedrība un kultūra X Y"
        );
        // The search for inline noise starts at a parenthesis.
        assert!(INLINE_NOISE.iter().all(|n| n.starts_with('(')));
    }

    #[test]
    fn text_is_nfc() {
        // "ā" written as a + combining macron.
        assert_eq!(text_of("sabiedri\u{304}ba"), "sabiedrība");
    }

    #[test]
    fn boilerplate_lines_are_dropped() {
        let t = text_of(
            "Jump to navigation\nIeteikt draugiem\nTeksts (link is external) te\n© 2020 Biedrība. Design by X",
        );
        assert_eq!(t, "Teksts te");
    }

    #[test]
    fn repeated_lines_across_documents_are_dropped() {
        let docs: Vec<Vec<Line>> = (0..6)
            .map(|i| clean_lines(&format!("Sākums | Par mums | Kontakti\nUnikāls teksts {i}")))
            .collect();
        let drop = repeated_lines(&docs, 5);
        assert_eq!(drop.len(), 1);
        assert_eq!(assemble(&docs[0], &drop).0, "Unikāls teksts 0");
    }

    #[test]
    fn a_document_made_only_of_repeated_lines_keeps_them() {
        let docs: Vec<Vec<Line>> = (0..6)
            .map(|_| clean_lines("Shared one-line description"))
            .collect();
        let drop = repeated_lines(&docs, 5);
        assert_eq!(drop.len(), 1);
        let detector = Detector::new(&[Lang::En]);
        let raw = RawDocument {
            id: "a".into(),
            text: "Shared one-line description".into(),
            ..RawDocument::default()
        };
        let doc = build(
            raw,
            docs[0].clone(),
            &drop,
            &detector,
            &[Lang::En],
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(doc.text, "Shared one-line description");
    }

    #[test]
    fn page_breaks_become_page_starts() {
        let (text, _, pages) = assemble(
            &clean_lines("one\u{c}two\n\nthree\u{c}four"),
            &HashSet::new(),
        );
        assert_eq!(text, "one\n\ntwo\n\nthree\n\nfour");
        let starts: Vec<usize> = pages.iter().map(|&p| p as usize).collect();
        assert_eq!(starts, [5, 17]);
        assert_eq!(&text[starts[0]..starts[0] + 3], "two");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-05-07").unwrap().display, "2024-05-07");
        assert_eq!(parse_date("2024").unwrap().display, "2024-01-01");
        assert!(parse_date("2024-13-01").is_none());
        assert!(parse_date("yesterday").is_none());
        let d = parse_date("2023-03-05T10:20:30+02:00").unwrap();
        assert_eq!(d.display, "2023-03-05T08:20:30Z");
        assert_eq!(display_date(d.timestamp), "2023-03-05T08:20:30Z");
        assert_eq!(
            display_date(parse_date("2020-02-29").unwrap().timestamp),
            "2020-02-29"
        );
    }
}
