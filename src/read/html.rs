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

/// Parses an HTML page. The walk is iterative, so thousands of nested or unclosed tags cannot
/// overflow the stack.
pub fn read_html_str(source: &str) -> RawDocument {
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
