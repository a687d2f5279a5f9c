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
/// at a time: ASCII as it is, Latin-1 to Cyrillic (all of Latvian, Lithuanian, the Nordic
/// letters and Russian) from a table, anything else through its canonical decomposition. The result
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
    static TABLE: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| range_table(|c, out| fold_slow(c, &mut |f| out.push(f))));
    match in_table(table, c) {
        Some(folded) => folded.chars().for_each(sink),
        None => fold_slow(c, &mut sink),
    }
}

/// Lower-cases one character and folds the result, giving each resulting character to `sink`:
/// what the snippet gate asks of the first letters of every word of a page.
pub fn lower_fold_into(c: char, mut sink: impl FnMut(char)) {
    if c.is_ascii() {
        sink(c.to_ascii_lowercase());
        return;
    }
    static TABLE: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| range_table(lower_fold_slow));
    match in_table(table, c) {
        Some(folded) => folded.chars().for_each(sink),
        None => {
            for l in c.to_lowercase() {
                fold_char_into(l, &mut sink);
            }
        }
    }
}

fn lower_fold_slow(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        fold_char_into(l, |f| out.push(f));
    }
}

/// The tables cover Latin-1 to Cyrillic (U+0080–U+052F): every letter of the enabled languages,
/// and of Greek, which the snippet gate folds a character at a time on every page it reads.
const TABLE_START: u32 = 0x80;
const TABLE_END: u32 = 0x530;

/// What `f` writes for each character of the tables' range.
fn range_table(f: impl Fn(char, &mut String)) -> Vec<Box<str>> {
    (TABLE_START..TABLE_END)
        .map(|u| {
            let mut s = String::new();
            if let Some(c) = char::from_u32(u) {
                f(c, &mut s);
            }
            s.into_boxed_str()
        })
        .collect()
}

fn in_table(table: &[Box<str>], c: char) -> Option<&str> {
    (c as usize)
        .checked_sub(TABLE_START as usize)
        .and_then(|i| table.get(i))
        .map(|s| &**s)
}

fn fold_slow(c: char, sink: &mut impl FnMut(char)) {
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            push_base(d, &mut *sink);
        }
    });
}

/// A base letter as people type it: the letters that are no base plus a mark are spelled out.
fn push_base(c: char, mut sink: impl FnMut(char)) {
    let spelled: &str = match c {
        'ø' => "o",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ħ' => "h",
        'ı' => "i",
        _ => return sink(c),
    };
    spelled.chars().for_each(sink);
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
            super::push_base(c, |f| out.push(f));
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
    fn lower_fold_is_lowercase_then_fold() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut got = String::new();
            super::lower_fold_into(c, |f| got.push(f));
            let lower: String = c.to_lowercase().collect();
            assert_eq!(got, fold(&lower), "U+{:04X}", c as u32);
        }
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
