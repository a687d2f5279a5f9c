//! Second-stage discriminator for the Scandinavian languages: Norwegian Bokmål (nb), Norwegian
//! Nynorsk (nn), Danish (da) and Swedish (sv).
//!
//! whatlang 0.18 has no Nynorsk model (Nynorsk comes back as Bokmål) and separates Bokmål from Danish
//! only by trigram statistics. This module scores a text with **hand-written** linguistic knowledge:
//!
//! * a lexicon of function words and frequent content words whose spelling differs between the four
//!   written standards (nn *ikkje / eg / kva / frå / dei / ein*, nb *ikke / jeg / hva / fra / de / en*,
//!   da *af / hvad / nu / meget / efter / mellem*, sv *och / att / inte / är / från*, …); each entry
//!   names the set of standards in which the word form is normal, and a weight;
//! * inflection and derivation endings of words not in the lexicon (nn *-ane / -ar / -inga / -leg /
//!   -heit*, nb *-ene / -lig / -het / -sjon*, da *-erne / -hed / -tion / -ede / -eret / -skab*, …);
//! * orthography (nb/nn *kj, gj, ei, øy* against da *ej, øj*, the Danish *c* in loan words, …).
//!
//! Every language in a word's set gets the word's weight; the totals are compared. Nothing here is
//! fitted to data: weights are 1 (a usual spelling difference), 2 (a frequent and reliable marker) and
//! 3 (the most frequent and most reliable markers), set by hand.
//!
//! Cost: one hash lookup per word plus a few suffix comparisons for words not in the lexicon.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// Bit for Norwegian Bokmål.
pub const NB: u8 = 1;
/// Bit for Norwegian Nynorsk.
pub const NN: u8 = 2;
/// Bit for Danish.
pub const DA: u8 = 4;
/// Bit for Swedish.
pub const SV: u8 = 8;
/// All four standards (a word normal in all of them carries no information; used for exceptions).
pub const ALL: u8 = NB | NN | DA | SV;

/// The candidates of the discriminator, in bit order.
pub const CANDIDATES: [u8; 4] = [NB, NN, DA, SV];

/// Lexicon. Each line: `<langs> <weight>: word word …`. `langs` is a comma-separated set of
/// nb/nn/da/sv (or `all` for exceptions that must not be judged by their ending).
/// A word form appears at most once (a unit test checks that).
const LEXICON: &str = "
# ---------- Nynorsk only ----------
nn 3: ikkje eg kva korleis kvifor dei ein eit frå berre noko mykje
nn 2: eitt kvar kvart kven kvarandre kor vere vera ho deira dykk dykkar nokon nokre nokså vert vorte vore
nn 2: sjølv sjølve sjølvsagt fleire heile heilt eigen eige eigne eigentleg meir saman sidan seie seier
nn 2: gjere gjer kjem kome tykkje difor heim heime framleis enno gong gonger kyrkje teneste tenester tenesta
nn 2: tilbod tilboda skule skulen skular born borna ungdomar dømes døme tyder verte endå medlemar leiar
nn 2: leiarar leiinga ynskje ønskje ønskjer trur fekk gjekk låg høg høgt høgare treng tek gjev hugs hugse
nn 2: velje lagar meinar meining særs einskild einskilde vanskeleg innanfor utanfor framfor attende truleg
nn 2: opne opnar reglar byrja byrjar teke gjeve fyrst fyrste kvardag vatn mogleg mogeleg moglegheit
nn 2: moglegheiter vanleg vanlegvis særleg dessutan sjå seinare tidlegare dagleg årleg venleg naudsynt
nn 2: naudsynte helsing hjå annleis somme brukarar brukaren verksemd verksemda nettstad nettstaden
nn 2: spørsmåla òg korkje ifrå eiga eigarskap meiningar sume utval deltakar deltakarar
nn 1: viss anna ikring vart fylgje følgje følgjer følgjande gjeldande tilsvarande same høyrer no me skriv finn
nn 2: held veit ligg valde anten grøn grøne jamn jamt føremål føremålet utvalet omsyn nedanfor ovanfor
nn 2: storleik breidd breidda vindauge vindauget hovud eitkvart
# ---------- Bokmål only ----------
nb 2: hva noe mye nå noen ble blitt fikk gikk vært dere sier uke uker uken bruker brukere brukeren brukes
nb 2: trenger gir høy høyt høyere ennå dessuten innen innenfor utenfor åpen åpne åpner rekke vanlig
nb 2: vanligvis fortsatt hverandre deltaker deltakere deltakelse gjøre gjør
nb 2: velge velger finnes utvalg inneholder inneholde inneholdt ytterligere funnet
nb,nn 2: påmelding les
nn 2: inneheld
nb 1: begynne begynner begynte
# ---------- Danish only ----------
da 3: af hvad noget meget bliver
da 2: nogen nogle uden blevet blive fik gik ud op mellem gennem tilbage lidt os sit mit dit gøre gør
da 2: arbejde arbejder arbejdet arbejdes hjælp hjælpe hjælper sprog spørgsmål været vores jeres endnu
da 2: desuden blandt inden ind ude altid måske fortsat kundskab viden lave laver lavet lægge lægger sætte
da 2: sætter næste sidste række søge søger bruge bruger brugere brugeren bruges brugt uge uger ugen købe
da 2: skabe skaber skabt møde møder mødet årsmøde bestyrelse bestyrelsen bæredygtig bæredygtige projekter
da 2: proces kvinder mænd børn børnene samfund samfundet tage tager taget give giver givet sige siger
da 2: sagde fået gået vigtig vigtige vigtigt muligt nødvendigt forskellige forskellig rigtig rigtigt imod
da 2: derudover selvom hinanden deltage deltager deltagere deltagelse tit ligesom lige vej veje dejlig
da 2: øje øjne høj højt højere efterhånden stadigvæk tilbyder tilbyde kende kendt kender udvikling
da 2: udvikle udvikler udviklet uddannelse udvalg udgave udstilling udenfor udover
da 1: dog mere set tak heraf hvorefter mellemrum
da 2: indeholder indeholde indeholdt yderligere fundet findes vælge vælger vindue ansøgning ansøge tilmelding tilmeld læs kursus kurser
# ---------- Swedish only ----------
sv 3: och att inte är för också från när mycket jag vad hur
sv 2: detta denna dessa finns även till ett hade varit vara här där många andra alla olika behöver använda
sv 2: använder hitta själv hon deras våra sina genom mellan ska bara samma något någon några vilken vilket
sv 2: vilka sedan nya
# ---------- Shared by two or three standards ----------
nb,da 3: ikke jeg
nb,da 2: hvordan hvorfor hvor hver hvert hvem hvis hvilken hvilke hvilket fra bare være hun selv flere
nb,da 2: hele mens sammen samme siden deres helt mulig særlig nødvendig videre fremdeles hvorvidt enhver
nb,da 2: valgt vær tjeneste tjenester tjenesten hensyn nedenfor ovenfor størrelse enten ethvert ønsker ønske mening mener tror tilbud skole hjemme leder ledere hjemmet et
nb,da 1: derfor kun ifølge idet herunder selvfølgelig omtrent vanskelig foran nemlig intet hjem sted
nb,da 1: steder stedet senere mennesker hjemmeside egentlig da
nb,da,sv 2: en
nb,da,sv 1: de dem kommer
nb,nn 3: å
nb,nn 2: opp etter mellom gjennom enn igjen tilbake litt seg meg deg kjent kjenne kjenner arbeid arbeidet
nb,nn 2: arbeider arbeide hjelp hjelpe hjelper spørsmål slik sånn aldri kanskje veldig inn blant imot
nb,nn 2: lage legge sette neste siste søke bruke kjøpe skape møte møter årsmøte styret bærekraftig dugnad
nb,nn 2: prosjekt prosent prosess sosial sosiale senter sentral sentralt kvinner menn barna samfunn samfunnet
nb,nn 2: viktig viktige viktigst spesielt spesiell forskjellige gjennomføre kunnskap fylke fylket
nb,nn 2: fylkeskommune nettside nettsider likevel ulike ei utvikling utvikle utvikler utviklet utdanning
nb,nn 2: utgave utstilling utover
nb,nn 1: nei blei si vindu
nb,nn 2: gjerne kjerne
da 2: gerne kerne
nb,nn,sv 2: av mot oss
nb,nn,sv 1: ut ute sitt mitt ditt lite alltid blir
nb,nn,da 1: og er til for også når skal kunne våre først begge fordi eksempel
nb,sv 2: mer
da,sv 2: efter mig dig sig nu igen blev sådan således projekt projektet procent processen center centret
da,sv 2: central nej såsom
nn,sv 2: då
nn,sv 1: utan medan stad staden spel spelar vidare annan nytta
# ---------- Exceptions: normal in all four, must not be judged by their ending ----------
all 0: kamera kolera fjerne fjernet hjerne stjerne kaserne lanterne cisterne netto after
all 0: insert convert alert expert college privilege
all 0: kontrast entusiast fantast gymnast podcast forecast toast ballast endast senast
nb 1: opsjon opsjoner
all 0: lære lærer lærere læring lærte avis aviser afrika udp udev moderne interne eksterne humane spontane urbane januar februar seminar kommentar dollar klar
all 0: uklar avklar svar eksemplar formular inventar vikar bibliotekar radar altar fremmede elskede
all 0: ekspert hjerte lande blande skje tidsskrift i på med som det den var har han om men kan vi så ja
all 0: eller man ingen skulle tid dag år kom barn ville måtte ned hos vår vårt
";

/// Suffix rules for words that are not in the lexicon: `(suffix, minimum word length in chars,
/// langs, weight)`. Checked in order; the first rule that fires is used (so longer, more specific
/// endings come first).
const SUFFIXES: &[(&str, usize, u8, f32)] = &[
    // heads of compounds (miniatyrbilete, dialogvindauget)
    ("bilete", 7, NN, 2.0),
    ("biletet", 8, NN, 2.0),
    ("bileta", 7, NN, 2.0),
    ("vindauge", 9, NN, 2.0),
    ("vindauget", 10, NN, 2.0),
    ("vindauga", 9, NN, 2.0),
    // nb/nn -siell (offisiell, spesiell), da -ciel (officiel, speciel)
    ("sielle", 7, NB | NN, 1.5),
    ("siell", 6, NB | NN, 1.5),
    ("sielt", 6, NB | NN, 1.5),
    ("cielle", 7, DA, 1.5),
    ("ciel", 5, DA, 1.5),
    ("cielt", 6, DA, 1.5),
    // loan verbs: nb/da -ere, nn/sv -era (redigera, installera)
    ("era", 6, NN | SV, 1.0),
    // -sjon / -tion (nb and nn spell the loan suffix -sjon, da and sv keep -tion)
    ("sjonane", 8, NN, 2.0),
    ("sjonar", 7, NN, 2.0),
    ("sjonene", 8, NB, 2.0),
    ("sjoner", 7, NB, 2.0),
    ("sjonen", 7, NB | NN, 2.0),
    ("sjons", 6, NB | NN, 2.0),
    ("sjon", 5, NB | NN, 2.0),
    ("tionerne", 9, DA, 2.0),
    ("tionerna", 9, SV, 2.0),
    ("tioner", 7, DA | SV, 2.0),
    ("tionen", 7, DA | SV, 2.0),
    ("tions", 6, DA | SV, 1.0),
    ("tion", 5, DA | SV, 2.0),
    // -heit / -het / -hed
    ("heitene", 8, NN, 2.0),
    ("heitar", 7, NN, 2.0),
    ("heiter", 7, NN, 2.0),
    ("heita", 6, NN, 2.0),
    ("heit", 5, NN, 2.0),
    ("hetene", 7, NB, 2.0),
    ("heter", 6, NB | SV, 1.5),
    ("heten", 6, NB | SV, 1.5),
    ("het", 5, NB | SV, 1.5),
    ("hederne", 8, DA, 2.0),
    ("heder", 6, DA, 2.0),
    ("heden", 6, DA, 2.0),
    // (English past tenses: published, finished, attached)
    ("shed", 5, ALL, 0.0),
    ("ched", 5, ALL, 0.0),
    ("hed", 5, DA, 2.0),
    // -skap / -skab
    ("skapane", 8, NN, 2.0),
    ("skapar", 7, NN, 1.5),
    ("skapene", 8, NB, 2.0),
    ("skapet", 7, NB | NN | SV, 1.5),
    ("skaper", 7, NB | SV, 1.0),
    ("skap", 5, NB | NN | SV, 1.5),
    ("skaberne", 9, DA, 2.0),
    ("skabet", 7, DA, 2.0),
    ("skaber", 7, DA, 2.0),
    ("skab", 5, DA, 2.0),
    // -agtig (da) / -aktig
    ("agtige", 7, DA, 2.0),
    ("agtigt", 7, DA, 2.0),
    ("agtig", 6, DA, 2.0),
    // -leg / -lig
    ("legare", 7, NN, 2.0),
    ("legaste", 8, NN, 2.0),
    ("legast", 7, NN, 2.0),
    ("lege", 6, NN, 2.0),
    ("legt", 6, NN, 2.0),
    ("leg", 5, NN, 2.0),
    ("ligere", 7, NB | DA, 1.0),
    ("ligste", 7, NB | DA, 1.0),
    ("ligt", 5, DA | SV, 1.5),
    ("lige", 6, NB | DA, 1.0),
    ("liga", 6, SV, 1.5),
    ("lig", 5, NB | DA | SV, 1.0),
    ("igt", 5, DA | SV, 1.5),
    // nb/nn/sv -ktig (viktig, forsiktig, riktig), da -gtig (vigtig, forsigtig, rigtig)
    ("ktige", 6, NB | NN | SV, 1.5),
    ("ktig", 5, NB | NN | SV, 1.5),
    ("gtige", 6, DA, 1.5),
    ("gtig", 5, DA, 1.5),
    // participles: da -eret/-erede/-ede, nb/nn -ert/-erte, sv -erad/-erade
    ("erede", 7, DA, 2.0),
    ("eret", 6, DA, 2.0),
    ("erte", 6, NB | NN, 1.5),
    ("ert", 5, NB | NN, 1.5),
    ("erade", 7, SV, 2.0),
    ("erad", 6, SV, 2.0),
    ("ede", 6, DA, 1.0),
    // definite plurals
    ("erne", 6, DA, 2.0),
    ("arna", 6, SV, 2.0),
    ("orna", 6, SV, 2.0),
    ("erna", 6, SV, 1.5),
    ("arane", 7, NN, 2.0),
    ("ane", 6, NN, 1.5),
    ("ene", 6, NB | DA, 0.5),
    // -ingar / -inga / -ingen / -inger
    ("ingane", 8, NN, 2.0),
    ("ingar", 7, NN | SV, 1.5),
    ("inga", 6, NN, 1.0),
    ("ingene", 8, NB | DA, 1.0),
    ("inger", 7, NB | DA, 1.0),
    // nn -kje/-gje (ikkje, tenkje, følgje), -gjer/-kjer
    ("kjer", 6, NN, 1.5),
    ("gjer", 6, NN, 1.5),
    ("kje", 5, NN, 1.5),
    ("gje", 5, NN, 1.5),
    // nn passive and deponent -ast (nb/da -es); nn -leik (nb -lighet/-else)
    ("ast", 6, NN | SV, 1.5),
    ("leik", 6, NN, 2.0),
    // games: nb -spill, da -spil, nn/sv -spel
    ("spill", 6, NB, 1.5),
    ("spil", 5, DA, 1.5),
    ("spel", 5, NN | SV, 1.5),
    // nn a-infinitives after j (setja, velja, spørja)
    ("tja", 5, NN, 1.0),
    ("lja", 5, NN, 1.0),
    ("rja", 5, NN, 1.0),
    ("gja", 5, NN, 1.0),
    // nn agent nouns and plurals -arar / -ar; present participle -ande
    ("arar", 6, NN, 2.0),
    ("ar", 5, NN | SV, 1.0),
    ("ande", 6, NN | SV, 1.0),
    // nb/nn double final consonants, da single (opp/op, takk/tak, topp/top)
    ("kk", 4, NB | NN, 1.0),
    ("pp", 4, NB | NN, 1.0),
];

/// Prefix rules (compound first parts and verb particles) for words not in the lexicon:
/// `(prefix, minimum word length, langs, weight, next letter must be a consonant)`. First match wins.
const PREFIXES: &[(&str, usize, u8, f32, bool)] = &[
    ("bilete", 6, NN, 2.0, false),
    ("bilet", 6, NN, 2.0, false),
    ("billede", 7, DA, 2.0, false),
    ("bilde", 5, NB | NN | SV, 1.5, false),
    ("hovud", 5, NN, 2.0, false),
    ("hoved", 5, NB | DA, 2.0, false),
    ("vindauge", 8, NN, 2.0, false),
    ("spegel", 6, NN, 2.0, false),
    ("speil", 5, NB, 2.0, false),
    ("spejl", 5, DA, 2.0, false),
    ("tilbod", 6, NN, 2.0, false),
    ("tilbud", 6, NB | DA, 1.5, false),
    ("skule", 5, NN, 2.0, false),
    ("skole", 5, NB | DA, 1.5, false),
    ("teneste", 7, NN, 2.0, false),
    ("tjeneste", 8, NB | DA, 1.5, false),
    ("mogleg", 6, NN, 2.0, false),
    ("mulig", 5, NB | DA, 1.5, false),
    ("kyrkje", 6, NN, 2.0, false),
    ("eigen", 5, NN, 2.0, false),
    ("eigar", 5, NN, 2.0, false),
    ("heim", 5, NN, 1.0, false),
    ("hjem", 5, NB | DA, 1.5, false),
    ("fælles", 6, DA, 2.0, false),
    ("felles", 6, NB | NN, 2.0, false),
    ("fleir", 6, NN, 2.0, false),
    // nn føre- (førekomst, føremål, førebu), nb/da fore- / for-
    ("føre", 7, NN, 1.5, true),
    ("nett", 5, NB | NN, 1.0, false),
    ("bruker", 7, NB, 1.5, false),
    ("brukar", 7, NN, 1.5, false),
    ("bruger", 7, DA, 1.5, false),
    ("fuld", 5, DA, 1.5, false),
    ("full", 5, NB | NN | SV, 1.0, false),
    // verb particles as first parts: nb/nn av- ut- opp- inn-, da af- ud- op- ind-
    ("opp", 5, NB | NN, 1.0, false),
    ("inn", 5, NB | NN, 1.0, true),
    ("av", 5, NB | NN | SV, 1.0, true),
    ("ut", 5, NB | NN | SV, 1.0, true),
    ("af", 5, DA, 1.5, true),
    ("ud", 5, DA, 1.5, true),
    ("op", 5, DA, 1.5, true),
    ("ind", 5, DA, 1.5, true),
];

/// Letters after a particle prefix that make a compound reading likely (a consonant; for da
/// *op-* / *ind-* / *af-* the ambiguous ones are left out: opt-, ops-, indr-, aff-).
fn particle_follow(prefix: &str, next: u8) -> bool {
    let consonant =
        matches!(next, b'b'..=b'z') && !matches!(next, b'e' | b'i' | b'o' | b'u' | b'y');
    consonant
        && match prefix {
            "op" => !matches!(next, b'p' | b't' | b's'),
            "ind" => matches!(next, b'h' | b's' | b'l' | b'f' | b'b' | b't' | b'k' | b'g'),
            "af" => next != b'f' && next != b'r',
            "inn" => next != b'n',
            "føre" => next != b'r' && next != b's',
            _ => true,
        }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    mask: u8,
    weight: f32,
}

/// A small FxHash-style hasher: the keys are short words, SipHash would dominate the cost.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.hash;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(a)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.hash = h;
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with the small FxHash-style hasher (short word keys).
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

fn parse_langs(s: &str) -> Option<u8> {
    let mut m = 0u8;
    for part in s.split(',') {
        m |= match part.trim() {
            "nb" => NB,
            "nn" => NN,
            "da" => DA,
            "sv" => SV,
            "all" => ALL,
            _ => return None,
        };
    }
    Some(m)
}

/// Parsed lexicon lines: `(langs, weight, word)`. Malformed lines are skipped (the unit tests check
/// that none are).
fn lexicon_entries() -> Vec<(u8, f32, &'static str)> {
    let mut out = Vec::new();
    for line in LEXICON.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((head, words)) = line.split_once(':') else {
            continue;
        };
        let mut head = head.split_whitespace();
        let (Some(langs), Some(weight)) = (head.next(), head.next()) else {
            continue;
        };
        let (Some(mask), Ok(weight)) = (parse_langs(langs), weight.parse::<f32>()) else {
            continue;
        };
        for w in words.split_whitespace() {
            out.push((mask, weight, w));
        }
    }
    out
}

static LEX: LazyLock<FxMap<&'static str, Entry>> = LazyLock::new(|| {
    let mut map: FxMap<&'static str, Entry> = FxMap::default();
    for (mask, weight, word) in lexicon_entries() {
        map.entry(word).or_insert(Entry { mask, weight });
    }
    map
});

/// Scores of the four standards for one text.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScandiScores {
    /// Evidence per standard, indexed like [`CANDIDATES`] (nb, nn, da, sv).
    pub score: [f32; 4],
    /// Number of words that carried evidence.
    pub evidence_words: u32,
    /// Number of words seen.
    pub words: u32,
}

impl ScandiScores {
    fn add(&mut self, mask: u8, w: f32) {
        if w <= 0.0 || mask == ALL {
            return;
        }
        for (i, bit) in CANDIDATES.iter().enumerate() {
            if mask & bit != 0 {
                self.score[i] += w;
            }
        }
        self.evidence_words += 1;
    }

    /// Score of one candidate bit.
    pub fn get(&self, bit: u8) -> f32 {
        CANDIDATES
            .iter()
            .position(|&b| b == bit)
            .map(|i| self.score[i])
            .unwrap_or(0.0)
    }
}

/// Rule indices grouped by the last byte (suffixes) and the first byte (prefixes), in table order,
/// so that a word is only compared with the few rules that can match.
struct RuleIndex {
    by_last: Vec<Vec<u16>>,
    by_first: Vec<Vec<u16>>,
}

static RULES: LazyLock<RuleIndex> = LazyLock::new(|| {
    let mut by_last = vec![Vec::new(); 256];
    let mut by_first = vec![Vec::new(); 256];
    for (i, (suf, ..)) in SUFFIXES.iter().enumerate() {
        if let Some(&b) = suf.as_bytes().last() {
            by_last[usize::from(b)].push(i as u16);
        }
    }
    for (i, (pre, ..)) in PREFIXES.iter().enumerate() {
        if let Some(&b) = pre.as_bytes().first() {
            by_first[usize::from(b)].push(i as u16);
        }
    }
    RuleIndex { by_last, by_first }
});

/// Scores one lower-cased word. `name_like`: the word was capitalised inside a sentence (a name or
/// a product: *Evolution*, *Request*); such words are only looked up in the lexicon.
#[inline]
fn score_word(word: &str, nchars: usize, name_like: bool, s: &mut ScandiScores) {
    s.words += 1;
    if let Some(e) = LEX.get(word) {
        s.add(e.mask, e.weight);
        return;
    }
    if name_like {
        return;
    }
    let rules = &*RULES;
    let bytes = word.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return;
    };
    let mut suffix_fired = false;
    for &i in &rules.by_last[usize::from(last)] {
        let Some(&(suf, min_len, mask, w)) = SUFFIXES.get(usize::from(i)) else {
            continue;
        };
        if nchars >= min_len && word.ends_with(suf) {
            s.add(mask, w);
            suffix_fired = true;
            break;
        }
    }
    if !suffix_fired && nchars >= 8 {
        // -sjon / -tion inside compounds (funksjonalitet / funktionalitet)
        if word.contains("sjon") {
            s.add(NB | NN, 1.5);
        } else if word.contains("tion") {
            s.add(DA | SV, 1.5);
        }
    }
    for &i in &rules.by_first[usize::from(first)] {
        let Some(&(pre, min_len, mask, w, needs_consonant)) = PREFIXES.get(usize::from(i)) else {
            continue;
        };
        if nchars >= min_len && word.starts_with(pre) {
            let next = word.as_bytes().get(pre.len()).copied().unwrap_or(b' ');
            if !needs_consonant || particle_follow(pre, next) {
                s.add(mask, w);
                break;
            }
        }
    }
    // Orthography. kj / gj: Norwegian (da køre, gøre; sv has few). ej / øj: Danish (nb/nn ei / øy).
    let b = word.as_bytes();
    let mut kjgj = false;
    let mut ej = false;
    let mut oy = false;
    let mut ei = false;
    let mut c = false;
    for (i, &x) in b.iter().enumerate() {
        let next = b.get(i + 1).copied();
        match x {
            b'k' | b'g' if next == Some(b'j') => kjgj = true,
            b'e' if next == Some(b'j') => ej = true,
            b'e' if next == Some(b'i') => ei = true,
            b'y' if i >= 2 && &b[i - 2..i] == "ø".as_bytes() => oy = true,
            b'j' if i >= 2 && &b[i - 2..i] == "ø".as_bytes() => ej = true,
            // soft c (social, proces, central, officiel): nb/nn write s
            // (not English -ice/-ace: office, service, interface)
            b'c' if matches!(next, Some(b'e' | b'i'))
                && (i == 0 || matches!(b[i - 1], b'a' | b'e' | b'i' | b'o' | b'u'))
                && !(i >= 1
                    && matches!(b[i - 1], b'a' | b'i')
                    && (b.len() == i + 2 || (b.len() == i + 3 && b[i + 2] == b's'))) =>
            {
                c = true
            }
            _ => {}
        }
    }
    if kjgj {
        s.add(NB | NN, 1.0);
    }
    if ej {
        s.add(DA, 1.0);
    }
    if oy || ei {
        s.add(NB | NN, 1.0);
    }
    if !kjgj && !ej && b.windows(2).any(|w| w == "æ".as_bytes()) {
        // Danish writes æ where nb/nn have e (læse/lese, hjælp/hjelp, tilgængelig/tilgjengelig);
        // the nb/nn words with æ (være, lære, særlig, …) are in the lexicon.
        s.add(DA, 1.0);
    }
    if b.windows(2)
        .any(|w| w == "ä".as_bytes() || w == "ö".as_bytes())
    {
        // Swedish writes ä / ö where the others write æ / ø.
        s.add(SV, 2.0);
    } else if b
        .windows(2)
        .any(|w| w == "ø".as_bytes() || w == "æ".as_bytes())
    {
        s.add(NB | NN | DA, 0.5);
    }
    if c {
        // nb/nn respell c in loan words (sosial, prosent, senter); da and sv keep it.
        s.add(DA | SV, 0.5);
    }
}

/// Scores a text: splits it into words (runs of alphabetic characters), lower-cases them, and sums
/// the evidence. Works on any input; non-letters are ignored.
pub fn score_text(text: &str) -> ScandiScores {
    let mut s = ScandiScores::default();
    let mut buf = String::with_capacity(32);
    let mut nchars = 0usize;
    let mut after_demonstrative = false;
    // Sentence start: the first word, and words after . ! ? : or a line break.
    let mut sentence_start = true;
    let mut capital = false;
    let flush = |buf: &mut String,
                 nchars: usize,
                 name_like: bool,
                 s: &mut ScandiScores,
                 after: &mut bool| {
        if nchars <= 40 {
            if *after {
                demonstrative_noun(buf, nchars, s);
            }
            score_word(buf, nchars, name_like, s);
            *after = matches!(buf.as_str(), "denne" | "dette" | "disse" | "desse");
        }
        buf.clear();
    };
    for ch in text.chars() {
        if crate::analysis::is_alphabetic(ch) {
            if buf.is_empty() {
                capital = ch.is_uppercase();
            }
            if ch.is_ascii() {
                buf.push(ch.to_ascii_lowercase());
            } else {
                buf.extend(ch.to_lowercase());
            }
            nchars += 1;
            continue;
        }
        if !buf.is_empty() {
            let name_like = capital && !sentence_start;
            flush(
                &mut buf,
                nchars,
                name_like,
                &mut s,
                &mut after_demonstrative,
            );
            nchars = 0;
            sentence_start = false;
        }
        if matches!(
            ch,
            '.' | '!' | '?' | ':' | '\n' | '•' | '«' | '"' | '(' | '-' | '–'
        ) {
            sentence_start = true;
        }
        if !ch.is_whitespace() {
            // punctuation between words breaks the noun phrase
            after_demonstrative = false;
        }
    }
    if !buf.is_empty() {
        let name_like = capital && !sentence_start;
        flush(
            &mut buf,
            nchars,
            name_like,
            &mut s,
            &mut after_demonstrative,
        );
    }
    s
}

/// Double definiteness: nb/nn *denne pakken, dette biblioteket*, da *denne pakke, dette bibliotek*.
/// Words ending in -e are skipped (adjectives: *denne nye*, and Danish nouns like *pakke*).
fn demonstrative_noun(word: &str, nchars: usize, s: &mut ScandiScores) {
    if nchars < 4 || LEX.contains_key(word) {
        return;
    }
    if word.ends_with("en") || word.ends_with("et") || word.ends_with("ene") || word.ends_with('a')
    {
        s.add(NB | NN, 1.0);
    } else if !word.ends_with('e') {
        s.add(DA, 1.5);
    }
}

/// Per-word evidence of a text (for debugging and documentation): `(word, [nb, nn, da, sv])`.
pub fn explain(text: &str) -> Vec<(String, [f32; 4])> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(|w| (w.to_string(), score_text(&w.to_lowercase()).score))
        .filter(|(_, s)| s.iter().any(|&x| x != 0.0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_is_well_formed_and_unique() {
        let mut seen = std::collections::HashSet::new();
        let mut lines = 0;
        for line in LEXICON.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            lines += 1;
            let (head, _) = line.split_once(':').expect("line has a colon");
            let mut h = head.split_whitespace();
            assert!(parse_langs(h.next().expect("langs")).is_some(), "{line}");
            assert!(h.next().expect("weight").parse::<f32>().is_ok(), "{line}");
        }
        assert!(lexicon_entries().len() > 300);
        assert!(lines > 10);
        for (_, _, w) in lexicon_entries() {
            assert!(seen.insert(w), "duplicate lexicon word {w}");
            assert_eq!(w, w.to_lowercase(), "lexicon words are lower-case: {w}");
        }
    }

    #[test]
    fn markers() {
        let s = score_text("Eg veit ikkje kva dei meiner om organisasjonane.");
        assert!(s.get(NN) > s.get(NB) && s.get(NN) > s.get(DA));
        let s = score_text("Jeg vet ikke hva de mener om organisasjonene.");
        assert!(s.get(NB) > s.get(NN) && s.get(NB) > s.get(DA));
        let s = score_text("Jeg ved ikke hvad de mener om organisationerne.");
        assert!(s.get(DA) > s.get(NB) && s.get(DA) > s.get(NN));
        let s = score_text("Jag vet inte vad de tycker om organisationerna.");
        assert!(s.get(SV) > s.get(NB) && s.get(SV) > s.get(DA));
    }

    #[test]
    fn odd_input() {
        for t in [
            "",
            " ",
            "123 456",
            "!!!",
            "\u{0}\u{FFFF}",
            "ǅǈǋ",
            &"ø".repeat(10_000),
        ] {
            let _ = score_text(t);
        }
    }
}
