//! Plain text and Markdown: the title is the first non-empty line.

use super::RawDocument;

pub(super) fn read_plain(text: &str, markdown: bool) -> RawDocument {
    let title = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| {
            if markdown {
                l.trim_start_matches('#').trim().to_string()
            } else {
                l.to_string()
            }
        });
    RawDocument {
        title,
        text: text.to_string(),
        ..RawDocument::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_is_first_non_empty_line() {
        let d = super::read_plain("\n\n# Par centru\n\nTeksts", true);
        assert_eq!(d.title.as_deref(), Some("Par centru"));
    }
}
