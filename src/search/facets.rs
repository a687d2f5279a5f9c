//! Facet counts over all matches: languages (from the `langmask` bit set, so no string work per
//! document) and organisations (dictionary ordinals, resolved once per segment).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentReader};

use crate::index::langs_of_mask;

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Facets {
    /// Matching documents per language they contain text in.
    pub lang: BTreeMap<String, u64>,
    /// Matching documents per organisation.
    pub org: BTreeMap<String, u64>,
}

/// Counts facets over the matches of one search.
pub struct FacetCollector<'a> {
    cache: &'a FacetCache,
    /// The searcher's segments: the cache forgets the others.
    live: Vec<SegmentId>,
}

impl<'a> FacetCollector<'a> {
    pub fn new(cache: &'a FacetCache, searcher: &Searcher) -> FacetCollector<'a> {
        FacetCollector {
            cache,
            live: searcher
                .segment_readers()
                .iter()
                .map(|r| r.segment_id())
                .collect(),
        }
    }
}

/// Per segment, every document's language mask (and organisation), read from the columns once
/// and kept while the segment is searched. tantivy stores the masks block-wise linear (runs of
/// same-language documents compress well), whose random reads cost a block lookup, a
/// multiplication and an unpacking per document: 7–10 % of query time on dev-eval, for every
/// match of every query. Here a document's mask is an index into the segment's few distinct
/// masks: two bytes a document (2 MB per million), one array read per match.
/// Segments never change (deletes do not matter: deleted documents are not collected).
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

pub struct SegmentFacets {
    /// Per document, its mask's place in `masks`.
    ids: Vec<u16>,
    masks: Vec<u64>,
    /// Per document, its organisation's dictionary ordinal + 1 (0 = none); `None` when the
    /// segment has no organisations or a document has several (the column is read instead).
    orgs: Option<Vec<u32>>,
    /// The organisation column (its dictionary names the counted ordinals), opened once: opening
    /// the fast-field columns again for every search was 2 % of query time.
    org_column: Option<StrColumn>,
}

impl FacetCache {
    /// A segment's facet values (`None` past 65,536 distinct masks: the columns are read instead).
    fn segment(&self, reader: &SegmentReader, live: &[SegmentId]) -> Option<Arc<SegmentFacets>> {
        let id = reader.segment_id();
        if let Some(m) = self.segments.lock().ok()?.get(&id) {
            return Some(m.clone());
        }
        let column = reader.fast_fields().u64("langmask").ok()?;
        let n = reader.max_doc();
        let mut ids = Vec::with_capacity(n as usize);
        let mut masks: Vec<u64> = Vec::new();
        let mut known: HashMap<u64, u16, BuildHasherDefault<U64Hasher>> = HashMap::default();
        for doc in 0..n {
            let m = column.first(doc).unwrap_or(0);
            let next = masks.len();
            let i = match known.get(&m) {
                Some(&i) => i,
                None => {
                    let i = u16::try_from(next).ok()?;
                    known.insert(m, i);
                    masks.push(m);
                    i
                }
            };
            ids.push(i);
        }
        let org_column = org_column(reader).ok()?;
        let orgs = org_column
            .as_ref()
            .filter(|c| c.num_terms() < u32::MAX as usize)
            .and_then(|c| {
                (0..n)
                    .map(|doc| {
                        let mut ords = c.term_ords(doc);
                        match (ords.next(), ords.next()) {
                            (None, _) => Some(0),
                            (Some(o), None) => u32::try_from(o + 1).ok(),
                            _ => None,
                        }
                    })
                    .collect::<Option<Vec<u32>>>()
            });
        let segment = Arc::new(SegmentFacets {
            ids,
            masks,
            orgs,
            org_column,
        });
        let mut map = self.segments.lock().ok()?;
        map.retain(|k, _| live.contains(k));
        map.insert(id, segment.clone());
        Some(segment)
    }
}

/// A segment's organisation column, `None` when no document has one.
fn org_column(reader: &SegmentReader) -> tantivy::Result<Option<StrColumn>> {
    Ok(reader
        .fast_fields()
        .str("org")?
        .filter(|c| c.num_terms() > 0))
}

/// Facets are counted per matching document, so the map's hash is on the hot path of every
/// search: a multiply instead of SipHash (the keys are our own bit sets and ordinals, nothing an
/// attacker chooses).
#[derive(Default)]
pub struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub struct FacetSegment {
    /// The segment's masks from the cache, else its column.
    cached: Option<Arc<SegmentFacets>>,
    /// Matches per entry of the cached masks.
    counts: Vec<u32>,
    /// Matches per organisation ordinal + 1, from the cached ordinals.
    org_counts: Vec<u32>,
    /// The mask column, opened only when the masks are not cached.
    mask: Option<Column<u64>>,
    org: Option<StrColumn>,
    /// Matches per mask, when read from the column.
    masks: HashMap<u64, u64, BuildHasherDefault<U64Hasher>>,
    orgs: HashMap<u64, u64, BuildHasherDefault<U64Hasher>>,
}

impl Collector for FacetCollector<'_> {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: u32, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let cached = self.cache.segment(reader, &self.live);
        let (mask, org) = match &cached {
            Some(c) => (None, c.org_column.clone()),
            None => (
                Some(reader.fast_fields().u64("langmask")?),
                org_column(reader)?,
            ),
        };
        // One counter per distinct mask of the segment (a few hundred at most in practice).
        let counts = cached
            .as_ref()
            .map_or_else(Vec::new, |c| vec![0; c.masks.len()]);
        Ok(FacetSegment {
            cached,
            mask,
            counts,
            org_counts: Vec::new(),
            // A segment without organisations costs nothing per document.
            org,
            masks: HashMap::default(),
            orgs: HashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut out = Facets::default();
        for f in fruits {
            for (k, v) in f.lang {
                *out.lang.entry(k).or_default() += v;
            }
            for (k, v) in f.org {
                *out.org.entry(k).or_default() += v;
            }
        }
        Ok(out)
    }
}

impl FacetSegment {
    #[inline(never)]
    fn collect_mask_from_column(&mut self, doc: DocId) {
        if let Some(m) = self.mask.as_ref().and_then(|c| c.first(doc)) {
            *self.masks.entry(m).or_default() += 1;
        }
    }

    #[inline(never)]
    fn collect_org(&mut self, doc: DocId) {
        let Some(org) = &self.org else {
            return;
        };
        match self.cached.as_ref().and_then(|c| c.orgs.as_ref()) {
            Some(ords) => {
                if let Some(&o) = ords.get(doc as usize).filter(|&&o| o > 0) {
                    if self.org_counts.is_empty() {
                        self.org_counts = vec![0; org.num_terms() + 1];
                    }
                    if let Some(n) = self.org_counts.get_mut(o as usize) {
                        *n += 1;
                    }
                }
            }
            None => {
                for ord in org.term_ords(doc) {
                    *self.orgs.entry(ord).or_default() += 1;
                }
            }
        }
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Facets;

    /// Every match of every search comes through here: the common case (masks cached, no
    /// organisations) is an array read and an increment, inlined into tantivy's collector loop.
    #[inline]
    fn collect(&mut self, doc: DocId, _score: Score) {
        match &self.cached {
            Some(c) => {
                if let Some(&i) = c.ids.get(doc as usize) {
                    if let Some(n) = self.counts.get_mut(usize::from(i)) {
                        *n += 1;
                    }
                }
            }
            None => self.collect_mask_from_column(doc),
        }
        if self.org.is_some() {
            self.collect_org(doc);
        }
    }

    fn harvest(self) -> Facets {
        let mut out = Facets::default();
        let cached = self.cached.as_ref().map_or(&[][..], |c| &c.masks[..]);
        let counted = cached
            .iter()
            .zip(&self.counts)
            .filter(|(_, &n)| n > 0)
            .map(|(&m, &n)| (m, u64::from(n)));
        for (mask, n) in counted.chain(self.masks) {
            for l in langs_of_mask(mask) {
                *out.lang.entry(l.code().to_string()).or_default() += n;
            }
        }
        if let Some(org) = &self.org {
            // One pass over the dictionary for all of them, in order: one lookup per
            // organisation decoded its dictionary block again each time (600 organisations,
            // 9 ms a query on a million documents).
            let mut counted: Vec<(u64, u64)> = self.orgs.into_iter().collect();
            counted.extend(
                self.org_counts
                    .iter()
                    .enumerate()
                    .filter(|&(o, &n)| o > 0 && n > 0)
                    .map(|(o, &n)| (o as u64 - 1, u64::from(n))),
            );
            counted.sort_unstable_by_key(|&(ord, _)| ord);
            let ords: Vec<u64> = counted.iter().map(|&(ord, _)| ord).collect();
            let mut next = counted.iter();
            let _ = org.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                if let Some(&(_, n)) = next.next() {
                    *out.org
                        .entry(String::from_utf8_lossy(bytes).into_owned())
                        .or_default() += n;
                }
            });
        }
        out
    }
}
