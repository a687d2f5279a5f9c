//! Which terms a segment's body dictionary may hold: a Bloom filter over them, so that the
//! readings of a query word no document has skip the dictionary. A word is read in every
//! enabled language (stem and folded form each), and about four in five of those terms exist
//! nowhere; each costs tantivy a walk through the dictionary's FST, a chain of cache misses.
//!
//! The filter is built once per segment, on a background thread, when the segment is first
//! searched (a stream over its dictionary: tens of milliseconds for dev-eval's 436,000 terms);
//! until it is ready every term is looked up. It has no false negatives, so answers are the
//! same with or without it; a false positive (about 1 %) costs the lookup it would have cost.

use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::index::{InvertedIndexReader, SegmentId};

/// Bits per term (about 1 % false positives with `PROBES` probes in a 512-bit block).
const BITS_PER_TERM: usize = 10;
const PROBES: usize = 6;

/// A blocked Bloom filter: every probe of a key falls in one 64-byte block (one cache line).
pub struct TermFilter {
    blocks: Vec<[u64; 8]>,
}

impl TermFilter {
    fn with_capacity(terms: usize) -> TermFilter {
        TermFilter {
            blocks: vec![[0; 8]; (terms * BITS_PER_TERM).div_ceil(512).max(1)],
        }
    }

    /// All of a dictionary's terms.
    pub fn build(inverted: &InvertedIndexReader) -> std::io::Result<TermFilter> {
        let terms = inverted.terms();
        let mut filter = TermFilter::with_capacity(terms.num_terms());
        let mut stream = terms.stream()?;
        while stream.advance() {
            filter.insert(stream.key());
        }
        Ok(filter)
    }

    /// The block, and the bit positions in it (9 bits each).
    fn probes(&self, key: &[u8]) -> (usize, u64) {
        let mut h = rustc_hash::FxHasher::default();
        h.write(key);
        // SplitMix64's finaliser: FxHash alone leaves the low bits of short keys poorly mixed.
        let mut x = h.finish();
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
        let block = ((x >> 32) * self.blocks.len() as u64) >> 32;
        (block as usize, x)
    }

    fn insert(&mut self, key: &[u8]) {
        let (b, mut bits) = self.probes(key);
        if let Some(block) = self.blocks.get_mut(b) {
            for _ in 0..PROBES {
                let bit = (bits & 511) as usize;
                block[bit / 64] |= 1 << (bit % 64);
                bits >>= 9;
            }
        }
    }

    /// False only when the dictionary does not hold the term (its value bytes).
    pub fn may_contain(&self, key: &[u8]) -> bool {
        let (b, mut bits) = self.probes(key);
        let Some(block) = self.blocks.get(b) else {
            return true;
        };
        for _ in 0..PROBES {
            let bit = (bits & 511) as usize;
            if block[bit / 64] & (1 << (bit % 64)) == 0 {
                return false;
            }
            bits >>= 9;
        }
        true
    }
}

/// Per segment, its body terms' filter once built. Segments never change (deletes leave the
/// dictionary as it is), so a filter stays right for its segment's life.
#[derive(Default)]
pub struct TermFilters {
    segments: Mutex<HashMap<SegmentId, Arc<OnceLock<TermFilter>>>>,
}

impl TermFilters {
    /// The segment's filter cell: empty until the background build is done (the first call
    /// for a segment starts it). Segments not in `live` are forgotten.
    pub fn get(
        &self,
        id: SegmentId,
        inverted: &Arc<InvertedIndexReader>,
        live: &[SegmentId],
    ) -> Option<Arc<OnceLock<TermFilter>>> {
        let mut map = self.segments.lock().ok()?;
        if let Some(cell) = map.get(&id) {
            return Some(cell.clone());
        }
        map.retain(|k, _| live.contains(k));
        let cell = Arc::new(OnceLock::new());
        map.insert(id, cell.clone());
        let (inverted, target) = (inverted.clone(), cell.clone());
        // Without a thread (none to be had), the segment is simply searched without a filter.
        let _ = std::thread::Builder::new()
            .name("ngo-term-filter".into())
            .spawn(move || {
                if let Ok(filter) = TermFilter::build(&inverted) {
                    let _ = target.set(filter);
                }
            });
        Some(cell)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    use super::*;

    #[test]
    fn every_term_of_the_dictionary_passes_and_most_others_do_not() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 50_000_000)
            .expect("writer");
        for i in 0..5_000u32 {
            writer
                .add_document(doc!(body => format!("lv:word{i} en:term{} ^pre{}", i * 7, i % 97)))
                .expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let inverted = searcher
            .segment_reader(0)
            .inverted_index(body)
            .expect("terms");
        let filter = TermFilter::build(&inverted).expect("filter");
        let mut stream = inverted.terms().stream().expect("stream");
        let mut n = 0;
        while stream.advance() {
            assert!(filter.may_contain(stream.key()), "{:?}", stream.key());
            n += 1;
        }
        assert!(n > 9_000, "{n} terms");
        let absent = (0..10_000)
            .filter(|i| filter.may_contain(format!("nb:absent{i}").as_bytes()))
            .count();
        assert!(absent < 300, "{absent} false positives in 10,000");
    }
}
