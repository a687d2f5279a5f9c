//! PDF: the text layer, page by page, in reading order.
//!
//! `pdf-extract` (over `lopdf`) parses the file and decodes the fonts; it hands us every glyph
//! with its position. Everything about *layout* is done here, because that is where the crate is
//! weak: glyphs → runs → lines in reading order (an XY-cut that finds columns), lines →
//! paragraphs (line pitch, font size, short last lines), end-of-line hyphenation joined, running
//! headers/footers and bare page numbers dropped. Pages are separated by `\u{c}`.
//!
//! Hostile input: the file size is bounded by the caller, the declared object count and the page
//! count are checked before the work, content streams are decompressed by us with a budget (a
//! compression bomb is refused), image XObjects are neutralised before `pdf-extract` sees them
//! (it would try to run them as content), self-referencing forms are cut, inherited page
//! attributes are resolved without recursion, and every call into the crates runs under
//! `catch_unwind` with the panic message kept off stderr.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{
    Dictionary, Document, MediaBox, Object, ObjectId, OutputDev, OutputError, Stream, Transform,
};

use super::{problem, read_bounded, InputFile, RawDocument, ReadEvent, ReadLimits, Severity};

/// More objects than this and the file is refused before it is parsed (a 500-page report has a
/// few tens of thousands).
pub const MAX_PDF_OBJECTS: usize = 100_000;
/// More pages than this and the file is refused.
pub const MAX_PDF_PAGES: usize = 10_000;
/// Decompressed content may be at most this many times the file size (and at least 64 MiB).
pub const MAX_PDF_INFLATE_RATIO: u64 = 100;
/// Glyphs kept per page; the rest of a page this dense is dropped with a warning.
const MAX_GLYPHS_PER_PAGE: usize = 1_000_000;

/// Reads one PDF file.
pub fn read_pdf(input: &InputFile, limits: ReadLimits, sink: &mut dyn FnMut(ReadEvent)) {
    let path = &input.path;
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
    match extract(&bytes) {
        Ok(out) => {
            for w in &out.warnings {
                sink(ReadEvent::Problem(problem(
                    Severity::Warning,
                    path,
                    None,
                    w.clone(),
                )));
            }
            if out.text.chars().all(|c| c.is_whitespace() || c == '\u{c}') {
                let message = if out.pages_with_images > 0 {
                    format!(
                        "no text layer (scanned PDF?): {} page(s), {} with images only; OCR it first",
                        out.pages, out.pages_with_images
                    )
                } else {
                    format!("no text in the PDF ({} page(s))", out.pages)
                };
                sink(ReadEvent::Problem(problem(
                    Severity::Skipped,
                    path,
                    None,
                    message,
                )));
                return;
            }
            let mut metadata = serde_json::Map::new();
            metadata.insert("pages".into(), out.pages.into());
            if let Some(a) = &out.author {
                metadata.insert("author".into(), a.clone().into());
            }
            sink(ReadEvent::Document(RawDocument {
                id: input.rel.clone(),
                title: out.title,
                text: out.text,
                lang: None,
                url: None,
                date: out.date,
                org: out.author,
                source: Some(path.display().to_string()),
                metadata,
            }));
        }
        Err(message) => sink(ReadEvent::Problem(problem(
            Severity::Error,
            path,
            None,
            message,
        ))),
    }
}

/// What came out of one PDF.
#[derive(Debug, Default)]
pub(crate) struct PdfText {
    pub text: String,
    pub title: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub pages: usize,
    pub pages_with_images: usize,
    pub warnings: Vec<String>,
}

/// Bytes → text and metadata, or a one-line reason.
pub(crate) fn extract(bytes: &[u8]) -> Result<PdfText, String> {
    extract_with(bytes, 64 << 20)
}

/// [`extract`] with the floor of the inflate budget given (the budget is the larger of it and
/// [`MAX_PDF_INFLATE_RATIO`] times the file size).
fn extract_with(bytes: &[u8], inflate_floor: u64) -> Result<PdfText, String> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err("not a PDF (no %PDF- header)".into());
    }
    let declared = declared_objects(bytes);
    if declared > MAX_PDF_OBJECTS {
        return Err(format!(
            "PDF declares {declared} objects, over the limit of {MAX_PDF_OBJECTS}: not read"
        ));
    }
    let mut doc = match quietly(|| Document::load_mem(bytes)) {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(load_error(bytes, &e.to_string())),
        Err(_) => return Err("corrupt PDF: parser failed".into()),
    };
    if doc.trailer.get(b"Encrypt").is_ok() && doc.encryption_state.is_none() {
        return Err("encrypted PDF: it needs a password to open, not read".into());
    }
    if doc.objects.len() > MAX_PDF_OBJECTS {
        return Err(format!(
            "PDF has {} objects, over the limit of {MAX_PDF_OBJECTS}: not read",
            doc.objects.len()
        ));
    }
    let pages: Vec<(u32, ObjectId)> = match quietly(|| doc.get_pages().into_iter().collect()) {
        Ok(p) => p,
        Err(_) => return Err("corrupt PDF: page tree unreadable".into()),
    };
    if pages.is_empty() {
        return Err(if doc.objects.is_empty() {
            "corrupt or truncated PDF: no objects could be read".into()
        } else {
            "corrupt PDF: no pages found".into()
        });
    }
    if pages.len() > MAX_PDF_PAGES {
        return Err(format!(
            "PDF has {} pages, over the limit of {MAX_PDF_PAGES}: not read",
            pages.len()
        ));
    }
    let budget = (bytes.len() as u64)
        .saturating_mul(MAX_PDF_INFLATE_RATIO)
        .max(inflate_floor);
    let images = sanitize(&mut doc, &pages, budget)?;
    let (title, author, date) = info(&doc);

    let mut dev = Collector::default();
    let mut failed = Vec::new();
    for &(num, _) in &pages {
        dev.start(num);
        let ok = match quietly(|| pdf_extract::output_doc_page(&doc, &mut dev, num)) {
            Ok(Ok(())) => true,
            Ok(Err(_)) | Err(_) => false,
        };
        if !ok {
            failed.push(num);
        }
        dev.finish(!ok);
    }
    let mut warnings = Vec::new();
    if failed.len() == pages.len() {
        return Err("corrupt PDF: parser failed on every page".into());
    }
    if !failed.is_empty() {
        warnings.push(format!(
            "page(s) {} could not be read (corrupt content or fonts): left out",
            page_list(&failed)
        ));
    }
    if dev.dense_pages > 0 {
        warnings.push(format!(
            "{} page(s) have over {MAX_GLYPHS_PER_PAGE} glyphs: the rest of those pages is left out",
            dev.dense_pages
        ));
    }
    let layout = assemble(dev.pages);
    let scanned: Vec<u32> = pages
        .iter()
        .enumerate()
        .filter(|(i, _)| images.get(*i).copied().unwrap_or(false) && !layout.has_text[*i])
        .map(|(_, &(n, _))| n)
        .collect();
    let text_pages = layout.has_text.iter().filter(|&&t| t).count();
    if !scanned.is_empty() && text_pages > 0 {
        warnings.push(format!(
            "page(s) {} have images but no text layer (scanned?): their text is missing",
            page_list(&scanned)
        ));
    }
    Ok(PdfText {
        title: title.or(layout.heading),
        text: layout.text,
        author,
        date,
        pages: pages.len(),
        pages_with_images: images.iter().filter(|&&b| b).count(),
        warnings,
    })
}

fn load_error(bytes: &[u8], e: &str) -> String {
    let e = e.lines().next().unwrap_or("").trim();
    let lower = e.to_ascii_lowercase();
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if lower.contains("password") || lower.contains("decrypt") {
        format!("encrypted PDF: it needs a password to open ({e})")
    } else if !tail.windows(5).any(|w| w == b"%%EOF") {
        format!("truncated PDF: the file ends before its end marker (%%EOF); {e}")
    } else if ["xref", "cross reference", "trailer", "offset"]
        .iter()
        .any(|k| lower.contains(k))
    {
        format!("corrupt or truncated PDF: {e}")
    } else {
        format!("corrupt PDF: {e}")
    }
}

/// "3, 5–7, 9" (at most 10 ranges shown).
fn page_list(pages: &[u32]) -> String {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for &p in pages {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == p => *end = p,
            _ => ranges.push((p, p)),
        }
    }
    let mut parts: Vec<String> = ranges
        .iter()
        .take(10)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    if ranges.len() > 10 {
        parts.push("…".into());
    }
    parts.join(", ")
}

// ---------------------------------------------------------------------------------------------
// Panics in the parsers.

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err` and keeping the panic message off stderr (only on this
/// thread, only while `f` runs: other panics are reported as before).
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, ()> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    r.map_err(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Before parsing: limits and clean-up of what the extractor would trip on.

/// The largest `/Size N` (trailer or xref stream) or the number of `N G obj` headers, whichever
/// is larger: what the parser would be asked to hold.
fn declared_objects(bytes: &[u8]) -> usize {
    let mut max_size = 0usize;
    let mut objs = 0usize;
    let n = bytes.len();
    let mut i = 0;
    while i + 5 <= n {
        match bytes[i] {
            b'/' if bytes[i..].starts_with(b"/Size") => {
                let mut j = i + 5;
                while j < n && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                let mut v = 0usize;
                let start = j;
                while j < n && bytes[j].is_ascii_digit() && j - start < 12 {
                    v = v * 10 + (bytes[j] - b'0') as usize;
                    j += 1;
                }
                if j > start {
                    max_size = max_size.max(v);
                }
                i = j.max(i + 1);
            }
            b'o' if bytes[i..].starts_with(b"obj")
                && i >= 2
                && bytes[i - 1].is_ascii_whitespace()
                && bytes[i - 2].is_ascii_digit()
                && bytes.get(i + 3).is_none_or(|b| !b.is_ascii_alphanumeric()) =>
            {
                objs += 1;
                i += 3;
            }
            _ => i += 1,
        }
    }
    max_size.max(objs)
}

/// Prepares the document for `pdf-extract`; returns, per page, whether it draws images.
fn sanitize(
    doc: &mut Document,
    pages: &[(u32, ObjectId)],
    budget: u64,
) -> Result<Vec<bool>, String> {
    // 1. Inherited attributes resolved onto each page, without following a cyclic Parent chain.
    let mut page_resources: Vec<Option<Object>> = Vec::with_capacity(pages.len());
    for &(_, id) in pages {
        let resources = inherited(doc, id, b"Resources");
        let media_box = inherited(doc, id, b"MediaBox")
            .and_then(|o| rect(doc, &o))
            .unwrap_or([0.0, 0.0, 612.0, 792.0]);
        if let Ok(Object::Dictionary(page)) = doc.get_object_mut(id) {
            match &resources {
                Some(r) => page.set("Resources", r.clone()),
                None => page.set("Resources", Object::Dictionary(Dictionary::new())),
            }
            page.set(
                "MediaBox",
                Object::Array(media_box.iter().map(|&v| Object::Real(v as f32)).collect()),
            );
            page.remove(b"ArtBox");
        }
        page_resources.push(resources);
    }

    // 2. Which pages draw images (for the scanned-PDF report), before images are neutralised.
    let images: Vec<bool> = page_resources
        .iter()
        .map(|r| r.as_ref().is_some_and(|r| draws_images(doc, r)))
        .collect();

    // 3. Image XObjects become empty forms (the extractor would run their pixels as content);
    //    Flate streams the extractor will read are inflated here, within the budget.
    let mut used = 0u64;
    let empty_form = {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"XObject".to_vec()));
        d.set("Subtype", Object::Name(b"Form".to_vec()));
        d.set(
            "BBox",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        );
        Stream::new(d, Vec::new())
    };
    for obj in doc.objects.values_mut() {
        let Object::Stream(stream) = obj else {
            continue;
        };
        let kind = |k: &[u8]| {
            stream
                .dict
                .get(k)
                .ok()
                .and_then(|o| o.as_name().ok())
                .map(<[u8]>::to_vec)
        };
        let subtype = kind(b"Subtype");
        let ty = kind(b"Type");
        if subtype.as_deref() == Some(b"Image") {
            *stream = empty_form.clone();
            continue;
        }
        if matches!(
            ty.as_deref(),
            Some(b"EmbeddedFile" | b"Metadata" | b"XRef" | b"ObjStm")
        ) || stream.dict.has(b"Width")
        {
            continue;
        }
        inflate_in_place(stream, budget, &mut used)?;
    }
    // Page content streams may be arrays or lack a Type: inflate those too.
    for &(_, id) in pages {
        for cid in doc.get_page_contents(id) {
            if let Ok(Object::Stream(s)) = doc.get_object_mut(cid) {
                inflate_in_place(s, budget, &mut used)?;
            }
        }
    }

    // 4. Forms that (directly or not) draw themselves, or nest absurdly deep, are emptied.
    break_form_cycles(doc);
    Ok(images)
}

/// Inflates a stream whose only filter is FlateDecode (without predictor), counting against the
/// budget. Other filters are left to the parser.
fn inflate_in_place(stream: &mut Stream, budget: u64, used: &mut u64) -> Result<(), String> {
    let filters = match stream.filters() {
        Ok(f) => f.iter().map(|f| f.to_vec()).collect::<Vec<_>>(),
        Err(_) => return Ok(()),
    };
    if filters.len() != 1 || filters[0] != b"FlateDecode" || stream.dict.has(b"DecodeParms") {
        return Ok(());
    }
    let left = budget.saturating_sub(*used);
    let mut out = Vec::with_capacity(stream.content.len().saturating_mul(4).min(1 << 24));
    let r = flate2::read::ZlibDecoder::new(&stream.content[..])
        .take(left.saturating_add(1))
        .read_to_end(&mut out);
    if out.len() as u64 > left {
        return Err(format!(
            "PDF streams inflate to over {} MB (compression bomb?): not read",
            budget >> 20
        ));
    }
    if r.is_err() && out.is_empty() {
        // Leave a broken stream to the parser, which has its own recovery.
        return Ok(());
    }
    *used += out.len() as u64;
    stream.dict.remove(b"Filter");
    stream.dict.remove(b"DecodeParms");
    stream.set_content(out);
    Ok(())
}

/// An attribute of a page or, failing that, of its nearest ancestor that has it.
fn inherited(doc: &Document, page: ObjectId, key: &[u8]) -> Option<Object> {
    let mut seen = HashSet::new();
    let mut id = page;
    for _ in 0..64 {
        if !seen.insert(id) {
            return None;
        }
        let dict = doc.get_dictionary(id).ok()?;
        if let Ok(v) = dict.get(key) {
            return Some(v.clone());
        }
        id = dict.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}

fn deref<'a>(doc: &'a Document, mut o: &'a Object) -> Option<&'a Object> {
    for _ in 0..16 {
        match o {
            Object::Reference(id) => o = doc.get_object(*id).ok()?,
            _ => return Some(o),
        }
    }
    None
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(*r as f64),
        _ => None,
    }
}

fn rect(doc: &Document, o: &Object) -> Option<[f64; 4]> {
    let Object::Array(a) = deref(doc, o)? else {
        return None;
    };
    if a.len() != 4 {
        return None;
    }
    let mut r = [0.0; 4];
    for (i, v) in a.iter().enumerate() {
        r[i] = number(deref(doc, v)?)?;
        if !r[i].is_finite() {
            return None;
        }
    }
    if r[2] - r[0] <= 0.0 || r[3] - r[1] <= 0.0 {
        return None;
    }
    Some(r)
}

fn name_is(dict: &Dictionary, key: &[u8], value: &[u8]) -> bool {
    dict.get(key).ok().and_then(|o| o.as_name().ok()) == Some(value)
}

fn xobjects<'a>(doc: &'a Document, resources: &'a Object) -> Option<&'a Dictionary> {
    let Object::Dictionary(r) = deref(doc, resources)? else {
        return None;
    };
    match deref(doc, r.get(b"XObject").ok()?)? {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// Whether a page's resources hold an image (directly or in a form, two levels deep).
fn draws_images(doc: &Document, resources: &Object) -> bool {
    fn walk(doc: &Document, resources: &Object, depth: u32) -> bool {
        let Some(xo) = xobjects(doc, resources) else {
            return false;
        };
        xo.iter().any(|(_, v)| match deref(doc, v) {
            Some(Object::Stream(s)) if name_is(&s.dict, b"Subtype", b"Image") => true,
            Some(Object::Stream(s)) if depth < 2 && name_is(&s.dict, b"Subtype", b"Form") => s
                .dict
                .get(b"Resources")
                .ok()
                .is_some_and(|r| walk(doc, r, depth + 1)),
            _ => false,
        })
    }
    walk(doc, resources, 0)
}

/// `Do` operands in a content stream (a byte scan: `/Name Do`).
fn do_names(content: &[u8]) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    let mut i = 0;
    while let Some(p) = content[i..].windows(2).position(|w| w == b"Do") {
        let at = i + p;
        i = at + 2;
        let after_ok = content
            .get(at + 2)
            .is_none_or(|b| b.is_ascii_whitespace() || b"/[<(".contains(b));
        if !after_ok || at == 0 {
            continue;
        }
        let mut j = at;
        while j > 0 && content[j - 1].is_ascii_whitespace() {
            j -= 1;
        }
        let end = j;
        while j > 0 && !content[j - 1].is_ascii_whitespace() && content[j - 1] != b'/' {
            j -= 1;
        }
        if j > 0 && content[j - 1] == b'/' && end > j {
            names.push(content[j..end].to_vec());
        }
    }
    names
}

/// Empties every form XObject that can reach itself through `Do`, or sits deeper than 12 forms:
/// `pdf-extract` recurses into forms without a guard, and a stack overflow cannot be caught.
fn break_form_cycles(doc: &mut Document) {
    // Names resolvable anywhere (for forms without their own resources, which inherit).
    let mut global: HashMap<Vec<u8>, Vec<ObjectId>> = HashMap::new();
    let mut forms: HashMap<ObjectId, Vec<ObjectId>> = HashMap::new();
    let mut own: HashMap<ObjectId, Option<HashMap<Vec<u8>, ObjectId>>> = HashMap::new();
    for (&id, obj) in &doc.objects {
        let Object::Stream(s) = obj else { continue };
        if let Ok(r) = s.dict.get(b"Resources") {
            if let Some(xo) = xobjects(doc, r) {
                let map: HashMap<Vec<u8>, ObjectId> = xo
                    .iter()
                    .filter_map(|(k, v)| v.as_reference().ok().map(|r| (k.to_vec(), r)))
                    .collect();
                for (k, v) in &map {
                    global.entry(k.clone()).or_default().push(*v);
                }
                if name_is(&s.dict, b"Subtype", b"Form") {
                    own.insert(id, Some(map));
                }
                continue;
            }
        }
        if name_is(&s.dict, b"Subtype", b"Form") {
            own.insert(id, None);
        }
    }
    for (_, obj) in doc.objects.iter() {
        if let Object::Dictionary(d) = obj {
            if name_is(d, b"Type", b"Page") || d.has(b"Kids") {
                if let Ok(r) = d.get(b"Resources") {
                    if let Some(xo) = xobjects(doc, r) {
                        for (k, v) in xo.iter() {
                            if let Ok(r) = v.as_reference() {
                                global.entry(k.to_vec()).or_default().push(r);
                            }
                        }
                    }
                }
            }
        }
    }
    for (&id, map) in &own {
        let Ok(Object::Stream(s)) = doc.get_object(id) else {
            continue;
        };
        let content = if s.filters().map(|f| f.is_empty()).unwrap_or(true) {
            s.content.clone()
        } else {
            // Not inflated by us (other filter, or over budget): trust only explicit names.
            s.decompressed_content().unwrap_or_default()
        };
        let mut edges = Vec::new();
        for name in do_names(&content) {
            match map {
                Some(m) => edges.extend(m.get(&name).copied()),
                None => edges.extend(global.get(&name).into_iter().flatten().copied()),
            }
        }
        edges.retain(|e| own.contains_key(e));
        edges.sort_unstable();
        edges.dedup();
        forms.insert(id, edges);
    }
    // Iterative DFS with colours; a back edge or depth > 12 marks the target as bad.
    let mut colour: HashMap<ObjectId, u8> = HashMap::new();
    let mut bad: HashSet<ObjectId> = HashSet::new();
    let mut roots: Vec<ObjectId> = forms.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        if colour.contains_key(&root) {
            continue;
        }
        let mut stack: Vec<(ObjectId, usize)> = vec![(root, 0)];
        colour.insert(root, 1);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let edges = &forms[&node];
            if *next < edges.len() {
                let child = edges[*next];
                *next += 1;
                match colour.get(&child) {
                    Some(1) => {
                        bad.insert(child);
                    }
                    Some(_) => {}
                    None => {
                        if stack.len() >= 12 {
                            bad.insert(child);
                        } else {
                            colour.insert(child, 1);
                            stack.push((child, 0));
                        }
                    }
                }
            } else {
                colour.insert(node, 2);
                stack.pop();
            }
        }
    }
    for id in bad {
        if let Ok(Object::Stream(s)) = doc.get_object_mut(id) {
            s.dict.remove(b"Filter");
            s.set_content(Vec::new());
        }
    }
}

/// Title, author and creation date from the document information dictionary.
fn info(doc: &Document) -> (Option<String>, Option<String>, Option<String>) {
    let Some(Object::Dictionary(info)) = doc.trailer.get(b"Info").ok().and_then(|o| deref(doc, o))
    else {
        return (None, None, None);
    };
    let text = |key: &[u8]| -> Option<String> {
        let o = deref(doc, info.get(key).ok()?)?;
        // Some producers write UTF-8 without a BOM: take it when it is valid and not ASCII.
        let s = match o.as_str() {
            Ok(raw) if !raw.is_ascii() && !raw.starts_with(b"\xFE\xFF") => {
                match std::str::from_utf8(raw) {
                    Ok(u) => u.to_string(),
                    Err(_) => pdf_extract::decode_text_string(o).ok()?,
                }
            }
            _ => pdf_extract::decode_text_string(o).ok()?,
        };
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        (!s.is_empty()).then_some(s)
    };
    let title = text(b"Title").filter(|t| !junk_title(t));
    let author = text(b"Author");
    let date = text(b"CreationDate").and_then(|d| pdf_date(&d));
    (title, author, date)
}

/// Titles that producers write when the author wrote none.
fn junk_title(t: &str) -> bool {
    let l = t.to_lowercase();
    l.starts_with("microsoft word - ")
        || l.starts_with("microsoft powerpoint - ")
        || [
            "untitled",
            "unbenannt",
            "bez nosaukuma",
            "uten tittel",
            "title",
            "slide 1",
            "document",
        ]
        .contains(&l.as_str())
        || [
            ".doc", ".docx", ".pdf", ".odt", ".indd", ".rtf", ".ppt", ".pptx", ".xls", ".qxd",
        ]
        .iter()
        .any(|e| l.ends_with(e))
}

/// `D:20230405123456+03'00'` → `2023-04-05`.
fn pdf_date(s: &str) -> Option<String> {
    let s = s.trim().strip_prefix("D:").unwrap_or(s.trim());
    let d: Vec<u32> = s
        .chars()
        .take(8)
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if d.len() < 4 {
        return None;
    }
    let y = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
    if !(1900..=2200).contains(&y) {
        return None;
    }
    if d.len() < 8 {
        return Some(format!("{y:04}"));
    }
    let m = d[4] * 10 + d[5];
    let day = d[6] * 10 + d[7];
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return Some(format!("{y:04}"));
    }
    Some(format!("{y:04}-{m:02}-{day:02}"))
}

// ---------------------------------------------------------------------------------------------
// Glyphs → lines in reading order, page by page.

#[derive(Debug, Clone, Copy)]
struct Glyph {
    /// Origin along the writing direction and across it (top-down), in points.
    x: f32,
    y: f32,
    /// Advance and font size, in points.
    adv: f32,
    size: f32,
    space_before: bool,
    /// Writing direction: 0 = left to right, 1..3 = rotated by 90° steps.
    dir: u8,
    start: u32,
    len: u16,
}

/// A line of one page, with its geometry.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    /// The XY-cut leaf (block) it belongs to, in reading order; `leaf_x1` is its right edge.
    leaf: u32,
    leaf_x0: f32,
    leaf_x1: f32,
    dropped: bool,
}

#[derive(Debug, Default)]
struct PageLines {
    lines: Vec<Line>,
    height: f32,
}

#[derive(Default)]
struct Collector {
    pages: Vec<PageLines>,
    glyphs: Vec<Glyph>,
    buf: String,
    flip: Option<Transform>,
    height: f32,
    pending_space: bool,
    dense: bool,
    dense_pages: usize,
}

impl Collector {
    fn start(&mut self, _page: u32) {
        self.glyphs.clear();
        self.buf.clear();
        self.flip = None;
        self.height = 792.0;
        self.pending_space = false;
        self.dense = false;
    }

    fn finish(&mut self, failed: bool) {
        if self.dense {
            self.dense_pages += 1;
        }
        let lines = if failed {
            Vec::new()
        } else {
            layout_page(&self.glyphs, &self.buf)
        };
        self.pages.push(PageLines {
            lines,
            height: self.height,
        });
        self.glyphs.clear();
        self.buf.clear();
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        let h = media_box.ury - media_box.lly;
        self.height = h as f32;
        self.flip = Some(Transform::row_major(
            1.,
            0.,
            0.,
            -1.,
            -media_box.llx,
            media_box.ury,
        ));
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        if ch.is_empty() || ch.chars().all(|c| c.is_whitespace() || c.is_control()) {
            self.pending_space = true;
            return Ok(());
        }
        if self.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
            self.dense = true;
            return Ok(());
        }
        let flip = self.flip.unwrap_or_else(Transform::identity);
        let p = trm.post_transform(&flip);
        let (dx, dy) = (p.m11, p.m12);
        let scale_x = (dx * dx + dy * dy).sqrt();
        let scale_y = (p.m21 * p.m21 + p.m22 * p.m22).sqrt();
        let size = (scale_y * font_size).abs();
        if !size.is_finite() || size < 0.5 || !p.m31.is_finite() || !p.m32.is_finite() {
            return Ok(());
        }
        // Direction in 90° steps (y grows downwards after the flip).
        let dir = if dx.abs() >= dy.abs() {
            if dx >= 0.0 {
                0
            } else {
                2
            }
        } else if dy > 0.0 {
            1
        } else {
            3
        };
        let (ux, uy) = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)][dir as usize];
        let (ox, oy) = (p.m31, p.m32);
        let x = ox * ux + oy * uy;
        let y = -ox * uy + oy * ux;
        let start = self.buf.len() as u32;
        let ch = if ch.len() > 64 {
            // (`str::floor_char_boundary` is newer than this crate's MSRV.)
            let mut end = 64;
            while !ch.is_char_boundary(end) {
                end -= 1;
            }
            &ch[..end]
        } else {
            ch
        };
        self.buf.push_str(ch);
        self.glyphs.push(Glyph {
            x: x as f32,
            y: y as f32,
            adv: (width * scale_x * font_size).abs() as f32,
            size: size as f32,
            space_before: std::mem::take(&mut self.pending_space),
            dir,
            start,
            len: ch.len() as u16,
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A run: glyphs on one baseline without a wide gap.
#[derive(Debug, Clone)]
struct Run {
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    text: String,
}

impl Run {
    fn top(&self) -> f32 {
        self.y - 0.8 * self.size
    }
    fn bottom(&self) -> f32 {
        self.y + 0.25 * self.size
    }
}

/// Word gap (in font sizes) above which a space is inserted when the PDF drew none.
const SPACE_GAP: f32 = 0.15;
/// Gap (in font sizes) that ends a run; the XY-cut decides later whether it was a column gutter.
const RUN_GAP: f32 = 1.0;

fn layout_page(glyphs: &[Glyph], buf: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut leaf_base = 0u32;
    for dir in 0..4u8 {
        let runs = build_runs(glyphs.iter().filter(|g| g.dir == dir), buf);
        if runs.is_empty() {
            continue;
        }
        let mut leaves: Vec<Vec<Run>> = Vec::new();
        xy_cut(runs, &mut leaves);
        for leaf in leaves {
            let lx0 = leaf.iter().map(|r| r.x0).fold(f32::INFINITY, f32::min);
            let lx1 = leaf.iter().map(|r| r.x1).fold(f32::NEG_INFINITY, f32::max);
            for (text, x0, x1, y, size) in leaf_lines(leaf) {
                lines.push(Line {
                    text,
                    x0,
                    x1,
                    y,
                    size,
                    leaf: leaf_base,
                    leaf_x0: lx0,
                    leaf_x1: lx1,
                    dropped: false,
                });
            }
            leaf_base += 1;
        }
    }
    lines
}

fn build_runs<'a>(glyphs: impl Iterator<Item = &'a Glyph>, buf: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut cur: Option<(Run, f32)> = None; // run and its last glyph's x (duplicate check)
    for g in glyphs {
        let s = &buf[g.start as usize..g.start as usize + g.len as usize];
        if let Some((run, last_x)) = cur.as_mut() {
            let tol = 0.3 * run.size.max(g.size);
            let gap = g.x - run.x1;
            let same_line = (g.y - run.y).abs() <= tol;
            if same_line && (g.x - *last_x).abs() < 0.05 * g.size && run.text.ends_with(s) {
                // The same glyph drawn again (fake bold, shadow): once is enough.
                continue;
            }
            if same_line && gap >= -0.6 * g.size && gap <= RUN_GAP * g.size.max(run.size) {
                if (gap > SPACE_GAP * g.size || (g.space_before && gap > -0.1 * g.size))
                    && !run.text.ends_with(' ')
                {
                    run.text.push(' ');
                }
                run.text.push_str(s);
                run.x1 = run.x1.max(g.x + g.adv);
                run.size = run.size.max(g.size);
                *last_x = g.x;
                continue;
            }
            runs.push(cur.take().unwrap().0);
        }
        cur = Some((
            Run {
                x0: g.x,
                x1: g.x + g.adv,
                y: g.y,
                size: g.size,
                text: s.to_string(),
            },
            g.x,
        ));
    }
    if let Some((run, _)) = cur {
        runs.push(run);
    }
    runs.retain(|r| !r.text.trim().is_empty());
    runs
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

/// Distinct baselines among runs (within 0.3 of a font size).
fn baselines(runs: &[Run]) -> Vec<f32> {
    let mut ys: Vec<(f32, f32)> = runs.iter().map(|r| (r.y, r.size)).collect();
    ys.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<f32> = Vec::new();
    for (y, s) in ys {
        if out.last().is_none_or(|&l| y - l > 0.3 * s) {
            out.push(y);
        }
    }
    out
}

/// Recursive XY-cut, iteratively: a block is split at a column gutter (a vertical band no run
/// crosses) if both sides look like text columns, else at wide horizontal gaps, else it is a
/// leaf. Leaves come out in reading order.
fn xy_cut(runs: Vec<Run>, leaves: &mut Vec<Vec<Run>>) {
    let mut stack = vec![(runs, true)];
    while let Some((block, try_cut)) = stack.pop() {
        if !try_cut || block.len() <= 1 {
            leaves.push(block);
            continue;
        }
        let size = median(block.iter().map(|r| r.size).collect()).max(1.0);
        if let Some(parts) = vertical_cut(&block, size) {
            for p in parts.into_iter().rev() {
                stack.push((p, true));
            }
            continue;
        }
        if let Some(parts) = horizontal_cut(&block, size) {
            for p in parts.into_iter().rev() {
                stack.push((p, true));
            }
            continue;
        }
        leaves.push(block);
    }
}

fn vertical_cut(block: &[Run], size: f32) -> Option<Vec<Vec<Run>>> {
    let mut spans: Vec<(f32, f32)> = block.iter().map(|r| (r.x0, r.x1)).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cuts = Vec::new();
    let mut reach = spans[0].1;
    for &(a, b) in &spans[1..] {
        if a - reach >= 0.8 * size {
            cuts.push((reach + a) / 2.0);
        }
        reach = reach.max(b);
    }
    if cuts.is_empty() {
        return None;
    }
    let mut parts: Vec<Vec<Run>> = vec![Vec::new(); cuts.len() + 1];
    for r in block {
        let i = cuts.iter().take_while(|&&c| r.x0 > c).count();
        parts[i].push(r.clone());
    }
    // Columns of text, not a table: every part has several lines, and the lines fill their
    // column (table cells are short and sit on shared baselines).
    let enough_lines = parts.iter().all(|p| baselines(p).len() >= 3);
    if !enough_lines {
        return None;
    }
    if parts.len() >= 2 {
        let fill = |p: &Vec<Run>| {
            let x0 = p.iter().map(|r| r.x0).fold(f32::INFINITY, f32::min);
            let x1 = p.iter().map(|r| r.x1).fold(f32::NEG_INFINITY, f32::max);
            let w = (x1 - x0).max(1.0);
            median(p.iter().map(|r| (r.x1 - r.x0) / w).collect())
        };
        let shared = {
            let a = baselines(&parts[0]);
            let b = baselines(&parts[1]);
            let hits = a
                .iter()
                .filter(|y| b.iter().any(|z| (*y - z).abs() < 0.3 * size))
                .count();
            hits as f32 / a.len().max(1) as f32
        };
        let tableish = parts.len() >= 3 || parts.iter().any(|p| fill(p) < 0.6);
        if tableish && shared >= 0.7 {
            return None;
        }
    }
    Some(parts)
}

fn horizontal_cut(block: &[Run], size: f32) -> Option<Vec<Vec<Run>>> {
    let mut spans: Vec<(f32, f32)> = block.iter().map(|r| (r.top(), r.bottom())).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut gaps = Vec::new();
    let mut reach = spans[0].1;
    for &(a, b) in &spans[1..] {
        if a > reach {
            gaps.push((reach, a));
        }
        reach = reach.max(b);
    }
    if gaps.is_empty() {
        return None;
    }
    let typical = median(gaps.iter().map(|g| g.1 - g.0).collect());
    let threshold = (0.3 * size).max(1.5 * typical);
    let cuts: Vec<f32> = gaps
        .iter()
        .filter(|g| g.1 - g.0 >= threshold)
        .map(|g| (g.0 + g.1) / 2.0)
        .collect();
    if cuts.is_empty() {
        return None;
    }
    let mut parts: Vec<Vec<Run>> = vec![Vec::new(); cuts.len() + 1];
    for r in block {
        let i = cuts.iter().take_while(|&&c| r.top() > c).count();
        parts[i].push(r.clone());
    }
    parts.retain(|p| !p.is_empty());
    (parts.len() > 1).then_some(parts)
}

/// The runs of a leaf as lines: grouped by baseline, left to right.
fn leaf_lines(mut runs: Vec<Run>) -> Vec<(String, f32, f32, f32, f32)> {
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x0.total_cmp(&b.x0)));
    let mut groups: Vec<Vec<Run>> = Vec::new();
    for r in runs {
        match groups.last_mut() {
            Some(g) if (r.y - g[0].y).abs() <= 0.35 * r.size.max(g[0].size) => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    groups
        .into_iter()
        .map(|mut g| {
            g.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut text = String::new();
            let mut x1 = f32::NEG_INFINITY;
            for r in &g {
                if !text.is_empty() && !text.ends_with(' ') && r.x0 - x1 > SPACE_GAP * r.size {
                    text.push(' ');
                }
                text.push_str(&r.text);
                x1 = x1.max(r.x1);
            }
            let size = median(g.iter().map(|r| r.size).collect());
            let y = median(g.iter().map(|r| r.y).collect());
            (text.trim().to_string(), g[0].x0, x1, y, size)
        })
        .filter(|l| !l.0.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Pages of lines → text: running headers and page numbers dropped, paragraphs, hyphenation.

struct Assembled {
    text: String,
    heading: Option<String>,
    has_text: Vec<bool>,
}

fn assemble(mut pages: Vec<PageLines>) -> Assembled {
    drop_running_lines(&mut pages);
    let pitch = pitch_table(&pages);
    let body = body_size(&pages);
    let heading = first_heading(&pages, body);
    let has_text: Vec<bool> = pages
        .iter()
        .map(|p| p.lines.iter().any(|l| !l.dropped))
        .collect();

    // Paragraphs of each page.
    let mut page_paras: Vec<Vec<String>> =
        pages.iter().map(|p| paragraphs(&p.lines, &pitch)).collect();

    // A word hyphenated across a page break goes whole onto the first page.
    for i in 0..page_paras.len().saturating_sub(1) {
        let Some(j) = (i + 1..page_paras.len()).find(|&j| !page_paras[j].is_empty()) else {
            break;
        };
        if j != i + 1 {
            continue;
        }
        let (a, b) = page_paras.split_at_mut(j);
        let (Some(last), Some(first)) = (a[i].last_mut(), b[0].first_mut()) else {
            continue;
        };
        if let Some(stem) = hyphen_stem(last) {
            if first.chars().next().is_some_and(char::is_lowercase) {
                let end = first.find(' ').unwrap_or(first.len());
                let word = first[..end].to_string();
                let rest = first[end..].trim_start().to_string();
                let stem_len = stem;
                last.truncate(stem_len);
                last.push_str(&word);
                *first = rest;
                if first.is_empty() {
                    b[0].remove(0);
                }
            }
        }
    }

    let mut text = String::new();
    for (i, paras) in page_paras.iter().enumerate() {
        if i > 0 {
            text.push('\u{c}');
        }
        text.push_str(&paras.join("\n\n"));
    }
    Assembled {
        text,
        heading,
        has_text,
    }
}

/// Key of a line for spotting repeats: lower case, digits as `#`, spaces collapsed.
fn line_key(s: &str) -> String {
    let mut k = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !k.is_empty() {
            k.push(' ');
        }
        for c in w.chars() {
            if c.is_ascii_digit() {
                k.push('#');
            } else {
                k.extend(c.to_lowercase());
            }
        }
    }
    k
}

/// A line that is only a page number: `14`, `- 14 -`, `14 / 120`, `Page 14 of 120`, `14. lpp.`,
/// `Side 14`, `xiv`.
fn is_page_number(s: &str) -> bool {
    let lower = s.to_lowercase();
    let mut numbers = 0;
    for tok in lower.split(|c: char| c.is_whitespace() || "-–—()[]|/.,:·•".contains(c)) {
        if tok.is_empty() {
            continue;
        }
        let arabic = tok.len() <= 5 && tok.chars().all(|c| c.is_ascii_digit());
        let roman = tok.len() <= 6 && tok.chars().all(|c| "ivxlc".contains(c));
        if arabic || roman {
            numbers += 1;
        } else if !matches!(
            tok,
            "page"
                | "p"
                | "pg"
                | "lpp"
                | "lapa"
                | "lappuse"
                | "side"
                | "s"
                | "seite"
                | "of"
                | "av"
                | "no"
                | "из"
                | "стр"
                | "lk"
                | "psl"
                | "sivu"
                | "sida"
                | "pag"
        ) {
            return false;
        }
    }
    (1..=2).contains(&numbers)
}

/// Lines among the top two and bottom two of a page that repeat on several pages (digits
/// ignored), and bare page numbers there, are running headers/footers: dropped.
fn drop_running_lines(pages: &mut [PageLines]) {
    let n = pages.iter().filter(|p| !p.lines.is_empty()).count();
    if n < 2 {
        return;
    }
    let edge = |p: &PageLines| -> Vec<usize> {
        let mut idx: Vec<usize> = (0..p.lines.len()).collect();
        idx.sort_by(|&a, &b| p.lines[a].y.total_cmp(&p.lines[b].y));
        let mut out: Vec<usize> = idx.iter().take(2).copied().collect();
        out.extend(idx.iter().rev().take(2).copied());
        out.sort_unstable();
        out.dedup();
        // Only lines in the outer fifth of the page count as header/footer candidates.
        out.retain(|&i| {
            let y = p.lines[i].y;
            y < 0.2 * p.height || y > 0.8 * p.height
        });
        out
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for p in pages.iter() {
        let mut keys: Vec<String> = edge(p)
            .iter()
            .map(|&i| line_key(&p.lines[i].text))
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *counts.entry(k).or_default() += 1;
        }
    }
    let needed = if n <= 5 { 2 } else { 3 };
    for p in pages.iter_mut() {
        for i in edge(p) {
            let line = &mut p.lines[i];
            if is_page_number(&line.text)
                || counts.get(&line_key(&line.text)).copied().unwrap_or(0) >= needed
            {
                line.dropped = true;
            }
        }
    }
}

fn size_bucket(s: f32) -> i32 {
    (s * 2.0).round() as i32
}

/// The usual baseline-to-baseline distance for each font size in this document.
fn pitch_table(pages: &[PageLines]) -> HashMap<i32, f32> {
    let mut hist: HashMap<i32, HashMap<i32, usize>> = HashMap::new();
    for p in pages {
        let lines: Vec<&Line> = p.lines.iter().filter(|l| !l.dropped).collect();
        for w in lines.windows(2) {
            let (a, b) = (w[0], w[1]);
            let d = b.y - a.y;
            if a.leaf == b.leaf
                && size_bucket(a.size) == size_bucket(b.size)
                && d > 0.8 * a.size
                && d < 3.0 * a.size
            {
                *hist
                    .entry(size_bucket(a.size))
                    .or_default()
                    .entry((d * 4.0).round() as i32)
                    .or_default() += 1;
            }
        }
    }
    hist.into_iter()
        .map(|(s, h)| {
            let (d, _) = h.into_iter().max_by_key(|&(d, c)| (c, -d)).unwrap();
            (s, d as f32 / 4.0)
        })
        .collect()
}

/// The font size most characters are set in.
fn body_size(pages: &[PageLines]) -> f32 {
    let mut hist: HashMap<i32, usize> = HashMap::new();
    for l in pages.iter().flat_map(|p| &p.lines).filter(|l| !l.dropped) {
        *hist.entry(size_bucket(l.size)).or_default() += l.text.chars().count();
    }
    hist.into_iter()
        .max_by_key(|&(s, c)| (c, -s))
        .map(|(s, _)| s as f32 / 2.0)
        .unwrap_or(10.0)
}

/// The largest line (at least 15 % over the body size) on the first page with text, with the
/// lines right below it in the same size: the document's first heading.
fn first_heading(pages: &[PageLines], body: f32) -> Option<String> {
    let page = pages.iter().find(|p| p.lines.iter().any(|l| !l.dropped))?;
    let lines: Vec<&Line> = page.lines.iter().filter(|l| !l.dropped).collect();
    let max = lines.iter().map(|l| l.size).fold(0.0, f32::max);
    if max < 1.15 * body {
        return None;
    }
    let start = lines.iter().position(|l| l.size >= 0.95 * max)?;
    let mut title = lines[start].text.clone();
    let mut prev = lines[start];
    for l in lines.iter().skip(start + 1).take(2) {
        if (l.size - max).abs() > 0.05 * max || l.leaf != prev.leaf || l.y - prev.y > 2.0 * max {
            break;
        }
        join_line(&mut title, &l.text);
        prev = l;
    }
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    (!title.is_empty() && title.chars().count() <= 300).then_some(title)
}

fn starts_item(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(
            '•' | '▪' | '‣' | '◦' | '●' | '○' | '■' | '□' | '➢' | '✓' | '\u{f0b7}' | '\u{f0a7}',
        ) => true,
        Some('–' | '—' | '-' | '*') => chars.next() == Some(' '),
        _ => false,
    }
}

/// The lines of one page as paragraphs (lines joined, hyphenation undone).
fn paragraphs(lines: &[Line], pitch: &HashMap<i32, f32>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<&Line> = None;
    for l in lines.iter().filter(|l| !l.dropped) {
        let new_para = match prev {
            None => true,
            Some(p) => {
                let continues = (hyphen_stem(&cur).is_some() || !ends_sentence(&cur))
                    && l.text.chars().next().is_some_and(char::is_lowercase);
                let size_change = (l.size - p.size).abs() > 0.15 * p.size.max(l.size);
                let d = l.y - p.y;
                let same_flow = l.leaf == p.leaf
                    || (d > 0.0 && l.x0 < p.leaf_x1 && l.leaf_x0 < p.x1.max(p.leaf_x1));
                if size_change {
                    true
                } else if !same_flow || d <= 0.0 {
                    // Next column or a jump upwards: a paragraph goes on only mid-sentence.
                    !continues
                } else {
                    let typical = pitch
                        .get(&size_bucket(p.size))
                        .copied()
                        .unwrap_or(1.2 * p.size);
                    let gap = d > (typical * 1.3).max(typical + 0.25 * p.size);
                    let short_end = ends_sentence(&cur) && p.x1 < p.leaf_x1 - 2.5 * p.size;
                    gap || short_end || starts_item(&l.text)
                }
            }
        };
        if new_para && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        join_line(&mut cur, &l.text);
        prev = Some(l);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .trim_end_matches(['"', '”', '“', '»', '\'', ')', '’'])
        .ends_with(['.', '!', '?', ':', ';'])
}

/// If `s` ends in a word broken by a hyphen, the byte length to keep (without the hyphen).
fn hyphen_stem(s: &str) -> Option<usize> {
    let t = s.trim_end();
    let (idx, h) = t.char_indices().last()?;
    if !matches!(h, '-' | '\u{ad}' | '\u{2010}' | '\u{2011}') {
        return None;
    }
    let before = &t[..idx];
    let word_start = before
        .rfind(|c: char| !c.is_alphabetic())
        .map(|i| i + before[i..].chars().next().unwrap().len_utf8())
        .unwrap_or(0);
    let word = &before[word_start..];
    // A real word piece: letters, and more than one (keeps `e-` of `e-pasts`).
    if h != '\u{ad}' && word.chars().count() < 2 {
        return None;
    }
    if word.is_empty() {
        return None;
    }
    Some(idx)
}

/// Appends a line to a paragraph: a space between, or nothing when the previous line ended in
/// a hyphenated word piece and this one goes on in lower case (`sabiedrī-` + `bas`).
fn join_line(cur: &mut String, line: &str) {
    let line = line.trim();
    if cur.is_empty() {
        cur.push_str(line);
        return;
    }
    let next_lower = line.chars().next().is_some_and(char::is_lowercase);
    if let Some(keep) = hyphen_stem(cur) {
        let soft = cur[keep..].starts_with('\u{ad}');
        cur.truncate(cur.trim_end().len());
        if next_lower || soft {
            cur.truncate(keep);
        }
        // Upper case or digits after a hyphen: a compound (`COVID-19`), hyphen kept, no space.
        cur.push_str(line);
        return;
    }
    let mut tail = cur.chars().rev();
    if matches!(tail.next(), Some('-' | '\u{2010}')) && tail.next().is_some_and(char::is_alphabetic)
    {
        // A lone-letter prefix such as `e-` (`e-pasts`): keep the hyphen, no space.
        cur.push_str(line);
        return;
    }
    cur.push(' ');
    cur.push_str(line);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use pdf_extract::content::{Content, Operation};

    /// Characters beyond ASCII that the test font can show, with their glyph names.
    const EXTRA: &[(char, &str)] = &[
        ('ā', "amacron"),
        ('Ā', "Amacron"),
        ('č', "ccaron"),
        ('Č', "Ccaron"),
        ('ē', "emacron"),
        ('ģ', "gcommaaccent"),
        ('ī', "imacron"),
        ('ķ', "kcommaaccent"),
        ('ļ', "lcommaaccent"),
        ('ņ', "ncommaaccent"),
        ('š', "scaron"),
        ('Š', "Scaron"),
        ('ū', "umacron"),
        ('ž', "zcaron"),
        ('Ž', "Zcaron"),
        ('æ', "ae"),
        ('ø', "oslash"),
        ('å', "aring"),
        ('Æ', "AE"),
        ('Ø', "Oslash"),
        ('Å', "Aring"),
        ('–', "endash"),
        ('“', "quotedblleft"),
        ('”', "quotedblright"),
    ];

    fn encode(s: &str) -> Vec<u8> {
        s.chars()
            .map(|c| match EXTRA.iter().position(|&(e, _)| e == c) {
                Some(i) => 128 + i as u8,
                None if c.is_ascii() => c as u8,
                None => b'?',
            })
            .collect()
    }

    /// One piece of text on a page: x, y (from the top, in points), font size, text.
    pub type Piece<'a> = (f64, f64, f64, &'a str);

    /// A PDF of A4 pages with Helvetica (widths 0.5 em, space 0.25 em) and an optional title.
    pub fn make_pdf(pages: &[Vec<Piece>], title: Option<&str>) -> Vec<u8> {
        use pdf_extract::{Object, Stream, StringFormat};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut diffs = vec![Object::Integer(128)];
        diffs.extend(
            EXTRA
                .iter()
                .map(|(_, n)| Object::Name(n.as_bytes().to_vec())),
        );
        let mut enc = Dictionary::new();
        enc.set("Type", Object::Name(b"Encoding".to_vec()));
        enc.set("BaseEncoding", Object::Name(b"WinAnsiEncoding".to_vec()));
        enc.set("Differences", Object::Array(diffs));
        let mut font = Dictionary::new();
        font.set("Type", Object::Name(b"Font".to_vec()));
        font.set("Subtype", Object::Name(b"Type1".to_vec()));
        font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
        font.set("Encoding", Object::Dictionary(enc));
        font.set("FirstChar", 32);
        font.set("LastChar", 255);
        font.set(
            "Widths",
            Object::Array(
                (32..=255)
                    .map(|c| Object::Integer(if c == 32 { 250 } else { 500 }))
                    .collect(),
            ),
        );
        let font_id = doc.add_object(font);
        let mut fonts = Dictionary::new();
        fonts.set("F1", font_id);
        let mut resources = Dictionary::new();
        resources.set("Font", fonts);
        let resources_id = doc.add_object(resources);
        let mut kids = Vec::new();
        for pieces in pages {
            let mut ops = Vec::new();
            for &(x, y, size, text) in pieces {
                ops.push(Operation::new("BT", vec![]));
                ops.push(Operation::new("Tf", vec!["F1".into(), size.into()]));
                ops.push(Operation::new("Td", vec![x.into(), (842.0 - y).into()]));
                ops.push(Operation::new(
                    "Tj",
                    vec![Object::String(encode(text), StringFormat::Literal)],
                ));
                ops.push(Operation::new("ET", vec![]));
            }
            let content = Content { operations: ops };
            let mut stream = Stream::new(Dictionary::new(), content.encode().unwrap());
            stream.compress().unwrap();
            let content_id = doc.add_object(stream);
            let mut page = Dictionary::new();
            page.set("Type", Object::Name(b"Page".to_vec()));
            page.set("Parent", pages_id);
            page.set("Contents", content_id);
            let page_id = doc.add_object(page);
            kids.push(Object::Reference(page_id));
        }
        let mut pages_dict = Dictionary::new();
        pages_dict.set("Type", Object::Name(b"Pages".to_vec()));
        pages_dict.set("Count", kids.len() as i64);
        pages_dict.set("Kids", Object::Array(kids));
        pages_dict.set("Resources", resources_id);
        pages_dict.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
        );
        doc.objects.insert(pages_id, Object::Dictionary(pages_dict));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", pages_id);
        let catalog_id = doc.add_object(catalog);
        doc.trailer.set("Root", catalog_id);
        if let Some(t) = title {
            let mut info = Dictionary::new();
            let mut utf16 = vec![0xFE, 0xFF];
            for u in t.encode_utf16() {
                utf16.extend(u.to_be_bytes());
            }
            info.set("Title", Object::String(utf16, StringFormat::Hexadecimal));
            info.set("Author", Object::string_literal("Biedrība Piemērs"));
            info.set(
                "CreationDate",
                Object::string_literal("D:20230405101112+03'00'"),
            );
            let info_id = doc.add_object(info);
            doc.trailer.set("Info", info_id);
        }
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    /// Body lines of a paragraph at 10 pt, 12 pt apart, starting at `y`.
    pub fn para<'a>(y: f64, lines: &[&'a str]) -> Vec<Piece<'a>> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (72.0, y + 12.0 * i as f64, 10.0, *l))
            .collect()
    }

    fn page_with_furniture<'a>(n: usize, body: Vec<Piece<'a>>, num: &'a str) -> Vec<Piece<'a>> {
        let _ = n;
        let mut p = vec![(72.0, 40.0, 8.0, "Biedrība “Piemērs” – gada pārskats 2023")];
        p.extend(body);
        p.push((290.0, 810.0, 8.0, num));
        p
    }

    #[test]
    fn hyphenation_pages_headers_and_paragraphs() {
        let p1 = {
            let mut b = vec![(72.0, 100.0, 20.0, "Pilsoniskā sabiedrība")];
            b.extend(para(
                140.0,
                &[
                    "Pirmā rindkopa par pilsoniskās",
                    "sabiedrības stiprināšanu visā Latvijā.",
                ],
            ));
            b.extend(para(
                180.0,
                &["Otrā rindkopa sākas šeit un runā par", "brīvprātīgo darbu."],
            ));
            page_with_furniture(1, b, "1")
        };
        let p2 = page_with_furniture(
            2,
            para(
                100.0,
                &[
                    "Mēs strādājām ar pilsoniskās sabiedrī-",
                    "bas organizācijām un e-",
                    "pasta lietotājiem; COVID-",
                    "19 laikā arī.",
                ],
            ),
            "2",
        );
        let p3 = page_with_furniture(3, para(100.0, &["Trešā lapa."]), "3");
        let bytes = make_pdf(&[p1, p2, p3], None);
        let out = extract(&bytes).unwrap();
        let pages: Vec<&str> = out.text.split('\u{c}').collect();
        assert_eq!(pages.len(), 3, "{:?}", out.text);
        assert_eq!(
            pages[0],
            "Pilsoniskā sabiedrība\n\nPirmā rindkopa par pilsoniskās sabiedrības stiprināšanu visā Latvijā.\n\nOtrā rindkopa sākas šeit un runā par brīvprātīgo darbu."
        );
        assert_eq!(
            pages[1],
            "Mēs strādājām ar pilsoniskās sabiedrības organizācijām un e-pasta lietotājiem; COVID-19 laikā arī."
        );
        assert_eq!(pages[2], "Trešā lapa.");
        assert!(
            !out.text.contains("gada pārskats"),
            "running header dropped"
        );
        assert_eq!(
            out.title.as_deref(),
            Some("Pilsoniskā sabiedrība"),
            "first heading"
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn metadata_title_author_and_date() {
        let bytes = make_pdf(&[para(100.0, &["Teksts."])], Some("Gada pārskats 2023"));
        let out = extract(&bytes).unwrap();
        assert_eq!(out.title.as_deref(), Some("Gada pārskats 2023"));
        assert_eq!(out.author.as_deref(), Some("Biedrība Piemērs"));
        assert_eq!(out.date.as_deref(), Some("2023-04-05"));
    }

    #[test]
    fn two_columns_are_read_column_by_column() {
        let mut body = vec![(72.0, 80.0, 16.0, "Divas slejas")];
        for i in 0..6 {
            body.push((
                72.0,
                120.0 + 12.0 * i as f64,
                10.0,
                [
                    "kreisā viens",
                    "kreisā divi",
                    "kreisā trīs",
                    "kreisā četri",
                    "kreisā pieci",
                    "kreisā seši.",
                ][i],
            ));
            body.push((
                320.0,
                120.0 + 12.0 * i as f64,
                10.0,
                [
                    "labā viens",
                    "labā divi",
                    "labā trīs",
                    "labā četri",
                    "labā pieci",
                    "labā seši.",
                ][i],
            ));
        }
        let out = extract(&make_pdf(&[body], None)).unwrap();
        let l = out.text.find("kreisā seši").unwrap();
        let r = out.text.find("labā viens").unwrap();
        assert!(l < r, "left column first: {:?}", out.text);
        assert!(
            out.text.contains("kreisā viens kreisā divi"),
            "{:?}",
            out.text
        );
    }

    #[test]
    fn hyphen_across_a_page_break_is_joined_on_the_first_page() {
        let p1 = para(100.0, &["Darbs ar brīvprātī-"]);
        let p2 = para(100.0, &["gajiem turpinās."]);
        let out = extract(&make_pdf(&[p1, p2], None)).unwrap();
        assert_eq!(out.text, "Darbs ar brīvprātīgajiem\u{c}turpinās.");
    }

    #[test]
    fn table_rows_stay_rows() {
        let mut body = Vec::new();
        for (i, (a, b, c)) in [
            ("Reģions", "Dalībnieki", "Gads"),
            ("Rīga", "120", "2023"),
            ("Liepāja", "45", "2023"),
            ("Cēsis", "30", "2022"),
        ]
        .iter()
        .enumerate()
        {
            let y = 100.0 + 14.0 * i as f64;
            body.push((72.0, y, 10.0, *a));
            body.push((250.0, y, 10.0, *b));
            body.push((400.0, y, 10.0, *c));
        }
        let out = extract(&make_pdf(&[body], None)).unwrap();
        assert!(out.text.contains("Rīga 120 2023"), "{:?}", out.text);
    }

    #[test]
    fn page_numbers_are_recognised() {
        for s in [
            "14",
            "- 14 -",
            "14 / 120",
            "Page 14 of 120",
            "14. lpp.",
            "Side 3",
            "xiv",
            "[7]",
        ] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["2023. gads", "14 dalībnieki", "Rīga", "COVID-19"] {
            assert!(!is_page_number(s), "{s}");
        }
    }

    #[test]
    fn hyphen_joining_rules() {
        let mut s = "sabiedrī-".to_string();
        join_line(&mut s, "bas");
        assert_eq!(s, "sabiedrības");
        let mut s = "Nord-".to_string();
        join_line(&mut s, "Ostsee");
        assert_eq!(s, "Nord-Ostsee");
        let mut s = "ziņas pa e-".to_string();
        join_line(&mut s, "pastu");
        assert_eq!(s, "ziņas pa e-pastu");
        let mut s = "sabiedrī\u{ad}".to_string();
        join_line(&mut s, "bas");
        assert_eq!(s, "sabiedrības");
        let mut s = "viens -".to_string();
        join_line(&mut s, "divi");
        assert_eq!(s, "viens -divi".replace("-divi", "- divi"));
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            pdf_date("D:20230405123456+03'00'").as_deref(),
            Some("2023-04-05")
        );
        assert_eq!(pdf_date("D:2023").as_deref(), Some("2023"));
        assert_eq!(pdf_date("garbage"), None);
    }

    #[test]
    fn not_a_pdf_truncated_and_corrupt() {
        assert!(extract(b"hello").unwrap_err().contains("not a PDF"));
        let bytes = make_pdf(&[para(100.0, &["Teksts."])], None);
        let cut = &bytes[..bytes.len() / 2];
        let e = extract(cut).unwrap_err();
        assert!(e.starts_with("truncated PDF: the file ends before"), "{e}");
        let mut junk = b"%PDF-1.4\n".to_vec();
        junk.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8));
        junk.extend(b"\n%%EOF\n");
        let e = extract(&junk).unwrap_err();
        assert!(e.starts_with("corrupt"), "{e}");
    }

    #[test]
    fn too_many_objects_is_refused_before_parsing() {
        let mut bytes = b"%PDF-1.4\n".to_vec();
        for i in 1..=MAX_PDF_OBJECTS + 1 {
            bytes.extend(format!("{i} 0 obj null endobj\n").as_bytes());
        }
        bytes.extend(b"trailer << /Size 5 >>\n%%EOF\n");
        let e = extract(&bytes).unwrap_err();
        assert!(e.contains("objects, over the limit"), "{e}");
        let e = extract(b"%PDF-1.4\ntrailer << /Size 900000 /Root 1 0 R >>\n%%EOF").unwrap_err();
        assert!(e.contains("900000 objects"), "{e}");
    }

    #[test]
    fn compression_bomb_is_refused() {
        use pdf_extract::Stream;
        let bytes = make_pdf(&[para(100.0, &["Teksts."])], None);
        let mut doc = Document::load_mem(&bytes).unwrap();
        // Replace the page content with 8 MB of spaces (deflates ~1000:1).
        let page = *doc.get_pages().values().next().unwrap();
        let cid = doc.get_page_contents(page)[0];
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..8 {
            std::io::Write::write_all(&mut enc, &chunk).unwrap();
        }
        let mut d = Dictionary::new();
        d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        doc.objects
            .insert(cid, Object::Stream(Stream::new(d, enc.finish().unwrap())));
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        let e = extract_with(&out, 1 << 20).unwrap_err();
        assert!(e.contains("compression bomb"), "{e}");
        assert!(extract(&out).is_ok(), "within the default 64 MiB floor");
    }

    /// The same PDF encrypted (RC4-128) with the given user password.
    pub fn encrypt_pdf(bytes: &[u8], user_password: &str) -> Vec<u8> {
        use pdf_extract::{EncryptionState, EncryptionVersion, Permissions};
        let mut doc = Document::load_mem(bytes).unwrap();
        let id = Object::String(
            b"0123456789abcdef".to_vec(),
            pdf_extract::StringFormat::Hexadecimal,
        );
        doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
        let state = EncryptionState::try_from(EncryptionVersion::V2 {
            document: &doc,
            owner_password: "owner-secret",
            user_password,
            key_length: 128,
            permissions: Permissions::all(),
        })
        .unwrap();
        doc.encrypt(&state).unwrap();
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn encrypted_with_a_password_is_reported_without_one_is_read() {
        let bytes = make_pdf(&[para(100.0, &["Slepens teksts."])], None);
        let e = extract(&encrypt_pdf(&bytes, "secret")).unwrap_err();
        assert!(e.starts_with("encrypted PDF"), "{e}");
        let out = extract(&encrypt_pdf(&bytes, "")).unwrap();
        assert_eq!(out.text, "Slepens teksts.");
    }

    /// Draws a 1×1 grey image on page `index` (0-based), as a scanner would.
    pub fn add_image(bytes: &[u8], index: usize) -> Vec<u8> {
        use pdf_extract::Stream;
        let mut doc = Document::load_mem(bytes).unwrap();
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"XObject".to_vec()));
        d.set("Subtype", Object::Name(b"Image".to_vec()));
        d.set("Width", 1);
        d.set("Height", 1);
        d.set("ColorSpace", Object::Name(b"DeviceGray".to_vec()));
        d.set("BitsPerComponent", 8);
        let img = doc.add_object(Stream::new(d, vec![128]));
        let page = doc.get_pages()[&(index as u32 + 1)];
        let resources = inherited(&doc, page, b"Resources").unwrap();
        let mut res = match deref(&doc, &resources).unwrap() {
            Object::Dictionary(r) => r.clone(),
            _ => unreachable!(),
        };
        let mut xo = Dictionary::new();
        xo.set("Im1", img);
        res.set("XObject", xo);
        let mut content = doc.get_page_content(page).unwrap();
        content.extend(b"\nq 500 0 0 700 40 60 cm /Im1 Do Q\n");
        let cid = doc.add_object(Stream::new(Dictionary::new(), content));
        if let Ok(Object::Dictionary(p)) = doc.get_object_mut(page) {
            p.set("Resources", res);
            p.set("Contents", cid);
        }
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn scanned_pages_are_reported() {
        let blank = make_pdf(&[vec![], vec![]], None);
        let scanned = add_image(&add_image(&blank, 0), 1);
        let out = extract(&scanned).unwrap();
        assert_eq!(out.text.trim_matches('\u{c}'), "");
        assert_eq!(out.pages_with_images, 2);
        // Text on page 1, an image only on page 2: read, with a warning naming page 2.
        let mixed = add_image(
            &make_pdf(&[para(100.0, &["Teksts ar attēlu."]), vec![]], None),
            1,
        );
        let out = extract(&mixed).unwrap();
        assert_eq!(out.text, "Teksts ar attēlu.\u{c}");
        assert_eq!(
            out.warnings,
            vec!["page(s) 2 have images but no text layer (scanned?): their text is missing"]
        );
        // An image next to text on the same page does not disturb the text.
        let out = extract(&add_image(&make_pdf(&[para(100.0, &["Teksts."])], None), 0)).unwrap();
        assert_eq!(out.text, "Teksts.");
    }

    fn read_path(name: &str, bytes: &[u8]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let input = InputFile {
            path,
            rel: name.into(),
            size: bytes.len() as u64,
        };
        let mut events = Vec::new();
        read_pdf(
            &input,
            ReadLimits {
                max_file_bytes: 10 << 20,
            },
            &mut |e| {
                events.push(match e {
                    ReadEvent::Document(d) => {
                        format!("doc {} p={} {:?}", d.id, d.metadata["pages"], d.title)
                    }
                    ReadEvent::Problem(p) => p.to_string(),
                })
            },
        );
        events
    }

    #[test]
    fn reader_events_name_the_file() {
        let good = make_pdf(&[para(100.0, &["Teksts."])], Some("Virsraksts"));
        let ev = read_path("labs.pdf", &good);
        assert_eq!(ev, vec!["doc labs.pdf p=1 Some(\"Virsraksts\")"]);
        let ev = read_path("slepens.pdf", &encrypt_pdf(&good, "secret"));
        assert!(
            ev.len() == 1
                && ev[0].starts_with("error: ")
                && ev[0].contains("slepens.pdf: encrypted PDF"),
            "{ev:?}"
        );
        let ev = read_path("skenets.pdf", &add_image(&make_pdf(&[vec![]], None), 0));
        assert!(
            ev.len() == 1
                && ev[0].starts_with("skipped: ")
                && ev[0].contains("skenets.pdf: no text layer (scanned PDF?)"),
            "{ev:?}"
        );
    }

    #[test]
    fn self_drawing_form_does_not_overflow() {
        use pdf_extract::Stream;
        let bytes = make_pdf(&[para(100.0, &["Teksts pirms formas."])], None);
        let mut doc = Document::load_mem(&bytes).unwrap();
        let form_id = doc.new_object_id();
        let mut xo = Dictionary::new();
        xo.set("X1", form_id);
        let mut res = Dictionary::new();
        res.set("XObject", xo);
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"XObject".to_vec()));
        d.set("Subtype", Object::Name(b"Form".to_vec()));
        d.set(
            "BBox",
            Object::Array(vec![0.into(), 0.into(), 100.into(), 100.into()]),
        );
        d.set("Resources", res.clone());
        doc.objects
            .insert(form_id, Object::Stream(Stream::new(d, b"/X1 Do".to_vec())));
        let page = *doc.get_pages().values().next().unwrap();
        let cid = doc.get_page_contents(page)[0];
        let mut content = doc.get_page_content(page).unwrap();
        content.extend(b"\n/X1 Do\n");
        doc.objects
            .insert(cid, Object::Stream(Stream::new(Dictionary::new(), content)));
        let mut fonts = Dictionary::new();
        fonts.set("XObject", res.get(b"XObject").unwrap().clone());
        if let Ok(Object::Dictionary(p)) = doc.get_object_mut(page) {
            let mut r = Dictionary::new();
            let pages_res = Document::load_mem(&bytes).unwrap();
            let _ = pages_res;
            r.set("XObject", fonts.get(b"XObject").unwrap().clone());
            p.set("Resources", r);
        }
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        // Either read (without the text, its font is gone) or reported: never a crash.
        let _ = extract(&out);
    }
}
