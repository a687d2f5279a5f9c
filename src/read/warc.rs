//! Web archives (ISO 28500 WARC 1.0/1.1, plain or gzip-compressed as wget, Heritrix and
//! browsertrix write them): every HTML page captured with a 2xx status becomes a document with
//! the record's target URI as id and `url`, the capture date (`WARC-Date`) as `date` and the
//! page's `<html lang>` as a language hint. Other records (requests, metadata, images, redirects,
//! errors) are skipped and counted in one summary per file.
//!
//! The file is streamed record by record (a `.warc.gz` is a series of gzip members, read as one
//! stream), so memory is bounded by the largest record kept (at most `max_file_bytes`); other
//! records are skipped without being held. A record whose `Content-Length` is wrong is reported
//! with its number, and reading resumes at the next `WARC/1.x` header line.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::{problem, read_html_str, InputFile, ReadEvent, ReadLimits, Severity};

/// Longest header line, and most header bytes, of a WARC record or an HTTP response.
const MAX_LINE: u64 = 64 << 10;
const MAX_HEADER_BYTES: usize = 1 << 20;

/// Reads a WARC file (plain or gzip, found by its first bytes).
pub fn read_warc(input: &InputFile, limits: ReadLimits, sink: &mut dyn FnMut(ReadEvent)) {
    let path = &input.path;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => BufReader::with_capacity(1 << 16, f),
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
    let gz = matches!(file.fill_buf(), Ok(b) if b.starts_with(&[0x1f, 0x8b]));
    let inner: Box<dyn BufRead> = if gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(file)
    };
    read_warc_stream(inner, path, limits, sink);
}

/// A reader that can be given bytes back (to resume inside a block after a bad length).
struct Stream<R> {
    back: Vec<u8>,
    pos: usize,
    inner: R,
}

impl<R: BufRead> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Stream<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos < self.back.len() {
            return Ok(&self.back[self.pos..]);
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        if self.pos < self.back.len() {
            self.pos += n;
            if self.pos >= self.back.len() {
                self.back.clear();
                self.pos = 0;
            }
        } else {
            self.inner.consume(n);
        }
    }
}

impl<R: BufRead> Stream<R> {
    fn unread(&mut self, bytes: &[u8]) {
        let mut v = bytes.to_vec();
        v.extend_from_slice(&self.back[self.pos..]);
        self.back = v;
        self.pos = 0;
    }

    /// One line (with its `\n`), at most [`MAX_LINE`] bytes; `Ok(None)` at the end.
    fn line(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<()>> {
        buf.clear();
        let n = (&mut *self).take(MAX_LINE).read_until(b'\n', buf)?;
        Ok((n > 0).then_some(()))
    }

    /// Skips `n` bytes; returns how many there were.
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        io::copy(&mut (&mut *self).take(n), &mut io::sink())
    }
}

/// Why a record was not indexed, for the per-file summary.
#[derive(Default)]
struct Skips(HashMap<String, usize>);

impl Skips {
    fn add(&mut self, why: impl Into<String>) {
        *self.0.entry(why.into()).or_default() += 1;
    }
    fn total(&self) -> usize {
        self.0.values().sum()
    }
    fn summary(&self) -> String {
        let mut v: Vec<(&String, &usize)> = self.0.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let parts: Vec<String> = v.iter().take(8).map(|(k, n)| format!("{n} {k}")).collect();
        let more = if v.len() > 8 { ", …" } else { "" };
        format!(
            "skipped {} non-HTML or non-page record(s): {}{more}",
            self.total(),
            parts.join(", ")
        )
    }
}

fn read_warc_stream(
    inner: impl BufRead,
    path: &Path,
    limits: ReadLimits,
    sink: &mut dyn FnMut(ReadEvent),
) {
    let mut s = Stream {
        back: Vec::new(),
        pos: 0,
        inner,
    };
    let mut record = 0u64;
    let mut skips = Skips::default();
    let mut docs = 0usize;
    let mut line = Vec::new();
    let err = |sink: &mut dyn FnMut(ReadEvent), rec: Option<u64>, msg: String| {
        sink(ReadEvent::Problem(problem(Severity::Error, path, rec, msg)));
    };
    let io_err = |e: io::Error| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            "truncated file: it ends inside a record".to_string()
        } else {
            format!("cannot read further (corrupt or truncated file?): {e}")
        }
    };
    loop {
        // The version line, after any blank lines.
        let version = loop {
            match s.line(&mut line) {
                Ok(None) => break None,
                Ok(Some(())) if line.iter().all(|b| b.is_ascii_whitespace()) => continue,
                Ok(Some(())) => break Some(String::from_utf8_lossy(&line).trim().to_string()),
                Err(e) => {
                    err(sink, Some(record + 1), io_err(e));
                    break None;
                }
            }
        };
        let Some(version) = version else { break };
        record += 1;
        if !version.starts_with("WARC/") {
            if record == 1 {
                err(
                    sink,
                    None,
                    "not a WARC file (it does not start with a WARC/1.x header line)".into(),
                );
                return;
            }
            err(
                sink,
                Some(record),
                format!(
                    "expected a WARC/1.x header line, found {:?}: skipped to the next record",
                    clip(&version)
                ),
            );
            match resync(&mut s, &mut line) {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    err(sink, Some(record), io_err(e));
                    break;
                }
            }
        }
        // Header fields.
        let headers = match header_block(&mut s, &mut line) {
            Ok(h) => h,
            Err(e) => {
                err(
                    sink,
                    Some(record),
                    if e.starts_with("truncated") {
                        e
                    } else {
                        format!("bad WARC header: {e}")
                    },
                );
                match resync(&mut s, &mut line) {
                    Ok(true) => continue,
                    _ => break,
                }
            }
        };
        let h = |k: &str| headers.get(k).map(String::as_str);
        let uri = h("warc-target-uri").map(|u| u.trim_matches(['<', '>']).to_string());
        let name = |rec: u64| match &uri {
            Some(u) => format!("record {rec} ({})", clip(u)),
            None => format!("record {rec}"),
        };
        let Some(len) = h("content-length").and_then(|v| v.trim().parse::<u64>().ok()) else {
            err(
                sink,
                Some(record),
                format!(
                    "{}: missing or invalid Content-Length: skipped",
                    name(record)
                ),
            );
            match resync(&mut s, &mut line) {
                Ok(true) => continue,
                _ => break,
            }
        };
        let wtype = h("warc-type").unwrap_or("unknown").to_ascii_lowercase();
        let ctype = h("content-type").unwrap_or("").to_ascii_lowercase();
        let candidate = match wtype.as_str() {
            "response" => {
                ctype.starts_with("application/http") && !ctype.contains("msgtype=request")
            }
            "resource" => is_html_type(&ctype),
            _ => false,
        };
        if !candidate || len > limits.max_file_bytes {
            if candidate {
                err(
                    sink,
                    Some(record),
                    format!(
                        "{}: record is {:.1} MB, over the limit of {:.1} MB (ingest.max_file_mb): skipped",
                        name(record),
                        len as f64 / 1e6,
                        limits.max_file_bytes as f64 / 1e6
                    ),
                );
            } else if wtype == "resource" {
                skips.add(format!("resource {}", mime(&ctype)));
            } else {
                skips.add(wtype.clone());
            }
            match s.skip(len) {
                Ok(n) if n == len => {}
                Ok(n) => {
                    err(
                        sink,
                        Some(record),
                        format!(
                            "{}: truncated: Content-Length is {len} but only {n} bytes follow",
                            name(record)
                        ),
                    );
                    break;
                }
                Err(e) => {
                    err(sink, Some(record), io_err(e));
                    break;
                }
            }
            match end_of_record(&mut s, &[]) {
                Ok(End::Ok) => continue,
                Ok(End::Bad) => {
                    err(sink, Some(record), format!("{}: bad Content-Length ({len}): the record does not end there; skipped to the next record", name(record)));
                    match resync(&mut s, &mut line) {
                        Ok(true) => continue,
                        _ => break,
                    }
                }
                Err(e) => {
                    err(sink, Some(record), io_err(e));
                    break;
                }
            }
        }
        // A candidate page: read the block.
        let mut block = Vec::with_capacity(len.min(1 << 24) as usize);
        match (&mut s).take(len).read_to_end(&mut block) {
            Ok(_) if block.len() as u64 == len => {}
            Ok(_) => {
                err(
                    sink,
                    Some(record),
                    format!(
                        "{}: truncated: Content-Length is {len} but only {} bytes follow",
                        name(record),
                        block.len()
                    ),
                );
                break;
            }
            Err(e) => {
                err(sink, Some(record), io_err(e));
                break;
            }
        }
        match end_of_record(&mut s, &block) {
            Ok(End::Ok) => {}
            Ok(End::Bad) => {
                err(sink, Some(record), format!("{}: bad Content-Length ({len}): the record does not end there; skipped to the next record", name(record)));
                match resync(&mut s, &mut line) {
                    Ok(true) => continue,
                    _ => break,
                }
            }
            Err(e) => {
                err(sink, Some(record), io_err(e));
                break;
            }
        }
        let Some(uri) = uri.clone().filter(|u| !u.is_empty()) else {
            err(
                sink,
                Some(record),
                format!("{}: no WARC-Target-URI: skipped", name(record)),
            );
            continue;
        };
        let (status, http_headers, body) = if wtype == "response" {
            match parse_http(&block) {
                Ok(x) => x,
                Err(e) => {
                    err(
                        sink,
                        Some(record),
                        format!("{}: bad HTTP response: {e}", name(record)),
                    );
                    continue;
                }
            }
        } else {
            (
                200,
                HashMap::from([("content-type".to_string(), ctype.clone())]),
                &block[..],
            )
        };
        if !(200..300).contains(&status) {
            skips.add(format!("HTTP {status}"));
            continue;
        }
        let page_type = http_headers
            .get("content-type")
            .map(|c| c.to_ascii_lowercase());
        let html = match &page_type {
            Some(t) if !t.trim().is_empty() => is_html_type(t),
            _ => sniff_html(body),
        };
        if !html {
            skips.add(format!(
                "response {}",
                mime(page_type.as_deref().unwrap_or("unknown"))
            ));
            continue;
        }
        let body = match decode_body(body, &http_headers, limits.max_file_bytes) {
            Ok(b) => b,
            Err(e) => {
                err(sink, Some(record), format!("{}: {e}", name(record)));
                continue;
            }
        };
        let text = decode_text(&body, page_type.as_deref());
        let mut doc = read_html_str(&text);
        if doc.text.trim().is_empty() {
            skips.add("empty page");
            continue;
        }
        doc.id = uri.clone();
        doc.url = Some(uri);
        doc.date = h("warc-date")
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        doc.source = Some(format!("{}:{record}", path.display()));
        docs += 1;
        sink(ReadEvent::Document(doc));
    }
    if skips.total() > 0 {
        sink(ReadEvent::Problem(problem(
            Severity::Skipped,
            path,
            None,
            skips.summary(),
        )));
    }
    if record == 0 {
        sink(ReadEvent::Problem(problem(
            Severity::Skipped,
            path,
            None,
            "empty file",
        )));
    } else if docs == 0 && skips.total() == 0 {
        // Every record was an error, already reported.
    }
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn mime(ctype: &str) -> String {
    let m = ctype.split(';').next().unwrap_or("").trim();
    if m.is_empty() {
        "unknown".into()
    } else {
        m.to_string()
    }
}

fn is_html_type(ctype: &str) -> bool {
    let m = mime(&ctype.to_ascii_lowercase());
    m == "text/html" || m == "application/xhtml+xml"
}

fn sniff_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<!doctype html") || t.starts_with("<html") || t.starts_with("<head")
}

/// Header fields until the blank line, names lower-cased; continuation lines folded.
fn header_block<R: BufRead>(
    s: &mut Stream<R>,
    line: &mut Vec<u8>,
) -> Result<HashMap<String, String>, String> {
    let mut headers: HashMap<String, String> = HashMap::new();
    let mut total = 0usize;
    let mut last: Option<String> = None;
    loop {
        match s.line(line) {
            Ok(Some(())) => {}
            Ok(None) => return Err("truncated file: it ends inside the header".into()),
            Err(e) => return Err(e.to_string()),
        }
        total += line.len();
        if total > MAX_HEADER_BYTES {
            return Err("header over 1 MB".into());
        }
        if !line.ends_with(b"\n") {
            return Err(if (line.len() as u64) < MAX_LINE {
                "truncated file: it ends inside the header".into()
            } else {
                "header line over 64 KB".into()
            });
        }
        let l = String::from_utf8_lossy(line);
        let l = l.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            return Ok(headers);
        }
        if l.starts_with([' ', '\t']) {
            if let Some(k) = &last {
                if let Some(v) = headers.get_mut(k) {
                    v.push(' ');
                    v.push_str(l.trim());
                }
            }
            continue;
        }
        let Some((k, v)) = l.split_once(':') else {
            return Err(format!("not a header field: {:?}", clip(l)));
        };
        let k = k.trim().to_ascii_lowercase();
        headers
            .entry(k.clone())
            .or_insert_with(|| v.trim().to_string());
        last = Some(k);
    }
}

enum End {
    Ok,
    Bad,
}

/// After a block come two CRLFs (tolerated: LFs, or the end of the file). If something else
/// comes, the length was wrong: the bytes read are given back, and if the block itself holds the
/// start of the next record (length too long), reading resumes there.
fn end_of_record<R: BufRead>(s: &mut Stream<R>, block: &[u8]) -> io::Result<End> {
    let mut tail = [0u8; 4];
    let mut n = 0;
    while n < 4 {
        let k = s.read(&mut tail[n..])?;
        if k == 0 {
            break;
        }
        n += k;
        if !tail[..n].iter().all(|b| matches!(b, b'\r' | b'\n')) {
            break;
        }
        if tail[..n].iter().filter(|&&b| b == b'\n').count() >= 2 {
            break;
        }
    }
    let tail = &tail[..n];
    let newlines = tail.iter().filter(|&&b| b == b'\n').count();
    if tail.iter().all(|b| matches!(b, b'\r' | b'\n'))
        && (newlines >= 2 || n == 0 || n < 4 && newlines == n)
    {
        // Whitespace after the record (or the end of the file): fine; anything after two
        // newlines is left for the next record.
        return Ok(End::Ok);
    }
    // Give back what was read, and the part of the block from the next record on, if any.
    let mut back = Vec::new();
    if let Some(at) = find_record_start(block) {
        back.extend_from_slice(&block[at..]);
    }
    back.extend_from_slice(tail);
    s.unread(&back);
    Ok(End::Bad)
}

/// Offset of a `WARC/1.` line start inside a block (after a newline), if any.
fn find_record_start(block: &[u8]) -> Option<usize> {
    let pat = b"\nWARC/1.";
    block
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| p + 1)
}

/// Skips forward to the next line that starts with `WARC/1.`, leaving it unread.
fn resync<R: BufRead>(s: &mut Stream<R>, line: &mut Vec<u8>) -> io::Result<bool> {
    loop {
        // Check the pending line start without consuming it.
        let buf = s.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        if buf.starts_with(b"WARC/1.") {
            return Ok(true);
        }
        if s.line(line)?.is_none() {
            return Ok(false);
        }
        // Mid-line bytes after a long line: keep going line by line.
    }
}

/// Status, header fields (lower-cased names) and the raw body of an HTTP response block.
/// An HTTP response: status, header fields, body.
type Http<'a> = (u16, HashMap<String, String>, &'a [u8]);

fn parse_http(block: &[u8]) -> Result<Http<'_>, String> {
    let end = block
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            block
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        })
        .ok_or("no end of the HTTP header")?;
    if end.0 > MAX_HEADER_BYTES {
        return Err("HTTP header over 1 MB".into());
    }
    let head = String::from_utf8_lossy(&block[..end.0]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    if !status_line.starts_with("HTTP/") {
        return Err(format!("status line {:?}", clip(status_line)));
    }
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("status line {:?}", clip(status_line)))?;
    let mut headers = HashMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            headers
                .entry(k.trim().to_ascii_lowercase())
                .or_insert_with(|| v.trim().to_string());
        }
    }
    Ok((status, headers, &block[end.1..]))
}

/// Undoes chunked transfer coding and gzip/deflate content coding (bounded).
fn decode_body(
    body: &[u8],
    headers: &HashMap<String, String>,
    max: u64,
) -> Result<Vec<u8>, String> {
    let mut data: Vec<u8> = if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
    {
        dechunk(body).unwrap_or_else(|| body.to_vec())
    } else {
        body.to_vec()
    };
    let coding = headers
        .get("content-encoding")
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let inflate = |r: &mut dyn Read| -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        r.take(max.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| format!("cannot decompress the page ({coding}): {e}"))?;
        if out.len() as u64 > max {
            return Err("page decompresses to over ingest.max_file_mb: skipped".into());
        }
        Ok(out)
    };
    match coding.as_str() {
        "" | "identity" | "none" => {}
        // Some archivers store the decoded payload but keep the header: try, else keep as is.
        "gzip" | "x-gzip" if data.starts_with(&[0x1f, 0x8b]) => {
            data = inflate(&mut flate2::read::MultiGzDecoder::new(&data[..]))?;
        }
        "deflate" if !sniff_html(&data) => {
            let zlib = inflate(&mut flate2::read::ZlibDecoder::new(&data[..]));
            data = match zlib {
                Ok(d) => d,
                Err(_) => inflate(&mut flate2::read::DeflateDecoder::new(&data[..]))?,
            };
        }
        "gzip" | "x-gzip" | "deflate" => {}
        other if !sniff_html(&data) => {
            return Err(format!(
                "content encoding {other:?} is not supported: skipped"
            ));
        }
        _ => {}
    }
    Ok(data)
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let nl = body.iter().position(|&b| b == b'\n')?;
        let size_line = std::str::from_utf8(&body[..nl]).ok()?.trim();
        let size_hex = size_line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_hex, 16).ok()?;
        body = &body[nl + 1..];
        if size == 0 {
            return Some(out);
        }
        if body.len() < size {
            out.extend_from_slice(body);
            return Some(out);
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .or_else(|| body.strip_prefix(b"\n"))
            .unwrap_or(body);
    }
}

/// Bytes of a page → text: the BOM, the HTTP charset, a `<meta>` charset, UTF-8 if valid,
/// else windows-1252.
fn decode_text(body: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(body) {
        return enc
            .decode_without_bom_handling(&body[bom_len..])
            .0
            .into_owned();
    }
    let label = content_type
        .and_then(charset_param)
        .or_else(|| meta_charset(&body[..body.len().min(4096)]));
    if let Some(enc) = label.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())) {
        // A page that says UTF-16 in a meta tag but is ASCII-compatible is not UTF-16.
        let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else {
            enc
        };
        return enc.decode_without_bom_handling(body).0.into_owned();
    }
    match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(body)
            .0
            .into_owned(),
    }
}

fn charset_param(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

fn meta_charset(head: &[u8]) -> Option<String> {
    let h = String::from_utf8_lossy(head).to_ascii_lowercase();
    let i = h.find("charset=")?;
    let rest = &h[i + 8..];
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| rest[..end].to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::read::RawDocument;
    use std::io::Write;

    /// A WARC record (CRLF line ends, as written by wget).
    pub fn record(kind: &str, uri: &str, date: &str, ctype: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\nWARC-Record-ID: <urn:uuid:{:08}>\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
            uri.len(),
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    pub fn http_page(lang: &str, title: &str, body: &str) -> Vec<u8> {
        let html = format!(
            "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><p>{body}</p></body></html>"
        );
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
            html.len()
        )
        .into_bytes()
    }

    /// warcinfo, three pages (lv, nb, en) each with its request, an image and a 404.
    pub fn three_page_warc() -> Vec<u8> {
        let mut w = record(
            "warcinfo",
            "",
            "2024-03-05T10:00:00Z",
            "application/warc-fields",
            b"software: test\r\n",
        );
        let pages = [
            (
                "http://example.org/lv",
                "2024-03-05T10:00:01Z",
                "lv",
                "Par mums",
                "Biedrība atbalsta brīvprātīgos visā Latvijā.",
            ),
            (
                "http://example.org/nb",
                "2024-03-05T10:00:02Z",
                "nb",
                "Om oss",
                "Foreningen støtter frivillige organisasjoner i hele Norge.",
            ),
            (
                "http://example.org/en",
                "2024-03-05T10:00:03Z",
                "en",
                "About us",
                "The association supports volunteers across Europe.",
            ),
        ];
        for (uri, date, lang, title, body) in pages {
            w.extend(record(
                "request",
                uri,
                date,
                "application/http; msgtype=request",
                b"GET / HTTP/1.1\r\n\r\n",
            ));
            w.extend(record(
                "response",
                uri,
                date,
                "application/http; msgtype=response",
                &http_page(lang, title, body),
            ));
        }
        w.extend(record(
            "response",
            "http://example.org/logo.png",
            "2024-03-05T10:00:04Z",
            "application/http; msgtype=response",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n",
        ));
        w.extend(record(
            "response",
            "http://example.org/missing",
            "2024-03-05T10:00:05Z",
            "application/http; msgtype=response",
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html><body>Not found</body></html>",
        ));
        w.extend(record(
            "metadata",
            "http://example.org/lv",
            "2024-03-05T10:00:06Z",
            "application/warc-fields",
            b"outlink: x\r\n",
        ));
        w
    }

    fn gzip_members(records: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for r in records {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(r).unwrap();
            out.extend(e.finish().unwrap());
        }
        out
    }

    fn run(bytes: &[u8]) -> (Vec<RawDocument>, Vec<crate::read::Problem>) {
        let dir = tempfile::tempdir().unwrap();
        let gz = bytes.starts_with(&[0x1f, 0x8b]);
        let path = dir.path().join(if gz { "a.warc.gz" } else { "a.warc" });
        std::fs::write(&path, bytes).unwrap();
        let input = InputFile {
            path: path.clone(),
            rel: "a.warc".into(),
            size: bytes.len() as u64,
        };
        let mut docs = Vec::new();
        let mut problems = Vec::new();
        read_warc(
            &input,
            ReadLimits {
                max_file_bytes: 1 << 20,
            },
            &mut |e| match e {
                ReadEvent::Document(d) => docs.push(d),
                ReadEvent::Problem(p) => problems.push(p),
            },
        );
        (docs, problems)
    }

    #[test]
    fn three_pages_with_urls_dates_and_languages() {
        let (docs, problems) = run(&three_page_warc());
        let got: Vec<(&str, &str, &str, &str)> = docs
            .iter()
            .map(|d| {
                (
                    d.id.as_str(),
                    d.url.as_deref().unwrap(),
                    d.date.as_deref().unwrap(),
                    d.lang.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "http://example.org/lv",
                    "http://example.org/lv",
                    "2024-03-05T10:00:01Z",
                    "lv"
                ),
                (
                    "http://example.org/nb",
                    "http://example.org/nb",
                    "2024-03-05T10:00:02Z",
                    "nb"
                ),
                (
                    "http://example.org/en",
                    "http://example.org/en",
                    "2024-03-05T10:00:03Z",
                    "en"
                ),
            ]
        );
        assert_eq!(docs[1].title.as_deref(), Some("Om oss"));
        assert!(docs[0].text.contains("brīvprātīgos"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, Severity::Skipped);
        assert_eq!(
            problems[0].message,
            "skipped 7 non-HTML or non-page record(s): 3 request, 1 HTTP 404, 1 metadata, 1 response image/png, 1 warcinfo"
        );
    }

    #[test]
    fn gzip_members_one_per_record() {
        let plain = three_page_warc();
        // Split at record starts and compress each on its own, as wget does.
        let mut starts: Vec<usize> = plain
            .windows(8)
            .enumerate()
            .filter(|(_, w)| *w == b"WARC/1.0")
            .map(|(i, _)| i)
            .collect();
        starts.push(plain.len());
        let recs: Vec<Vec<u8>> = starts
            .windows(2)
            .map(|w| plain[w[0]..w[1]].to_vec())
            .collect();
        let (docs, _) = run(&gzip_members(&recs));
        assert_eq!(docs.len(), 3);
    }

    #[test]
    fn bad_content_length_is_reported_and_the_rest_read() {
        let page = http_page("lv", "Viens", "Pirmā lapa.");
        let mut bad = record(
            "response",
            "http://example.org/bad",
            "2024-03-05T10:00:00Z",
            "application/http; msgtype=response",
            &page,
        );
        // Too short by 10 bytes.
        let s = String::from_utf8(bad.clone()).unwrap();
        let fixed = s.replace(
            &format!("Content-Length: {}", page.len()),
            &format!("Content-Length: {}", page.len() - 10),
        );
        bad = fixed.into_bytes();
        let good = record(
            "response",
            "http://example.org/good",
            "2024-03-05T10:00:01Z",
            "application/http; msgtype=response",
            &http_page("lv", "Divi", "Otrā lapa."),
        );
        // Too long: swallows the start of the next record.
        let long = String::from_utf8(record(
            "response",
            "http://example.org/long",
            "2024-03-05T10:00:02Z",
            "application/http; msgtype=response",
            &page,
        ))
        .unwrap()
        .replace(
            &format!("Content-Length: {}", page.len()),
            &format!("Content-Length: {}", page.len() + 40),
        );
        let last = record(
            "response",
            "http://example.org/last",
            "2024-03-05T10:00:03Z",
            "application/http; msgtype=response",
            &http_page("lv", "Trīs", "Trešā lapa."),
        );
        let mut w = bad;
        w.extend(good);
        w.extend(long.into_bytes());
        w.extend(last);
        let (docs, problems) = run(&w);
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["http://example.org/good", "http://example.org/last"],
            "{problems:?}"
        );
        let errors: Vec<String> = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.to_string())
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].contains("a.warc:1: record 1 (http://example.org/bad): bad Content-Length"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].contains(":3: record 3 (http://example.org/long): bad Content-Length"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn truncated_and_not_a_warc() {
        let mut w = three_page_warc();
        let cut = w.len() - 200;
        w.truncate(cut);
        let (docs, problems) = run(&w);
        assert_eq!(docs.len(), 3);
        assert!(
            problems
                .iter()
                .any(|p| p.severity == Severity::Error && p.message.contains("truncated")),
            "{problems:?}"
        );
        let (docs, problems) = run(b"hello world\n");
        assert!(docs.is_empty());
        assert!(
            problems[0].message.starts_with("not a WARC file"),
            "{problems:?}"
        );
        let gz = gzip_members(&[three_page_warc()]);
        let (docs, problems) = run(&gz[..gz.len() - 300]);
        assert!(
            docs.len() < 3 && problems.iter().any(|p| p.severity == Severity::Error),
            "{problems:?}"
        );
    }

    #[test]
    fn chunked_gzip_and_legacy_charsets() {
        let html = "<html lang=\"lv\"><head><meta charset=\"windows-1257\"><title>Lapa</title></head><body><p>Sabiedr\u{012b}ba</p></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1257.encode(html);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        let gz = gz.finish().unwrap();
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let (a, b) = gz.split_at(gz.len() / 2);
        for part in [a, b] {
            block.extend(format!("{:x}\r\n", part.len()).as_bytes());
            block.extend(part);
            block.extend(b"\r\n");
        }
        block.extend(b"0\r\n\r\n");
        let w = record(
            "response",
            "http://example.org/x",
            "2024-01-01T00:00:00Z",
            "application/http; msgtype=response",
            &block,
        );
        let (docs, problems) = run(&w);
        assert_eq!(docs.len(), 1, "{problems:?}");
        assert!(docs[0].text.contains("Sabiedrība"), "{:?}", docs[0].text);
    }
}
