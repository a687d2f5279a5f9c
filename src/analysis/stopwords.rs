//! Stopword lists: Snowball/Lucene lists where they exist (the ISO lists are far too aggressive for
//! search: English ISO has "information", "research", "work"), short hand-made lists otherwise.

use std::sync::OnceLock;

use crate::lang::Lang;

macro_rules! list {
    ($file:literal) => {{
        static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
        CELL.get_or_init(|| {
            include_str!(concat!("stopwords/", $file))
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .as_slice()
    }};
}

/// The stopwords of `lang` (lower-case, NFC), or None where the language has no list.
pub fn list(lang: Lang) -> Option<&'static [&'static str]> {
    Some(match lang {
        Lang::Lv => list!("lv.txt"),
        Lang::Nb | Lang::Nn => list!("no.txt"),
        Lang::En => list!("en.txt"),
        Lang::Da => list!("da.txt"),
        Lang::Sv => list!("sv.txt"),
        Lang::De => list!("de.txt"),
        Lang::Fi => list!("fi.txt"),
        Lang::Ru => list!("ru.txt"),
        Lang::Lt => list!("lt.txt"),
        Lang::Et => list!("et.txt"),
        Lang::Pl => list!("pl.txt"),
        Lang::Fr => list!("fr.txt"),
        Lang::Es => list!("es.txt"),
        Lang::It => list!("it.txt"),
        Lang::Nl => list!("nl.txt"),
        Lang::Pt => list!("pt.txt"),
        Lang::Und => return None,
    })
}
