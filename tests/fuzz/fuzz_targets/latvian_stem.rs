//! The Latvian stemmer with any Unicode (as typed, and lower-cased as analysis gives it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = ngo_search::analysis::latvian::stem(&s);
    let _ = ngo_search::analysis::latvian::stem(&s.to_lowercase());
    let _ = ngo_search::analysis::latvian::stem_light(&s.to_lowercase());
});
