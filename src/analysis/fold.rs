//! Diacritic folding: `sabiedrības` → `sabiedribas`, `ģimenēm` → `gimenem`, `ø` → `o`.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Is `c` a combining mark (kept inside a word by the tokenizer)?
pub fn is_combining(c: char) -> bool {
    is_combining_mark(c)
}

/// Removes diacritics from lower-case text. Letters that are not a base letter plus a mark
/// (ø, æ, ß, ł, đ …) are mapped to the letters people type instead.
///
/// Every indexed word and every word of a snippet passes through here, so it works a character
/// at a time: ASCII as it is, Latin-1 and Latin Extended-A (all of Latvian, Lithuanian and the
/// Nordic letters) from a table, anything else through its canonical decomposition. The result
/// equals NFD with the marks dropped (a test checks every code point).
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Folds one character onto `out`.
pub fn fold_char(c: char, out: &mut String) {
    fold_char_into(c, |f| out.push(f));
}

/// Folds one character, giving each resulting character to `sink` (no allocation).
pub fn fold_char_into(c: char, mut sink: impl FnMut(char)) {
    if c.is_ascii() {
        sink(c);
        return;
    }
    let table = latin_table();
    if let Some(folded) = (c as usize)
        .checked_sub(LATIN_START as usize)
        .and_then(|i| table.get(i))
    {
        folded.chars().for_each(sink);
        return;
    }
    let mut s = String::new();
    fold_slow(c, &mut s);
    s.chars().for_each(sink);
}

const LATIN_START: u32 = 0x80;
const LATIN_END: u32 = 0x180;

fn latin_table() -> &'static [String] {
    static TABLE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (LATIN_START..LATIN_END)
            .map(|u| {
                let mut s = String::new();
                if let Some(c) = char::from_u32(u) {
                    fold_slow(c, &mut s);
                }
                s
            })
            .collect()
    })
}

fn fold_slow(c: char, out: &mut String) {
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            push_base(d, out);
        }
    });
}

/// A base letter as people type it: the letters that are no base plus a mark are spelled out.
fn push_base(c: char, out: &mut String) {
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

#[cfg(test)]
mod tests {
    use super::fold;
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;

    /// The definition: NFD of the whole text, marks dropped, the special letters spelled out.
    fn fold_nfd(text: &str) -> String {
        let mut out = String::new();
        for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
            super::push_base(c, &mut out);
        }
        out
    }

    #[test]
    fn every_code_point_folds_as_nfd_without_marks() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(fold(&s), fold_nfd(&s), "U+{:04X}", c as u32);
        }
        let mixed = "Ša\u{301}ķe\u{323}\u{302} ø ǅ ﬁ Ελλάδα ёлка";
        assert_eq!(fold(mixed), fold_nfd(mixed));
    }

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
