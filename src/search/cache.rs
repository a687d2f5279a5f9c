//! Answers kept for requests that come again (the HTTP service's result cache).
//!
//! A search box embedded in a site sees the same few queries over and over (query logs are
//! Zipfian), and each costs about a millisecond of CPU on a large index: a small server that
//! answers repeats from memory serves several times more visitors. An answer is kept under the
//! request *and* the index snapshot it was computed on (segments and deletions, see
//! [`Engine::snapshot`]), so a commit, a delete or a reindex makes every older answer
//! unreachable at once: a cached answer is always the one a fresh search would give.
//!
//! The cache is bounded by the bytes its answers hold and forgets the least recently used.
//! Only successful answers are kept (a mistake in a request costs nothing to find again).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use lru::LruCache;

use super::{elapsed_ms, SearchRequest, SearchResponse};
use crate::engine::Engine;
use crate::error::Result;

/// Whether an answer came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cached {
    Hit,
    Miss,
}

impl Cached {
    pub fn as_str(self) -> &'static str {
        match self {
            Cached::Hit => "hit",
            Cached::Miss => "miss",
        }
    }
}

struct State {
    /// The snapshot the kept answers belong to; another one empties the cache.
    snapshot: String,
    answers: LruCache<String, Arc<SearchResponse>>,
    bytes: usize,
}

/// A byte-bounded LRU of search answers for one index.
pub struct ResultCache {
    max_bytes: usize,
    state: Mutex<State>,
}

impl std::fmt::Debug for ResultCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultCache")
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl ResultCache {
    /// A cache holding at most `max_bytes` of answers (0 = keep nothing).
    pub fn new(max_bytes: usize) -> ResultCache {
        ResultCache {
            max_bytes,
            state: Mutex::new(State {
                snapshot: String::new(),
                answers: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves a consistent LRU (no user code runs under it).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept answer to `req` on `engine`'s current snapshot, if any (`took_ms`: this call's
    /// time). Cheap enough to ask before waiting for a search slot: a repeat never queues behind
    /// searches.
    pub fn lookup(&self, engine: &Engine, req: &SearchRequest) -> Option<SearchResponse> {
        if self.max_bytes == 0 {
            return None;
        }
        self.lookup_in(engine, &engine.searcher(), req, Instant::now())
            .ok()
    }

    /// The hit path of [`ResultCache::search`]: `Ok(answer)` on a hit, else the key and snapshot
    /// to keep the search's answer under.
    fn lookup_in(
        &self,
        engine: &Engine,
        searcher: &tantivy::Searcher,
        req: &SearchRequest,
        started: Instant,
    ) -> std::result::Result<SearchResponse, (String, String)> {
        let snapshot = engine.snapshot(searcher);
        // Every field of the request, in declaration order: equal keys, equal requests.
        let key = serde_json::to_string(req).unwrap_or_default();
        let mut st = self.lock();
        if st.snapshot != snapshot {
            st.answers.clear();
            st.bytes = 0;
            st.snapshot.clone_from(&snapshot);
        }
        match st.answers.get(&key).cloned() {
            Some(kept) => {
                // Copied outside the lock: concurrent hits only share the LRU update.
                drop(st);
                let mut res = SearchResponse::clone(&kept);
                res.took_ms = elapsed_ms(started);
                Ok(res)
            }
            None => Err((key, snapshot)),
        }
    }

    /// Answers `req` on `engine`: from the cache when the same request was answered on the same
    /// snapshot, else by searching (and keeping the answer). `took_ms` is this call's time.
    pub fn search(&self, engine: &Engine, req: &SearchRequest) -> Result<(SearchResponse, Cached)> {
        let started = Instant::now();
        if self.max_bytes == 0 {
            return Ok((engine.search(req)?, Cached::Miss));
        }
        let searcher = engine.searcher();
        let (key, snapshot) = match self.lookup_in(engine, &searcher, req, started) {
            Ok(res) => return Ok((res, Cached::Hit)),
            Err(miss) => miss,
        };
        let res = engine.search_in(&searcher, req)?;
        let weight = weight_of(&res, &key);
        if weight <= self.max_bytes / 8 {
            let mut st = self.lock();
            if st.snapshot == snapshot {
                if let Some(old) = st.answers.put(key.clone(), Arc::new(res.clone())) {
                    st.bytes -= weight_of(&old, &key);
                }
                st.bytes += weight;
                while st.bytes > self.max_bytes {
                    match st.answers.pop_lru() {
                        Some((k, old)) => st.bytes -= weight_of(&old, &k),
                        None => {
                            st.bytes = 0;
                            break;
                        }
                    }
                }
            }
        }
        Ok((res, Cached::Miss))
    }

    /// Answers kept and the bytes they hold.
    pub fn len_and_bytes(&self) -> (usize, usize) {
        let st = self.lock();
        (st.answers.len(), st.bytes)
    }
}

fn weight_of(res: &SearchResponse, key: &str) -> usize {
    weight(res) + key.len()
}

/// About the heap bytes an answer holds (strings and vectors; a fixed cost per object).
fn weight(res: &SearchResponse) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let i = &res.interpretation;
    let terms: usize = i
        .terms
        .iter()
        .map(|(k, v)| 64 + k.len() + v.iter().map(|t| 24 + t.len()).sum::<usize>())
        .sum();
    let facets: usize = res
        .facets
        .lang
        .keys()
        .chain(res.facets.org.keys())
        .map(|k| 64 + k.len())
        .sum();
    let hits: usize = res
        .hits
        .iter()
        .map(|h| {
            256 + h.id.len()
                + h.title.len()
                + h.lang.len()
                + h.langs.iter().map(|l| 24 + l.len()).sum::<usize>()
                + opt(&h.source)
                + opt(&h.url)
                + opt(&h.org)
                + opt(&h.date)
                + h.snippet.len()
                + h.passages
                    .iter()
                    .map(|p| 64 + p.text.len() + 16 * p.highlights.len())
                    .sum::<usize>()
        })
        .sum();
    512 + res.query.len()
        + res.snapshot.len()
        + opt(&i.detected)
        + opt(&i.hint)
        + terms
        + facets
        + hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tests::engine_with_pages;

    fn engine(dir: &std::path::Path) -> Engine {
        let texts: Vec<String> = (0..20)
            .map(|i| format!("Biedrība numur {i} rūpējas par kopienu un brīvprātīgo darbu."))
            .collect();
        let pages: Vec<(&str, &str)> = texts.iter().map(|t| ("lv", t.as_str())).collect();
        engine_with_pages(dir, &pages)
    }

    #[test]
    fn answers_stay_within_the_byte_bound_least_recently_used_first_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = engine(dir.path());
        // Requests that differ (in their highlight markup) and whose answers weigh the same.
        let req = |i: usize| SearchRequest {
            highlight_post: format!("</m{i:02}>"),
            ..SearchRequest::new("biedrība")
        };
        let key_len = serde_json::to_string(&req(0)).expect("json").len();
        let one = weight(&engine.search(&req(0)).expect("search")) + key_len;
        // Room for ten answers.
        let room = 10 * one + one / 2;
        let cache = ResultCache::new(room);
        let status =
            |cache: &ResultCache, i: usize| cache.search(&engine, &req(i)).expect("search").1;
        assert!(cache.lookup(&engine, &req(0)).is_none());
        for i in 0..10 {
            assert_eq!(status(&cache, i), Cached::Miss);
        }
        assert_eq!(cache.len_and_bytes(), (10, 10 * one));
        // What the server asks before queueing a search: the kept answer, the same hits.
        let kept = cache.lookup(&engine, &req(3)).expect("a kept answer");
        let fresh = engine.search(&req(3)).expect("search");
        let ids = |r: &SearchResponse| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        assert_eq!((ids(&kept), kept.total), (ids(&fresh), fresh.total));
        assert!(cache.lookup(&engine, &req(11)).is_none());
        // Used again: now the most recent; 1 is the least recently used and goes first.
        assert_eq!(status(&cache, 0), Cached::Hit);
        assert_eq!(status(&cache, 10), Cached::Miss);
        let (n, bytes) = cache.len_and_bytes();
        assert_eq!(n, 10);
        assert!(bytes <= room, "{bytes} bytes kept in {room}");
        assert_eq!(status(&cache, 0), Cached::Hit);
        assert_eq!(status(&cache, 2), Cached::Hit);
        assert_eq!(status(&cache, 1), Cached::Miss);
        // An answer larger than an eighth of the room is answered, not kept.
        let small = ResultCache::new(one * 4);
        small.search(&engine, &req(0)).expect("search");
        assert_eq!(small.len_and_bytes(), (0, 0));
        // Off: nothing kept.
        let off = ResultCache::new(0);
        off.search(&engine, &req(0)).expect("search");
        assert_eq!(status(&off, 0), Cached::Miss);
        assert!(off.lookup(&engine, &req(0)).is_none());
        assert_eq!(off.len_and_bytes(), (0, 0));
    }
}
