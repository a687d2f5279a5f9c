//! The HTML reader (tree and flat paths) with any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let d = ngo_search::read::read_html_str(&s);
    assert!(d.title.as_deref().map_or(true, |t| !t.is_empty()));
    // The flat reader (pages nested too deep for the tree builder), whatever the depth.
    let _ = ngo_search::read::nesting_depth(&s);
    let _ = ngo_search::read::read_html_flat(&s);
});
