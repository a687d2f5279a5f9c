//! HTML: visible text with its block structure, `<title>` (or the first `<h1>`) as title and
//! `<html lang>` as a language hint. Navigation, scripts and styles are not text.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use super::RawDocument;

/// Elements whose content is never document text.
const SKIPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "svg", "iframe", "head", "button", "select",
    "form",
];

/// Elements that start a new line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "header",
    "footer",
    "main",
    "aside",
    "dd",
    "dt",
    "dl",
    "figcaption",
    "figure",
    "hr",
    "address",
    "td",
    "th",
];

/// Deeper than this (estimated from the tags before parsing), a page is read flat, without the
/// HTML tree builder: its cost grows with the square of the nesting depth (50,000 levels of
/// unclosed tags took 30 s), a page that deep is broken or hostile, and its text is still worth
/// indexing.
pub const MAX_NESTING: usize = 1_000;

/// Parses an HTML page. The walk is iterative, so thousands of nested or unclosed tags cannot
/// overflow the stack; beyond [`MAX_NESTING`] levels the page is read by [`read_html_flat`], so
/// the time stays linear in the input whatever it is.
pub fn read_html_str(source: &str) -> RawDocument {
    if nesting_depth(source) > MAX_NESTING {
        return read_html_flat(source);
    }
    read_html_tree(source)
}

/// Elements that never hold others (so do not nest), and those a start tag of the same kind
/// closes implicitly (`<p>a<p>b` is two paragraphs, not nested ones).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th", "!doctype",
];

/// Elements whose content is raw text up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "noscript", "template", "svg", "iframe",
];

/// The deepest nesting of elements the tags of `source` would build, estimated in one linear
/// pass (start tags minus end tags; void and self-closing elements do not nest).
pub fn nesting_depth(source: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for tag in Tags::new(source) {
        match tag {
            Tag::Start {
                name, self_closing, ..
            } => {
                if !self_closing && !VOID.contains(&name.as_str()) {
                    depth += 1;
                    max = max.max(depth);
                }
            }
            Tag::End { name } => {
                if !VOID.contains(&name.as_str()) {
                    depth = depth.saturating_sub(1);
                }
            }
            Tag::Text(_) => {}
        }
    }
    max
}

/// Reads a page without building its tree, in time linear in its size: text outside tags
/// (entities decoded), line breaks at block elements, scripts and styles skipped, `<title>` and
/// `<html lang>` kept. For pages too deeply nested for the tree builder.
pub fn read_html_flat(source: &str) -> RawDocument {
    let mut text = String::new();
    let mut title: Option<String> = None;
    let mut lang: Option<String> = None;
    let mut tags = Tags::new(source);
    while let Some(tag) = tags.next() {
        match tag {
            Tag::Text(t) => decode_entities_into(t, &mut text),
            Tag::Start { name, lang: l, .. } => {
                if name == "html" && lang.is_none() {
                    lang = l.and_then(|l| non_empty(&l));
                }
                if RAW_TEXT.contains(&name.as_str()) {
                    let inner = tags.skip_raw_text(&name);
                    if name == "title" && title.is_none() {
                        let mut t = String::new();
                        decode_entities_into(inner, &mut t);
                        title = non_empty(&t);
                    }
                    continue;
                }
                if BLOCKS.contains(&name.as_str()) {
                    block_break(&mut text, &name);
                }
            }
            Tag::End { name } => {
                if BLOCKS.contains(&name.as_str()) {
                    block_break(&mut text, &name);
                }
            }
        }
    }
    RawDocument {
        title,
        text,
        lang,
        ..RawDocument::default()
    }
}

enum Tag<'a> {
    Text(&'a str),
    Start {
        name: String,
        self_closing: bool,
        lang: Option<String>,
    },
    End {
        name: String,
    },
}

/// A minimal, forgiving HTML tokenizer: text runs, start and end tags (names lower-cased);
/// comments, doctypes and processing instructions are dropped.
struct Tags<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Tags<'a> {
    fn new(src: &'a str) -> Tags<'a> {
        Tags { src, pos: 0 }
    }

    /// Skips to after `</name` … `>` (ASCII case-insensitive) and returns the text before it.
    fn skip_raw_text(&mut self, name: &str) -> &'a str {
        let rest = &self.src[self.pos..];
        let bytes = rest.as_bytes();
        let mut i = 0;
        while let Some(off) = rest[i..].find("</") {
            let at = i + off;
            let after = &bytes[at + 2..];
            if after.len() >= name.len()
                && after[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            {
                let inner = &rest[..at];
                let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
                self.pos += end;
                return inner;
            }
            i = at + 2;
        }
        self.pos = self.src.len();
        rest
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        loop {
            let rest = &self.src[self.pos..];
            if rest.is_empty() {
                return None;
            }
            let bytes = rest.as_bytes();
            if bytes[0] != b'<' {
                let end = rest.find('<').unwrap_or(rest.len());
                self.pos += end;
                return Some(Tag::Text(&rest[..end]));
            }
            // A comment runs to `-->`.
            if let Some(comment) = rest.strip_prefix("<!--") {
                self.pos += comment.find("-->").map_or(rest.len(), |e| 4 + e + 3);
                continue;
            }
            let (is_end, name_start) = if bytes.get(1) == Some(&b'/') {
                (true, 2)
            } else {
                (false, 1)
            };
            let first = bytes.get(name_start).copied().unwrap_or(b' ');
            if !(first.is_ascii_alphabetic()
                || (!is_end && first == b'!')
                || (!is_end && first == b'?'))
            {
                // A lone '<' is text.
                self.pos += 1;
                return Some(Tag::Text("<"));
            }
            // The tag runs to the first '>' outside quotes.
            let mut quote: Option<u8> = None;
            let mut end = rest.len();
            for (i, &b) in bytes.iter().enumerate().skip(name_start) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => {
                        end = i + 1;
                        break;
                    }
                    None => {}
                }
            }
            let inner = &rest[name_start..end.min(rest.len())];
            self.pos += end;
            if first == b'?'
                || (first == b'!' && !inner.to_ascii_lowercase().starts_with("!doctype"))
            {
                continue;
            }
            let name_len = inner
                .bytes()
                .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b':' || b == b'!'))
                .unwrap_or(inner.len());
            let name = inner[..name_len].to_ascii_lowercase();
            if is_end {
                return Some(Tag::End { name });
            }
            let attrs = inner[name_len..].trim_end_matches('>');
            let self_closing = attrs.trim_end().ends_with('/');
            let lang = (name == "html")
                .then(|| attr_value(attrs, "lang"))
                .flatten();
            return Some(Tag::Start {
                name,
                self_closing,
                lang,
            });
        }
    }
}

/// The value of attribute `name` in a tag's attribute text.
fn attr_value(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(off) = lower[from..].find(name) {
        let at = from + off;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = attrs[at + name.len()..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let v = rest[1..].trim_start();
        let value = match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()
                .unwrap_or(""),
        };
        return Some(value.to_string());
    }
    None
}

/// Appends `s` with character references decoded (named ones of everyday text, and numeric).
fn decode_entities_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|e| e + 1);
        let (body, consumed) = match end {
            Some(e) if rest[e..].starts_with(';') => (&rest[1..e], e + 1),
            Some(e) => (&rest[1..e], e),
            None => (&rest[1..], rest.len()),
        };
        let decoded = match body {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => body.strip_prefix('#').and_then(|n| {
                let v = match n.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => n.parse::<u32>().ok(),
                };
                v.and_then(char::from_u32)
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[consumed..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

fn read_html_tree(source: &str) -> RawDocument {
    let doc = Html::parse_document(source);
    let mut text = String::new();
    let mut title: Option<String> = None;
    let mut h1: Option<String> = None;
    let mut lang: Option<String> = None;
    let mut skip_depth = 0usize;
    let mut in_title = false;
    let mut h1_depth = 0usize;
    let mut h1_text = String::new();
    let mut title_text = String::new();

    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if name == "html" && lang.is_none() {
                        lang = el
                            .attr("lang")
                            .or_else(|| el.attr("xml:lang"))
                            .map(str::to_string);
                    }
                    if name == "title" {
                        in_title = true;
                    }
                    if SKIPPED.contains(&name) || el.attr("hidden").is_some() {
                        skip_depth += 1;
                    }
                    if name == "h1" {
                        h1_depth += 1;
                    }
                    if BLOCKS.contains(&name) {
                        block_break(&mut text, name);
                    }
                }
                Node::Text(t) => {
                    if in_title {
                        title_text.push_str(&t[..]);
                    } else if skip_depth == 0 {
                        text.push_str(&t[..]);
                        if h1_depth > 0 {
                            h1_text.push_str(&t[..]);
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if name == "title" {
                        in_title = false;
                        if title.is_none() {
                            title = non_empty(&title_text);
                        }
                    }
                    if SKIPPED.contains(&name) || el.attr("hidden").is_some() {
                        skip_depth = skip_depth.saturating_sub(1);
                    }
                    if name == "h1" {
                        h1_depth = h1_depth.saturating_sub(1);
                        if h1.is_none() {
                            h1 = non_empty(&h1_text);
                        }
                    }
                    if BLOCKS.contains(&name) {
                        block_break(&mut text, name);
                    }
                }
            }
        }
    }
    RawDocument {
        title: title.or(h1),
        text,
        lang: lang.and_then(|l| non_empty(&l)),
        ..RawDocument::default()
    }
}

/// Paragraph-like blocks end with a blank line, others (list items, cells, br) with a newline.
fn block_break(text: &mut String, name: &str) {
    let para = matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "blockquote"
            | "table"
            | "ul"
            | "ol"
            | "pre"
            | "hr"
            | "header"
            | "footer"
            | "main"
    );
    let want = if para { "\n\n" } else { "\n" };
    if !text.ends_with(want) {
        text.push_str(want);
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_title_lang_and_text_without_scripts_or_nav() {
        let d = read_html_str(
            r#"<html lang="lv"><head><title> Par centru </title><style>p{}</style></head>
            <body><nav>Jump to navigation</nav><h1>Virsraksts</h1><p>Sabiedrība <b>un</b> kustība</p>
            <script>alert(1)</script><ul><li>viens</li><li>divi</li></ul></body></html>"#,
        );
        assert_eq!(d.title.as_deref(), Some("Par centru"));
        assert_eq!(d.lang.as_deref(), Some("lv"));
        assert!(d.text.contains("Sabiedrība un kustība"));
        assert!(!d.text.contains("alert") && !d.text.contains("navigation"));
        assert!(d.text.contains("viens\ndivi") || d.text.contains("viens\n\ndivi"));
    }

    #[test]
    fn h1_is_the_title_when_there_is_no_title() {
        let d = read_html_str("<h1>Brīvprātīgais darbs</h1><p>teksts</p>");
        assert_eq!(d.title.as_deref(), Some("Brīvprātīgais darbs"));
    }

    #[test]
    fn flat_reading_keeps_text_title_lang_and_blocks() {
        let src = r#"<!DOCTYPE html><html lang='lv'><head><title>Par &amp; centru</title>
            <style>p { x: "</p>" }</style></head><body><!-- <p>hidden</p> --><p>Sabiedrība &lt;un&gt;
            kustība<p>otrā &#x101; &#257; &bogus; rindkopa<script>if (a<b) {}</script> 3 < 4</body>"#;
        let d = read_html_flat(src);
        assert_eq!(d.title.as_deref(), Some("Par & centru"));
        assert_eq!(d.lang.as_deref(), Some("lv"));
        assert!(d.text.contains("Sabiedrība <un>"), "{:?}", d.text);
        assert!(
            d.text.contains("\n\notrā ā ā &bogus; rindkopa"),
            "{:?}",
            d.text
        );
        assert!(d.text.contains("3 < 4"), "{:?}", d.text);
        assert!(
            !d.text.contains("hidden") && !d.text.contains("if (a"),
            "{:?}",
            d.text
        );
    }

    #[test]
    fn nesting_depth_is_estimated() {
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x/></div>"), 1);
        assert_eq!(nesting_depth(&"<div><span>".repeat(10)), 20);
        assert_eq!(nesting_depth("</div></div><b>"), 1);
    }

    #[test]
    fn very_deep_pages_are_read_in_linear_time() {
        let mut s = String::from("<title>Dziļi</title>");
        for _ in 0..100_000 {
            s.push_str("<div><span><b>");
        }
        s.push_str("dziļāk");
        let t = std::time::Instant::now();
        let d = read_html_str(&s);
        assert!(d.text.contains("dziļāk"));
        assert_eq!(d.title.as_deref(), Some("Dziļi"));
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn deeply_nested_unclosed_tags_do_not_overflow() {
        let mut s = String::new();
        for _ in 0..50_000 {
            s.push_str("<div><span>");
        }
        s.push_str("dziļi");
        let d = read_html_str(&s);
        assert!(d.text.contains("dziļi"));
    }
}
