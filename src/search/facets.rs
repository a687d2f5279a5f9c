//! Facet counts over all matches: languages (from the `langmask` bit set, so no string work per
//! document) and organisations (dictionary ordinals, resolved once per segment).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentReader};

use crate::index::langs_of_mask;

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Facets {
    /// Matching documents per language they contain text in.
    pub lang: BTreeMap<String, u64>,
    /// Matching documents per organisation.
    pub org: BTreeMap<String, u64>,
}

pub struct FacetCollector;

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
    mask: Column<u64>,
    org: Option<StrColumn>,
    masks: HashMap<u64, u64, BuildHasherDefault<U64Hasher>>,
    orgs: HashMap<u64, u64, BuildHasherDefault<U64Hasher>>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: u32, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        Ok(FacetSegment {
            mask: reader.fast_fields().u64("langmask")?,
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
        if let Some(m) = self.mask.first(doc) {
            *self.masks.entry(m).or_default() += 1;
        }
        if let Some(org) = &self.org {
            for ord in org.term_ords(doc) {
                *self.orgs.entry(ord).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> Facets {
        let mut out = Facets::default();
        for (mask, n) in self.masks {
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
