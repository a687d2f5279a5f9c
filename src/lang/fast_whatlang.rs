//! whatlang 0.18's answer for Latin-script text, computed from the text's side.
//!
//! whatlang's trigram method ranks the text's trigrams (by count, then trigram) and, for every
//! allowed language, looks each of the language's 300 profile trigrams up in the text's map:
//! ≈ 300 hash lookups × allowed languages per call whatever the text's length (11–15 languages
//! here: ≈ 3,300–4,500 lookups, 45–75 µs, the largest single cost of ingest). The same distance
//! can be computed from the other side: every language starts at "no profile trigram found"
//! (300 × 300) and each text trigram that is in some profile corrects the languages whose profile
//! holds it, via one static map trigram → [(language, rank)]. A call then costs one lookup per
//! distinct trigram of the text (≤ 600, ≈ 100–250 for a paragraph sample).
//!
//! Everything else is whatlang's own arithmetic, in whatlang's order (so that ties break the same
//! way): the script check (`whatlang::detect_script`; anything but Latin goes to whatlang itself),
//! the alphabet scores, the combination of both and the confidence. The
//! answers are identical to `whatlang::Detector::with_allowlist(…).detect(…)`, confidence bits
//! included (tested against whatlang on the eval samples).

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use whatlang::{Lang as WL, Script};

use super::whatlang_profiles::{LATIN_ALPHABETS, LATIN_PROFILES};

/// whatlang's `MAX_TRIGRAM_DISTANCE`.
const MAX_TRIGRAM_DISTANCE: u32 = 300;
/// whatlang's `MAX_TOTAL_DISTANCE`.
const MAX_TOTAL_DISTANCE: u32 = MAX_TRIGRAM_DISTANCE * MAX_TRIGRAM_DISTANCE;
/// whatlang's `TEXT_TRIGRAMS_SIZE`: the text's trigrams ranked and kept.
const TEXT_TRIGRAMS_SIZE: usize = 600;

/// A trigram packed so that integer order is whatlang's `Trigram` order (c1, then c2, then c3).
type Packed = u64;

fn pack(c1: char, c2: char, c3: char) -> Packed {
    (u64::from(c1 as u32) << 42) | (u64::from(c2 as u32) << 21) | u64::from(c3 as u32)
}

struct Profiles {
    /// trigram → range of `entries`
    inverted: FxHashMap<Packed, (u32, u32)>,
    /// (index into `LATIN_PROFILES`, rank in that profile)
    entries: Vec<(u8, u16)>,
    /// Length of each profile (300 in whatlang 0.18).
    lens: Vec<u32>,
    /// For ASCII characters: bit `i` set when `LATIN_ALPHABETS[i]` contains it.
    ascii_alphabets: [u16; 128],
    /// The same for other characters, sorted by character.
    other_alphabets: Vec<(char, u16)>,
}

static PROFILES: LazyLock<Profiles> = LazyLock::new(|| {
    let mut lists: FxHashMap<Packed, Vec<(u8, u16)>> = FxHashMap::default();
    let mut lens = Vec::with_capacity(LATIN_PROFILES.len());
    for (li, (_, profile)) in LATIN_PROFILES.iter().enumerate() {
        let chars: Vec<char> = profile.chars().collect();
        debug_assert_eq!(chars.len() % 3, 0);
        for (rank, t) in chars.chunks_exact(3).enumerate() {
            lists
                .entry(pack(t[0], t[1], t[2]))
                .or_default()
                .push((li as u8, rank as u16));
        }
        lens.push((chars.len() / 3) as u32);
    }
    let mut inverted = FxHashMap::default();
    let mut entries = Vec::new();
    for (t, list) in lists {
        inverted.insert(t, (entries.len() as u32, list.len() as u32));
        entries.extend(list);
    }
    let mut ascii_alphabets = [0u16; 128];
    let mut other: FxHashMap<char, u16> = FxHashMap::default();
    for (li, (l, alphabet)) in LATIN_ALPHABETS.iter().enumerate() {
        debug_assert_eq!(*l, LATIN_PROFILES[li].0);
        for c in alphabet.chars() {
            if c.is_ascii() {
                ascii_alphabets[c as usize] |= 1 << li;
            } else {
                *other.entry(c).or_default() |= 1 << li;
            }
        }
    }
    // The alphabet scores count ASCII letters once for all languages.
    for c in b'a'..=b'z' {
        assert_eq!(
            ascii_alphabets[c as usize].count_ones() as usize,
            LATIN_ALPHABETS.len()
        );
    }
    let mut other_alphabets: Vec<(char, u16)> = other.into_iter().collect();
    other_alphabets.sort_unstable();
    Profiles {
        inverted,
        entries,
        lens,
        ascii_alphabets,
        other_alphabets,
    }
});

/// whatlang's `is_stop_char`: space, ASCII punctuation and digits.
#[inline]
fn is_stop_char(ch: char) -> bool {
    matches!(ch, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

/// whatlang's `is_latin` (script detection).
#[inline]
fn is_latin(ch: char) -> bool {
    matches!(ch,
        'a'..='z'
        | 'A'..='Z'
        | '\u{0080}'..='\u{00FF}'
        | '\u{0100}'..='\u{017F}'
        | '\u{0180}'..='\u{024F}'
        | '\u{0250}'..='\u{02AF}'
        | '\u{1D00}'..='\u{1D7F}'
        | '\u{1D80}'..='\u{1DBF}'
        | '\u{1E00}'..='\u{1EFF}'
        | '\u{2100}'..='\u{214F}'
        | '\u{2C60}'..='\u{2C7F}'
        | '\u{A720}'..='\u{A7FF}'
        | '\u{AB30}'..='\u{AB6F}'
    )
}

/// A whatlang detector restricted to an allowlist, answering like
/// `whatlang::Detector::with_allowlist(list)`.
#[derive(Debug, Clone)]
pub(super) struct FastWhatlang {
    /// Indexes into `LATIN_PROFILES` of the allowed languages, in whatlang's profile order.
    profiles: Vec<u8>,
    /// The allowed languages in the order of whatlang's Latin script list (alphabet scores).
    script_order: Vec<(WL, u8)>,
    /// Some allowed Latin-script language has no profile here: always ask whatlang.
    incomplete: bool,
    /// whatlang itself, for text whose main script is not Latin.
    fallback: whatlang::Detector,
}

/// Per-thread buffers.
#[derive(Default)]
struct Scratch {
    trigrams: Vec<Packed>,
    runs: Vec<(u32, Packed)>,
    starts: Vec<u32>,
    ranked: Vec<(u32, Packed)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

impl FastWhatlang {
    pub(super) fn with_allowlist(list: Vec<WL>) -> FastWhatlang {
        let index_of = |l: WL| LATIN_PROFILES.iter().position(|(p, _)| *p == l);
        let profiles = LATIN_PROFILES
            .iter()
            .enumerate()
            .filter(|(_, (l, _))| list.contains(l))
            .map(|(i, _)| i as u8)
            .collect::<Vec<u8>>();
        let latin = Script::Latin.langs();
        let script_order: Vec<(WL, u8)> = latin
            .iter()
            .filter(|l| list.contains(l))
            .filter_map(|&l| index_of(l).map(|i| (l, i as u8)))
            .collect();
        let incomplete = latin
            .iter()
            .any(|l| list.contains(l) && index_of(*l).is_none());
        FastWhatlang {
            fallback: whatlang::Detector::with_allowlist(list),
            profiles,
            script_order,
            incomplete,
        }
    }

    fn slow(&self, text: &str) -> Option<(WL, f64)> {
        self.fallback
            .detect(text)
            .map(|i| (i.lang(), i.confidence()))
    }

    /// `(language, confidence)` as whatlang gives them (`None` when whatlang gives `None`).
    pub(super) fn detect(&self, text: &str) -> Option<(WL, f64)> {
        // 'Σ' is the one character whose lower case depends on its neighbours
        // (`str::to_lowercase`); such text goes to whatlang.
        if self.incomplete || self.script_order.is_empty() || text.contains('\u{3a3}') {
            return self.slow(text);
        }
        let p = &*PROFILES;
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let Scratch {
                trigrams,
                runs,
                starts,
                ranked,
            } = &mut *scratch;
            trigrams.clear();
            ranked.clear();

            // One pass: whatlang's script count (original characters), alphabet counts and
            // trigrams (lower-cased characters, stop characters as spaces).
            let mut nonstop_original = 0usize;
            let mut latin = 0usize;
            let mut max_raw_score = 0usize;
            let mut in_alphabet = [0usize; 16];
            let mut ascii_letters = 0usize;
            let mut c1 = ' ';
            let mut c2: Option<char> = None;
            let mut step = |c: char, trigrams: &mut Vec<Packed>| {
                let c3 = if is_stop_char(c) { ' ' } else { c };
                match c2 {
                    None => c2 = Some(c3),
                    Some(b) => {
                        if !(b == ' ' && (c1 == ' ' || c3 == ' ')) {
                            trigrams.push(pack(c1, b, c3));
                        }
                        c1 = b;
                        c2 = Some(c3);
                    }
                }
            };
            for ch in text.chars() {
                if !is_stop_char(ch) {
                    nonstop_original += 1;
                    latin += usize::from(is_latin(ch));
                }
                if ch.is_ascii() {
                    let lc = ch.to_ascii_lowercase();
                    if !is_stop_char(lc) {
                        max_raw_score += 1;
                        if lc.is_ascii_lowercase() {
                            ascii_letters += 1;
                        } else {
                            let m = p.ascii_alphabets[lc as usize];
                            for (i, n) in in_alphabet.iter_mut().enumerate() {
                                *n += usize::from(m >> i & 1);
                            }
                        }
                    }
                    step(lc, trigrams);
                } else {
                    for lc in ch.to_lowercase() {
                        if !is_stop_char(lc) {
                            max_raw_score += 1;
                            if lc.is_ascii_lowercase() {
                                // 'İ' → "i̇", 'K' (Kelvin) → 'k'
                                ascii_letters += 1;
                            } else if let Ok(k) =
                                p.other_alphabets.binary_search_by_key(&lc, |e| e.0)
                            {
                                let m = p.other_alphabets[k].1;
                                for (i, n) in in_alphabet.iter_mut().enumerate() {
                                    *n += usize::from(m >> i & 1);
                                }
                            }
                        }
                        step(lc, trigrams);
                    }
                }
            }
            step(' ', trigrams);
            if nonstop_original == 0 {
                return None;
            }
            if latin * 2 <= nonstop_original {
                // Latin is not clearly the main script: whatlang decides.
                return self.slow(text);
            }

            // Alphabet method (whatlang's `generic_alphabet_calculate_scores`).
            let mut raw_scores: Vec<(WL, usize)> = self
                .script_order
                .iter()
                .map(|&(l, i)| {
                    let inside = in_alphabet[i as usize] + ascii_letters;
                    (l, (2 * inside).saturating_sub(max_raw_score))
                })
                .collect();
            raw_scores.sort_unstable_by_key(|(_, score)| std::cmp::Reverse(*score));
            let alphabet_scores: Vec<(WL, f64)> = raw_scores
                .iter()
                .map(|&(l, r)| (l, r as f64 / max_raw_score as f64))
                .collect();

            // Trigram method: rank the text's trigrams by count, then trigram, both descending;
            // the first 600 get positions.
            // Runs of the sorted trigrams, visited from the largest trigram down, then a stable
            // counting sort by count (descending): the order of sorting by (count, trigram),
            // both descending, without a second comparison sort.
            trigrams.sort_unstable();
            runs.clear();
            let mut max_count = 0u32;
            let mut j = trigrams.len();
            while j > 0 {
                let t = trigrams[j - 1];
                let mut i = j - 1;
                while i > 0 && trigrams[i - 1] == t {
                    i -= 1;
                }
                let n = (j - i) as u32;
                max_count = max_count.max(n);
                runs.push((n, t));
                j = i;
            }
            starts.clear();
            starts.resize(max_count as usize + 2, 0);
            for &(n, _) in runs.iter() {
                starts[n as usize] += 1;
            }
            // starts[c] = number of trigrams with a count above c.
            let mut above = 0u32;
            for c in (1..=max_count as usize).rev() {
                let here = starts[c];
                starts[c] = above;
                above += here;
            }
            ranked.resize(runs.len(), (0, 0));
            for &(n, t) in runs.iter() {
                let at = &mut starts[n as usize];
                ranked[*at as usize] = (n, t);
                *at += 1;
            }
            ranked.truncate(TEXT_TRIGRAMS_SIZE);
            let unique = ranked.len() as u32;

            // Distances from the text's side: start with every profile trigram missing.
            let mut total = [0u32; 16];
            let mut allowed = 0u32;
            for &li in &self.profiles {
                total[li as usize] = p.lens[li as usize] * MAX_TRIGRAM_DISTANCE;
                allowed |= 1 << li;
            }
            for (pos, &(_, t)) in ranked.iter().enumerate() {
                if let Some(&(start, len)) = p.inverted.get(&t) {
                    for &(li, rank) in &p.entries[start as usize..(start + len) as usize] {
                        if allowed >> li & 1 != 0 {
                            let d = (pos as i32 - i32::from(rank)).unsigned_abs();
                            // whatlang adds `d` for a found trigram, 300 for a missing one.
                            total[li as usize] = total[li as usize] + d - MAX_TRIGRAM_DISTANCE;
                        }
                    }
                }
            }
            let mut dists: Vec<(WL, u32)> = self
                .profiles
                .iter()
                .map(|&li| {
                    let mut d = total[li as usize];
                    if MAX_TRIGRAM_DISTANCE > unique {
                        d -= (MAX_TRIGRAM_DISTANCE - unique) * MAX_TRIGRAM_DISTANCE;
                    }
                    (
                        LATIN_PROFILES[li as usize].0,
                        d.clamp(0, MAX_TOTAL_DISTANCE),
                    )
                })
                .collect();
            dists.sort_unstable_by_key(|(_, d)| *d);
            let max_dist = unique * MAX_TRIGRAM_DISTANCE;
            let trigram_scores: Vec<(WL, f64)> = dists
                .iter()
                .map(|&(l, d)| (l, (max_dist - d) as f64 / max_dist as f64))
                .collect();

            // Combined method (whatlang's `combined::raw_detect`).
            let mut all_langs: Vec<WL> = alphabet_scores.iter().map(|x| x.0).collect();
            for (lang, _) in &trigram_scores {
                if !all_langs.contains(lang) {
                    all_langs.push(*lang);
                }
            }
            let alphabet_weight =
                (-(max_raw_score as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
            let trigram_weight = 1.0 - alphabet_weight;
            let mut scores: Vec<(WL, f64)> = all_langs
                .into_iter()
                .map(|lang| {
                    let a = alphabet_scores
                        .iter()
                        .find(|(l, _)| *l == lang)
                        .map_or(0.0, |x| x.1);
                    let t = trigram_scores
                        .iter()
                        .find(|(l, _)| *l == lang)
                        .map_or(0.0, |x| x.1);
                    (lang, a * alphabet_weight + t * trigram_weight)
                })
                .collect();
            scores
                .sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
            let mut it = scores.into_iter();
            let (lang1, score1) = it.next()?;
            let confidence = match it.next() {
                Some((_, score2)) => calculate_confidence(score1, score2, unique as usize),
                None => 1.0,
            };
            Some((lang1, confidence))
        })
    }
}

/// whatlang's `calculate_confidence`.
fn calculate_confidence(highest_score: f64, second_score: f64, count: usize) -> f64 {
    if highest_score == 0.0 {
        return 0.0;
    }
    if second_score == 0.0 {
        return highest_score;
    }
    let confident_rate = (3.0 / count as f64) + 0.015;
    let rate = (highest_score - second_score) / second_score;
    if rate > confident_rate {
        1.0
    } else {
        rate / confident_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(list: &[WL], text: &str) {
        let fast = FastWhatlang::with_allowlist(list.to_vec());
        let slow = whatlang::Detector::with_allowlist(list.to_vec());
        let a = fast.detect(text);
        let b = slow.detect(text).map(|i| (i.lang(), i.confidence()));
        assert_eq!(
            a.map(|(l, c)| (l, c.to_bits())),
            b.map(|(l, c)| (l, c.to_bits())),
            "{list:?} {text:?}"
        );
    }

    const ALL: &[WL] = &[
        WL::Lav,
        WL::Nob,
        WL::Eng,
        WL::Rus,
        WL::Lit,
        WL::Est,
        WL::Dan,
        WL::Swe,
        WL::Deu,
        WL::Fin,
        WL::Pol,
    ];

    #[test]
    fn fast_whatlang_matches_whatlang() {
        let texts = [
            "",
            "a",
            "123 456",
            "Biedrība aicina pieteikties brīvprātīgos darbam vasaras nometnē bērniem.",
            "Organisasjonen arbeider for å styrke sivilsamfunnet i hele landet.",
            "Organisasjonen arbeider for å styrkje sivilsamfunnet i heile landet, og vi er glade.",
            "The association invites volunteers to apply for the summer camp.",
            "Die Ordnung muss für immer in diesem Codebase bleiben",
            "Ühing kutsub vabatahtlikke osalema suvelaagris lastega.",
            "Yhdistys kutsuu vapaaehtoisia mukaan kesäleirille lasten kanssa.",
            "Stowarzyszenie zaprasza wolontariuszy do udziału w letnim obozie.",
            "Bendrija kviečia savanorius dalyvauti vasaros stovykloje vaikams.",
            "Föreningen bjuder in volontärer till sommarlägret för barn.",
            "Foreningen inviterer frivillige til sommerlejren for børn.",
            "Привет, это русский текст with some English words",
            "Mixed: Rīga Oslo Tallinn ŁÓDŹ 2024 — 50 % !!! ... ???",
            "İstanbul",
            "ÆØÅ æøå ÄÖÜ ß",
            "ÆØÅ",
            "ß",
            "\u{212a}elvin \u{212b}ngström",
            "ÆØÅ æøå ÄÖÜ ß İstanbul",
            "x y z q",
            "ē",
        ];
        let lists: Vec<Vec<WL>> = vec![
            ALL.to_vec(),
            vec![WL::Lav, WL::Eng],
            vec![WL::Nob, WL::Dan, WL::Swe],
            vec![WL::Eng],
            vec![
                WL::Fra,
                WL::Spa,
                WL::Ita,
                WL::Nld,
                WL::Por,
                WL::Eng,
                WL::Deu,
            ],
        ];
        for list in &lists {
            for t in texts {
                check(list, t);
            }
        }
        // Every eval sample when the dev-eval file is at hand (NGO_LANGID_TSV=…/langid.tsv).
        if let Ok(path) = std::env::var("NGO_LANGID_TSV") {
            let data = std::fs::read_to_string(path).expect("langid file");
            let mut n = 0;
            for line in data.lines() {
                let text = line.rsplit('\t').next().unwrap_or(line);
                for list in &lists {
                    check(list, text);
                    for cut in [20usize, 50, 100, 300] {
                        let mut end = cut.min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        check(list, &text[..end]);
                    }
                }
                n += 1;
            }
            eprintln!("checked {n} samples");
        }
        // Every line of a JSONL corpus (NGO_FAST_WL_JSONL=…/corpus.jsonl).
        if let Ok(path) = std::env::var("NGO_FAST_WL_JSONL") {
            let data = std::fs::read_to_string(path).expect("jsonl file");
            let mut n = 0;
            for line in data.lines() {
                let v: serde_json::Value = serde_json::from_str(line).expect("json");
                let text = v["text"].as_str().unwrap_or("");
                for l in text.lines().chain(std::iter::once(text)) {
                    let l = super::super::bounded_sample(l, 2048);
                    check(&lists[0], l);
                    n += 1;
                }
            }
            eprintln!("checked {n} lines");
        }
    }
}
