//! Format readers: bytes on disk → [`RawDocument`]s, or a reason that names the file (and line
//! or record). A reader never stops a batch: every problem is reported through the sink and the
//! caller goes on with the next file.

mod html;
mod jsonl;
mod office;
mod pdf;
mod text;
mod warc;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

pub use html::{nesting_depth, read_html_flat, read_html_str};
pub use jsonl::{parse_json_document, read_jsonl};
pub use office::{read_docx, read_odt};
pub use pdf::read_pdf;
pub use warc::read_warc;

/// A document as a format reader found it, before normalisation and language detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RawDocument {
    pub id: String,
    pub title: Option<String>,
    /// The text; paragraphs separated by blank lines, page breaks (PDF) by `\u{c}`.
    pub text: String,
    /// A declared language (JSON `lang`, `<html lang>`): a strong prior for detection.
    pub lang: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
    pub org: Option<String>,
    /// Where the document came from (a path, or "http" for documents posted to the service).
    pub source: Option<String>,
    /// Any other fields of the input, kept as they were.
    pub metadata: Map<String, Value>,
}

/// How bad a problem is: the document was not indexed (error, skipped) or was, with a caveat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input (file, line or record) could not be indexed.
    Error,
    /// The file is not something ngo-search reads (unknown type, binary, empty).
    Skipped,
    /// Indexed, but something was off (e.g. invalid UTF-8 replaced).
    Warning,
}

/// One problem with one input, precise enough to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Skipped => "skipped",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What a reader hands on: documents and problems, in input order.
pub enum ReadEvent {
    Document(RawDocument),
    Problem(Problem),
}

/// Limits that keep memory bounded whatever the input.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    pub max_file_bytes: u64,
}

/// One input file with the id it gets when it is a single document.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    /// The path relative to the folder given on the command line (the document id).
    pub rel: String,
    pub size: u64,
}

/// The formats ngo-search reads, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Jsonl,
    JsonlGz,
    Pdf,
    Docx,
    Odt,
    Warc,
    WarcGz,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let f = if name.ends_with(".warc.gz") {
            Format::WarcGz
        } else if name.ends_with(".warc") {
            Format::Warc
        } else if name.ends_with(".jsonl.gz") || name.ends_with(".ndjson.gz") {
            Format::JsonlGz
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            Format::Jsonl
        } else if name.ends_with(".pdf") {
            Format::Pdf
        } else if name.ends_with(".docx") {
            Format::Docx
        } else if name.ends_with(".odt") {
            Format::Odt
        } else if name.ends_with(".txt") {
            Format::Text
        } else if name.ends_with(".md") || name.ends_with(".markdown") {
            Format::Markdown
        } else if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml") {
            Format::Html
        } else {
            return None;
        };
        Some(f)
    }

    /// Streamed formats hold many documents and are read record by record, so the per-file
    /// size limit does not apply to them (each record is bounded instead).
    fn streamed(self) -> bool {
        matches!(
            self,
            Format::Jsonl | Format::JsonlGz | Format::Warc | Format::WarcGz
        )
    }
}

/// Expands files and folders (recursively, in sorted order so ids and runs are reproducible)
/// into input files. A path that does not exist is a problem, not a failure of the batch.
pub fn collect_inputs(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<InputFile> {
    let mut out = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                problems.push(problem(
                    Severity::Error,
                    root,
                    None,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if meta.is_file() {
            let rel = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| root.display().to_string());
            out.push(InputFile {
                path: root.clone(),
                rel,
                size: meta.len(),
            });
            continue;
        }
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let p = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    problems.push(problem(
                        Severity::Error,
                        &p,
                        None,
                        format!("cannot read: {e}"),
                    ));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path().to_path_buf();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(InputFile { path, rel, size });
        }
    }
    out
}

pub(crate) fn problem(
    severity: Severity,
    path: &Path,
    line: Option<u64>,
    message: impl Into<String>,
) -> Problem {
    Problem {
        severity,
        file: path.display().to_string(),
        line,
        id: None,
        message: message.into(),
    }
}

/// Reads one input file, handing every document and problem to `sink`.
pub fn read_file(input: &InputFile, limits: ReadLimits, sink: &mut dyn FnMut(ReadEvent)) {
    let path = &input.path;
    let Some(format) = Format::of(path) else {
        let ext = path
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_else(|| "no extension".into());
        sink(ReadEvent::Problem(problem(
            Severity::Skipped,
            path,
            None,
            format!(
                "unsupported file type ({ext}); ngo-search reads .txt .md .html .htm .jsonl .ndjson (and .gz) .pdf .docx .odt .warc .warc.gz"
            ),
        )));
        return;
    };
    if !format.streamed() && input.size > limits.max_file_bytes {
        sink(ReadEvent::Problem(problem(
            Severity::Error,
            path,
            None,
            format!(
                "file is {:.1} MB, over the limit of {:.1} MB (ingest.max_file_mb)",
                input.size as f64 / 1e6,
                limits.max_file_bytes as f64 / 1e6
            ),
        )));
        return;
    }
    match format {
        Format::Jsonl | Format::JsonlGz => {
            read_jsonl(path, format == Format::JsonlGz, limits, sink)
        }
        Format::Pdf => read_pdf(input, limits, sink),
        Format::Docx => read_docx(input, limits, sink),
        Format::Odt => read_odt(input, limits, sink),
        Format::Warc | Format::WarcGz => read_warc(input, limits, sink),
        Format::Text | Format::Markdown | Format::Html => {
            let bytes = match read_bounded(path, limits.max_file_bytes) {
                Ok(b) => b,
                Err(message) => {
                    sink(ReadEvent::Problem(problem(
                        Severity::Error,
                        path,
                        None,
                        message,
                    )));
                    return;
                }
            };
            let text = match decode_text(path, &bytes, sink) {
                Some(t) => t,
                None => return,
            };
            let mut doc = if format == Format::Html {
                let depth = html::nesting_depth(&text);
                if depth > html::MAX_NESTING {
                    sink(ReadEvent::Problem(problem(
                        Severity::Warning,
                        path,
                        None,
                        format!(
                            "HTML nested {depth} levels deep (over {}): read as flat text, without the HTML parser",
                            html::MAX_NESTING
                        ),
                    )));
                }
                read_html_str(&text)
            } else {
                text::read_plain(&text, format == Format::Markdown)
            };
            doc.id = input.rel.clone();
            doc.source = Some(path.display().to_string());
            if doc.text.trim().is_empty() {
                sink(ReadEvent::Problem(problem(
                    Severity::Skipped,
                    path,
                    None,
                    "no text in the file",
                )));
                return;
            }
            sink(ReadEvent::Document(doc));
        }
    }
}

/// Reads a file but never more than `max` bytes (a file may grow between stat and read).
fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut buf = Vec::new();
    f.take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read: {e}"))?;
    if buf.len() as u64 > max {
        return Err(format!(
            "file is over the limit of {:.1} MB (ingest.max_file_mb)",
            max as f64 / 1e6
        ));
    }
    Ok(buf)
}

/// Bytes → text. Empty and binary files are skipped with a reason; invalid UTF-8 is decoded
/// lossily (U+FFFD) with a warning, because a scraped page with one bad byte is still worth
/// finding — the warning says where the first bad byte is.
fn decode_text(path: &Path, bytes: &[u8], sink: &mut dyn FnMut(ReadEvent)) -> Option<String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        sink(ReadEvent::Problem(problem(
            Severity::Skipped,
            path,
            None,
            "empty file",
        )));
        return None;
    }
    if looks_binary(bytes) {
        sink(ReadEvent::Problem(problem(
            Severity::Skipped,
            path,
            None,
            "binary file (NUL bytes or mostly control characters): not text",
        )));
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_string()),
        Err(e) => {
            sink(ReadEvent::Problem(problem(
                Severity::Warning,
                path,
                None,
                format!(
                    "invalid UTF-8 at byte {}: bad bytes replaced with U+FFFD",
                    e.valid_up_to()
                ),
            )));
            Some(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// A NUL byte, or many control characters, in the first 8 KiB.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 10 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::of(Path::new("a/b.JSONL.gz")), Some(Format::JsonlGz));
        assert_eq!(Format::of(Path::new("x.htm")), Some(Format::Html));
        assert_eq!(Format::of(Path::new("x.exe")), None);
    }

    #[test]
    fn binary_is_detected() {
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary("Sabiedrība\n".as_bytes()));
    }
}
