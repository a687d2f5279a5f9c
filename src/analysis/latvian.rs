//! Latvian stemming: Lucene's light stemmer, and the fuller stemmer ngo-search indexes with.
//!
//! rust-stemmers has no Latvian, so both are carried here (std only).
//!
//! * [`stem_light`] is exactly Lucene's `LatvianStemmer` (K. Krēsliņš' algorithm reduced to noun
//!   and adjective endings): one ending off a suffix table, then un-palatalisation. It joins the
//!   case forms of nouns and adjectives but leaves verbs apart (strādāt, strādā, strādājam).
//! * [`stem`] adds verb endings (all tenses, reflexive forms, participles, the debitive jā-),
//!   adjective comparatives, and un-palatalisation after every ending (ceļš/ceļi → cel); words
//!   typed without diacritics (`gimenem`, `stradajam`) are matched against folded endings. On all
//!   of Lucene's test vectors it gives the same output as `stem_light`.
//!
//! Measured on hunspell-lv word forms by `benches/lv_stemmer_eval.rs` (see benches/RELEVANCE.md).
//! Both functions expect lower-cased input, never panic, and allocate exactly one `String`.
//! Lengths are counted in chars (Lucene counts UTF-16 units: the same for Latvian text).

/// A removable ending of Lucene's light stemmer.
#[derive(Clone, Copy)]
struct Affix {
    suffix: &'static str,
    /// Length of `suffix` in chars.
    chars: usize,
    /// The word must have more than this many vowels (suffix included).
    vc: usize,
    /// Undo palatalisation on the stem after removal.
    palatal: bool,
}

const fn char_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        if bytes[i] & 0xC0 != 0x80 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The last char of a non-empty string (UTF-8 decoding for const tables).
const fn last_char_const(s: &str) -> char {
    let b = s.as_bytes();
    let mut i = b.len() - 1;
    while b[i] & 0xC0 == 0x80 {
        i -= 1;
    }
    let (mut cp, width) = match b[i] {
        x if x < 0x80 => (x as u32, 1),
        x if x < 0xE0 => ((x & 0x1F) as u32, 2),
        x if x < 0xF0 => ((x & 0x0F) as u32, 3),
        x => ((x & 0x07) as u32, 4),
    };
    let mut k = 1;
    while k < width {
        cp = (cp << 6) | (b[i + k] & 0x3F) as u32;
        k += 1;
    }
    match char::from_u32(cp) {
        Some(c) => c,
        None => panic!("invalid UTF-8"),
    }
}

const fn affix(suffix: &'static str, vc: usize, palatal: bool) -> Affix {
    Affix {
        suffix,
        chars: char_len(suffix),
        vc,
        palatal,
    }
}

/// Lucene's table, in its order (longest first): the first ending that fires wins.
const LIGHT_AFFIXES: [Affix; 38] = [
    affix("ajiem", 3, false),
    affix("ajai", 3, false),
    affix("ajam", 2, false),
    affix("ajām", 2, false),
    affix("ajos", 2, false),
    affix("ajās", 2, false),
    affix("iem", 2, true),
    affix("ajā", 2, false),
    affix("ais", 2, false),
    affix("ai", 2, false),
    affix("ei", 2, false),
    affix("ām", 1, false),
    affix("am", 1, false),
    affix("ēm", 1, false),
    affix("īm", 1, false),
    affix("im", 1, false),
    affix("um", 1, false),
    affix("us", 1, true),
    affix("as", 1, false),
    affix("ās", 1, false),
    affix("es", 1, false),
    affix("os", 1, true),
    affix("ij", 1, false),
    affix("īs", 1, false),
    affix("ēs", 1, false),
    affix("is", 1, false),
    affix("ie", 1, false),
    affix("u", 1, true),
    affix("a", 1, true),
    affix("i", 1, true),
    affix("e", 1, false),
    affix("ā", 1, false),
    affix("ē", 1, false),
    affix("ī", 1, false),
    affix("ū", 1, false),
    affix("o", 1, false),
    affix("s", 0, false),
    affix("š", 0, false),
];

/// Un-palatalisation `(stem ending, replacement, only after a removed u/us)`, first match wins.
/// `š`→s/t and `ž`→z/d are deliberately not undone (ambiguous).
const UNPALATALISE: [(&str, &str, bool); 15] = [
    ("kš", "kst", true),
    ("ņņ", "nn", true),
    ("pj", "p", false),
    ("bj", "b", false),
    ("mj", "m", false),
    ("vj", "v", false),
    ("šņ", "sn", false),
    ("žņ", "zn", false),
    ("šļ", "sl", false),
    ("žļ", "zl", false),
    ("ļņ", "ln", false),
    ("ļļ", "ll", false),
    ("č", "c", false),
    ("ļ", "l", false),
    ("ņ", "n", false),
];

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'ā' | 'ē' | 'ī' | 'ū')
}

/// `word.ends_with(suffix)`, testing the last byte first (most endings differ there).
fn ends_with(word: &str, suffix: &str) -> bool {
    word.as_bytes().last() == suffix.as_bytes().last() && word.ends_with(suffix)
}

/// Length in chars and number of vowels.
fn measure(word: &str) -> (usize, usize) {
    word.chars()
        .fold((0, 0), |(n, v), c| (n + 1, v + usize::from(is_vowel(c))))
}

/// Exactly Lucene's light stemmer (input already lower-cased).
pub fn stem_light(word: &str) -> String {
    let (chars, vowels) = measure(word);
    for a in &LIGHT_AFFIXES {
        if vowels > a.vc && chars >= a.chars + 3 && ends_with(word, a.suffix) {
            let stem = &word[..word.len() - a.suffix.len()];
            if a.palatal {
                return unpalatalise(stem, a.suffix.starts_with('u'));
            }
            return stem.to_owned();
        }
    }
    word.to_owned()
}

/// Copies `stem` into the result, undoing palatalisation at its end.
fn unpalatalise(stem: &str, after_u: bool) -> String {
    let mut out = String::with_capacity(stem.len() + 1);
    for &(ending, replacement, only_after_u) in &UNPALATALISE {
        if (after_u || !only_after_u) && stem.ends_with(ending) {
            out.push_str(&stem[..stem.len() - ending.len()]);
            out.push_str(replacement);
            return out;
        }
    }
    out.push_str(stem);
    out
}

// ---------------------------------------------------------------------------------------------
// The full stemmer
// ---------------------------------------------------------------------------------------------

/// What kind of ending a suffix of the full stemmer is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Noun/adjective ending (Lucene's table).
    Nominal,
    /// Verb ending: a theme vowel left before it (strādā-t, rakstī-šu) goes too.
    Verbal,
}

/// Which letter must stand right before a verb ending for it to fire.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    Any,
    /// Anything but `n`: no infinitive ends in -nt, but vocatives do (abonement!).
    NotN,
    /// A conjugation theme vowel (strādā-si).
    Theme,
    /// Theme vowel or a root-final consonant that takes the future directly (cel-šu, dzer-sim).
    FutureStem,
    /// As `FutureStem` but not after `o`: -ošu/-ošos are forms of the participle -ošs far more
    /// often than futures of -ot verbs.
    FutureNotO,
    /// s, z, t, d: first-conjugation roots whose future inserts -ī- (nes-īšu, ved-īsim).
    Dental,
}

/// An ending of the full stemmer.
struct Ending {
    suffix: &'static str,
    /// Last letter of `suffix`, and its plain spelling (for `ENDING_INDEX`).
    last: char,
    last_plain: char,
    chars: usize,
    vc: usize,
    palatal: bool,
    kind: Kind,
    before: Before,
    /// Also tried on words without diacritics, where `ā` in the suffix matches `a` etc.
    plain: bool,
    /// One of `ADJECTIVE_ENDINGS`.
    adjectival: bool,
}

const fn nominal(a: Affix) -> Ending {
    Ending {
        suffix: a.suffix,
        last: last_char_const(a.suffix),
        last_plain: fold_char(last_char_const(a.suffix)),
        chars: a.chars,
        vc: a.vc,
        palatal: a.palatal,
        kind: Kind::Nominal,
        before: Before::Any,
        plain: true,
        adjectival: is_adjectival(a.suffix),
    }
}

const fn verbal(suffix: &'static str, vc: usize, before: Before) -> Ending {
    Ending {
        suffix,
        last: last_char_const(suffix),
        last_plain: fold_char(last_char_const(suffix)),
        chars: char_len(suffix),
        vc,
        palatal: false,
        kind: Kind::Verbal,
        before,
        plain: true,
        adjectival: is_adjectival(suffix),
    }
}

/// A verb ending tried only on words with diacritics: without them it is a noun ending far more
/// often (procesu, procesos, klasi, viesim would lose -su/-sos/-si/-sim).
const fn verbal_exact(suffix: &'static str, vc: usize, before: Before) -> Ending {
    Ending {
        plain: false,
        ..verbal(suffix, vc, before)
    }
}

/// Lucene's endings plus verb endings, longest first (ties: Lucene's order), so the first match
/// is the longest ending that fires — which on Lucene's endings is exactly Lucene's rule.
const ENDINGS: &[Ending] = &[
    verbal("īsieties", 1, Before::Dental),
    verbal("sieties", 1, Before::FutureStem), // future 2pl reflexive: strādā-sieties
    verbal("īsimies", 1, Before::Dental),
    verbal("īsities", 1, Before::Dental),
    verbal("īšoties", 1, Before::Dental),
    verbal("ieties", 1, Before::Any), // imperative 2pl reflexive: rakst-ieties
    verbal("damies", 1, Before::Any), // adverbial participle reflexive: rakstī-damies
    verbal("simies", 1, Before::FutureStem),
    verbal("sities", 1, Before::FutureStem),
    verbal("šoties", 1, Before::FutureStem),
    verbal("oties", 1, Before::Any), // relative mood reflexive: rakst-oties
    verbal("aties", 1, Before::Any), // present 2pl reflexive: strādāj-aties
    verbal("āties", 1, Before::Any),
    verbal("amies", 1, Before::Any), // present 1pl reflexive
    verbal("āmies", 1, Before::Any),
    verbal("usies", 1, Before::Any), // past active participle fem. reflexive: strādāj-usies
    verbal("īsiet", 1, Before::Dental),
    verbal("īsies", 1, Before::Dental),
    nominal(LIGHT_AFFIXES[0]),      // ajiem
    verbal("ties", 1, Before::Any), // reflexive infinitive
    verbal("siet", 1, Before::FutureStem),
    verbal("sies", 1, Before::FutureStem),
    verbal("īsim", 1, Before::Dental),
    verbal("īsit", 1, Before::Dental),
    verbal("īšot", 1, Before::Dental),
    verbal("īšos", 1, Before::Dental),
    nominal(LIGHT_AFFIXES[1]), // ajai
    nominal(LIGHT_AFFIXES[2]), // ajam
    nominal(LIGHT_AFFIXES[3]), // ajām
    nominal(LIGHT_AFFIXES[4]), // ajos
    nominal(LIGHT_AFFIXES[5]), // ajās
    verbal("īšu", 1, Before::Dental),
    verbal("īsi", 1, Before::Dental),
    nominal(LIGHT_AFFIXES[6]),     // iem
    nominal(LIGHT_AFFIXES[7]),     // ajā
    nominal(LIGHT_AFFIXES[8]),     // ais
    verbal("ies", 1, Before::Any), // reflexive 2sg/3rd, reflexive participles
    verbal("iet", 1, Before::Any), // imperative 2pl
    verbal("usi", 1, Before::Any), // past active participle fem.: nes-usi
    verbal("usī", 1, Before::Any),
    verbal_exact("sim", 1, Before::FutureStem),
    verbal("sit", 1, Before::FutureStem),
    verbal("šot", 1, Before::FutureStem),
    verbal_exact("šos", 1, Before::FutureNotO),
    nominal(LIGHT_AFFIXES[9]),  // ai
    nominal(LIGHT_AFFIXES[10]), // ei
    nominal(LIGHT_AFFIXES[11]), // ām
    nominal(LIGHT_AFFIXES[12]), // am
    nominal(LIGHT_AFFIXES[13]), // ēm
    nominal(LIGHT_AFFIXES[14]), // īm
    nominal(LIGHT_AFFIXES[15]), // im
    nominal(LIGHT_AFFIXES[16]), // um
    nominal(LIGHT_AFFIXES[17]), // us
    nominal(LIGHT_AFFIXES[18]), // as
    nominal(LIGHT_AFFIXES[19]), // ās
    nominal(LIGHT_AFFIXES[20]), // es
    nominal(LIGHT_AFFIXES[21]), // os
    nominal(LIGHT_AFFIXES[22]), // ij
    nominal(LIGHT_AFFIXES[23]), // īs
    nominal(LIGHT_AFFIXES[24]), // ēs
    nominal(LIGHT_AFFIXES[25]), // is
    nominal(LIGHT_AFFIXES[26]), // ie
    verbal_exact("šu", 1, Before::FutureNotO),
    verbal_exact("si", 1, Before::Theme),
    verbal("ot", 1, Before::Any), // relative mood: rakst-ot, nes-ot (and so the infinitive dzīv-ot)
    verbal("at", 1, Before::Any), // present 2pl: nes-at
    verbal("āt", 1, Before::Any), // present/past 2pl: rakst-āt, nes-āt
    nominal(LIGHT_AFFIXES[27]),   // u
    nominal(LIGHT_AFFIXES[28]),   // a
    nominal(LIGHT_AFFIXES[29]),   // i
    nominal(LIGHT_AFFIXES[30]),   // e
    nominal(LIGHT_AFFIXES[31]),   // ā
    nominal(LIGHT_AFFIXES[32]),   // ē
    nominal(LIGHT_AFFIXES[33]),   // ī
    nominal(LIGHT_AFFIXES[34]),   // ū
    nominal(LIGHT_AFFIXES[35]),   // o
    verbal("t", 0, Before::NotN), // infinitive: nes-t, strādā-t
    nominal(LIGHT_AFFIXES[36]),   // s
    nominal(LIGHT_AFFIXES[37]),   // š
];

/// `ENDINGS` regrouped by the plain spelling of their last letter (each group in table order):
/// only one group can match a word, so a lookup walks a dozen endings instead of all of them.
struct EndingIndex {
    order: [u8; ENDINGS.len()],
    /// `(last letter, start, end)` of each group in `order`.
    groups: [(char, u8, u8); 16],
    len: usize,
}

const ENDING_INDEX: EndingIndex = index_endings();
const _: () = assert!(ENDINGS.len() <= u8::MAX as usize);

const fn index_endings() -> EndingIndex {
    let mut index = EndingIndex {
        order: [0; ENDINGS.len()],
        groups: [('\0', 0, 0); 16],
        len: 0,
    };
    let mut n = 0;
    let mut i = 0;
    while i < ENDINGS.len() {
        let key = ENDINGS[i].last_plain;
        let mut seen = false;
        let mut g = 0;
        while g < index.len {
            seen = seen || index.groups[g].0 == key;
            g += 1;
        }
        if !seen {
            let start = n;
            let mut k = i;
            while k < ENDINGS.len() {
                if ENDINGS[k].last_plain == key {
                    index.order[n] = k as u8;
                    n += 1;
                }
                k += 1;
            }
            index.groups[index.len] = (key, start as u8, n as u8);
            index.len += 1;
        }
        i += 1;
    }
    index
}

/// The endings that could match a word ending in `last`, in table order.
fn candidates(last: char) -> impl Iterator<Item = &'static Ending> {
    let key = fold_char(last);
    let groups = &ENDING_INDEX.groups[..ENDING_INDEX.len];
    let (start, end) = groups
        .iter()
        .find(|g| g.0 == key)
        .map_or((0, 0), |g| (g.1 as usize, g.2 as usize));
    ENDING_INDEX.order[start..end]
        .iter()
        .map(|&i| &ENDINGS[i as usize])
}

/// Endings that participles and comparatives take (they decline like adjectives), plus the
/// reflexive `ies`. Participle markers and -āk- are only looked for before these: a noun like
/// turētājrāmis (-ām-is, -āmj-a) must not lose its -ām-.
const ADJECTIVE_ENDINGS: [&str; 24] = [
    "s", "a", "u", "am", "ā", "i", "iem", "us", "os", "as", "ai", "ām", "ās", "ais", "ajam", "ajā",
    "ie", "ajiem", "ajos", "ajai", "ajām", "ajās", "o", "ies",
];

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_adjectival(suffix: &str) -> bool {
    let mut i = 0;
    while i < ADJECTIVE_ENDINGS.len() {
        if str_eq(ADJECTIVE_ENDINGS[i], suffix) {
            return true;
        }
        i += 1;
    }
    false
}

/// Participle markers left once the case ending is gone (rakstoš-ajam, strādājuš-as,
/// rakstīdam-a, rakstām-s); removing one leaves the verb stem.
const PARTICIPLE_MARKERS: [&str; 5] = ["dam", "uš", "oš", "am", "ām"];

/// Conjugation theme vowels (strādā-t, adaptē-t, rakstī-t, dzīvo-t).
const THEME: [char; 4] = ['ā', 'ē', 'ī', 'o'];

/// Theme vowels that stay on the stem: the precision/recall knob of the verb rules.
/// -ot verbs keep their `o` in nearly every form (dzīvo-ju, dzīvo-ja, dzīvo-ts), and dropping it
/// would merge them with -īt/-āt/-ēt siblings (soļot/solīt, mērot/mērīt). Dropping ā/ē/ī is
/// what lets presents without a theme (raksta, tur) meet the other tenses (rakstīt, turēt); it
/// also merges sibling verbs (vadāt/vadīt, knābt/knābāt) and some verbs with their noun or
/// adjective (atbalstīt/atbalsts, blīvēt/blīvs). Figures for other settings: RELEVANCE.md.
const KEPT_THEMES: &[char] = &['o'];

const FUTURE_CONSONANTS: [char; 5] = ['l', 'r', 'g', 'p', 'b'];
const DENTALS: [char; 4] = ['s', 'z', 't', 'd'];

/// Minimum length (chars) of what remains after any removal beyond Lucene's endings.
const MIN_STEM: usize = 3;

/// Latvian letters with diacritics, mapped to their plain letter.
const fn fold_char(c: char) -> char {
    match c {
        'ā' => 'a',
        'č' => 'c',
        'ē' => 'e',
        'ģ' => 'g',
        'ī' => 'i',
        'ķ' => 'k',
        'ļ' => 'l',
        'ņ' => 'n',
        'š' => 's',
        'ž' => 'z',
        'ū' => 'u',
        other => other,
    }
}

fn has_diacritics(word: &str) -> bool {
    word.chars().any(|c| fold_char(c) != c)
}

/// Matches `suffix` at the end of `word`; when `plain`, a diacritic in the suffix also matches
/// its plain letter (`ēm` matches `em`). Returns the byte length of the matched tail.
fn match_suffix(word: &str, suffix: &str, plain: bool) -> Option<usize> {
    if !plain {
        return ends_with(word, suffix).then_some(suffix.len());
    }
    let mut tail = word.char_indices().rev();
    let mut start = word.len();
    for s in suffix.chars().rev() {
        let (i, c) = tail.next()?;
        if fold_char(s) != c {
            return None;
        }
        start = i;
    }
    Some(word.len() - start)
}

/// Whether `c` is one of `set` (when `plain`: one of their plain letters).
fn in_set(c: char, set: &[char], plain: bool) -> bool {
    set.iter()
        .any(|&s| if plain { fold_char(s) == c } else { s == c })
}

fn last_char(s: &str) -> Option<char> {
    s.chars().next_back()
}

fn before_ok(stem: &str, before: Before, plain: bool) -> bool {
    let Some(c) = last_char(stem) else {
        return false;
    };
    match before {
        Before::Any => true,
        Before::NotN => c != 'n',
        Before::Theme => in_set(c, &THEME, plain),
        Before::FutureStem => in_set(c, &THEME, plain) || FUTURE_CONSONANTS.contains(&c),
        Before::FutureNotO => c != 'o' && before_ok(stem, Before::FutureStem, plain),
        Before::Dental => DENTALS.contains(&c),
    }
}

/// A word with its case/person ending removed.
struct Stripped<'a> {
    stem: &'a str,
    /// The ending is one that adjectives (and so participles) take.
    adjectival: bool,
    kind: Kind,
    /// The removed ending was `u` or `us` (enables Lucene's kš→kst, ņņ→nn).
    after_u: bool,
}

/// Removes the longest ending that fires (Lucene's conditions: vowel count, 3 chars left).
fn strip_ending(word: &str) -> Option<Stripped<'_>> {
    let plain = !has_diacritics(word);
    let (chars, vowels) = measure(word);
    let last = last_char(word)?;
    candidates(last).find_map(|e| {
        if (last != e.last && !plain)
            || vowels <= e.vc
            || chars < e.chars + 3
            || (plain && !e.plain)
        {
            return None;
        }
        let stem = &word[..word.len() - match_suffix(word, e.suffix, plain)?];
        if !before_ok(stem, e.before, plain) {
            return None;
        }
        Some(Stripped {
            stem,
            adjectival: e.adjectival,
            kind: e.kind,
            after_u: e.palatal && e.suffix.starts_with('u'),
        })
    })
}

/// Removes `part` from the end of `stem` if at least `MIN_STEM` chars stay.
fn cut<'a>(stem: &'a str, part: &str, plain: bool) -> Option<&'a str> {
    let rest = &stem[..stem.len() - match_suffix(stem, part, plain)?];
    (rest.chars().count() >= MIN_STEM).then_some(rest)
}

/// Comparative -āk- (zil-āk-ajam, ātr-āk) and with it the superlative prefix vis-; returns the
/// byte length of the prefix to drop and the stem.
fn strip_comparative(stem: &str, plain: bool) -> Option<(usize, &str)> {
    let rest = cut(stem, "āk", plain)?;
    match rest.strip_prefix("vis") {
        Some(r) if r.chars().count() >= MIN_STEM => Some(("vis".len(), rest)),
        _ => Some((0, rest)),
    }
}

/// Participle markers: -dam-, -uš-, -oš-, -am-/-ām-, and theme vowel + -t- (rakstī-t-ajam).
fn strip_participle(stem: &str, plain: bool) -> Option<&str> {
    if let Some(rest) = PARTICIPLE_MARKERS.iter().find_map(|m| cut(stem, m, plain)) {
        return Some(rest);
    }
    let rest = stem.strip_suffix('t')?;
    let theme = last_char(rest).filter(|&c| in_set(c, &THEME, plain))?;
    if in_set(theme, KEPT_THEMES, plain) {
        return Some(rest);
    }
    let root = &rest[..rest.len() - theme.len_utf8()];
    (root.chars().count() >= MIN_STEM).then_some(root)
}

/// Removes a theme vowel + -j- (strādāj-u, rakstīj-a, skolotāj-s) and, after a verb ending, a bare
/// theme vowel (strādā-t), so that all tenses meet on the root (strād, rakst). Kept themes
/// (`o`) stay: dzīvoj-u → dzīvo.
fn strip_theme(stem: &str, verbal: bool, plain: bool) -> &str {
    let mut rev = stem.chars().rev();
    let (Some(last), prev) = (rev.next(), rev.next()) else {
        return stem;
    };
    let chars = stem.chars().count();
    if let (Some(p), 'j') = (prev, last) {
        if in_set(p, &THEME, plain) && chars >= MIN_STEM + 2 {
            let theme = if in_set(p, KEPT_THEMES, plain) {
                0
            } else {
                p.len_utf8()
            };
            return &stem[..stem.len() - 'j'.len_utf8() - theme];
        }
    }
    if verbal
        && !in_set(last, KEPT_THEMES, plain)
        && in_set(last, &THEME, plain)
        && chars > MIN_STEM
    {
        return &stem[..stem.len() - last.len_utf8()];
    }
    stem
}

/// Debitive jā- + present (jāstrādā, jāraksta). Only with the diacritic: a plain `ja` starts too
/// many words (jauns, jautājums).
fn strip_debitive(word: &str) -> &str {
    match word.strip_prefix("jā") {
        Some(rest) if rest.chars().count() >= 4 => rest,
        _ => word,
    }
}

/// The stemmer ngo-search indexes with: [`stem_light`] plus verb endings and -š/-ņš nominatives
/// etc. (see the module docs). Input already lower-cased; gives the same output as
/// [`stem_light`] on Lucene's test vectors.
pub fn stem(word: &str) -> String {
    let body = strip_debitive(word);
    let Some(s) = strip_ending(body) else {
        return stem_unsuffixed(body);
    };
    // Rules inside the stem read it plain when the stem has no diacritics, whatever the ending
    // had, so that kabinets and kabinetā take the same path.
    let plain = !has_diacritics(s.stem);
    let (mut prefix, mut stem, mut verbal, mut after_u) =
        (0, s.stem, s.kind == Kind::Verbal, s.after_u);
    if s.adjectival {
        if let Some((p, rest)) = strip_comparative(stem, plain) {
            (prefix, stem, after_u) = (p, rest, false);
        } else if let Some(rest) = strip_participle(stem, plain) {
            (stem, verbal, after_u) = (rest, true, false);
        }
    }
    let root = strip_theme(stem, verbal, plain);
    if root.len() != stem.len() {
        after_u = false;
    }
    unpalatalise(&root[prefix..], after_u)
}

/// A word without any ending that fires: an adverb comparative (ātrāk), a vocative (skolotāj),
/// or something not Latvian at all (60ms).
fn stem_unsuffixed(word: &str) -> String {
    let plain = !has_diacritics(word);
    let (prefix, stem) = strip_comparative(word, plain).unwrap_or((0, word));
    unpalatalise(&strip_theme(stem, false, plain)[prefix..], false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIRS: &str = include_str!("../../tests/data/lv-stem-pairs.tsv");

    fn pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
        PAIRS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('\t'))
    }

    fn fold(word: &str) -> String {
        word.chars().map(fold_char).collect()
    }

    /// Asserts that all (space-separated) `words` get one stem from `f`.
    fn assert_meet(f: &dyn Fn(&str) -> String, words: &str) {
        let mut words = words.split_whitespace();
        let first = words.next().expect("a word");
        let want = f(first);
        for w in words {
            assert_eq!(f(w), want, "{w} vs {first}");
        }
    }

    #[test]
    fn light_matches_lucene_vectors() {
        let mut n = 0;
        for (word, expected) in pairs() {
            assert_eq!(stem_light(word), expected, "{word}");
            n += 1;
        }
        assert_eq!(n, 99);
    }

    #[test]
    fn full_matches_light_on_lucene_vectors() {
        for (word, expected) in pairs() {
            assert_eq!(stem(word), expected, "{word}");
        }
    }

    #[test]
    fn ending_table_is_longest_first_and_keeps_lucene_order() {
        let lens: Vec<usize> = ENDINGS.iter().map(|e| e.chars).collect();
        assert!(lens.windows(2).all(|w| w[0] >= w[1]), "{lens:?}");
        let nominal: Vec<&str> = ENDINGS
            .iter()
            .filter(|e| e.kind == Kind::Nominal)
            .map(|e| e.suffix)
            .collect();
        let light: Vec<&str> = LIGHT_AFFIXES.iter().map(|a| a.suffix).collect();
        assert_eq!(nominal, light);
        assert!(ENDINGS.iter().all(|e| e.chars == e.suffix.chars().count()));
    }

    #[test]
    fn ending_index_covers_every_ending_once() {
        let mut seen: Vec<u8> = ENDING_INDEX.order.to_vec();
        seen.sort_unstable();
        assert_eq!(seen, (0..ENDINGS.len() as u8).collect::<Vec<_>>());
        assert!(ENDING_INDEX.len < ENDING_INDEX.groups.len());
    }

    #[test]
    fn verb_forms_meet() {
        // Second conjugation: all tenses, moods, participles, debitive.
        assert_meet(
            &stem,
            "strādāt strādāju strādā strādājam strādājat strādājiet strādāja strādājām strādājāt \
             strādāšu strādāsi strādās strādāsim strādāsiet strādājot strādātu strādājis \
             strādājusi strādājušam strādājošs strādājošajiem strādājams strādādams strādāts \
             strādātajā jāstrādā",
        );
        // Third conjugation: the present has no theme vowel.
        assert_meet(
            &stem,
            "rakstīt rakstu raksti raksta rakstām rakstāt rakstiet rakstot rakstīju rakstīja \
             rakstīšu rakstīs rakstīsim rakstīts rakstītajam rakstījis rakstošs rakstošu rakstāms \
             rakstīdams rakstīdama jāraksta",
        );
        // First conjugation, and a reflexive verb.
        assert_meet(
            &stem,
            "nest nesu nes nesam nesat nesa nesīšu nesīs nesis nesusi nesdams nesošs",
        );
        assert_meet(
            &stem,
            "mācīties mācos mācies mācās mācāmies mācāties mācījos mācījās mācīsies mācīdamies \
             mācoties mācījusies",
        );
        // -ot verbs keep their theme vowel (but the infinitive reads as the relative mood -ot of
        // rakstīt/nest: dzīvot → dzīv, like the 3rd person dzīvo).
        assert_meet(
            &stem,
            "dzīvoju dzīvojam dzīvoja dzīvosim dzīvojis dzīvots dzīvodams dzīvotu",
        );
        assert_meet(&stem, "dzīvot dzīvo");
        assert_eq!(stem("strādāt"), "strād");
        assert_eq!(stem("dzīvoju"), "dzīvo");
    }

    #[test]
    fn light_stemmer_leaves_verbs_apart() {
        assert_ne!(stem_light("strādāt"), stem_light("strādājam"));
        assert_ne!(stem_light("rakstīt"), stem_light("raksta"));
    }

    #[test]
    fn sh_nominatives_meet_their_cases() {
        assert_ne!(stem_light("ceļš"), stem_light("ceļi"));
        assert_meet(&stem, "ceļš ceļa ceļam ceļu ceļā ceļi ceļiem ceļus ceļos");
        assert_eq!(stem("ceļš"), "cel");
        assert_meet(&stem, "akmens akmeņiem akmenim");
    }

    #[test]
    fn comparatives_meet_the_positive() {
        assert_meet(
            &stem,
            "zils zilā zilāks zilākais zilākajam viszilākais viszilākajām zilāk",
        );
        assert_meet(&stem, "ātrs ātrāk visātrāk");
    }

    #[test]
    fn folded_forms_meet() {
        let fold_stem = |w: &str| stem(&fold(w));
        for family in [
            "ģimene ģimenes ģimenei ģimeni ģimenē ģimenēm ģimenēs",
            "sabiedrība sabiedrības sabiedrībai sabiedrību sabiedrībā sabiedrībām",
            "strādāt strādāju strādā strādājam strādāja strādājis strādājošs strādāts",
            "rakstīt raksta rakstīju rakstošajiem rakstītajam",
            "ceļš ceļa ceļi ceļiem",
        ] {
            assert_meet(&fold_stem, family);
        }
        assert_meet(&stem, "gimenem gimene gimenes");
        assert_meet(&stem, "sabiedriba sabiedribas sabiedribu");
    }

    #[test]
    fn different_words_stay_apart() {
        // Plain -si/-su/-sos/-sim are noun endings, not futures.
        assert_meet(&stem, "process procesi procesu procesos procesam");
        assert_meet(&stem, "klase klasi klases");
        assert_meet(&stem, "kurss kursi kursu");
        assert_meet(&stem, "viesis viesim viesi");
        assert_ne!(stem("kursi"), stem("kur"));
        // The -ot theme keeps soļot (march) and solīt (promise) apart, and dzīvot from dzīve.
        assert_ne!(stem("soļoju"), stem("solīju"));
        assert_ne!(stem("mēroju"), stem("mērīju"));
        assert_ne!(stem("dzīvoju"), stem("dzīve"));
        // A participle marker is only looked for before an adjective ending.
        assert_meet(&stem, "rāmis rāmja rāmji rāmim");
        // Debitive jā- only with its diacritic: jauns (new) is no debitive.
        assert_eq!(stem("jauns"), "jaun");
        // Vocatives ending in -nt are no infinitives.
        assert_meet(&stem, "abonements abonementa abonement");
        assert_ne!(stem("pilsēta"), stem("pils"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let alphabet = [
            "a", "ā", "j", "t", "s", "š", "u", "i", "e", "o", "ņ", "ļ", "k", "\u{304}", "😀",
            "\u{200d}", "1", "ß", "İ",
        ];
        let mut words: Vec<String> = vec![
            String::new(),
            "x".repeat(100_000),
            "ā".repeat(50_000),
            "😀".repeat(1000),
        ];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for prefix in ["", "jā", "vis", "zil"] {
                        words.push(format!("{prefix}{a}{b}{c}"));
                        words.push(format!("{prefix}{a}{b}{c}ties"));
                        words.push(format!("{prefix}{a}{b}āk{c}"));
                    }
                }
            }
        }
        for suffix in ENDINGS.iter().map(|e| e.suffix) {
            words.push(suffix.to_string());
            words.push(format!("jā{suffix}"));
            words.push(format!("😀{suffix}"));
            words.push(format!("\u{304}{suffix}"));
        }
        for w in &words {
            let (light, full) = (stem_light(w), stem(w));
            // Both only cut (kš→kst adds one char).
            assert!(light.chars().count() <= w.chars().count() + 1, "{w:?}");
            assert!(full.chars().count() <= w.chars().count() + 1, "{w:?}");
            let _ = stem(&fold(w));
        }
    }
}
