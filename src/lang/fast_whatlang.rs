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
//! the alphabet scores (whatlang's `dev` API), the combination of both and the confidence. The
//! answers are identical to `whatlang::Detector::with_allowlist(…).detect(…)`, confidence bits
//! included (tested against whatlang on the eval samples).

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use whatlang::dev::{alphabet_latin_calculate_scores, FilterList, LowercaseText};
use whatlang::{Lang as WL, Script};

use super::whatlang_profiles::LATIN_PROFILES;

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
    /// trigram → (index into `LATIN_PROFILES`, rank in that profile)
    inverted: FxHashMap<Packed, Vec<(u8, u16)>>,
    /// Length of each profile (300 in whatlang 0.18).
    lens: Vec<u32>,
}

static PROFILES: LazyLock<Profiles> = LazyLock::new(|| {
    let mut inverted: FxHashMap<Packed, Vec<(u8, u16)>> = FxHashMap::default();
    let mut lens = Vec::with_capacity(LATIN_PROFILES.len());
    for (li, (_, profile)) in LATIN_PROFILES.iter().enumerate() {
        let chars: Vec<char> = profile.chars().collect();
        debug_assert_eq!(chars.len() % 3, 0);
        for (rank, t) in chars.chunks_exact(3).enumerate() {
            inverted
                .entry(pack(t[0], t[1], t[2]))
                .or_default()
                .push((li as u8, rank as u16));
        }
        lens.push((chars.len() / 3) as u32);
    }
    Profiles { inverted, lens }
});

/// whatlang's `is_stop_char`: space, ASCII punctuation and digits.
#[inline]
fn is_stop_char(ch: char) -> bool {
    matches!(ch, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

/// A whatlang detector restricted to an allowlist, answering like
/// `whatlang::Detector::with_allowlist(list)`.
#[derive(Debug, Clone)]
pub(super) struct FastWhatlang {
    list: Vec<WL>,
    filter: FilterList,
    /// Indexes into `LATIN_PROFILES` of the allowed languages, in whatlang's profile order.
    profiles: Vec<u8>,
    /// The same as a bit set.
    mask: u64,
    /// whatlang itself, for text whose main script is not Latin.
    fallback: whatlang::Detector,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<FxHashMap<Packed, u32>> =
        std::cell::RefCell::new(FxHashMap::default());
}

impl FastWhatlang {
    pub(super) fn with_allowlist(list: Vec<WL>) -> FastWhatlang {
        let profiles = LATIN_PROFILES
            .iter()
            .enumerate()
            .filter(|(_, (l, _))| list.contains(l))
            .map(|(i, _)| i as u8)
            .collect::<Vec<u8>>();
        let mask = profiles.iter().fold(0u64, |m, &i| m | 1 << i);
        FastWhatlang {
            mask,
            filter: FilterList::allow(list.clone()),
            fallback: whatlang::Detector::with_allowlist(list.clone()),
            list,
            profiles,
        }
    }

    /// `(language, confidence)` as whatlang gives them (`None` when whatlang gives `None`).
    pub(super) fn detect(&self, text: &str) -> Option<(WL, f64)> {
        if whatlang::detect_script(text)? != Script::Latin {
            return self
                .fallback
                .detect(text)
                .map(|i| (i.lang(), i.confidence()));
        }
        let lower = LowercaseText::new(text);

        // Alphabet method (whatlang's own code).
        let alphabet = alphabet_latin_calculate_scores(&lower, &self.filter);

        // Trigram method: count the text's trigrams exactly as whatlang does.
        let (unique, dists) = SCRATCH.with(|cell| {
            let mut counts = cell.borrow_mut();
            counts.clear();
            let mut chars = lower
                .chars()
                .map(|c| if is_stop_char(c) { ' ' } else { c })
                .chain(Some(' '));
            let mut c1 = ' ';
            let mut c2 = chars.next().unwrap_or(' ');
            for c3 in chars {
                if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
                    *counts.entry(pack(c1, c2, c3)).or_insert(0) += 1;
                }
                c1 = c2;
                c2 = c3;
            }
            // Rank: by count, then trigram, both descending; the first 600 get positions.
            let mut ranked: Vec<(u32, Packed)> = counts.iter().map(|(&t, &n)| (n, t)).collect();
            ranked.sort_unstable_by(|a, b| b.cmp(a));
            ranked.truncate(TEXT_TRIGRAMS_SIZE);
            let unique = ranked.len() as u32;

            // Distances from the text's side: start with every profile trigram missing.
            let p = &*PROFILES;
            let mut total: [u32; 64] = [0; 64];
            for &li in &self.profiles {
                total[li as usize] = p.lens[li as usize] * MAX_TRIGRAM_DISTANCE;
            }
            let allowed = |li: u8| self.mask & (1 << li) != 0;
            for (pos, &(_, t)) in ranked.iter().enumerate() {
                if let Some(entries) = p.inverted.get(&t) {
                    for &(li, rank) in entries {
                        if allowed(li) {
                            let d = (pos as i32 - i32::from(rank)).unsigned_abs();
                            total[li as usize] -=
                                MAX_TRIGRAM_DISTANCE - d.min(MAX_TRIGRAM_DISTANCE);
                            // A found trigram at distance > 300 costs more than a missing one
                            // in whatlang; correct for that (cannot happen with ≤ 600 ranks and
                            // 300-trigram profiles, kept for exactness).
                            if d > MAX_TRIGRAM_DISTANCE {
                                total[li as usize] += d - MAX_TRIGRAM_DISTANCE;
                            }
                        }
                    }
                }
            }
            let dists: Vec<(WL, u32)> = self
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
            (unique as usize, dists)
        });
        let mut dists = dists;
        dists.sort_unstable_by_key(|(_, d)| *d);
        let max_dist = unique as u32 * MAX_TRIGRAM_DISTANCE;
        let trigram_scores: Vec<(WL, f64)> = dists
            .iter()
            .map(|&(l, d)| (l, (max_dist - d) as f64 / max_dist as f64))
            .collect();

        // Combined method (whatlang's `combined::raw_detect`).
        let mut all_langs: Vec<WL> = alphabet.scores.iter().map(|x| x.0).collect();
        for (lang, _) in &trigram_scores {
            if !all_langs.contains(lang) {
                all_langs.push(*lang);
            }
        }
        let alphabet_weight =
            (-(alphabet.count as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
        let trigram_weight = 1.0 - alphabet_weight;
        let mut scores: Vec<(WL, f64)> = all_langs
            .into_iter()
            .map(|lang| {
                let a = alphabet
                    .scores
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
        scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
        let mut it = scores.into_iter();
        let (lang1, score1) = it.next()?;
        let confidence = match it.next() {
            Some((_, score2)) => calculate_confidence(score1, score2, unique),
            None => 1.0,
        };
        Some((lang1, confidence))
    }

    /// The allowlist.
    #[allow(dead_code)]
    pub(super) fn list(&self) -> &[WL] {
        &self.list
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
    }
}
