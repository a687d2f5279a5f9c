//! The tantivy side: schema, the sidecar that records how an index was built, and the mapping
//! of a [`Document`] to the fields it is indexed and stored in.

mod sidecar;

use std::fmt::Write as _;

use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, OwnedValue, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::Token;
use tantivy::{DateTime, TantivyDocument};

use crate::analysis::Analyzer;
use crate::document::{Document, Span};
use crate::lang::Lang;

pub use sidecar::{Sidecar, SIDECAR_FILE};

/// The fields of an ngo-search index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Document id (exact; used to replace and delete).
    pub id: Field,
    /// Stored title as shown.
    pub title: Field,
    /// Language-tagged terms of the title.
    pub title_terms: Field,
    /// Language-tagged terms of the text, with positions for phrases.
    pub body: Field,
    /// Stored normalised text.
    pub text: Field,
    pub lang: Field,
    /// Every language of the document (filter).
    pub langs: Field,
    /// Bit set of `langs` (facet counting without term dictionaries).
    pub langmask: Field,
    pub org: Field,
    pub date: Field,
    /// The date as the input gave it (shown).
    pub date_text: Field,
    pub url: Field,
    pub source: Field,
    /// Other input fields, as JSON.
    pub metadata: Field,
    /// Language spans of the text, as JSON (passages re-analyse each span in its language).
    pub spans: Field,
    /// Page start offsets, as JSON (paged formats).
    pub pages: Field,
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let terms = |positions: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                // Values are our analysis' terms, encoded (see `TermsTokenizer`): the
                // tokenizer only decodes them. Registered by `register_tokenizers`.
                .set_tokenizer(TERMS_TOKENIZER)
                .set_index_option(if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                }),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", STORED),
        title_terms: b.add_text_field("title_terms", terms(true)),
        body: b.add_text_field("body", terms(true)),
        text: b.add_text_field("text", STORED),
        lang: b.add_text_field("lang", STRING | STORED | FAST),
        langs: b.add_text_field("langs", STRING | STORED),
        langmask: b.add_u64_field("langmask", NumericOptions::default().set_fast()),
        org: b.add_text_field("org", STRING | STORED | FAST),
        date: b.add_date_field(
            "date",
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        date_text: b.add_text_field("date_text", STORED),
        url: b.add_text_field("url", STORED),
        source: b.add_text_field("source", STORED),
        metadata: b.add_text_field("metadata", STORED),
        spans: b.add_text_field("spans", STORED),
        pages: b.add_text_field("pages", STORED),
    };
    (b.build(), fields)
}

/// The bit of a language in `langmask`: its place in [`Lang::ALL`], then `Und` (masks stay
/// below 2^18, where `Und` in the top bit made tantivy store 64 bits a document).
pub fn lang_bit(lang: Lang) -> u64 {
    match Lang::ALL.iter().position(|&l| l == lang) {
        Some(i) => 1u64 << i,
        None => 1u64 << Lang::ALL.len(),
    }
}

/// Where older indexes kept `Und` (which made tantivy store 64 bits a document).
const OLD_UND_BIT: u64 = 1 << 63;

/// The languages of a `langmask`.
pub fn langs_of_mask(mask: u64) -> impl Iterator<Item = Lang> {
    let mask = if mask & OLD_UND_BIT != 0 {
        (mask & !OLD_UND_BIT) | lang_bit(Lang::Und)
    } else {
        mask
    };
    Lang::ALL
        .iter()
        .copied()
        .chain(std::iter::once(Lang::Und))
        .filter(move |&l| mask & lang_bit(l) != 0)
}

/// Analyses a document and builds its tantivy document.
pub fn to_tantivy(doc: &Document, fields: &Fields, analyzer: &Analyzer) -> TantivyDocument {
    let mut t = TantivyDocument::default();
    t.add_text(fields.id, &doc.id);
    // A title cut from the text is not stored either: it is the text's beginning, which every
    // read of the document has (`Engine::stored` cuts it again). Stored, it was a third more
    // store on short pages.
    if doc.title_given {
        t.add_text(fields.title, &doc.title);
    }
    t.add_text(fields.text, &doc.text);
    t.add_text(fields.lang, doc.lang.code());
    let mut mask = 0u64;
    for l in &doc.langs {
        t.add_text(fields.langs, l.code());
        mask |= lang_bit(*l);
    }
    t.add_u64(fields.langmask, mask);
    if let Some(org) = &doc.org {
        t.add_text(fields.org, org);
    }
    if let Some(d) = &doc.date {
        t.add_date(fields.date, DateTime::from_timestamp_secs(d.timestamp));
        t.add_text(fields.date_text, &d.display);
    }
    if let Some(u) = &doc.url {
        t.add_text(fields.url, u);
    }
    if let Some(s) = &doc.source {
        t.add_text(fields.source, s);
    }
    if !doc.metadata.is_empty() {
        t.add_text(
            fields.metadata,
            serde_json::to_string(&doc.metadata).unwrap_or_default(),
        );
    }
    t.add_text(fields.spans, encode_spans(&doc.spans));
    if !doc.page_starts.is_empty() {
        t.add_text(
            fields.pages,
            serde_json::to_string(&doc.page_starts).unwrap_or_default(),
        );
    }

    // Encoded terms take about twice the text (tag, stem, folded and truncated forms): sized
    // once instead of grown by doubling.
    let mut body = TermsEncoder::with_capacity(2 * doc.text.len());
    let mut position = 0u32;
    for span in &doc.spans {
        let text = &doc.text[span.start..span.end];
        analyzer.analyze_terms(text, span.lang, span.start, &mut position, |w| {
            body.push(w.position, w.exact);
            if let Some(f) = w.folded {
                body.push(w.position, f);
            }
            if let Some(p) = w.prefix {
                body.push(w.position, p);
            }
        });
        // A gap between lines keeps phrases from matching across them.
        position += 1;
    }
    t.add_text(fields.body, body.text);
    // A title cut from the text (the input gave none) is not indexed again: its words are the
    // body's first words, which the ranking's lead bonus favours (search/rerank.rs). Indexing
    // them twice made every query read a second field for every word — 40 % of query time on
    // dev-eval — and cost a sixth of ingest.
    if doc.title_given {
        let mut title = TermsEncoder::default();
        let mut position = 0u32;
        analyzer.analyze_terms(&doc.title, doc.title_lang, 0, &mut position, |w| {
            title.push(w.position, w.exact);
            if let Some(f) = w.folded {
                title.push(w.position, f);
            }
        });
        t.add_text(fields.title_terms, title.text);
    }
    t
}

/// The name under which [`TermsTokenizer`] is registered.
pub const TERMS_TOKENIZER: &str = "ngo_terms";

/// Makes the index able to write ngo-search documents (before any writer is created).
pub fn register_tokenizers(index: &tantivy::Index) {
    index.tokenizers().register(
        TERMS_TOKENIZER,
        tantivy::tokenizer::TextAnalyzer::from(TermsTokenizer::default()),
    );
}

/// Analysed terms with their positions, as one string that [`TermsTokenizer`] reads back.
///
/// tantivy keeps a pre-tokenised value (`PreTokenizedString`) in its document as JSON, which it
/// writes and parses again for every document — about a tenth of ingest time, plus a `String`
/// per token. This encoding is one string per field instead: per term, one byte for the position
/// increment over the previous term (`0x01 + increment` for increments up to 28, else `0x1E`,
/// the increment in decimal, `0x1F`), then the term. Terms never hold control characters (they
/// are a language tag and letters, digits and marks), so the bytes cannot be confused.
#[derive(Default)]
pub struct TermsEncoder {
    pub text: String,
    /// Position of the last term pushed.
    last: u32,
}

impl TermsEncoder {
    pub fn with_capacity(bytes: usize) -> TermsEncoder {
        TermsEncoder {
            text: String::with_capacity(bytes),
            last: 0,
        }
    }

    pub fn push(&mut self, position: u32, term: &str) {
        let inc = position.saturating_sub(self.last);
        self.last = position;
        if inc <= 28 {
            self.text.push((0x01 + inc as u8) as char);
        } else {
            self.text.push('\u{1e}');
            self.text.push_str(&inc.to_string());
            self.text.push('\u{1f}');
        }
        self.text.push_str(term);
    }
}

/// Decodes what [`TermsEncoder`] wrote; runs on tantivy's indexing threads.
#[derive(Clone, Default)]
pub struct TermsTokenizer {
    token: Token,
}

pub struct TermsStream<'a> {
    text: &'a str,
    at: usize,
    position: usize,
    token: &'a mut Token,
}

impl tantivy::tokenizer::Tokenizer for TermsTokenizer {
    type TokenStream<'a> = TermsStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermsStream<'a> {
        self.token.reset();
        TermsStream {
            text,
            at: 0,
            position: 0,
            token: &mut self.token,
        }
    }
}

impl tantivy::tokenizer::TokenStream for TermsStream<'_> {
    fn advance(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        loop {
            let Some(&b) = bytes.get(self.at) else {
                return false;
            };
            let inc = match b {
                0x01..=0x1D => {
                    self.at += 1;
                    usize::from(b - 1)
                }
                0x1E => {
                    let digits_end = bytes[self.at..]
                        .iter()
                        .position(|&c| c == 0x1F)
                        .map_or(bytes.len(), |p| self.at + p);
                    let n = self.text[self.at + 1..digits_end].parse().unwrap_or(1);
                    self.at = (digits_end + 1).min(bytes.len());
                    n
                }
                // Not our encoding (cannot happen for values we wrote): skip the byte.
                _ => {
                    self.at += 1;
                    continue;
                }
            };
            let start = self.at;
            let end = bytes[start..]
                .iter()
                .position(|&c| c < 0x20)
                .map_or(bytes.len(), |p| start + p);
            self.at = end;
            if end == start {
                continue;
            }
            self.position += inc;
            self.token.position = self.position;
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position_length = 1;
            self.token.text.clear();
            self.token.text.push_str(&self.text[start..end]);
            return true;
        }
    }
    fn token(&self) -> &Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// A stored document as read for a hit or a reindex: its text values, field by field, in the
/// order they were stored. Read straight from the doc store, each string is copied once; read as
/// a `TantivyDocument` and then taken apart, each was copied three times (the value, tantivy's
/// compact node buffer, our own field) — 6 % of a dev-eval query's instructions.
#[derive(Debug, Default)]
pub struct StoredValues(Vec<(Field, String)>);

impl StoredValues {
    /// The field's first value.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }

    /// The field's first value, moved out (a second `take` gives the next value, if any).
    pub fn take(&mut self, field: Field) -> Option<String> {
        let i = self.0.iter().position(|(f, _)| *f == field)?;
        Some(self.0.remove(i).1)
    }

    /// All the field's values, moved out.
    pub fn take_all(&mut self, field: Field) -> Vec<String> {
        let mut out = Vec::new();
        self.0.retain_mut(|(f, v)| {
            if *f == field {
                out.push(std::mem::take(v));
                false
            } else {
                true
            }
        });
        out
    }
}

impl DocumentDeserialize for StoredValues {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(deserializer.size_hint());
        // Every stored field of ours is text; any other value (none today) is read and skipped.
        while let Some((field, value)) = deserializer.next_field::<OwnedValue>()? {
            if let OwnedValue::Str(s) = value {
                values.push((field, s));
            }
        }
        Ok(StoredValues(values))
    }
}

/// Spans are stored compactly as `start:end:lang` triples.
pub fn encode_spans(spans: &[Span]) -> String {
    let mut s = String::with_capacity(spans.len() * 12);
    for (i, sp) in spans.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        // Writing into `s` directly: a `format!` per span was an allocation each.
        let _ = write!(s, "{}:{}:{}", sp.start, sp.end, sp.lang.code());
    }
    s
}

/// Reads spans back; spans that do not fit `text` are dropped rather than trusted.
pub fn decode_spans(encoded: &str, text: &str) -> Vec<Span> {
    encoded
        .split(' ')
        .filter_map(|triple| {
            let mut it = triple.split(':');
            let start: usize = it.next()?.parse().ok()?;
            let end: usize = it.next()?.parse().ok()?;
            let code = it.next()?;
            let lang = Lang::from_exact_code(code).or_else(|| Lang::from_code(code))?;
            (start <= end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end))
            .then_some(Span { start, end, lang })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_round_trip_and_bad_spans_are_dropped() {
        let text = "Sabiedrība\nThe end";
        let spans = vec![
            Span {
                start: 0,
                end: 11,
                lang: Lang::Lv,
            },
            Span {
                start: 12,
                end: 19,
                lang: Lang::En,
            },
        ];
        assert_eq!(decode_spans(&encode_spans(&spans), text), spans);
        assert!(decode_spans("0:5:lv 3:999:en 1:2:xx", text).len() == 1);
    }

    #[test]
    fn encoded_terms_decode_to_the_same_tokens() {
        use tantivy::tokenizer::{TokenStream, Tokenizer};
        let terms: Vec<(u32, &str)> = vec![
            (1, "en:head"),
            (2, "en:offic"),
            (2, "en~offic"),
            (3, "lv:sabiedrīb"),
            (40, "lv:tālu"),
            (40, "lv~talu"),
            (1000, "und:x"),
        ];
        let mut enc = TermsEncoder::default();
        for (p, t) in &terms {
            enc.push(*p, t);
        }
        let mut tok = TermsTokenizer::default();
        let mut stream = tok.token_stream(&enc.text);
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            got.push((t.position as u32, t.text.clone()));
        }
        let want: Vec<(u32, String)> = terms.iter().map(|(p, t)| (*p, t.to_string())).collect();
        assert_eq!(got, want);
        let mut empty = tok.token_stream("");
        assert!(!empty.advance());
    }

    #[test]
    fn lang_mask_round_trips() {
        let mask = lang_bit(Lang::Lv) | lang_bit(Lang::En) | lang_bit(Lang::Und);
        let langs: Vec<Lang> = langs_of_mask(mask).collect();
        assert_eq!(langs.len(), 3);
        assert!(langs.contains(&Lang::Und));
        assert!(mask < 1 << (Lang::ALL.len() + 1));
        // Indexes from before kept Und in the top bit.
        let old: Vec<Lang> = langs_of_mask(lang_bit(Lang::Lv) | 1 << 63).collect();
        assert_eq!(old, [Lang::Lv, Lang::Und]);
    }
}
