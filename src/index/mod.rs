//! The tantivy side: schema, the sidecar that records how an index was built, and the mapping
//! of a [`Document`] to the fields it is indexed and stored in.

mod sidecar;

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
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
                // Never run: every value is pre-tokenised by our analysis. "raw" exists in every
                // tokenizer manager, so opening the index needs no registration.
                .set_tokenizer("raw")
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

/// The bit of a language in `langmask`.
pub fn lang_bit(lang: Lang) -> u64 {
    match Lang::ALL.iter().position(|&l| l == lang) {
        Some(i) => 1u64 << i,
        None => 1u64 << 63,
    }
}

/// The languages of a `langmask`.
pub fn langs_of_mask(mask: u64) -> impl Iterator<Item = Lang> {
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
    t.add_text(fields.title, &doc.title);
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

    let mut body = Vec::new();
    let mut position = 0u32;
    for span in &doc.spans {
        let text = &doc.text[span.start..span.end];
        push_tokens(
            analyzer,
            text,
            span.lang,
            span.start,
            &mut position,
            &mut body,
        );
        // A gap between lines keeps phrases from matching across them.
        position += 1;
    }
    t.add_pre_tokenized_text(
        fields.body,
        PreTokenizedString {
            text: String::new(),
            tokens: body,
        },
    );
    let mut title_tokens = Vec::new();
    let mut position = 0u32;
    push_tokens(
        analyzer,
        &doc.title,
        doc.title_lang,
        0,
        &mut position,
        &mut title_tokens,
    );
    t.add_pre_tokenized_text(
        fields.title_terms,
        PreTokenizedString {
            text: String::new(),
            tokens: title_tokens,
        },
    );
    t
}

fn push_tokens(
    analyzer: &Analyzer,
    text: &str,
    lang: Lang,
    base: usize,
    position: &mut u32,
    out: &mut Vec<Token>,
) {
    analyzer.analyze(text, lang, base, position, |w| {
        let folded = w.folded_term();
        out.push(Token {
            offset_from: w.start,
            offset_to: w.end,
            position: w.position as usize,
            text: w.exact_term(),
            position_length: 1,
        });
        if let Some(f) = folded {
            out.push(Token {
                offset_from: w.start,
                offset_to: w.end,
                position: w.position as usize,
                text: f,
                position_length: 1,
            });
        }
    });
}

/// Spans are stored compactly as `start:end:lang` triples.
pub fn encode_spans(spans: &[Span]) -> String {
    let mut s = String::with_capacity(spans.len() * 12);
    for (i, sp) in spans.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{}:{}:{}", sp.start, sp.end, sp.lang.code()));
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
            let lang = Lang::from_code(it.next()?)?;
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
    fn lang_mask_round_trips() {
        let mask = lang_bit(Lang::Lv) | lang_bit(Lang::En) | lang_bit(Lang::Und);
        let langs: Vec<Lang> = langs_of_mask(mask).collect();
        assert_eq!(langs.len(), 3);
        assert!(langs.contains(&Lang::Und));
    }
}
