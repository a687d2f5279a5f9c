//! A seeded generator of a large multilingual corpus for benchmarks, and a "raw tantivy"
//! baseline (one text field, default tokenizer, no detection) to compare ngo-search against.
//!
//! Documents look like pages of civil-society sites: a title, a navigation line shared by the
//! site's pages, headings and paragraphs of sentences, mostly in the site's language with some
//! paragraphs in another one (often English), page-like sizes (log-normal, median ≈ 2.6 KB).
//! Words are real words of each language (lists in `benches/words/`, from Debian's hunspell
//! dictionaries, compiled in) drawn with Zipf–Mandelbrot frequencies, the language's stopwords
//! as the most frequent ones, plus compounds and codes so the vocabulary keeps growing with the
//! corpus as real text does.
//!
//! The same seed and document number always give the same document (each document has its own
//! random stream), whatever else is generated: a corpus of 100k is the first 100k of the 1M one.

pub mod baseline;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::lang::Lang;

/// Languages the generator writes, with their share of sites.
pub const LANGS: &[(Lang, f64)] = &[
    (Lang::Lv, 0.20),
    (Lang::En, 0.18),
    (Lang::Nb, 0.10),
    (Lang::Nn, 0.05),
    (Lang::Ru, 0.08),
    (Lang::Da, 0.06),
    (Lang::Sv, 0.06),
    (Lang::De, 0.07),
    (Lang::Lt, 0.06),
    (Lang::Et, 0.05),
    (Lang::Fi, 0.04),
    (Lang::Pl, 0.05),
];

const SITES: u64 = 600;

/// The compiled-in word lists (`benches/words/*.txt`).
fn builtin_words(lang: Lang) -> &'static str {
    match lang {
        Lang::Lv => include_str!("../../benches/words/lv.txt"),
        Lang::Nb => include_str!("../../benches/words/nb.txt"),
        Lang::Nn => include_str!("../../benches/words/nn.txt"),
        Lang::En => include_str!("../../benches/words/en.txt"),
        Lang::Da => include_str!("../../benches/words/da.txt"),
        Lang::Sv => include_str!("../../benches/words/sv.txt"),
        Lang::De => include_str!("../../benches/words/de.txt"),
        Lang::Ru => include_str!("../../benches/words/ru.txt"),
        Lang::Lt => include_str!("../../benches/words/lt.txt"),
        Lang::Et => include_str!("../../benches/words/et.txt"),
        Lang::Fi => include_str!("../../benches/words/fi.txt"),
        Lang::Pl => include_str!("../../benches/words/pl.txt"),
        _ => "",
    }
}

fn stopwords(lang: Lang) -> &'static str {
    match lang {
        Lang::Lv => include_str!("../analysis/stopwords/lv.txt"),
        Lang::Nb | Lang::Nn => include_str!("../analysis/stopwords/no.txt"),
        Lang::En => include_str!("../analysis/stopwords/en.txt"),
        Lang::Da => include_str!("../analysis/stopwords/da.txt"),
        Lang::Sv => include_str!("../analysis/stopwords/sv.txt"),
        Lang::De => include_str!("../analysis/stopwords/de.txt"),
        Lang::Ru => include_str!("../analysis/stopwords/ru.txt"),
        Lang::Lt => include_str!("../analysis/stopwords/lt.txt"),
        Lang::Et => include_str!("../analysis/stopwords/et.txt"),
        Lang::Fi => include_str!("../analysis/stopwords/fi.txt"),
        Lang::Pl => include_str!("../analysis/stopwords/pl.txt"),
        _ => "",
    }
}

/// SplitMix64: small, fast, and stable forever (the corpus must not change with a crate bump).
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// An independent stream for item `n` of stream `seed`.
    pub fn stream(seed: u64, n: u64) -> Rng {
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(n.wrapping_add(1)));
        r.next_u64();
        r
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in [lo, hi] (inclusive).
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.f64().max(1e-12);
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// One language's words, most frequent first, with cumulative Zipf–Mandelbrot weights.
pub struct LangVocab {
    pub lang: Lang,
    pub words: Vec<String>,
    cumulative: Vec<f64>,
    /// Index of the first non-stopword.
    pub content_from: usize,
}

impl LangVocab {
    fn new(lang: Lang, dictionary: &str) -> LangVocab {
        let mut words: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for w in stopwords(lang)
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            if seen.insert(w.to_string()) {
                words.push(w.to_string());
            }
        }
        let content_from = words.len();
        // Dictionary words in a seeded order that puts short words first, as frequency does.
        let mut rng = Rng::stream(0x005E_ED0F_u64, lang_index(lang) as u64);
        let mut content: Vec<(f64, &str)> = dictionary
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !seen.contains(*w))
            .map(|w| (w.chars().count() as f64 + 8.0 * rng.f64(), w))
            .collect();
        content.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        words.extend(content.into_iter().map(|(_, w)| w.to_string()));
        // Zipf–Mandelbrot, s = 1.0, q = 10: stopwords ≈ 45% of running words.
        let mut total = 0.0;
        let cumulative = (0..words.len())
            .map(|r| {
                total += 1.0 / (r as f64 + 10.0);
                total
            })
            .collect();
        LangVocab {
            lang,
            words,
            cumulative,
            content_from,
        }
    }

    /// A word drawn by frequency.
    pub fn word(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().unwrap_or(&1.0);
        let x = rng.f64() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        &self.words[i.min(self.words.len() - 1)]
    }

    /// A content word (no stopword) drawn by frequency: query words.
    pub fn content_word(&self, rng: &mut Rng) -> &str {
        loop {
            let total = *self.cumulative.last().unwrap_or(&1.0);
            let lo = self.cumulative[self.content_from.saturating_sub(1)];
            let x = lo + rng.f64() * (total - lo);
            let i = self.cumulative.partition_point(|&c| c <= x);
            if i >= self.content_from && i < self.words.len() {
                return &self.words[i];
            }
        }
    }
}

fn lang_index(lang: Lang) -> usize {
    LANGS.iter().position(|(l, _)| *l == lang).unwrap_or(0)
}

/// Every generated language's vocabulary.
pub struct Vocab {
    langs: Vec<LangVocab>,
}

impl Vocab {
    /// The compiled-in word lists.
    pub fn builtin() -> Vocab {
        Vocab {
            langs: LANGS
                .iter()
                .map(|(l, _)| LangVocab::new(*l, builtin_words(*l)))
                .collect(),
        }
    }

    /// Word lists from `dir/<code>.txt` (one word a line); missing files fall back to the
    /// compiled-in list.
    pub fn from_dir(dir: &Path) -> std::io::Result<Vocab> {
        let mut langs = Vec::new();
        for (l, _) in LANGS {
            let path = dir.join(format!("{}.txt", l.code()));
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin_words(*l).to_string(),
                Err(e) => return Err(e),
            };
            langs.push(LangVocab::new(*l, &text));
        }
        Ok(Vocab { langs })
    }

    pub fn lang(&self, lang: Lang) -> &LangVocab {
        &self.langs[lang_index(lang)]
    }
}

/// One generated document (JSONL: `id`, `title`, `text`, `url`, `date`, `org`, and the
/// generator's language as `label_lang`, deliberately not `lang`: ngo-search must detect it).
#[derive(Debug, Clone, Serialize)]
pub struct SynthDoc {
    pub id: String,
    pub title: String,
    pub text: String,
    pub url: String,
    pub date: String,
    pub org: String,
    pub label_lang: String,
}

/// The generator: a vocabulary and a seed.
pub struct Generator {
    vocab: Vocab,
    seed: u64,
}

struct Site {
    lang: Lang,
    org: String,
    nav: Option<String>,
    host: String,
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Generator {
    pub fn new(vocab: Vocab, seed: u64) -> Generator {
        Generator { vocab, seed }
    }

    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    fn pick_lang(rng: &mut Rng) -> Lang {
        let total: f64 = LANGS.iter().map(|(_, w)| w).sum();
        let mut x = rng.f64() * total;
        for (l, w) in LANGS {
            if x < *w {
                return *l;
            }
            x -= w;
        }
        LANGS[0].0
    }

    fn site(&self, n: u64) -> Site {
        let mut rng = Rng::stream(self.seed ^ 0x517E, n);
        let lang = Self::pick_lang(&mut rng);
        let v = self.vocab.lang(lang);
        let org = (0..rng.range(1, 3))
            .map(|_| capitalise(v.content_word(&mut rng)))
            .collect::<Vec<_>>()
            .join(" ");
        let nav = rng.chance(0.6).then(|| {
            (0..rng.range(4, 7))
                .map(|_| capitalise(v.content_word(&mut rng)))
                .collect::<Vec<_>>()
                .join(" | ")
        });
        let host = format!("site{n}.example.org");
        Site {
            lang,
            org,
            nav,
            host,
        }
    }

    /// A word of `lang`, sometimes a compound (Germanic and Finnic languages) or a code.
    fn word(&self, lang: Lang, rng: &mut Rng, out: &mut String) {
        let v = self.vocab.lang(lang);
        let r = rng.f64();
        if r < 0.003 {
            // Codes, numbers with letters, years: the long tail of real pages.
            out.push_str(&format!(
                "{}{}",
                rng.range(1, 2030),
                ["", "a", "b", "-k", "/2"][rng.range(0, 4)]
            ));
            return;
        }
        let compounding = matches!(
            lang,
            Lang::De | Lang::Nb | Lang::Nn | Lang::Da | Lang::Sv | Lang::Fi | Lang::Et
        );
        if compounding && r < 0.04 {
            let a = v.content_word(rng).to_lowercase();
            let b = v.content_word(rng).to_lowercase();
            out.push_str(&a);
            out.push_str(&b);
            return;
        }
        if lang != Lang::En && r < 0.05 {
            // English terms inside other languages' sentences.
            out.push_str(self.vocab.lang(Lang::En).content_word(rng));
            return;
        }
        out.push_str(v.word(rng));
    }

    fn sentence(&self, lang: Lang, rng: &mut Rng, out: &mut String) {
        let n = rng.range(4, 22);
        let start = out.len();
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            let at = out.len();
            self.word(lang, rng, out);
            if i == 0 {
                let cap = capitalise(&out[at..]);
                out.truncate(at);
                out.push_str(&cap);
            }
            if i + 1 < n && rng.chance(0.07) {
                out.push(',');
            }
        }
        if out.len() == start {
            return;
        }
        out.push(if rng.chance(0.92) { '.' } else { '?' });
    }

    fn heading(&self, lang: Lang, rng: &mut Rng, words: (usize, usize)) -> String {
        let v = self.vocab.lang(lang);
        let n = rng.range(words.0, words.1);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            let w = if i == 0 {
                v.content_word(rng)
            } else {
                v.word(rng)
            };
            if i == 0 {
                s.push_str(&capitalise(w));
            } else {
                s.push_str(w);
            }
        }
        s
    }

    /// Document number `n` (0-based).
    pub fn doc(&self, n: u64) -> SynthDoc {
        let mut rng = Rng::stream(self.seed, n);
        let site_n = rng.next_u64() % SITES;
        let site = self.site(site_n);
        let lang = if rng.chance(0.92) {
            site.lang
        } else {
            Self::pick_lang(&mut rng)
        };
        // A second language in about a third of the pages, English half of the time.
        let other = if rng.chance(0.3) {
            let o = if rng.chance(0.5) {
                Lang::En
            } else {
                Self::pick_lang(&mut rng)
            };
            (o != lang).then_some(o)
        } else {
            None
        };
        let target = (2600.0 * (0.75 * rng.normal()).exp()).clamp(150.0, 400_000.0) as usize;
        let title = self.heading(lang, &mut rng, (2, 9));
        let mut text = String::with_capacity(target + 512);
        if let Some(nav) = &site.nav {
            text.push_str(nav);
            text.push_str("\n\n");
        }
        text.push_str(&title);
        while text.len() < target {
            text.push_str("\n\n");
            let plang = match other {
                Some(o) if rng.chance(0.25) => o,
                _ => lang,
            };
            if rng.chance(0.15) {
                let h = self.heading(plang, &mut rng, (2, 7));
                text.push_str(&h);
                continue;
            }
            for s in 0..rng.range(1, 7) {
                if s > 0 {
                    text.push(' ');
                }
                self.sentence(plang, &mut rng, &mut text);
            }
        }
        let year = 2012 + rng.range(0, 13);
        let date = format!("{year}-{:02}-{:02}", rng.range(1, 12), rng.range(1, 28));
        SynthDoc {
            id: format!("s{n:07}"),
            url: format!("https://{}/{}/{n}", site.host, lang.code()),
            title,
            text,
            date,
            org: site.org,
            label_lang: lang.code().to_string(),
        }
    }

    /// Paragraphs of about `bytes` bytes in all, every one in `lang` (analysis benchmarks).
    pub fn paragraphs_in(&self, lang: Lang, bytes: usize, seed: u64) -> Vec<String> {
        let mut rng = Rng::stream(self.seed ^ seed, lang_index(lang) as u64);
        let mut out = Vec::new();
        let mut total = 0;
        while total < bytes {
            let mut p = String::new();
            for s in 0..rng.range(1, 7) {
                if s > 0 {
                    p.push(' ');
                }
                self.sentence(lang, &mut rng, &mut p);
            }
            total += p.len();
            out.push(p);
        }
        out
    }

    /// A query of `words` content words from document `n`'s first paragraph language: the kind
    /// of query that finds something.
    pub fn query(&self, n: u64, words: usize, phrase: bool) -> (String, Lang) {
        let doc = self.doc(n);
        let lang = Lang::from_code(&doc.label_lang).unwrap_or(Lang::En);
        let mut rng = Rng::stream(self.seed ^ 0x0AE7, n);
        let tokens: Vec<&str> = doc
            .text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if phrase && tokens.len() > words {
            let at = rng.range(0, tokens.len() - words);
            return (format!("\"{}\"", tokens[at..at + words].join(" ")), lang);
        }
        let v = self.vocab.lang(lang);
        let content: Vec<&str> = tokens
            .iter()
            .copied()
            .filter(|t| {
                let lower = t.to_lowercase();
                t.chars().count() > 3 && !v.words[..v.content_from].contains(&lower)
            })
            .collect();
        let mut out: Vec<&str> = Vec::new();
        for _ in 0..words {
            if content.is_empty() {
                break;
            }
            out.push(content[rng.range(0, content.len() - 1)]);
        }
        if out.is_empty() {
            out.push(v.content_word(&mut rng));
        }
        (out.join(" ").to_lowercase(), lang)
    }
}

/// What writing a corpus produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CorpusStats {
    pub docs: u64,
    /// Bytes of `text` (plus title), the figure MB/s is measured against.
    pub text_bytes: u64,
    /// Bytes written (compressed when the file is `.gz`).
    pub file_bytes: u64,
    pub seconds: f64,
}

/// Writes documents `0..docs` as JSONL (gzip when the path ends in `.gz`).
pub fn write_corpus(gen: &Generator, docs: u64, out: &Path) -> std::io::Result<CorpusStats> {
    let started = std::time::Instant::now();
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::File::create(out)?;
    let gz = out.extension().is_some_and(|e| e == "gz");
    let mut w: Box<dyn Write> = if gz {
        Box::new(flate2::write::GzEncoder::new(
            std::io::BufWriter::with_capacity(1 << 20, file),
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(std::io::BufWriter::with_capacity(1 << 20, file))
    };
    let mut stats = CorpusStats::default();
    // Generation runs on worker threads in chunks; the file is written in document order.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let chunk = 2000u64;
    let mut next = 0u64;
    while next < docs {
        let batch: Vec<(u64, u64)> = (0..threads as u64)
            .map(|t| next + t * chunk)
            .filter(|&s| s < docs)
            .map(|s| (s, (s + chunk).min(docs)))
            .collect();
        let outputs: Vec<(Vec<u8>, u64)> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|&(s, e)| {
                    scope.spawn(move || {
                        let mut buf = Vec::with_capacity(((e - s) * 4000) as usize);
                        let mut bytes = 0u64;
                        for n in s..e {
                            let d = gen.doc(n);
                            bytes += (d.text.len() + d.title.len()) as u64;
                            serde_json::to_writer(&mut buf, &d).expect("serialising a string map");
                            buf.push(b'\n');
                        }
                        (buf, bytes)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("generator thread"))
                .collect()
        });
        for (buf, bytes) in outputs {
            w.write_all(&buf)?;
            stats.text_bytes += bytes;
        }
        next = batch.last().map_or(docs, |b| b.1);
    }
    w.flush()?;
    drop(w);
    stats.docs = docs;
    stats.file_bytes = std::fs::metadata(out)?.len();
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// A generator from an optional word-list folder.
pub fn generator(seed: u64, words: Option<&PathBuf>) -> std::io::Result<Generator> {
    let vocab = match words {
        Some(dir) => Vocab::from_dir(dir)?,
        None => Vocab::builtin(),
    };
    Ok(Generator::new(vocab, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_document_and_sizes_are_page_like() {
        let a = Generator::new(Vocab::builtin(), 7);
        let b = Generator::new(Vocab::builtin(), 7);
        assert_eq!(a.doc(123).text, b.doc(123).text);
        assert_ne!(a.doc(123).text, a.doc(124).text);
        let sizes: Vec<usize> = (0..400).map(|n| a.doc(n).text.len()).collect();
        let mut sorted = sizes.clone();
        sorted.sort();
        let median = sorted[sorted.len() / 2];
        assert!((1500..5000).contains(&median), "median {median}");
        let langs: std::collections::HashSet<String> =
            (0..400).map(|n| a.doc(n).label_lang).collect();
        assert!(langs.len() >= 10, "{langs:?}");
    }

    #[test]
    fn vocabularies_are_real_and_zipfian() {
        let v = Vocab::builtin();
        for (l, _) in LANGS {
            assert!(v.lang(*l).words.len() > 2000, "{l}");
        }
        let lv = v.lang(Lang::Lv);
        let mut rng = Rng::new(1);
        let mut counts = std::collections::HashMap::new();
        for _ in 0..20_000 {
            *counts
                .entry(lv.word(&mut rng).to_string())
                .or_insert(0usize) += 1;
        }
        let stop: usize = lv.words[..lv.content_from]
            .iter()
            .map(|w| counts.get(w).copied().unwrap_or(0))
            .sum();
        let share = stop as f64 / 20_000.0;
        assert!((0.3..0.65).contains(&share), "stopword share {share}");
    }
}
