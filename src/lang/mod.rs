//! TEMPORARY STUB — replaced by the real language detection module.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Lv,
    Nb,
    Nn,
    En,
    Ru,
    Lt,
    Et,
    Da,
    Sv,
    De,
    Fi,
    Pl,
    Fr,
    Es,
    It,
    Nl,
    Pt,
    Und,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[
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
        Lang::Fr,
        Lang::Es,
        Lang::It,
        Lang::Nl,
        Lang::Pt,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Lang::Lv => "lv",
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Lt => "lt",
            Lang::Et => "et",
            Lang::Da => "da",
            Lang::Sv => "sv",
            Lang::De => "de",
            Lang::Fi => "fi",
            Lang::Pl => "pl",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Nl => "nl",
            Lang::Pt => "pt",
            Lang::Und => "und",
        }
    }
    pub fn from_code(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let base = s.split(['-', '_']).next().unwrap_or("");
        if base == "no" {
            return Some(Lang::Nb);
        }
        if base == "und" {
            return Some(Lang::Und);
        }
        Lang::ALL.iter().copied().find(|l| l.code() == base)
    }
    pub fn name(self) -> &'static str {
        self.code()
    }
}
impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

pub struct Detection {
    pub lang: Lang,
    pub confidence: f64,
}
#[derive(Clone)]
pub struct Detector {
    enabled: Vec<Lang>,
}
pub struct DocumentLangs {
    pub lang: Lang,
    pub langs: Vec<Lang>,
    pub paragraphs: Vec<Lang>,
}
impl Detector {
    pub fn new(enabled: &[Lang]) -> Detector {
        Detector {
            enabled: enabled.to_vec(),
        }
    }
    pub fn detect(&self, text: &str) -> Option<Detection> {
        let wl: Vec<whatlang::Lang> = vec![
            whatlang::Lang::Lav,
            whatlang::Lang::Nob,
            whatlang::Lang::Eng,
            whatlang::Lang::Dan,
        ];
        let info = whatlang::Detector::with_allowlist(wl).detect(text)?;
        let lang = match info.lang() {
            whatlang::Lang::Lav => Lang::Lv,
            whatlang::Lang::Nob => Lang::Nb,
            whatlang::Lang::Dan => Lang::Da,
            _ => Lang::En,
        };
        let _ = &self.enabled;
        Some(Detection {
            lang,
            confidence: info.confidence(),
        })
    }
    pub fn detect_document(&self, paragraphs: &[&str], hint: Option<Lang>) -> DocumentLangs {
        let all = paragraphs.join("\n");
        let doc = hint
            .or_else(|| self.detect(&all).map(|d| d.lang))
            .unwrap_or(Lang::Und);
        let ps: Vec<Lang> = paragraphs
            .iter()
            .map(|p| {
                if p.len() < 40 {
                    doc
                } else {
                    self.detect(p)
                        .filter(|d| d.confidence > 0.5)
                        .map(|d| d.lang)
                        .unwrap_or(doc)
                }
            })
            .collect();
        let mut langs = vec![doc];
        for l in &ps {
            if !langs.contains(l) {
                langs.push(*l);
            }
        }
        DocumentLangs {
            lang: doc,
            langs,
            paragraphs: ps,
        }
    }
    pub fn detect_query(&self, _q: &str) -> Option<Lang> {
        None
    }
}
pub mod eval {
    pub struct LangidReport;
    impl std::fmt::Display for LangidReport {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stub")
        }
    }
    pub fn evaluate_langid(
        _p: &std::path::Path,
        _d: &super::Detector,
    ) -> std::io::Result<LangidReport> {
        Ok(LangidReport)
    }
}
