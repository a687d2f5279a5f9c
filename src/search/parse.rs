//! Query syntax: plain words, "quoted phrases", `-excluded` words or phrases. Parsing is
//! lenient — an unclosed quote ends at the end of the query, a lone `-` is ignored — because a
//! search box must never answer "syntax error".

use crate::analysis::words;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word (as typed).
    Word(String),
    /// Words that must stand together, in order.
    Phrase(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    pub include: Vec<Clause>,
    pub exclude: Vec<Clause>,
    /// Words beyond the term limit, dropped (reported in the interpretation).
    pub dropped: usize,
}

impl ParsedQuery {
    pub fn word_count(&self) -> usize {
        self.include
            .iter()
            .chain(&self.exclude)
            .map(|c| match c {
                Clause::Word(_) => 1,
                Clause::Phrase(p) => p.len(),
            })
            .sum()
    }
}

/// Parses a query, keeping at most `max_terms` words (bounded work whatever the input).
pub fn parse(q: &str, max_terms: usize) -> ParsedQuery {
    let mut out = ParsedQuery::default();
    let mut budget = max_terms;
    let mut rest = q;
    while !rest.is_empty() {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            break;
        }
        let (negated, body) = match trimmed.strip_prefix('-') {
            Some(b) if !b.starts_with(char::is_whitespace) && !b.is_empty() => (true, b),
            Some(b) => {
                rest = b;
                continue;
            }
            None => (false, trimmed),
        };
        let (clause_text, next, quoted) = if let Some(inner) = body.strip_prefix('"') {
            match inner.find('"') {
                Some(end) => (&inner[..end], &inner[end + 1..], true),
                None => (inner, "", true),
            }
        } else {
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            (&body[..end], &body[end..], false)
        };
        rest = next;
        let ws: Vec<String> = words(clause_text).map(|w| w.text.to_string()).collect();
        if ws.is_empty() {
            continue;
        }
        let take = ws.len().min(budget);
        out.dropped += ws.len() - take;
        budget -= take;
        let mut ws = ws;
        ws.truncate(take);
        if ws.is_empty() {
            continue;
        }
        let list = if negated {
            &mut out.exclude
        } else {
            &mut out.include
        };
        if quoted && ws.len() > 1 {
            list.push(Clause::Phrase(ws));
        } else {
            // An unquoted token such as `sociāli-orientētai` holds several words: each is a word.
            list.extend(ws.into_iter().map(Clause::Word));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Clause {
        Clause::Word(s.into())
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let p = parse(r#"klimats "klimata izmaiņas" -ALLATRA -"a b""#, 32);
        assert_eq!(
            p.include,
            [
                w("klimats"),
                Clause::Phrase(vec!["klimata".into(), "izmaiņas".into()])
            ]
        );
        assert_eq!(
            p.exclude,
            [w("ALLATRA"), Clause::Phrase(vec!["a".into(), "b".into()])]
        );
    }

    #[test]
    fn lenient_on_malformed_syntax() {
        assert_eq!(parse(r#""unclosed phrase"#, 32).include.len(), 1);
        assert!(parse(r#"- "" --- ((( ***"#, 32).include.is_empty());
        assert_eq!(parse("a-b", 32).include, [w("a"), w("b")]);
    }

    #[test]
    fn term_budget_bounds_work() {
        let q = "word ".repeat(1000);
        let p = parse(&q, 32);
        assert_eq!(p.word_count(), 32);
        assert_eq!(p.dropped, 968);
    }
}
