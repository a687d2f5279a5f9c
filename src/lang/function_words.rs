//! The most frequent function words of every language (hand-written), used to help whatlang on short
//! texts where its trigram statistics are weak, and a few Finnish / Estonian morphology cues.
//!
//! A word scores 1 for every language whose list contains it, so shared words (*ja*, *de*, *on*) do
//! not separate the languages that share them; only the differences matter.

use std::sync::LazyLock;

use super::scandinavian::FxMap;
use super::Lang;

const LISTS: &[(Lang, &str)] = &[
    (
        Lang::En,
        "a the of and to in is that for it with as was on are be this by from at or an not have has had \
         but which can you your we they their will would there been also more if its these other into \
         than only them such when may should about what who how our all one some any do does so no up \
         out each both between through after before over under while where why because most many very \
         just then those he she his her him were could must like",
    ),
    (
        Lang::De,
        "der die das und in ist nicht mit für von den dem des ein eine einen einem einer eines auf zu im \
         sich auch es sie wird werden kann können oder als bei nach wie aus durch über sind sein wir ich \
         zum zur noch nur diese dieser dieses diesem wenn dass um mehr man hat haben wurde wurden vom \
         beim sowie ihre ihr ihren unter zwischen gegen ohne damit so sehr alle jedoch bereits",
    ),
    (
        Lang::Fi,
        "ja on ei se että hän tai kun kuin myös mutta jos niin sekä tämä tämän nämä joka jotka voi voit \
         voidaan sen ovat oli olla ole mitä miten kanssa sitä siitä kaikki vain jo vielä eli ne näin \
         jolloin avulla varten kuten joita jonka jossa joissa sitten nyt tässä siinä sinun minun meidän \
         heidän ennen jälkeen aikana kautta mukaan lisäksi noin me te",
    ),
    (
        Lang::Et,
        "ja on ei see et ta või kui ka aga ning oma mis kes selle seda need nende ole oli olla kõik veel \
         ainult siis kas mitte ehk saab peab võib sest kuid pärast vaid juba üks seal siin nii mida \
         mille kus kuidas üle ilma abil koos samuti näiteks kõige pole ära sa te me nad tema",
    ),
    (
        Lang::Lv,
        "un ir ar no uz par kas lai bet vai ka ja tas tā to arī var tiek tika būs nav kā pie pēc jūs \
         mēs viņš viņa savu savā šo šī šis vēl tikai vairāk kur kad ko jau ļoti jeb gan bija tiks caur \
         līdz starp",
    ),
    (
        Lang::Lt,
        "ir yra kad su iš į o bet ar tai kaip kuris kuri kurie jo jos jis ji mes jūs taip pat gali \
         buvo nėra dėl apie po prie tik dar jau kiek čia ten šis ši šio šią arba nuo iki tarp be labai \
         visi savo galite",
    ),
    (
        Lang::Pl,
        "i w z na do się nie jest to że jak od po dla ale lub oraz co przez jego jej są być może tak \
         tylko już przy czy ich który która które tym tego też bardzo można jako a ze we np ten ta te",
    ),
    (
        Lang::Sv,
        "och i att det som en är på se för med av till den inte har om ett jag vi de kan var men så eller \
         från också när hur vad detta denna dessa finns även sig man ska skulle kommer andra alla vilka \
         under mycket efter utan genom mellan",
    ),
    (
        Lang::Da,
        "og i at det som en er på se der to for med af til den ikke har om et jeg vi de kan var men så eller fra \
         også når hvordan hvad dette denne disse findes sig man skal vil kommer andre alle efter uden \
         gennem mellem meget nu",
    ),
    (
        Lang::Nb,
        "og i å det som en er på se der to for med av til den ikke har om et jeg vi de kan var men så eller fra \
         også når hvordan hva dette denne disse finnes seg man skal vil kommer andre alle etter uten \
         gjennom mellom mye nå",
    ),
    (
        Lang::Nn,
        "og i å det som ein er på se der to for med av til den ikkje har om eit eg vi dei kan var men så eller frå \
         òg når korleis kva dette denne desse finst seg skal vil kjem andre alle etter utan gjennom \
         mellom mykje no",
    ),
    (
        Lang::Fr,
        "le la les de des du et est un une pour dans que qui ne pas sur au aux avec ce cette il elle \
         sont par plus se ou mais nous vous leur être été",
    ),
    (
        Lang::Es,
        "el la los las de del y es un una para en que no por con se lo como más pero su sus al o este \
         esta son está ser fue muy",
    ),
    (
        Lang::It,
        "il la lo gli le di del della e è un una per in che non con si da al alla sono come più ma \
         questo questa anche essere stato",
    ),
    (
        Lang::Nl,
        "de het een en van in is dat op te voor met niet zijn er aan als ook door bij om maar naar \
         wordt worden kan deze dit ze hij wij",
    ),
    (
        Lang::Pt,
        "o a os as de do da dos das e é um uma para em que não com por se no na mais como mas ao são \
         está ou este esta ser foi muito",
    ),
];

fn lang_index(l: Lang) -> usize {
    l as usize
}

/// Number of slots in a score array (one per [`Lang`] variant, `Und` included).
pub const SLOTS: usize = Lang::Und as usize + 1;

static WORDS: LazyLock<FxMap<&'static str, u32>> = LazyLock::new(|| {
    let mut m: FxMap<&'static str, u32> = FxMap::default();
    for &(l, words) in LISTS {
        for w in words.split_whitespace() {
            *m.entry(w).or_insert(0) |= 1u32 << lang_index(l);
        }
    }
    m
});

/// Bytes of the longest function word: a longer word is not looked up.
static LONGEST: LazyLock<usize> =
    LazyLock::new(|| WORDS.keys().map(|w| w.len()).max().unwrap_or(0));

/// Function-word hits per language (indexed by `Lang as usize`), counting only languages in
/// `enabled_mask` (bit `1 << (Lang as u32)`).
///
/// Runs on most paragraphs of an ingest (the detector's first stage), so it lower-cases in a
/// small buffer and does not look up words longer than the longest function word.
pub fn scores(text: &str, enabled_mask: u32) -> [f32; SLOTS] {
    let mut out = [0f32; SLOTS];
    let longest = *LONGEST;
    let mut buf = String::with_capacity(32);
    // Over-long words stop filling `buf` and are not looked up.
    let mut too_long = false;
    let add = |w: &str, out: &mut [f32; SLOTS]| {
        if let Some(&m) = WORDS.get(w) {
            let m = m & enabled_mask;
            for (i, slot) in out.iter_mut().enumerate() {
                if m & (1u32 << i) != 0 {
                    *slot += 1.0;
                }
            }
        }
    };
    // Words written in capitals (acronyms, product names: DAR, BUS) are skipped.
    let mut lower = false;
    let mut letters = 0usize;
    for ch in text.chars() {
        if crate::analysis::is_alphabetic(ch) {
            if !too_long {
                if ch.is_ascii() {
                    buf.push(ch.to_ascii_lowercase());
                    lower |= ch.is_ascii_lowercase();
                } else {
                    buf.extend(ch.to_lowercase());
                    lower |= ch.is_lowercase();
                }
                too_long = buf.len() > longest;
            }
            letters += 1;
        } else if letters > 0 {
            if !too_long && (lower || letters == 1) {
                add(&buf, &mut out);
            }
            buf.clear();
            too_long = false;
            lower = false;
            letters = 0;
        }
    }
    if letters > 0 && !too_long && (lower || letters == 1) {
        add(&buf, &mut out);
    }
    out
}

/// Finnish against Estonian from morphology and orthography: returns (fi, et) evidence.
///
/// * Finnish native words end only in a vowel or n, t, s, l, r; Estonian words often end in b
///   (3rd person singular: *pakub, tuleb, saab*), d (plural: *pallid, mängijad*) or g.
/// * Finnish writes y (*myös, käyttää, työ*); Estonian native words have no y but have õ and ü.
/// * Case endings: fi -ssa/-ssä/-sta/-stä/-lla/-llä/-lta/-ltä/-ksi/-nen/-isen/-tta/-ttä, et -tud/-dud
///   (participle), -mine/-mise (verbal noun), -ks (translative), -ga (comitative), -sse (illative),
///   -st (elative).
pub fn finnic_cues(text: &str) -> (f32, f32) {
    let mut fi = 0f32;
    let mut et = 0f32;
    for word in text.split(|c: char| !crate::analysis::is_alphabetic(c)) {
        if word.chars().count() < 3 {
            continue;
        }
        let w = word.to_lowercase();
        if w.contains('õ') || w.contains('ü') {
            et += 2.0;
        }
        if w.contains('y') {
            fi += 1.0;
        }
        let end = |s: &str| w.ends_with(s);
        if end("b") || end("d") || end("g") {
            et += 1.0;
        }
        if [
            "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "ksi", "nen", "isen", "tta",
            "ttä",
        ]
        .iter()
        .any(|s| end(s))
        {
            fi += 1.0;
        }
        if ["tud", "mine", "mise", "ks", "ga", "sse", "st"]
            .iter()
            .any(|s| end(s))
        {
            et += 1.0;
        }
    }
    (fi, et)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_lowercase_and_scores_work() {
        for &(_, words) in LISTS {
            for w in words.split_whitespace() {
                assert_eq!(w, w.to_lowercase());
            }
        }
        let all = u32::MAX;
        let s = scores("The head office of the movement is in the U.S.A.", all);
        assert!(s[Lang::En as usize] > s[Lang::De as usize]);
        let s = scores("Der Verein ist nicht nur für die Jugend da.", all);
        assert!(s[Lang::De as usize] > s[Lang::En as usize]);
        let (fi, et) = finnic_cues("Se tarjoaa myös työkalut käyttäjille");
        assert!(fi > et);
        let (fi, et) = finnic_cues("See pakub mängijatele palju võimalusi, mis tuleb");
        assert!(et > fi);
        let _ = scores("", all);
        let _ = finnic_cues("");
    }

    /// The fast scoring counts exactly what the plain definition does: every word in lower case
    /// (words in capitals of more than one letter aside), looked up in the lists.
    #[test]
    fn scores_equal_the_plain_definition() {
        let plain = |text: &str, mask: u32| {
            let mut out = [0f32; SLOTS];
            for w in text.split(|c: char| !crate::analysis::is_alphabetic(c)) {
                if w.is_empty() || (w.chars().count() > 1 && !w.chars().any(char::is_lowercase)) {
                    continue;
                }
                if let Some(&m) = WORDS.get(w.to_lowercase().as_str()) {
                    for (i, slot) in out.iter_mut().enumerate() {
                        if m & mask & (1u32 << i) != 0 {
                            *slot += 1.0;
                        }
                    }
                }
            }
            out
        };
        let texts = [
            "The head office of the movement is in the U.S.A. AND THE END",
            "Sabiedrība un kultūra ir mūsu prioritāte, arī jauniešiem. UN ARĪ",
            "Vi er en frivillig organisasjon som jobber for barn og unge i Norge.",
            "Eg er glad i deg, og det er ikkje lett å seie kva eg meiner.",
            "Der Verein ist nicht nur für die Jugend da. Über uns: ÜBER",
            "I W Z na do się nie jest to że jak od po dla ale lub oraz",
            "supercalifragilisticexpialidocious and Ünïcödé-wörds ǅ ß İstanbul",
            "",
            "1234 -- !!",
        ];
        for text in texts {
            for mask in [u32::MAX, 1 << Lang::En as u32 | 1 << Lang::Lv as u32] {
                assert_eq!(scores(text, mask), plain(text, mask), "{text}");
            }
        }
    }
}
