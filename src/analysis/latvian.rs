//! TEMPORARY STUB — replaced by the real Latvian stemmer.
pub fn stem(word: &str) -> String {
    for suf in ["ām", "as", "ās", "ai", "u", "a", "i", "e", "ā", "s"] {
        if word.chars().count() > suf.chars().count() + 3 && word.ends_with(suf) {
            return word[..word.len() - suf.len()].to_string();
        }
    }
    word.to_string()
}
