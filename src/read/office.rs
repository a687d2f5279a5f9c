//! Word (DOCX) and OpenDocument (ODT) text documents: a zip of XML parts, read with `zip` and
//! `quick-xml`. Paragraphs and headings become paragraphs (blank line between), table cells
//! become lines (a blank line between rows), footnotes and endnotes follow the body; running
//! headers/footers, comments and deleted (tracked) text are left out. Title, author or company
//! (`org`) and creation date come from the document properties; without a title, the first
//! heading is the title.
//!
//! Hostile input: the zip is read from the file (not loaded whole), an entry may hold at most
//! `max_file_bytes` uncompressed and, past 1 MiB, at most 100 times its compressed size (a zip
//! bomb is refused); encrypted packages (Office's OLE container, ODF's encrypted entries) are
//! reported as such.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::result::ZipError;
use zip::ZipArchive;

use super::{problem, InputFile, RawDocument, ReadEvent, ReadLimits, Severity};

/// An entry may expand to at most this many times its compressed size (past [`RATIO_FLOOR`]).
pub const MAX_ZIP_RATIO: u64 = 100;
/// Below this uncompressed size the ratio is not checked (small XML parts compress very well).
const RATIO_FLOOR: u64 = 1 << 20;
/// More entries than this and the package is refused.
const MAX_ZIP_ENTRIES: usize = 20_000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Docx,
    Odt,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Docx => "DOCX",
            Kind::Odt => "ODT",
        }
    }
}

/// Reads a Word document (.docx).
pub fn read_docx(input: &InputFile, limits: ReadLimits, sink: &mut dyn FnMut(ReadEvent)) {
    read_office(input, limits, sink, Kind::Docx)
}

/// Reads an OpenDocument text (.odt).
pub fn read_odt(input: &InputFile, limits: ReadLimits, sink: &mut dyn FnMut(ReadEvent)) {
    read_office(input, limits, sink, Kind::Odt)
}

fn read_office(input: &InputFile, limits: ReadLimits, sink: &mut dyn FnMut(ReadEvent), kind: Kind) {
    let path = &input.path;
    let result = File::open(path)
        .map_err(|e| format!("cannot open: {e}"))
        .and_then(|f| extract(BufReader::new(f), kind, limits.max_file_bytes));
    match result {
        Ok(mut doc) => {
            if doc.text.trim().is_empty() {
                sink(ReadEvent::Problem(problem(
                    Severity::Skipped,
                    path,
                    None,
                    format!("no text in the {}", kind.name()),
                )));
                return;
            }
            doc.id = input.rel.clone();
            doc.source = Some(path.display().to_string());
            sink(ReadEvent::Document(doc));
        }
        Err(message) => sink(ReadEvent::Problem(problem(
            Severity::Error,
            path,
            None,
            message,
        ))),
    }
}

/// A package → a document (without id and source), or a one-line reason.
fn extract<R: Read + Seek>(mut r: R, kind: Kind, max_entry: u64) -> Result<RawDocument, String> {
    let k = kind.name();
    let mut magic = [0u8; 8];
    let n = read_up_to(&mut r, &mut magic).map_err(|e| format!("cannot read: {e}"))?;
    if n == 8 && magic == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return Err(format!(
            "password-protected (encrypted) {k}, or an old binary .doc renamed: not read"
        ));
    }
    if n < 4 || &magic[..4] != b"PK\x03\x04" {
        return Err(if n == 0 {
            format!("empty {k} file")
        } else {
            format!("corrupt {k}: not a zip archive")
        });
    }
    r.rewind().map_err(|e| format!("cannot read: {e}"))?;
    let mut zip = ZipArchive::new(r).map_err(|e| format!("corrupt or truncated {k} (zip): {e}"))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(format!(
            "{k} has {} zip entries, over the limit of {MAX_ZIP_ENTRIES}: not read",
            zip.len()
        ));
    }
    let mut part = |name: &str| entry(&mut zip, name, max_entry, k);
    match kind {
        Kind::Docx => {
            let body = part("word/document.xml")?
                .ok_or_else(|| format!("corrupt {k}: no word/document.xml in the package"))?;
            let styles = part("word/styles.xml")?
                .map(|s| docx_styles(&s))
                .unwrap_or_default();
            let mut b = Builder::default();
            walk_docx(&body, &styles, &mut b)
                .map_err(|e| format!("corrupt {k}: word/document.xml: {e}"))?;
            for notes in ["word/footnotes.xml", "word/endnotes.xml"] {
                if let Some(x) = part(notes)? {
                    b.in_note += 1;
                    walk_docx(&x, &styles, &mut b)
                        .map_err(|e| format!("corrupt {k}: {notes}: {e}"))?;
                    b.in_note -= 1;
                }
            }
            let props = Props::docx(
                part("docProps/core.xml")?.as_deref(),
                part("docProps/app.xml")?.as_deref(),
            );
            Ok(b.finish(props))
        }
        Kind::Odt => {
            if let Some(manifest) = part("META-INF/manifest.xml")? {
                if contains(&manifest, b"encryption-data") {
                    return Err(format!("password-protected (encrypted) {k}: not read"));
                }
            }
            let body = part("content.xml")?
                .ok_or_else(|| format!("corrupt {k}: no content.xml in the package"))?;
            let mut headings = part("styles.xml")?
                .map(|s| odt_heading_styles(&s))
                .unwrap_or_default();
            let mut b = Builder::default();
            walk_odt(&body, &mut headings, &mut b)
                .map_err(|e| format!("corrupt {k}: content.xml: {e}"))?;
            let props = Props::odt(part("meta.xml")?.as_deref());
            Ok(b.finish(props))
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// One zip entry, bounded in size and in expansion ratio; `None` if the package lacks it.
fn entry<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
    max: u64,
    kind: &str,
) -> Result<Option<Vec<u8>>, String> {
    let mut f = match zip.by_name(name) {
        Ok(f) => f,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(ZipError::UnsupportedArchive(m)) if m.to_lowercase().contains("password") => {
            return Err(format!(
                "password-protected (encrypted) {kind}: {name} is encrypted"
            ));
        }
        Err(e) => return Err(format!("corrupt {kind}: {name}: {e}")),
    };
    if f.encrypted() {
        return Err(format!(
            "password-protected (encrypted) {kind}: {name} is encrypted"
        ));
    }
    let compressed = f.compressed_size().max(1);
    let declared = f.size();
    let bomb = |n: u64| {
        format!(
            "zip bomb? {name} expands to over {:.1} MB from {:.1} KB (limit {MAX_ZIP_RATIO}:1): not read",
            n as f64 / 1e6,
            compressed as f64 / 1e3
        )
    };
    if declared > RATIO_FLOOR && declared > compressed.saturating_mul(MAX_ZIP_RATIO) {
        return Err(bomb(declared));
    }
    if declared > max {
        return Err(format!(
            "{name} is {:.1} MB uncompressed, over the limit of {:.1} MB (ingest.max_file_mb)",
            declared as f64 / 1e6,
            max as f64 / 1e6
        ));
    }
    // The declared size can lie: count what actually comes out.
    let mut out = Vec::with_capacity(declared.min(1 << 24) as usize);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match f.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => return Err(format!("corrupt or truncated {kind}: {name}: {e}")),
        };
        out.extend_from_slice(&chunk[..n]);
        let len = out.len() as u64;
        if len > RATIO_FLOOR && len > compressed.saturating_mul(MAX_ZIP_RATIO) {
            return Err(bomb(len));
        }
        if len > max {
            return Err(format!(
                "{name} expands to over {:.1} MB, the limit (ingest.max_file_mb)",
                max as f64 / 1e6
            ));
        }
    }
    Ok(Some(out))
}

// ---------------------------------------------------------------------------------------------
// Text assembly shared by both formats.

#[derive(Default)]
struct Para {
    text: String,
    heading: bool,
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: String,
}

#[derive(Default)]
struct Builder {
    blocks: Vec<String>,
    notes: Vec<String>,
    paras: Vec<Para>,
    tables: Vec<Table>,
    /// Paragraph nesting at which each open table cell started.
    cell_para_depth: Vec<usize>,
    first_heading: Option<String>,
    in_note: u32,
}

impl Builder {
    fn start_para(&mut self, heading: bool) {
        self.paras.push(Para {
            text: String::new(),
            heading,
        });
    }

    fn set_heading(&mut self) {
        if let Some(p) = self.paras.last_mut() {
            p.heading = true;
        }
    }

    fn text(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.text.push_str(s);
        }
    }

    fn end_para(&mut self) {
        let Some(p) = self.paras.pop() else { return };
        let text = clean(&p.text);
        if text.is_empty() {
            return;
        }
        if p.heading && self.first_heading.is_none() && self.in_note == 0 {
            let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
            self.first_heading = Some(t);
        }
        if self.in_note > 0 {
            self.notes.push(text);
            return;
        }
        let in_cell = self.cell_para_depth.last() == Some(&self.paras.len());
        match self.tables.last_mut() {
            Some(t) if in_cell => {
                if !t.cell.is_empty() {
                    t.cell.push('\n');
                }
                t.cell.push_str(&text);
            }
            _ => self.blocks.push(text),
        }
    }

    fn start_table(&mut self) {
        self.tables.push(Table::default());
    }
    fn start_cell(&mut self) {
        self.cell_para_depth.push(self.paras.len());
    }
    fn end_cell(&mut self) {
        self.cell_para_depth.pop();
        if let Some(t) = self.tables.last_mut() {
            let c = std::mem::take(&mut t.cell);
            t.row.push(c);
        }
    }
    fn end_row(&mut self) {
        if let Some(t) = self.tables.last_mut() {
            let r = std::mem::take(&mut t.row);
            t.rows.push(r);
        }
    }
    fn end_table(&mut self) {
        let Some(t) = self.tables.pop() else { return };
        let rendered = t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .filter(|c| !c.trim().is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .filter(|r| !r.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        if rendered.is_empty() {
            return;
        }
        let in_cell = self.cell_para_depth.last() == Some(&self.paras.len());
        match self.tables.last_mut() {
            Some(outer) if in_cell => {
                if !outer.cell.is_empty() {
                    outer.cell.push('\n');
                }
                outer.cell.push_str(&rendered.replace("\n\n", "\n"));
            }
            _ if self.in_note > 0 => self.notes.push(rendered),
            _ => self.blocks.push(rendered),
        }
    }

    fn finish(mut self, props: Props) -> RawDocument {
        while !self.paras.is_empty() {
            self.end_para();
        }
        while !self.tables.is_empty() {
            self.end_table();
        }
        let mut text = self.blocks.join("\n\n");
        if !self.notes.is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&self.notes.join("\n\n"));
        }
        let mut metadata = serde_json::Map::new();
        if let Some(a) = &props.author {
            metadata.insert("author".into(), a.clone().into());
        }
        if let Some(c) = &props.company {
            metadata.insert("company".into(), c.clone().into());
        }
        RawDocument {
            title: props.title.or(self.first_heading),
            text,
            org: props.company.or(props.author),
            date: props.created,
            metadata,
            ..RawDocument::default()
        }
    }
}

/// Lines of a paragraph trimmed, runs of spaces and tabs collapsed.
fn clean(s: &str) -> String {
    s.split('\n')
        .map(|l| {
            l.split([' ', '\t', '\u{a0}'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `&amp;` and friends, and character references, in an entity-reference event.
fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let n = name.strip_prefix('#')?;
            let v = match n.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(v)
        }
    }
}

/// An attribute value by local name (namespace prefix ignored), entities resolved.
fn attr(e: &BytesStart, local: &str) -> Option<String> {
    for a in e.attributes().flatten() {
        if a.key.local_name().into_inner() == local {
            return Some(unescape(&a.value));
        }
    }
    None
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        match tail
            .find(';')
            .filter(|&j| j <= 10)
            .and_then(|j| entity(&tail[..j]).map(|c| (c, j)))
        {
            Some((c, j)) => {
                out.push(c);
                rest = &tail[j + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn xml_str(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes)
}

/// Walks an XML part, calling `on` for each event with the element's local name; subtrees for
/// which `on` returns `Skip` are passed over whole.
enum Flow {
    Go,
    Skip,
}

enum Ev<'a, 'b> {
    Start(&'a BytesStart<'b>),
    Empty(&'a BytesStart<'b>),
    End(&'a str),
    Text(&'a str),
}

fn walk(xml: &[u8], mut on: impl FnMut(Ev) -> Flow) -> Result<(), String> {
    let src = xml_str(xml);
    let mut reader = Reader::from_str(&src);
    let mut skip: usize = 0;
    let mut depth: usize = 0;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("{e} at byte {}", reader.buffer_position()))?;
        match ev {
            Event::Eof => break,
            Event::Start(e) => {
                depth += 1;
                if skip == 0 {
                    if let Flow::Skip = on(Ev::Start(&e)) {
                        skip = depth;
                    }
                }
            }
            Event::Empty(e) if skip == 0 => {
                on(Ev::Empty(&e));
            }
            Event::End(e) => {
                if skip == depth {
                    skip = 0;
                } else if skip == 0 {
                    on(Ev::End(e.local_name().into_inner()));
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) if skip == 0 => {
                on(Ev::Text(&t.xml10_content()));
            }
            Event::CData(t) if skip == 0 => {
                on(Ev::Text(&t.xml10_content()));
            }
            Event::GeneralRef(r) if skip == 0 => {
                if let Some(c) = entity(&r) {
                    let mut b = [0u8; 4];
                    on(Ev::Text(c.encode_utf8(&mut b)));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// DOCX (WordprocessingML).

/// Paragraph style id → whether it is a heading (by its name, which Word keeps in English, or
/// an outline level).
fn docx_styles(xml: &[u8]) -> HashMap<String, bool> {
    let mut map = HashMap::new();
    let mut cur: Option<(String, bool)> = None;
    let _ = walk(xml, |ev| {
        match ev {
            Ev::Start(e) if e.local_name().into_inner() == "style" => {
                cur = attr(e, "styleId").map(|id| (id, false));
            }
            Ev::Start(e) | Ev::Empty(e) => {
                if let Some((_, h)) = cur.as_mut() {
                    match e.local_name().into_inner() {
                        "name" => {
                            let n = attr(e, "val").unwrap_or_default().to_lowercase();
                            if n.starts_with("heading") || n == "title" {
                                *h = true;
                            }
                        }
                        "outlineLvl"
                            if attr(e, "val")
                                .and_then(|v| v.parse::<u8>().ok())
                                .is_some_and(|l| l < 9) =>
                        {
                            *h = true;
                        }
                        _ => {}
                    }
                }
            }
            Ev::End("style") => {
                if let Some((id, h)) = cur.take() {
                    map.insert(id, h);
                }
            }
            _ => {}
        }
        Flow::Go
    });
    map
}

fn walk_docx(xml: &[u8], styles: &HashMap<String, bool>, b: &mut Builder) -> Result<(), String> {
    let mut in_t = false;
    let mut in_run = 0usize;
    walk(xml, |ev| {
        match ev {
            Ev::Start(e) => match e.local_name().into_inner() {
                "p" => b.start_para(false),
                "r" => in_run += 1,
                "t" => in_t = in_run > 0 || !b.paras.is_empty(),
                "tbl" => b.start_table(),
                "tc" => b.start_cell(),
                // Deleted text, field codes, the fallback copy of a drawing, comments, and the
                // separators of footnotes are not text.
                "del" | "delText" | "instrText" | "Fallback" | "commentReference"
                | "footnoteReference" | "endnoteReference" => return Flow::Skip,
                "footnote" | "endnote"
                    if attr(e, "type")
                        .is_some_and(|t| t.contains("eparator") || t == "continuationNotice") =>
                {
                    return Flow::Skip
                }
                _ => {}
            },
            Ev::Empty(e) => match e.local_name().into_inner() {
                "pStyle"
                    if attr(e, "val").is_some_and(|v| {
                        styles.get(&v).copied().unwrap_or_else(|| {
                            v.to_lowercase().starts_with("heading") || v == "Title"
                        })
                    }) =>
                {
                    b.set_heading();
                }
                "outlineLvl"
                    if attr(e, "val")
                        .and_then(|v| v.parse::<u8>().ok())
                        .is_some_and(|l| l < 9) =>
                {
                    b.set_heading();
                }
                "tab" if in_run > 0 => b.text("\t"),
                "br" | "cr" if in_run > 0 => b.text("\n"),
                "noBreakHyphen" => b.text("-"),
                "p" => {}
                _ => {}
            },
            Ev::End(name) => match name {
                "p" => b.end_para(),
                "r" => in_run = in_run.saturating_sub(1),
                "t" => in_t = false,
                "tc" => b.end_cell(),
                "tr" => b.end_row(),
                "tbl" => b.end_table(),
                _ => {}
            },
            Ev::Text(s) => {
                if in_t {
                    b.text(s);
                }
            }
        }
        Flow::Go
    })
}

// ---------------------------------------------------------------------------------------------
// ODT (OpenDocument text).

/// Style names that are headings: `Heading…`, `Title`, or with a default outline level.
fn odt_heading_styles(xml: &[u8]) -> HashMap<String, bool> {
    let mut map = HashMap::new();
    let _ = walk(xml, |ev| {
        if let Ev::Start(e) | Ev::Empty(e) = ev {
            if e.local_name().into_inner() == "style" {
                if let Some(name) = attr(e, "name") {
                    let h = is_heading_style_name(&name)
                        || attr(e, "display-name").is_some_and(|d| is_heading_style_name(&d))
                        || attr(e, "default-outline-level").is_some_and(|l| !l.is_empty());
                    map.insert(name, h);
                }
            }
        }
        Flow::Go
    });
    map
}

fn is_heading_style_name(n: &str) -> bool {
    let n = n.to_lowercase();
    n.starts_with("heading") || n == "title"
}

fn walk_odt(
    xml: &[u8],
    headings: &mut HashMap<String, bool>,
    b: &mut Builder,
) -> Result<(), String> {
    // Automatic styles (P1, P2, …) inherit from named ones.
    let mut parents: HashMap<String, String> = HashMap::new();
    walk(xml, |ev| {
        match ev {
            Ev::Start(e) | Ev::Empty(e) if e.local_name().into_inner() == "style" => {
                if let (Some(n), Some(p)) = (attr(e, "name"), attr(e, "parent-style-name")) {
                    parents.insert(n, p);
                }
            }
            _ => {}
        }
        Flow::Go
    })?;
    let is_heading = |style: &str, headings: &HashMap<String, bool>| {
        let mut s = style.to_string();
        for _ in 0..8 {
            if headings.get(&s).copied().unwrap_or(false) || is_heading_style_name(&s) {
                return true;
            }
            match parents.get(&s) {
                Some(p) => s = p.clone(),
                None => return false,
            }
        }
        false
    };
    let mut in_body = false;
    walk(xml, |ev| {
        match ev {
            Ev::Start(e) => match e.local_name().into_inner() {
                "text" if e.name().into_inner() == "office:text" => in_body = true,
                _ if !in_body => {}
                "h" => b.start_para(true),
                "p" => {
                    let h = attr(e, "style-name").is_some_and(|s| is_heading(&s, headings));
                    b.start_para(h);
                }
                "table" if e.name().into_inner() == "table:table" => b.start_table(),
                "table-cell" => b.start_cell(),
                "note" => b.in_note += 1,
                "note-citation" | "annotation" | "tracked-changes" | "sequence-decls"
                | "variable-decls" | "user-field-decls" | "desc" | "title" => return Flow::Skip,
                _ => {}
            },
            Ev::Empty(e) if in_body => match e.local_name().into_inner() {
                "s" => {
                    let n = attr(e, "c")
                        .and_then(|c| c.parse::<usize>().ok())
                        .unwrap_or(1)
                        .min(8);
                    b.text(&" ".repeat(n));
                }
                "tab" => b.text("\t"),
                "line-break" => b.text("\n"),
                "table-cell" => {
                    b.start_cell();
                    b.end_cell();
                }
                _ => {}
            },
            Ev::End(name) if in_body => match name {
                "h" | "p" => b.end_para(),
                "table-cell" => b.end_cell(),
                "table-row" => b.end_row(),
                "table" => b.end_table(),
                "note" => b.in_note = b.in_note.saturating_sub(1),
                "text" => in_body = false,
                _ => {}
            },
            Ev::Text(s) if in_body => b.text(s),
            _ => {}
        }
        Flow::Go
    })
}

// ---------------------------------------------------------------------------------------------
// Document properties.

#[derive(Default, Debug)]
struct Props {
    title: Option<String>,
    author: Option<String>,
    company: Option<String>,
    created: Option<String>,
}

/// The text of the elements with the given local names, first occurrence each.
fn simple_fields(xml: &[u8], names: &[&str]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    let mut cur: Option<String> = None;
    let mut buf = String::new();
    let mut user_defined: Option<String> = None;
    let _ = walk(xml, |ev| {
        match ev {
            Ev::Start(e) => {
                let ln = e.local_name().into_inner().to_string();
                if ln == "user-defined" {
                    user_defined = attr(e, "name").map(|n| n.to_lowercase());
                    cur = Some("user-defined".to_string());
                    buf.clear();
                } else if names.contains(&ln.as_str()) {
                    cur = Some(ln);
                    buf.clear();
                }
            }
            Ev::Text(t) if cur.is_some() => {
                buf.push_str(t);
            }
            Ev::End(name) if cur.as_deref() == Some(name) => {
                let v = buf.split_whitespace().collect::<Vec<_>>().join(" ");
                let key = if name == "user-defined" {
                    match user_defined.take().as_deref() {
                        Some("company") | Some("organisation") | Some("organization") => {
                            "Company".to_string()
                        }
                        _ => String::new(),
                    }
                } else {
                    name.to_string()
                };
                if !v.is_empty() && !key.is_empty() {
                    out.entry(key).or_insert(v);
                }
                cur = None;
            }
            _ => {}
        }
        Flow::Go
    });
    out
}

impl Props {
    fn docx(core: Option<&[u8]>, app: Option<&[u8]>) -> Props {
        let c = core
            .map(|x| simple_fields(x, &["title", "creator", "created"]))
            .unwrap_or_default();
        let a = app
            .map(|x| simple_fields(x, &["Company"]))
            .unwrap_or_default();
        Props {
            title: c.get("title").cloned(),
            author: c.get("creator").cloned(),
            company: a.get("Company").cloned(),
            created: c.get("created").and_then(|d| iso_date(d)),
        }
    }

    fn odt(meta: Option<&[u8]>) -> Props {
        let m = meta
            .map(|x| {
                simple_fields(
                    x,
                    &[
                        "title",
                        "initial-creator",
                        "creator",
                        "creation-date",
                        "date",
                    ],
                )
            })
            .unwrap_or_default();
        let get = |k: &str| m.get(k).cloned();
        Props {
            title: get("title"),
            author: get("initial-creator").or_else(|| get("creator")),
            company: get("Company"),
            created: get("creation-date")
                .or_else(|| get("date"))
                .and_then(|d| iso_date(&d)),
        }
    }
}

/// The date part of an ISO 8601 timestamp (`2023-11-20T10:00:00Z` → `2023-11-20`).
fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    (ok && !d.starts_with("1601") && !d.starts_with("0000")).then(|| d.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    /// A zip with the given entries (deflated).
    pub fn make_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            let opts = if *name == "mimetype" {
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
            } else {
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
            };
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    /// A DOCX with a heading, paragraphs (one with a line break and an entity), a table, a
    /// deleted run, a footnote, and core/app properties.
    pub fn make_docx(title: Option<&str>, heading: &str, paras: &[&str]) -> Vec<u8> {
        let mut body = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body><w:p><w:pPr><w:pStyle w:val="Virsraksts1"/></w:pPr><w:r><w:t>{heading}</w:t></w:r></w:p>"#
        );
        for p in paras {
            body.push_str(&format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>"#
            ));
        }
        body.push_str(r#"<w:p><w:r><w:t>Linje en</w:t><w:br/><w:t>linje to &amp; tre</w:t></w:r><w:del><w:r><w:delText>slettet</w:delText></w:r></w:del><w:r><w:tab/><w:t>slutt</w:t></w:r></w:p>"#);
        body.push_str(r#"<w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:t>Fylke</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Deltakere</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Oslo</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>120</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#);
        body.push_str("</w:body></w:document>");
        let styles = format!(
            r#"<w:styles {W}><w:style w:type="paragraph" w:styleId="Virsraksts1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>"#
        );
        let footnotes = format!(
            r#"<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Fotnote om frivillighet.</w:t></w:r></w:p></w:footnote></w:footnotes>"#
        );
        let core = format!(
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">{}<dc:creator>Kari Nordmann</dc:creator><dcterms:created>2024-02-29T09:30:00Z</dcterms:created></cp:coreProperties>"#,
            title
                .map(|t| format!("<dc:title>{t}</dc:title>"))
                .unwrap_or_default()
        );
        let app = r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>Frivillighet Norge</Company></Properties>"#;
        make_zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", body.as_bytes()),
            ("word/styles.xml", styles.as_bytes()),
            ("word/footnotes.xml", footnotes.as_bytes()),
            ("docProps/core.xml", core.as_bytes()),
            ("docProps/app.xml", app.as_bytes()),
        ])
    }

    pub fn make_odt(paras: &[&str]) -> Vec<u8> {
        let mut body = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"><office:automatic-styles><style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/></office:automatic-styles><office:body><office:text><text:sequence-decls><text:sequence-decl text:name="Figure"/></text:sequence-decls><text:p text:style-name="P1">Gada pārskats</text:p><text:h text:outline-level="1">Ievads</text:h>"#,
        );
        for p in paras {
            body.push_str(&format!("<text:p>{p}</text:p>"));
        }
        body.push_str(r#"<text:p>Vārds<text:s text:c="3"/>ar<text:tab/>atstarpēm<text:line-break/>jaunā rindā<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Piezīme par brīvprātīgajiem.</text:p></text:note-body></text:note> turpinājums.</text:p>"#);
        body.push_str(r#"<table:table><table:table-column/><table:table-row><table:table-cell><text:p>Rīga</text:p></table:table-cell><table:table-cell><text:p>120</text:p></table:table-cell></table:table-row></table:table>"#);
        body.push_str(r#"<office:annotation><text:p>komentārs</text:p></office:annotation>"#);
        body.push_str("</office:text></office:body></office:document-content>");
        let meta = r#"<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><meta:initial-creator>Biedrība Piemērs</meta:initial-creator><meta:creation-date>2023-11-20T10:00:00.123</meta:creation-date></office:meta></office:document-meta>"#;
        make_zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", body.as_bytes()),
            ("meta.xml", meta.as_bytes()),
            ("META-INF/manifest.xml", b"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>"),
        ])
    }

    fn run(bytes: Vec<u8>, kind: Kind) -> Result<RawDocument, String> {
        extract(Cursor::new(bytes), kind, 64 << 20)
    }

    #[test]
    fn docx_paragraphs_headings_tables_notes_and_properties() {
        let d = run(
            make_docx(
                None,
                "Frivillige organisasjoner",
                &["Organisasjonene samarbeider.", "Andre avsnitt."],
            ),
            Kind::Docx,
        )
        .unwrap();
        assert_eq!(
            d.text,
            "Frivillige organisasjoner\n\nOrganisasjonene samarbeider.\n\nAndre avsnitt.\n\nLinje en\nlinje to & tre slutt\n\nFylke\nDeltakere\n\nOslo\n120\n\nFotnote om frivillighet."
        );
        assert_eq!(
            d.title.as_deref(),
            Some("Frivillige organisasjoner"),
            "first heading (localised style id)"
        );
        assert_eq!(
            d.org.as_deref(),
            Some("Frivillighet Norge"),
            "company before author"
        );
        assert_eq!(d.metadata["author"], "Kari Nordmann");
        assert_eq!(d.date.as_deref(), Some("2024-02-29"));
        let d = run(make_docx(Some("Årsrapport"), "H", &["x"]), Kind::Docx).unwrap();
        assert_eq!(d.title.as_deref(), Some("Årsrapport"), "core title wins");
    }

    #[test]
    fn odt_paragraphs_spaces_notes_tables_and_meta() {
        let d = run(make_odt(&["Pirmā rindkopa."]), Kind::Odt).unwrap();
        assert_eq!(
            d.text,
            "Gada pārskats\n\nIevads\n\nPirmā rindkopa.\n\nVārds ar atstarpēm\njaunā rindā turpinājums.\n\nRīga\n120\n\nPiezīme par brīvprātīgajiem."
        );
        assert_eq!(
            d.title.as_deref(),
            Some("Gada pārskats"),
            "Title style via automatic style"
        );
        assert_eq!(d.org.as_deref(), Some("Biedrība Piemērs"));
        assert_eq!(d.date.as_deref(), Some("2023-11-20"));
    }

    #[test]
    fn broken_packages_are_reported() {
        let e = run(b"not a zip at all".to_vec(), Kind::Docx).unwrap_err();
        assert!(e.contains("not a zip"), "{e}");
        let mut good = make_docx(None, "H", &["x"]);
        good.truncate(good.len() / 2);
        let e = run(good, Kind::Docx).unwrap_err();
        assert!(e.contains("corrupt or truncated DOCX"), "{e}");
        let e = run(make_zip(&[("hello.txt", b"hi")]), Kind::Docx).unwrap_err();
        assert!(e.contains("no word/document.xml"), "{e}");
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend([0u8; 512]);
        let e = run(ole, Kind::Docx).unwrap_err();
        assert!(e.contains("password-protected"), "{e}");
        let e = run(
            make_zip(&[
                ("content.xml", b"<x/>"),
                ("META-INF/manifest.xml", b"<manifest:encryption-data/>"),
            ]),
            Kind::Odt,
        )
        .unwrap_err();
        assert!(e.contains("password-protected"), "{e}");
        let e = run(
            make_zip(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>")]),
            Kind::Docx,
        )
        .unwrap_err();
        assert!(e.starts_with("corrupt DOCX: word/document.xml"), "{e}");
    }

    /// A DOCX whose document.xml is `n` MB of one repeated byte (deflates ~1000:1).
    pub fn zip_bomb(mb: usize) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file(
            "word/document.xml",
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..mb {
            w.write_all(&chunk).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn zip_bomb_and_size_limit() {
        let e = run(zip_bomb(20), Kind::Docx).unwrap_err();
        assert!(e.contains("zip bomb"), "{e}");
        let e = extract(
            Cursor::new(make_docx(None, "H", &["x"; 200])),
            Kind::Docx,
            1000,
        )
        .unwrap_err();
        assert!(e.contains("over the limit"), "{e}");
    }

    #[test]
    fn lying_sizes_are_caught_while_reading() {
        // Patch the declared uncompressed size (central directory and local header) to 10 bytes.
        let mut z = zip_bomb(3);
        let name = b"word/document.xml";
        let mut i = 0;
        while let Some(p) = z[i..]
            .windows(4)
            .position(|w| w == b"PK\x01\x02" || w == b"PK\x03\x04")
        {
            let at = i + p;
            let off = if &z[at..at + 4] == b"PK\x01\x02" {
                24
            } else {
                22
            };
            z[at + off..at + off + 4].copy_from_slice(&10u32.to_le_bytes());
            i = at + 4;
        }
        let _ = name;
        let e = run(z, Kind::Docx).unwrap_err();
        assert!(e.contains("zip bomb") || e.contains("corrupt"), "{e}");
    }
}
