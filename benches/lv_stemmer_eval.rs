//! Pairwise recall/precision of the Latvian stemmers on real inflected forms.
//!
//! Input: a TSV `form<TAB>lemma<TAB>pos` (lines starting with `#` are skipped), e.g. made by
//! `benches/lv_wordforms.sh` from the hunspell-lv dictionary. Give it as the first argument or in
//! `LV_WORDFORMS`:
//!
//! ```text
//! benches/lv_wordforms.sh target/lv_wordforms.tsv
//! cargo bench --bench lv_stemmer_eval -- target/lv_wordforms.tsv
//! ```
//!
//! How pairs are counted: the unit is a *distinct form string*; a form may belong to several
//! lemmas (homographs). A pair {f1, f2} of distinct forms is a *same-lemma pair* when the two
//! forms share at least one lemma, and it is counted once however many lemmas they share (its part
//! of speech is that of the first shared lemma in file order).
//! * recall    = same-lemma pairs with equal stems / all same-lemma pairs;
//! * precision = same-lemma pairs with equal stems / all pairs with equal stems.
//!
//! Per part of speech, recall counts the pairs of that POS; precision counts the equal-stem pairs
//! in which at least one form belongs (first lemma) to that POS.
//! The folded rows do the same on the folded data set: every form is replaced by its
//! diacritic-free spelling (ā→a, č→c, ...), forms that become equal are merged (their lemma sets
//! are united), and the stemmer sees only folded text.
//! `LV_EVAL_EXAMPLES=N` also prints, for `stem`, the N lemma pairs merged most wrongly and the N
//! lemmas split most; `LV_EVAL_FOLDED=0` skips the folded rows.

use std::collections::HashMap;
use std::env;
use std::fs;
use std::process::ExitCode;

use ngo_search::analysis::latvian::{stem, stem_light};

const POS_NAMES: [&str; 4] = ["noun", "adj", "verb", "other"];

/// Forms with their lemma sets, interned.
struct Dataset {
    forms: Vec<String>,
    /// Lemma ids of each form, sorted, deduplicated.
    form_lemmas: Vec<Vec<u32>>,
    /// Form ids of each lemma, deduplicated.
    lemma_forms: Vec<Vec<u32>>,
    lemma_pos: Vec<usize>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    same_lemma: [u64; 4],
    hits: [u64; 4],
    /// Equal-stem pairs touching a POS (denominator of per-POS precision).
    merged_touching: [u64; 4],
    /// Same-lemma equal-stem pairs touching a POS.
    hits_touching: [u64; 4],
    merged: u64,
    hit_total: u64,
}

fn pos_index(pos: &str) -> usize {
    match pos {
        "noun" => 0,
        "adj" => 1,
        "verb" => 2,
        _ => 3,
    }
}

/// Diacritic folding as done by the engine's folded field.
fn fold(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'ā' => 'a',
            'č' => 'c',
            'ē' => 'e',
            'ģ' => 'g',
            'ī' => 'i',
            'ķ' => 'k',
            'ļ' => 'l',
            'ņ' => 'n',
            'š' => 's',
            'ž' => 'z',
            'ū' => 'u',
            other => other,
        })
        .collect()
}

fn parse(text: &str, map_form: &dyn Fn(&str) -> String) -> Dataset {
    let mut form_ids: HashMap<String, u32> = HashMap::new();
    let mut lemma_ids: HashMap<&str, u32> = HashMap::new();
    let mut ds = Dataset {
        forms: Vec::new(),
        form_lemmas: Vec::new(),
        lemma_forms: Vec::new(),
        lemma_pos: Vec::new(),
    };
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(form), Some(lemma)) = (cols.next(), cols.next()) else {
            continue;
        };
        let pos = pos_index(cols.next().unwrap_or("other").trim());
        let form = map_form(form.trim());
        let next_lemma = ds.lemma_forms.len() as u32;
        let lid = *lemma_ids.entry(lemma).or_insert(next_lemma);
        if lid == next_lemma {
            ds.lemma_forms.push(Vec::new());
            ds.lemma_pos.push(pos);
        }
        let next_form = ds.forms.len() as u32;
        let fid = *form_ids.entry(form.clone()).or_insert(next_form);
        if fid == next_form {
            ds.forms.push(form);
            ds.form_lemmas.push(Vec::new());
        }
        ds.lemma_forms[lid as usize].push(fid);
        ds.form_lemmas[fid as usize].push(lid);
    }
    for v in ds.lemma_forms.iter_mut().chain(ds.form_lemmas.iter_mut()) {
        v.sort_unstable();
        v.dedup();
    }
    ds
}

fn first_shared(a: &[u32], b: &[u32]) -> Option<u32> {
    a.iter().find(|l| b.binary_search(l).is_ok()).copied()
}

fn evaluate(ds: &Dataset, stemmer: fn(&str) -> String, examples: usize) -> Counts {
    let stems: Vec<String> = ds.forms.iter().map(|f| stemmer(f)).collect();
    let mut c = Counts::default();
    // Denominator of recall: all same-lemma pairs, each counted once.
    for (lid, forms) in ds.lemma_forms.iter().enumerate() {
        let pos = ds.lemma_pos[lid];
        for (i, &a) in forms.iter().enumerate() {
            let la = &ds.form_lemmas[a as usize];
            for &b in &forms[i + 1..] {
                let lb = &ds.form_lemmas[b as usize];
                if (la.len() == 1 || lb.len() == 1 || first_shared(la, lb) == Some(lid as u32))
                    && a != b
                {
                    c.same_lemma[pos] += 1;
                }
            }
        }
    }
    // Buckets of equal stems: every merged pair, exactly once.
    let mut buckets: HashMap<&str, Vec<u32>> = HashMap::new();
    for (fid, s) in stems.iter().enumerate() {
        buckets.entry(s.as_str()).or_default().push(fid as u32);
    }
    // Wrong merges per lemma pair (first lemmas), with one example pair of forms.
    let mut wrong: HashMap<(u32, u32), (u64, u32, u32)> = HashMap::new();
    for forms in buckets.values() {
        for (i, &a) in forms.iter().enumerate() {
            let la = &ds.form_lemmas[a as usize];
            let pa = ds.lemma_pos[la[0] as usize];
            for &b in &forms[i + 1..] {
                let lb = &ds.form_lemmas[b as usize];
                let pb = ds.lemma_pos[lb[0] as usize];
                c.merged += 1;
                c.merged_touching[pa] += 1;
                if pb != pa {
                    c.merged_touching[pb] += 1;
                }
                match first_shared(la, lb) {
                    Some(l) => {
                        c.hit_total += 1;
                        c.hits[ds.lemma_pos[l as usize]] += 1;
                        c.hits_touching[pa] += 1;
                        if pb != pa {
                            c.hits_touching[pb] += 1;
                        }
                    }
                    None if examples > 0 => {
                        let key = (la[0].min(lb[0]), la[0].max(lb[0]));
                        wrong.entry(key).or_insert((0, a, b)).0 += 1;
                    }
                    None => {}
                }
            }
        }
    }
    if examples > 0 {
        print_examples(ds, &stems, &wrong, examples);
    }
    c
}

fn print_examples(
    ds: &Dataset,
    stems: &[String],
    wrong: &HashMap<(u32, u32), (u64, u32, u32)>,
    n: usize,
) {
    let mut w: Vec<_> = wrong.iter().collect();
    w.sort_by_key(|x| std::cmp::Reverse(x.1 .0));
    for (&(la, lb), &(count, a, b)) in w.iter().take(n) {
        println!(
            "  wrong merge x{count} [{}+{}] {} + {} -> {}",
            POS_NAMES[ds.lemma_pos[la as usize]],
            POS_NAMES[ds.lemma_pos[lb as usize]],
            ds.forms[a as usize],
            ds.forms[b as usize],
            stems[a as usize]
        );
    }
    // Splits: lemmas losing the most pairs.
    let mut lost: Vec<(u64, usize)> = Vec::new();
    for (lid, forms) in ds.lemma_forms.iter().enumerate() {
        let mut by_stem: HashMap<&str, u64> = HashMap::new();
        for &f in forms {
            *by_stem.entry(stems[f as usize].as_str()).or_default() += 1;
        }
        let n = forms.len() as u64;
        let kept: u64 = by_stem.values().map(|c| c * (c - 1) / 2).sum();
        lost.push((n * (n.saturating_sub(1)) / 2 - kept, lid));
    }
    lost.sort_unstable_by(|a, b| b.cmp(a));
    for &(l, lid) in lost.iter().take(n) {
        let mut groups: HashMap<&str, Vec<&str>> = HashMap::new();
        for &f in &ds.lemma_forms[lid] {
            groups
                .entry(stems[f as usize].as_str())
                .or_default()
                .push(ds.forms[f as usize].as_str());
        }
        let mut g: Vec<String> = groups
            .iter()
            .map(|(s, fs)| format!("{s}({}:{})", fs.len(), fs[0]))
            .collect();
        g.sort();
        println!(
            "  split -{l} [{}] {}",
            POS_NAMES[ds.lemma_pos[lid]],
            g.join(" ")
        );
    }
}

fn pct(num: u64, den: u64) -> String {
    if den == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", 100.0 * num as f64 / den as f64)
    }
}

fn prec(num: u64, den: u64) -> String {
    if den == 0 {
        "-".to_string()
    } else {
        format!("{:.4}", num as f64 / den as f64)
    }
}

fn row(name: &str, c: &Counts) {
    let all_same: u64 = c.same_lemma.iter().sum();
    let all_hits: u64 = c.hits.iter().sum();
    println!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
        pct(all_hits, all_same),
        pct(c.hits[0], c.same_lemma[0]),
        pct(c.hits[1], c.same_lemma[1]),
        pct(c.hits[2], c.same_lemma[2]),
        prec(c.hit_total, c.merged),
        prec(c.hits_touching[0], c.merged_touching[0]),
        prec(c.hits_touching[1], c.merged_touching[1]),
        prec(c.hits_touching[2], c.merged_touching[2]),
    );
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(path) = args
        .first()
        .cloned()
        .or_else(|| env::var("LV_WORDFORMS").ok())
    else {
        println!(
            "lv_stemmer_eval: no word-form TSV given (first argument or LV_WORDFORMS); skipping."
        );
        println!("Make one with benches/lv_wordforms.sh, then: cargo bench --bench lv_stemmer_eval -- FILE");
        return ExitCode::SUCCESS;
    };
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("lv_stemmer_eval: cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let examples = env::var("LV_EVAL_EXAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let plain = parse(&text, &|f| f.to_string());
    let light = evaluate(&plain, stem_light, 0);
    let full = evaluate(&plain, stem, examples);
    let pairs: u64 = light.same_lemma.iter().sum();
    println!(
        "{path}: {} lemmas, {} distinct forms, {pairs} same-lemma pairs",
        plain.lemma_forms.len(),
        plain.forms.len()
    );
    let lemmas_by_pos = |pos: usize| plain.lemma_pos.iter().filter(|&&p| p == pos).count();
    println!(
        "lemmas: {} noun, {} adj, {} verb; pairs: {} noun, {} adj, {} verb\n",
        lemmas_by_pos(0),
        lemmas_by_pos(1),
        lemmas_by_pos(2),
        light.same_lemma[0],
        light.same_lemma[1],
        light.same_lemma[2]
    );
    println!("| stemmer | recall | noun | adj | verb | precision | noun | adj | verb |");
    println!("|---|---|---|---|---|---|---|---|---|");
    row("stem_light", &light);
    row("stem", &full);
    if env::var("LV_EVAL_FOLDED").map_or(true, |v| v != "0") {
        let folded = parse(&text, &|f| fold(f));
        row(
            "stem_light, folded input",
            &evaluate(&folded, stem_light, 0),
        );
        row("stem, folded input", &evaluate(&folded, stem, examples));
        println!("\nfolded data set: {} distinct forms", folded.forms.len());
    }
    ExitCode::SUCCESS
}
