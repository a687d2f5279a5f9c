//! The JSONL reader (and the JSON document mapping behind it) with any bytes, plain and gzip.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ngo_search::read::{read_jsonl, ReadEvent, ReadLimits};

fn dir() -> &'static tempfile::TempDir {
    static D: OnceLock<tempfile::TempDir> = OnceLock::new();
    D.get_or_init(|| tempfile::tempdir().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let gz = data.first().is_some_and(|b| b & 1 == 1);
    let path = dir().path().join(if gz { "f.jsonl.gz" } else { "f.jsonl" });
    std::fs::write(&path, data).unwrap();
    let limits = ReadLimits {
        max_file_bytes: 4096,
    };
    read_jsonl(&path, gz, limits, &mut |ev| {
        if let ReadEvent::Document(d) = ev {
            assert!(!d.id.trim().is_empty());
        }
    });
    // And each line as a JSON value straight into the document mapping (POST /documents).
    for line in data.split(|&b| b == b'\n') {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) {
            let _ = ngo_search::read::parse_json_document(v);
        }
    }
});
