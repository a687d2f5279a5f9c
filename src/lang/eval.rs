//! Evaluation of language identification on a labelled sample file.
//!
//! Format (one sample a line, UTF-8): `lang<TAB>bucket<TAB>doc_id<TAB>text`, where `bucket` is the
//! approximate sample length in characters (20, 50, 100, 300, 1000, …). A header line starting with
//! `lang<TAB>` is skipped; malformed lines (too few fields, unknown language, non-numeric bucket,
//! empty text) are skipped and counted.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;
use std::path::Path;

use super::{Detector, Lang};

/// Counts of one (language, bucket) cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// Samples.
    pub n: usize,
    /// Correct answers of the detector under test.
    pub ours: usize,
    /// Correct answers of whatlang alone (same allowlist, same sample bound).
    pub whatlang: usize,
}

/// Result of [`evaluate_langid`].
#[derive(Clone, Debug, Default)]
pub struct LangidReport {
    /// Buckets present, ascending.
    pub buckets: Vec<u32>,
    /// Languages present, in [`Lang`] order.
    pub langs: Vec<Lang>,
    /// Per (language, bucket).
    pub cells: BTreeMap<(Lang, u32), Cell>,
    /// (true, detected) → count, for the detector under test (`Und` also stands for "no answer").
    pub confusion: BTreeMap<(Lang, Lang), usize>,
    /// Lines used.
    pub samples: usize,
    /// Malformed lines skipped.
    pub skipped: usize,
    /// Bytes of text detected.
    pub bytes: usize,
}

fn pct(a: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        100.0 * a as f64 / n as f64
    }
}

impl LangidReport {
    fn sum<F: Fn(&(Lang, u32)) -> bool>(&self, f: F) -> Cell {
        let mut c = Cell::default();
        for (k, v) in &self.cells {
            if f(k) {
                c.n += v.n;
                c.ours += v.ours;
                c.whatlang += v.whatlang;
            }
        }
        c
    }

    /// Accuracy in percent (ours, whatlang) of a language in a bucket (`None`: all buckets).
    pub fn accuracy(&self, lang: Lang, bucket: Option<u32>) -> (f64, f64) {
        let c = self.sum(|(l, b)| *l == lang && bucket.is_none_or(|x| x == *b));
        (pct(c.ours, c.n), pct(c.whatlang, c.n))
    }

    /// Micro accuracy (over samples) in percent (ours, whatlang) of a bucket (`None`: all).
    pub fn overall(&self, bucket: Option<u32>) -> (f64, f64) {
        let c = self.sum(|(_, b)| bucket.is_none_or(|x| x == *b));
        (pct(c.ours, c.n), pct(c.whatlang, c.n))
    }

    /// Macro accuracy (mean over languages) in percent (ours, whatlang) of a bucket (`None`: all).
    pub fn macro_avg(&self, bucket: Option<u32>) -> (f64, f64) {
        let mut o = 0.0;
        let mut w = 0.0;
        let mut k = 0usize;
        for &l in &self.langs {
            let c = self.sum(|(x, b)| *x == l && bucket.is_none_or(|y| y == *b));
            if c.n > 0 {
                o += pct(c.ours, c.n);
                w += pct(c.whatlang, c.n);
                k += 1;
            }
        }
        if k == 0 {
            (0.0, 0.0)
        } else {
            (o / k as f64, w / k as f64)
        }
    }
}

impl fmt::Display for LangidReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "language identification: {} samples, {} malformed lines skipped",
            self.samples, self.skipped
        )?;
        writeln!(
            f,
            "accuracy % — ngo-search / whatlang alone (same allowlist)"
        )?;
        write!(f, "{:<8}", "lang")?;
        for b in &self.buckets {
            write!(f, "{:>14}", format!("{b} ch"))?;
        }
        writeln!(f, "{:>14}", "all")?;
        let cell = |f: &mut fmt::Formatter<'_>, (o, w): (f64, f64)| {
            write!(f, "{:>14}", format!("{o:5.1} / {w:5.1}"))
        };
        for &l in &self.langs {
            write!(f, "{:<8}", l.code())?;
            for &b in &self.buckets {
                if self.cells.contains_key(&(l, b)) {
                    cell(f, self.accuracy(l, Some(b)))?;
                } else {
                    write!(f, "{:>14}", "-")?;
                }
            }
            cell(f, self.accuracy(l, None))?;
            writeln!(f)?;
        }
        write!(f, "{:<8}", "overall")?;
        for &b in &self.buckets {
            cell(f, self.overall(Some(b)))?;
        }
        cell(f, self.overall(None))?;
        writeln!(f)?;
        write!(f, "{:<8}", "macro")?;
        for &b in &self.buckets {
            cell(f, self.macro_avg(Some(b)))?;
        }
        cell(f, self.macro_avg(None))?;
        writeln!(f)?;
        let mut conf: Vec<(&(Lang, Lang), &usize)> =
            self.confusion.iter().filter(|((t, d), _)| t != d).collect();
        conf.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        if !conf.is_empty() {
            write!(f, "most frequent confusions (true→detected):")?;
            for ((t, d), n) in conf.into_iter().take(12) {
                write!(f, " {t}→{d} {n}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Evaluates `detector` (and whatlang alone with the same allowlist) on a langid sample file.
pub fn evaluate_langid(path: &Path, detector: &Detector) -> std::io::Result<LangidReport> {
    let file = std::fs::File::open(path)?;
    evaluate_langid_reader(std::io::BufReader::new(file), detector)
}

/// Like [`evaluate_langid`], from any reader.
pub fn evaluate_langid_reader<R: BufRead>(
    reader: R,
    detector: &Detector,
) -> std::io::Result<LangidReport> {
    let mut r = LangidReport::default();
    let mut buckets = std::collections::BTreeSet::new();
    let mut langs = std::collections::BTreeSet::new();
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line?;
        let Ok(line) = String::from_utf8(line) else {
            r.skipped += 1;
            continue;
        };
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.trim().is_empty() {
            continue;
        }
        if i == 0 && line.starts_with("lang\t") {
            continue;
        }
        let mut parts = line.splitn(4, '\t');
        let (Some(l), Some(b), Some(_id), Some(text)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            r.skipped += 1;
            continue;
        };
        let (Some(lang), Ok(bucket)) = (Lang::from_code(l), b.trim().parse::<u32>()) else {
            r.skipped += 1;
            continue;
        };
        if lang == Lang::Und || text.trim().is_empty() {
            r.skipped += 1;
            continue;
        }
        let ours = detector.detect(text).map(|d| d.lang).unwrap_or(Lang::Und);
        let wl = detector
            .detect_whatlang_only(text)
            .map(|d| d.lang)
            .unwrap_or(Lang::Und);
        let c = r.cells.entry((lang, bucket)).or_default();
        c.n += 1;
        c.ours += usize::from(ours == lang);
        c.whatlang += usize::from(wl == lang);
        *r.confusion.entry((lang, ours)).or_default() += 1;
        r.samples += 1;
        r.bytes += text.len();
        buckets.insert(bucket);
        langs.insert(lang);
    }
    r.buckets = buckets.into_iter().collect();
    r.langs = langs.into_iter().collect();
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts() {
        let data = "lang\tbucket\tdoc_id\ttext\n\
            en\t50\td1\tThe association meets every Tuesday evening in the library.\n\
            lv\t50\td2\tBiedrība tiekas katru otrdienu bibliotēkā.\n\
            broken line without tabs\n\
            xx\t50\td3\tunknown language\n\
            en\tfifty\td4\tbad bucket\n";
        let d = Detector::new(&[Lang::En, Lang::Lv, Lang::Nb]);
        let r = evaluate_langid_reader(data.as_bytes(), &d).expect("in-memory reader");
        assert_eq!(r.samples, 2);
        assert_eq!(r.skipped, 3);
        assert_eq!(r.overall(Some(50)).0, 100.0);
        let shown = r.to_string();
        assert!(
            shown.contains("overall") && shown.contains("macro"),
            "{shown}"
        );
    }
}
