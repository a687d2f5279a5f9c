//! Diacritic folding: `sabiedrības` → `sabiedribas`, `ģimenēm` → `gimenem`, `ø` → `o`.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Is `c` a combining mark (kept inside a word by the tokenizer)?
pub fn is_combining(c: char) -> bool {
    is_combining_mark(c)
}

/// Removes diacritics from lower-case text. Letters that are not a base letter plus a mark
/// (ø, æ, ß, ł, đ …) are mapped to the letters people type instead.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ø' => out.push('o'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ß' => out.push_str("ss"),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ħ' => out.push('h'),
            'ı' => out.push('i'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_latvian_and_nordic_letters() {
        assert_eq!(fold("sabiedrības"), "sabiedribas");
        assert_eq!(
            fold("ģimenēm ķēde ļoti ņemt šķūnis žogs"),
            "gimenem kede loti nemt skunis zogs"
        );
        assert_eq!(fold("søk blåbær"), "sok blabaer");
        assert_eq!(fold("plain"), "plain");
    }
}
