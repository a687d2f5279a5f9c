//! Unit tests of the language detector. The fixtures are written for this project (tests/data) or
//! are the project's own corpus samples (corpus/).

use super::*;

const SCANDI_FIXTURE: &str = include_str!("../../tests/data/scandinavian.tsv");
const DOC_LV_EN: &str = include_str!("../../corpus/000_3784fbae6d120c83.txt");
const DOC_NB: &str = include_str!("../../corpus/001_95fdd53509a6a7ae.txt");
const DOC_LV_2: &str = include_str!("../../corpus/002_fb85d5f6309d8db4.txt");
const DOC_LV_3: &str = include_str!("../../corpus/003_0ca70e4c041b217b.txt");
const DOC_LV_4: &str = include_str!("../../corpus/004_6865d741d3b0f063.txt");

/// The twelve languages of the development corpus.
const TWELVE: &[Lang] = &[
    Lang::Lv,
    Lang::Nb,
    Lang::Nn,
    Lang::En,
    Lang::Ru,
    Lang::Lt,
    Lang::Et,
    Lang::Da,
    Lang::Sv,
    Lang::De,
    Lang::Fi,
    Lang::Pl,
];

fn fixture() -> Vec<(Lang, &'static str)> {
    SCANDI_FIXTURE
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (code, text) = l.split_once('\t').expect("lang<TAB>text");
            (Lang::from_code(code).expect("known code"), text)
        })
        .collect()
}

// ---------------------------------------------------------------- Lang

#[test]
fn codes_round_trip() {
    assert_eq!(Lang::from_exact_code("LV"), None, "exact means exact");
    for &l in Lang::ALL.iter().chain(std::iter::once(&Lang::Und)) {
        assert_eq!(Lang::from_code(l.code()), Some(l));
        assert_eq!(Lang::from_exact_code(l.code()), Some(l));
        assert_eq!(l.code().parse::<Lang>(), Ok(l));
        assert_eq!(l.to_string(), l.code());
        assert!(!l.name().is_empty());
        let json = serde_json::to_string(&l).expect("serialize");
        assert_eq!(json, format!("\"{}\"", l.code()));
        let back: Lang = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, l);
    }
    assert_eq!(Lang::ALL.len(), 17);
    assert!(!Lang::ALL.contains(&Lang::Und));
}

#[test]
fn lenient_codes() {
    let cases = [
        ("lv", Lang::Lv),
        ("LV", Lang::Lv),
        ("lav", Lang::Lv),
        ("lv-LV", Lang::Lv),
        ("nb-NO", Lang::Nb),
        ("no", Lang::Nb),
        ("nob", Lang::Nb),
        ("nno", Lang::Nn),
        ("nn-NO", Lang::Nn),
        ("en_US", Lang::En),
        ("en-GB", Lang::En),
        ("und", Lang::Und),
        (" de ", Lang::De),
        ("ger", Lang::De),
        ("pt-BR", Lang::Pt),
    ];
    for (s, l) in cases {
        assert_eq!(Lang::from_code(s), Some(l), "{s}");
    }
    for s in ["", "x", "xx", "english", "ελ", "-", "zz-ZZ"] {
        assert_eq!(Lang::from_code(s), None, "{s}");
    }
    assert_eq!(Lang::Nb.name(), "Norwegian Bokmål");
    assert_eq!(Lang::Lv.name(), "Latvian");
}

#[test]
fn from_str_error_lists_codes() {
    let e = "latvian".parse::<Lang>().expect_err("not a code");
    let msg = e.to_string();
    assert!(
        msg.contains("latvian") && msg.contains("lv") && msg.contains("nn") && msg.contains("und"),
        "{msg}"
    );
    assert_eq!("NB".parse::<Lang>(), Ok(Lang::Nb));
    assert_eq!("no".parse::<Lang>(), Ok(Lang::Nb));
}

// ---------------------------------------------------------------- detect

#[test]
fn detector_is_shareable() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Detector>();
    let d = Detector::new(TWELVE);
    let d2 = d.clone();
    let h = std::thread::spawn(move || {
        d2.detect("Biedrība aicina brīvprātīgos piedalīties talkā.")
            .map(|x| x.lang)
    });
    assert_eq!(h.join().ok().flatten(), Some(Lang::Lv));
    assert_eq!(d.enabled().len(), 12);
    assert_eq!(Detector::new(&[]).enabled().len(), Lang::ALL.len());
}

#[test]
fn no_letters_no_answer() {
    let d = Detector::default();
    for t in [
        "",
        " ",
        "\n\t  \n",
        "12345 678",
        "!!! ??? ...",
        "2024-03-05 12:00",
        "€ $ % © ®",
        "🙂🙂🙂",
        "\u{200B}\u{FEFF}",
    ] {
        assert_eq!(d.detect(t), None, "{t:?}");
        assert_eq!(d.detect_query(t), None, "{t:?}");
    }
}

#[test]
fn odd_input_never_panics() {
    let d = Detector::new(TWELVE);
    let huge = "Biedrība aicina brīvprātīgos. ".repeat(100_000);
    let mixed: String = (0u32..0x3000).filter_map(char::from_u32).collect();
    let long_word = "ā".repeat(5000);
    let inputs: Vec<String> = vec![
        huge,
        mixed,
        long_word,
        "\u{0}\u{1}\u{7f}".into(),
        "a".into(),
        "ǅǈǋ İstanbul ß ẞ".into(),
        "e\u{301}\u{301}\u{301}".into(),
        "\u{10FFFF}\u{E000}".into(),
        "x".repeat(1023) + "ā",
        "x".repeat(1024) + "ā",
        "Ⅷ ⅷ ⓐⓑ".into(),
    ];
    for t in &inputs {
        let _ = d.detect(t);
        let _ = d.detect_query(t);
        let _ = d.detect_whatlang_only(t);
        let _ = d.detect_document(&[t.as_str(), "", t.as_str()], Some(Lang::Lv));
        let _ = d.detect_document(&[t.as_str()], None);
        if let Some(det) = d.detect(t) {
            assert!((0.0..=1.0).contains(&det.confidence), "{}", det.confidence);
        }
    }
    let _ = d.detect_document(&[], None);
    let _ = d.detect_document(&[], Some(Lang::Und));
}

#[test]
fn bounded_sample_cuts_at_char_boundary() {
    let t = "ā".repeat(2000);
    let s = bounded_sample(&t, MAX_SAMPLE_BYTES);
    assert!(s.len() <= MAX_SAMPLE_BYTES && !s.is_empty());
    let t = format!("{} {}", "word".repeat(200), "ē".repeat(400));
    let s = bounded_sample(&t, 1000);
    assert!(s.len() <= 1000);
    assert_eq!(bounded_sample("short", 1000), "short");
    assert_eq!(bounded_sample("", 10), "");
}

#[test]
fn other_scripts_are_und() {
    let d = Detector::new(TWELVE);
    for t in [
        "Η οργάνωση στηρίζει τους εθελοντές σε όλη τη χώρα.",
        "志愿者协会每周二在图书馆开会。",
        "تجتمع الجمعية كل يوم ثلاثاء في المكتبة",
        "העמותה נפגשת בכל יום שלישי בספרייה",
        "ასოციაცია ყოველ სამშაბათს იკრიბება",
        // Ukrainian: Cyrillic, but not Russian.
        "Громадська організація підтримує волонтерів і їхні ініціативи в усіх регіонах країни.",
    ] {
        let got = d.detect(t).map(|x| x.lang);
        assert_eq!(got, Some(Lang::Und), "{t}");
    }
    let ru = d
        .detect("Общественная организация поддерживает волонтёров и их инициативы по всей стране.");
    assert_eq!(ru.map(|x| x.lang), Some(Lang::Ru));
    // Russian disabled: Cyrillic is Und.
    let d2 = Detector::new(&[Lang::Lv, Lang::En]);
    assert_eq!(
        d2.detect("Общественная организация поддерживает волонтёров.")
            .map(|x| x.lang),
        Some(Lang::Und)
    );
}

#[test]
fn paragraphs_of_the_main_languages() {
    let d = Detector::new(TWELVE);
    let cases = [
        (Lang::Lv, "Biedrība aicina brīvprātīgos piedalīties pavasara talkā, lai kopīgi sakoptu parku un upes krastu."),
        (Lang::Lt, "Asociacija kviečia savanorius prisijungti prie pavasario talkos ir kartu sutvarkyti parką bei upės pakrantę."),
        (Lang::Et, "Ühing kutsub vabatahtlikke osalema kevadisel talgupäeval, et koos pargi ja jõekalda korda teha."),
        (Lang::En, "The association invites volunteers to join the spring clean-up and tidy the park and the riverbank together."),
        (Lang::De, "Der Verein lädt Freiwillige ein, beim Frühjahrsputz mitzumachen und gemeinsam den Park aufzuräumen."),
        (Lang::Fi, "Yhdistys kutsuu vapaaehtoisia mukaan kevättalkoisiin siivoamaan puistoa ja joenrantaa yhdessä."),
        (Lang::Pl, "Stowarzyszenie zaprasza wolontariuszy do wspólnego wiosennego sprzątania parku i brzegu rzeki."),
        (Lang::Sv, "Föreningen bjuder in volontärer att delta i vårstädningen och tillsammans städa parken och älvstranden."),
    ];
    for (want, text) in cases {
        assert_eq!(d.detect(text).map(|x| x.lang), Some(want), "{text}");
    }
}

// ---------------------------------------------------------------- Scandinavian fixture

#[test]
fn scandinavian_fixture_every_line() {
    let rows = fixture();
    assert!(rows.len() >= 18);
    for enabled in [TWELVE, Lang::ALL] {
        let d = Detector::new(enabled);
        for (want, text) in &rows {
            let got = d.detect(text);
            assert_eq!(got.map(|x| x.lang), Some(*want), "{text} → {got:?}");
        }
    }
}

#[test]
fn scandinavian_fixture_sentences_mostly_right() {
    // Single sentences are shorter (≈ 60–150 characters); require a high rate, not perfection.
    let d = Detector::new(TWELVE);
    let mut n = 0;
    let mut ok = 0;
    for (want, text) in fixture() {
        for s in text
            .split_inclusive(". ")
            .filter(|s| s.chars().count() >= 40)
        {
            n += 1;
            ok += usize::from(d.detect(s).map(|x| x.lang) == Some(want));
        }
    }
    assert!(n > 30);
    assert!(ok * 100 >= n * 85, "{ok}/{n}");
}

#[test]
fn scandinavian_only_enabled_languages() {
    let text = fixture()
        .into_iter()
        .find(|(l, _)| *l == Lang::Nn)
        .map(|(_, t)| t)
        .unwrap_or_default();
    // Without Nynorsk, the Nynorsk text is Bokmål (never an unknown language).
    let d = Detector::new(&[Lang::Lv, Lang::En, Lang::Nb, Lang::Da]);
    assert_eq!(d.detect(text).map(|x| x.lang), Some(Lang::Nb));
    // Only Danish among the Scandinavian languages.
    let d = Detector::new(&[Lang::En, Lang::Da]);
    assert_eq!(d.detect(text).map(|x| x.lang), Some(Lang::Da));
    // Only Nynorsk.
    let d = Detector::new(&[Lang::En, Lang::Nn]);
    assert_eq!(d.detect(text).map(|x| x.lang), Some(Lang::Nn));
}

// ---------------------------------------------------------------- documents

#[test]
fn split_paragraphs_on_blank_lines() {
    let t = "Title\n\nFirst line\nsecond line\n  \n\n\tThird\r\n\r\nLast";
    assert_eq!(
        split_paragraphs(t),
        vec!["Title", "First line\nsecond line", "\tThird", "Last"]
    );
    assert!(split_paragraphs("").is_empty());
    assert!(split_paragraphs("\n\n \n").is_empty());
}

#[test]
fn latvian_page_with_english_last_paragraph() {
    let d = Detector::new(TWELVE);
    let ps = split_paragraphs(DOC_LV_EN);
    let r = d.detect_document(&ps, None);
    assert_eq!(r.lang, Lang::Lv);
    assert_eq!(r.langs, vec![Lang::Lv, Lang::En]);
    assert_eq!(r.paragraphs.len(), ps.len());
    let (last, rest) = r.paragraphs.split_last().expect("paragraphs");
    assert_eq!(*last, Lang::En);
    assert!(rest.iter().all(|&l| l == Lang::Lv), "{:?}", r.paragraphs);
    assert!(ps
        .last()
        .is_some_and(|p| p.starts_with("The Head office of ALLATRA")));
    // Same with the hint, and with every language enabled.
    let r = d.detect_document(&ps, Some(Lang::Lv));
    assert_eq!(
        (r.lang, r.langs.clone()),
        (Lang::Lv, vec![Lang::Lv, Lang::En])
    );
    let r = Detector::default().detect_document(&ps, None);
    assert_eq!((r.lang, r.langs), (Lang::Lv, vec![Lang::Lv, Lang::En]));
}

#[test]
fn bokmaal_translation_is_bokmaal() {
    for d in [Detector::new(TWELVE), Detector::default()] {
        let ps = split_paragraphs(DOC_NB);
        let r = d.detect_document(&ps, None);
        assert_eq!(r.lang, Lang::Nb);
        assert_eq!(r.langs, vec![Lang::Nb]);
        assert!(
            r.paragraphs.iter().all(|&l| l == Lang::Nb),
            "{:?}",
            r.paragraphs
        );
        // The last paragraph alone is short and Bokmål/Danish-ambiguous; in the page it is nb.
        let r = d.detect_document(&ps, Some(Lang::Nb));
        assert_eq!(r.langs, vec![Lang::Nb]);
    }
}

#[test]
fn latvian_pages() {
    let d = Detector::new(TWELVE);
    for doc in [DOC_LV_2, DOC_LV_3, DOC_LV_4] {
        let ps = split_paragraphs(doc);
        let r = d.detect_document(&ps, None);
        assert_eq!(r.lang, Lang::Lv, "{:?}", r);
        assert_eq!(r.langs.first(), Some(&Lang::Lv));
        let lv = r.paragraphs.iter().filter(|&&l| l == Lang::Lv).count();
        assert!(lv * 10 >= r.paragraphs.len() * 9, "{:?}", r.paragraphs);
    }
}

#[test]
fn short_paragraphs_inherit() {
    let d = Detector::new(TWELVE);
    let ps = [
        "Kontakti",
        "Biedrība aicina brīvprātīgos piedalīties pavasara talkā, lai kopīgi sakoptu parku un upes krastu.",
        "OK",
        "12.03.2024",
        "Sīkāka informācija pieejama biedrības mājaslapā un sociālajos tīklos.",
    ];
    let r = d.detect_document(&ps, None);
    assert_eq!(r.paragraphs, vec![Lang::Lv; 5]);
    assert_eq!(r.langs, vec![Lang::Lv]);
}

#[test]
fn no_nb_da_flip_flop_inside_a_page() {
    let d = Detector::new(TWELVE);
    let nb: Vec<&str> = fixture()
        .into_iter()
        .filter(|(l, _)| *l == Lang::Nb)
        .map(|(_, t)| t)
        .collect();
    // Short Norwegian lines that whatlang alone often calls Danish.
    let mut ps = vec![
        nb[0],
        "Det er en viktig del av arbeidet.",
        nb[1],
        "Se programmet under.",
        nb[2],
    ];
    ps.push("Vi ses på møtet!");
    let r = d.detect_document(&ps, None);
    assert_eq!(r.lang, Lang::Nb);
    assert!(
        r.paragraphs.iter().all(|&l| l == Lang::Nb),
        "{:?}",
        r.paragraphs
    );
}

#[test]
fn hint_is_a_strong_prior() {
    let d = Detector::new(TWELVE);
    let ps = split_paragraphs(DOC_LV_EN);
    // A wrong-but-plausible hint does not hold against a page that is overwhelmingly Latvian.
    let r = d.detect_document(&ps, Some(Lang::En));
    assert_eq!(r.lang, Lang::Lv);
    // Another script overrides the hint.
    let ru = [
        "Общественная организация поддерживает волонтёров и их инициативы по всей стране.",
        "Мы проводим встречи каждую неделю.",
    ];
    let r = d.detect_document(&ru, Some(Lang::Lv));
    assert_eq!(r.lang, Lang::Ru);
    // Mixed page: the hint decides the document language, paragraphs keep theirs.
    let mixed = [
        "Biedrība aicina brīvprātīgos piedalīties pavasara talkā, lai kopīgi sakoptu parku un upes krastu.",
        "The association invites volunteers to join the spring clean-up and tidy the park and the riverbank together.",
        "The clean-up starts at ten in the morning; gloves and bags are provided by the city.",
    ];
    let r = d.detect_document(&mixed, Some(Lang::Lv));
    assert_eq!(r.lang, Lang::Lv);
    assert_eq!(r.paragraphs, vec![Lang::Lv, Lang::En, Lang::En]);
    assert_eq!(r.langs, vec![Lang::Lv, Lang::En]);
    let r = d.detect_document(&mixed, None);
    assert_eq!(r.lang, Lang::En);
    assert_eq!(r.langs, vec![Lang::En, Lang::Lv]);
    // A hint for a disabled language is ignored.
    let r = Detector::new(&[Lang::Lv, Lang::En]).detect_document(&mixed[..1], Some(Lang::Fr));
    assert_eq!(r.lang, Lang::Lv);
    // No text: the hint, or Und.
    assert_eq!(
        d.detect_document(&["", "123"], Some(Lang::Nb)).lang,
        Lang::Nb
    );
    let r = d.detect_document(&["", "123"], None);
    assert_eq!(
        (r.lang, r.langs.len(), r.paragraphs),
        (Lang::Und, 0, vec![Lang::Und, Lang::Und])
    );
}

#[test]
fn nynorsk_page_labelled_no() {
    // `<html lang="no">` on a Nynorsk page: the text is overwhelmingly Nynorsk.
    let d = Detector::new(TWELVE);
    let nn: Vec<&str> = fixture()
        .into_iter()
        .filter(|(l, _)| *l == Lang::Nn)
        .map(|(_, t)| t)
        .collect();
    let r = d.detect_document(&nn, Lang::from_code("no"));
    assert_eq!(r.lang, Lang::Nn);
    assert!(
        r.paragraphs.iter().all(|&l| l == Lang::Nn),
        "{:?}",
        r.paragraphs
    );
    // A Bokmål page labelled Danish stays Danish-labelled only if the text is not clearly Bokmål.
    let nb: Vec<&str> = fixture()
        .into_iter()
        .filter(|(l, _)| *l == Lang::Nb)
        .map(|(_, t)| t)
        .collect();
    let r = d.detect_document(&nb, Some(Lang::Nb));
    assert_eq!(r.langs, vec![Lang::Nb]);
}

#[test]
fn foreign_script_paragraph_in_a_page() {
    let d = Detector::new(TWELVE);
    let ps = [
        "Biedrība aicina brīvprātīgos piedalīties pavasara talkā, lai kopīgi sakoptu parku un upes krastu.",
        "志愿者协会每周二在图书馆开会，欢迎所有人参加。",
        "Sīkāka informācija pieejama biedrības mājaslapā un sociālajos tīklos.",
    ];
    let r = d.detect_document(&ps, None);
    assert_eq!(r.lang, Lang::Lv);
    assert_eq!(r.paragraphs, vec![Lang::Lv, Lang::Und, Lang::Lv]);
    assert_eq!(r.langs, vec![Lang::Lv, Lang::Und]);
}

// ---------------------------------------------------------------- queries

#[test]
fn queries_only_when_clear() {
    let d = Detector::new(TWELVE);
    // Unclear: short, shared words, names.
    for q in [
        "frivillig arbeid",
        "barnehage Oslo",
        "klima",
        "ALLATRA",
        "NVO",
        "Riga",
        "data",
        "test",
        "the",
    ] {
        assert_eq!(d.detect_query(q), None, "{q}");
    }
    // Letters only one language writes.
    assert_eq!(d.detect_query("ģimenes atbalsts"), Some(Lang::Lv));
    assert_eq!(d.detect_query("brīvprātīgais darbs"), Some(Lang::Lv));
    assert_eq!(d.detect_query("savanorių organizacijos"), Some(Lang::Lt));
    assert_eq!(d.detect_query("wolontariat w Łodzi"), Some(Lang::Pl));
    assert_eq!(d.detect_query("Как стать волонтёром"), Some(Lang::Ru));
    // Marker words.
    assert_eq!(d.detect_query("korleis bli medlem i laget"), Some(Lang::Nn));
    assert_eq!(
        d.detect_query("hvad koster medlemskab af foreningen"),
        Some(Lang::Da)
    );
    // Long, reliable, with function words.
    assert_eq!(
        d.detect_query("how to become a volunteer in the youth club"),
        Some(Lang::En)
    );
    // Other scripts give no query language.
    assert_eq!(d.detect_query("志愿者"), None);
}

#[test]
fn scandinavian_paragraph_in_a_non_scandinavian_page() {
    let d = Detector::new(TWELVE);
    let nb: Vec<&str> = fixture()
        .into_iter()
        .filter(|(l, _)| *l == Lang::Nb)
        .map(|(_, t)| t)
        .collect();
    let da: Vec<&str> = fixture()
        .into_iter()
        .filter(|(l, _)| *l == Lang::Da)
        .map(|(_, t)| t)
        .collect();
    let en = [
        "The association invites volunteers to join the spring clean-up and tidy the park and the riverbank together.",
        "The clean-up starts at ten in the morning; gloves and bags are provided by the city.",
        "Children are welcome too, and there will be soup and tea for everyone who helps.",
    ];
    let ps = [en[0], en[1], nb[3], en[2]];
    let r = d.detect_document(&ps, None);
    assert_eq!(r.lang, Lang::En);
    assert_eq!(r.paragraphs, vec![Lang::En, Lang::En, Lang::Nb, Lang::En]);
    assert_eq!(r.langs, vec![Lang::En, Lang::Nb]);
    let ps = [
        "Biedrība aicina brīvprātīgos piedalīties pavasara talkā, lai kopīgi sakoptu parku un upes krastu.",
        da[0],
        "Sīkāka informācija pieejama biedrības mājaslapā un sociālajos tīklos.",
    ];
    let r = d.detect_document(&ps, Some(Lang::Lv));
    assert_eq!(r.paragraphs, vec![Lang::Lv, Lang::Da, Lang::Lv]);
}

#[test]
fn wrong_english_hint_on_a_norwegian_page() {
    // CMS templates often say lang="en" whatever the content.
    let d = Detector::new(TWELVE);
    let nb: Vec<&str> = fixture()
        .into_iter()
        .filter(|(l, _)| *l == Lang::Nb)
        .map(|(_, t)| t)
        .collect();
    let r = d.detect_document(&nb, Some(Lang::En));
    assert_eq!(r.lang, Lang::Nb);
    assert!(
        r.paragraphs.iter().all(|&l| l == Lang::Nb),
        "{:?}",
        r.paragraphs
    );
    let ps = split_paragraphs(DOC_NB);
    let r = d.detect_document(&ps, Some(Lang::En));
    assert_eq!((r.lang, r.langs), (Lang::Nb, vec![Lang::Nb]));
}

#[test]
fn latvian_page_split_in_lines() {
    // The ingest pipeline passes lines (list items are lines of their own).
    let d = Detector::new(TWELVE);
    let lines: Vec<&str> = DOC_LV_EN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let r = d.detect_document(&lines, None);
    assert_eq!(
        (r.lang, r.langs.clone()),
        (Lang::Lv, vec![Lang::Lv, Lang::En])
    );
    assert_eq!(r.paragraphs.last(), Some(&Lang::En));
    let lines: Vec<&str> = DOC_NB
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let r = d.detect_document(&lines, None);
    assert_eq!((r.lang, r.langs), (Lang::Nb, vec![Lang::Nb]));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn never_panics(text in any::<String>(), more in proptest::collection::vec(any::<String>(), 0..6)) {
            let d = Detector::new(TWELVE);
            if let Some(det) = d.detect(&text) {
                prop_assert!((0.0..=1.0).contains(&det.confidence));
            }
            let _ = d.detect_query(&text);
            let ps: Vec<&str> = more.iter().map(String::as_str).chain(std::iter::once(text.as_str())).collect();
            let r = d.detect_document(&ps, None);
            prop_assert_eq!(r.paragraphs.len(), ps.len());
            let r = d.detect_document(&ps, Some(Lang::Nb));
            prop_assert_eq!(r.paragraphs.len(), ps.len());
            prop_assert!(r.langs.first().is_none_or(|&l| l == r.lang));
            let _ = split_paragraphs(&text);
            let _ = Lang::from_code(&text);
        }

        #[test]
        fn latin_noise_never_panics(text in "[a-zA-ZæøåÆØÅāēīūšžõäöüß .,:;!?\\n-]{0,400}") {
            let d = Detector::default();
            let _ = d.detect(&text);
            let _ = d.detect_query(&text);
            let ps = split_paragraphs(&text);
            let r = d.detect_document(&ps, None);
            prop_assert_eq!(r.paragraphs.len(), ps.len());
        }
    }
}

// ---------------------------------------------------------------- first stage

/// Clear prose is decided by the function words alone, with the answer the whatlang path gives
/// (language and, through the later stages, the same Scandinavian decision).
#[test]
fn first_stage_answers_clear_prose_like_whatlang() {
    let d = Detector::new(TWELVE);
    let slow = d.without_first_stage();
    let cases = [
        (Lang::En, "The association is a network of volunteers who work with children and young people in the region, and it is open to all who want to help them."),
        (Lang::Lv, "Biedrība ir brīvprātīgo tīkls, kas strādā ar bērniem un jauniešiem reģionā, un tā ir atvērta visiem, kas vēlas palīdzēt, jo tas ir svarīgi arī mums."),
        (Lang::De, "Der Verein ist ein Netzwerk von Freiwilligen, die mit Kindern und Jugendlichen in der Region arbeiten, und er steht allen offen, die helfen wollen."),
        (Lang::Pl, "Stowarzyszenie jest siecią wolontariuszy, którzy pracują z dziećmi i młodzieżą w regionie, i jest otwarte dla wszystkich, którzy chcą pomóc, bo to ważne."),
        (Lang::Da, "Foreningen er et netværk af frivillige, som arbejder med børn og unge i regionen, og den er åben for alle, der vil hjælpe dem, hvad enten de er unge eller gamle."),
        (Lang::Nn, "Laget er eit nettverk av frivillige som arbeider med born og unge i regionen, og det er ope for alle som vil hjelpe dei, men eg veit ikkje kva dei treng no."),
    ];
    for (want, text) in cases {
        assert!(
            d.first_stage(text).is_some(),
            "first stage passed over: {text}"
        );
        let fast = d.detect(text).map(|x| x.lang);
        assert_eq!(fast, Some(want), "{text}");
        assert_eq!(fast, slow.detect(text).map(|x| x.lang), "{text}");
    }
}

/// Where the function words are few, or letters point elsewhere, whatlang decides as before.
#[test]
fn first_stage_leaves_unclear_text_to_whatlang() {
    let d = Detector::new(TWELVE);
    for text in [
        // Too few function words.
        "Volunteers, children, parks, riverbanks, springtime clean-up campaign.",
        // English function words around a Latvian name and place (ā, ū, ē: not English letters).
        "The meeting of the board is in Rīga and it is with Jūrmalas pilsētas dome, so the board will be there.",
        // Finnish (the morphology stage weighs whatlang's confidence).
        "Yhdistys on vapaaehtoisten verkosto, ja se on avoin kaikille, jotka haluavat auttaa, mutta se ei ole vain nuorille.",
        // Cyrillic never reaches it.
        "Общество и культура это то, что мы делаем вместе, и это не только для молодёжи.",
    ] {
        assert!(d.first_stage(text).is_none(), "first stage answered: {text}");
    }
}
