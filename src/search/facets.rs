//! Facet counts over all matches: languages (from the `langmask` bit set, so no string work per
//! document) and organisations (dictionary ordinals, resolved once per segment).

use std::collections::{BTreeMap, HashMap};

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

pub struct FacetSegment {
    mask: Column<u64>,
    org: Option<StrColumn>,
    masks: HashMap<u64, u64>,
    orgs: HashMap<u64, u64>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;

    fn for_segment(&self, _ord: u32, reader: &SegmentReader) -> tantivy::Result<FacetSegment> {
        Ok(FacetSegment {
            mask: reader.fast_fields().u64("langmask")?,
            org: reader.fast_fields().str("org")?,
            masks: HashMap::new(),
            orgs: HashMap::new(),
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
