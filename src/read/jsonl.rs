//! JSON Lines (`.jsonl`, `.ndjson`, and gzip-compressed): one document object per line, streamed
//! so a file of any size is read in bounded memory. A bad line is reported with its number and
//! the other lines are still read.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::{Map, Value};

use super::{problem, RawDocument, ReadEvent, ReadLimits, Severity};

/// Reads a JSONL file line by line.
pub fn read_jsonl(path: &Path, gz: bool, limits: ReadLimits, sink: &mut dyn FnMut(ReadEvent)) {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            sink(ReadEvent::Problem(problem(
                Severity::Error,
                path,
                None,
                format!("cannot open: {e}"),
            )));
            return;
        }
    };
    let inner: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(1 << 16, inner);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut any = false;
    loop {
        buf.clear();
        line_no += 1;
        // Bounded read: a "line" of gigabytes (a binary file named .jsonl) cannot exhaust memory.
        let n = match (&mut reader)
            .take(limits.max_file_bytes.saturating_add(1))
            .read_until(b'\n', &mut buf)
        {
            Ok(n) => n,
            Err(e) => {
                sink(ReadEvent::Problem(problem(
                    Severity::Error,
                    path,
                    Some(line_no),
                    format!("cannot read further (corrupt or truncated file?): {e}"),
                )));
                return;
            }
        };
        if n == 0 {
            break;
        }
        if buf.len() as u64 > limits.max_file_bytes {
            sink(ReadEvent::Problem(problem(
                Severity::Error,
                path,
                Some(line_no),
                format!(
                    "line longer than {:.1} MB (ingest.max_file_mb): skipped",
                    limits.max_file_bytes as f64 / 1e6
                ),
            )));
            // Skip the rest of the line without keeping it; the next lines are still read.
            if !buf.ends_with(b"\n") {
                if let Err(e) = skip_line(&mut reader) {
                    sink(ReadEvent::Problem(problem(
                        Severity::Error,
                        path,
                        Some(line_no),
                        format!("cannot read further (corrupt or truncated file?): {e}"),
                    )));
                    return;
                }
            }
            any = true;
            continue;
        }
        let line = match std::str::from_utf8(&buf) {
            Ok(s) => s.trim(),
            Err(e) => {
                sink(ReadEvent::Problem(problem(
                    Severity::Error,
                    path,
                    Some(line_no),
                    format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
                )));
                continue;
            }
        };
        if line.is_empty() {
            continue;
        }
        any = true;
        match serde_json::from_str::<Value>(line)
            .map_err(|e| format!("malformed JSON: {e}"))
            .and_then(parse_json_document)
        {
            Ok(mut doc) => {
                doc.source = Some(format!("{}:{line_no}", path.display()));
                sink(ReadEvent::Document(doc));
            }
            Err(message) => {
                let mut p = problem(Severity::Error, path, Some(line_no), message);
                p.id = serde_json::from_str::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").and_then(id_string));
                sink(ReadEvent::Problem(p));
            }
        }
    }
    if !any {
        sink(ReadEvent::Problem(problem(
            Severity::Skipped,
            path,
            None,
            "empty file",
        )));
    }
}

/// Consumes input up to and including the next newline, in bounded memory.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let avail = reader.fill_buf()?;
        if avail.is_empty() {
            return Ok(());
        }
        if let Some(i) = avail.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(());
        }
        let n = avail.len();
        reader.consume(n);
    }
}

fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One JSON object → a document: `id` and `text` required; `title`, `lang`, `url`, `date`, `org`
/// optional strings; every other key kept as metadata. Used by JSONL files and `POST /documents`.
pub fn parse_json_document(value: Value) -> Result<RawDocument, String> {
    let Value::Object(mut obj) = value else {
        return Err("expected a JSON object with \"id\" and \"text\"".into());
    };
    let id = match obj.remove("id") {
        None => return Err("missing field \"id\"".into()),
        Some(v) => id_string(&v).ok_or("field \"id\" must be a non-empty string or a number")?,
    };
    if id.len() > 1024 {
        return Err("field \"id\" is longer than 1024 bytes".into());
    }
    let text = match obj.remove("text") {
        None => return Err("missing field \"text\"".into()),
        Some(Value::String(s)) => s,
        Some(_) => return Err("field \"text\" must be a string".into()),
    };
    let mut take = |key: &str| -> Result<Option<String>, String> {
        match obj.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) if key == "date" => Ok(Some(n.to_string())),
            Some(_) => Err(format!("field \"{key}\" must be a string")),
        }
    };
    let title = take("title")?;
    let lang = take("lang")?;
    let url = take("url")?;
    let date = take("date")?;
    let org = take("org")?;
    Ok(RawDocument {
        id,
        title,
        text,
        lang,
        url,
        date,
        org,
        source: None,
        metadata: std::mem::take(&mut obj).into_iter().collect::<Map<_, _>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_and_optional_fields() {
        let d = parse_json_document(serde_json::json!({
            "id": 7, "text": "t", "lang": "lv", "collection": "x"
        }))
        .unwrap();
        assert_eq!(d.id, "7");
        assert_eq!(d.lang.as_deref(), Some("lv"));
        assert_eq!(d.metadata.get("collection"), Some(&Value::from("x")));
        let e = parse_json_document(serde_json::json!({"id": "a"})).unwrap_err();
        assert!(e.contains("\"text\""), "{e}");
        let e = parse_json_document(serde_json::json!({"id": "a", "text": "t", "title": 3}))
            .unwrap_err();
        assert!(e.contains("\"title\""), "{e}");
    }
}
