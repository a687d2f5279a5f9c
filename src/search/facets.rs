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
    cache: &'a MaskCache,
    /// The searcher's segments: the cache forgets the others.
    live: Vec<SegmentId>,
}

impl<'a> FacetCollector<'a> {
    pub fn new(cache: &'a MaskCache, searcher: &Searcher) -> FacetCollector<'a> {
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

/// Per segment, every document's language mask, read from the `langmask` column once and kept
/// while the segment is searched. tantivy stores the masks block-wise linear (runs of
/// same-language documents compress well), whose random reads cost a block lookup, a
/// multiplication and an unpacking per document: 7–10 % of query time on dev-eval, for every
/// match of every query. Here a document's mask is an index into the segment's few distinct
/// masks: two bytes a document (2 MB per million), one array read per match.
/// Segments never change (deletes do not matter: deleted documents are not collected).
#[derive(Default)]
pub struct MaskCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentMasks>>>,
}

pub struct SegmentMasks {
    /// Per document, its mask's place in `masks`.
    ids: Vec<u16>,
    masks: Vec<u64>,
}

impl MaskCache {
    /// The masks of a segment (`None` past 65,536 distinct masks: the column is read instead).
    fn masks(&self, reader: &SegmentReader, live: &[SegmentId]) -> Option<Arc<SegmentMasks>> {
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
        let segment = Arc::new(SegmentMasks { ids, masks });
        let mut map = self.segments.lock().ok()?;
        map.retain(|k, _| live.contains(k));
        map.insert(id, segment.clone());
        Some(segment)
    }
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
    cached: Option<Arc<SegmentMasks>>,
    /// Matches per entry of the cached masks (allocated on the first match).
    counts: Vec<u32>,
    mask: Column<u64>,
    org: Option<StrColumn>,
    /// Matches per mask, when read from the column.
    masks: HashMap<u64, u64, BuildHasherDefault<U64Hasher>>,
    orgs: HashMap<u64, u64, BuildHasherDefault<U64Hasher>>,
}

impl Collector for FacetCollector<'_> {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: u32, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let mask = reader.fast_fields().u64("langmask")?;
        Ok(FacetSegment {
            cached: self.cache.masks(reader, &self.live),
            mask,
            counts: Vec::new(),
            // A segment without organisations costs nothing per document.
            org: reader
                .fast_fields()
                .str("org")?
                .filter(|c| c.num_terms() > 0),
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

impl SegmentCollector for FacetSegment {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        match &self.cached {
            Some(c) => {
                if let Some(&i) = c.ids.get(doc as usize) {
                    if self.counts.is_empty() {
                        self.counts = vec![0; c.masks.len()];
                    }
                    self.counts[usize::from(i)] += 1;
                }
            }
            None => {
                if let Some(m) = self.mask.first(doc) {
                    *self.masks.entry(m).or_default() += 1;
                }
            }
        }
        if let Some(org) = &self.org {
            for ord in org.term_ords(doc) {
                *self.orgs.entry(ord).or_default() += 1;
            }
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
            let mut s = String::new();
            for (ord, n) in self.orgs {
                s.clear();
                if org.ord_to_str(ord, &mut s).unwrap_or(false) {
                    *out.org.entry(s.clone()).or_default() += n;
                }
            }
        }
        out
    }
}
