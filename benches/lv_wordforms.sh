#!/usr/bin/env bash
# Build a TSV of Latvian word forms (form<TAB>lemma<TAB>pos) from the hunspell-lv dictionary,
# for benches/lv_stemmer_eval.rs.
#
#   benches/lv_wordforms.sh [OUT.tsv] [LEMMAS|all] [SEED]   defaults: target/lv_wordforms.tsv 4000 42
#
# then: cargo bench --bench lv_stemmer_eval -- target/lv_wordforms.tsv
# (4000 entries: ~5 s, ~180k forms; `all`: ~1 min, ~2.7M forms, 95 MB.)
#
# How the sample is made (deterministic: same packages + same seed = same file):
#  * dictionary entries (one .dic line = one lemma) that are lower-case, purely alphabetic, and tagged
#    as noun (po:lietv), adjective (po:īpv) or verb (po:darb*; untagged entries ending in -t/-ties
#    with verb affix flags count as verbs too, e.g. būt, iet);
#  * LEMMAS of them, chosen by the smallest sha256(SEED:line-number:entry);
#  * forms come from `unmunch` per entry, continuation classes expanded one more level for
#    participle/adjective declension (W, 6) and nouns (S, s), debitive jā- and superlative vis-
#    prefixes applied where the affix file allows them;
#  * left out: negated forms (prefix ne-: a suffix stemmer cannot and must not join them) and
#    derived feminines (skolotājs → skolotāja, which share the masculine's stem by design);
#  * derivations get their own lemma (pos noun): diminutives (-iņš/-ītis/-iņa/-īte) and verbal
#    nouns (-šana/-šanās); comparatives of participles are not generated;
#  * every form is checked with `hunspell -G` (unmunch ignores UTF-8 affix conditions and invents
#    forms such as *strādāos; hunspell itself rejects them).
set -euo pipefail

out=${1:-target/lv_wordforms.tsv}
lemmas=${2:-4000}
seed=${3:-42}
dic=/usr/share/hunspell/lv_LV.dic
aff=/usr/share/hunspell/lv_LV.aff

if [ ! -f "$dic" ] || ! command -v unmunch >/dev/null || ! command -v hunspell >/dev/null; then
  echo "installing hunspell-lv hunspell-tools hunspell ..." >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq hunspell-lv hunspell-tools hunspell >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$dic" "$aff" "$out" "$lemmas" "$seed" "$tmp" <<'PY'
import hashlib, subprocess, sys, os

dic, aff, out, n_lemmas, seed, tmp = sys.argv[1:7]
n_lemmas = 10**9 if n_lemmas == "all" else int(n_lemmas)

VERB_FLAGS = set("ADEFHIBC<>(afhg")
# Derivational continuation groups: each becomes a lemma of its own.
DERIV = {"dim_ins": "Pp", "dim_itis": "Rr", "dim_ina": "Tt", "sana": "Jj"}
DROP = "-x"  # negation prefix; derived feminines (-niece, -tāja)
SECOND_LEVEL = set("W6Ss")  # declension of participles/adjectives and of derived nouns
SENTINEL = "qqsentinel"

def pos_of(word, flags, tag):
    if tag.startswith("po:lietv"):
        return "noun"
    if tag.startswith("po:īpv"):
        return "adj"
    if tag.startswith("po:darb"):
        return "verb"
    if not tag and (word.endswith("t") or word.endswith("ties")) and VERB_FLAGS & set(flags):
        return "verb"
    return None

entries = []
with open(dic, encoding="utf-8") as f:
    next(f)  # entry count
    for lineno, line in enumerate(f, start=2):
        parts = line.split()
        if not parts:
            continue
        word, _, flags = parts[0].partition("/")
        tag = parts[1] if len(parts) > 1 else ""
        if not word.isalpha() or word != word.lower() or not flags:
            continue
        pos = pos_of(word, flags, tag)
        if pos:
            key = hashlib.sha256(f"{seed}:{lineno}:{line.strip()}".encode()).hexdigest()
            entries.append((key, lineno, word, flags, pos))
entries.sort()
sample = entries[:n_lemmas]

def unmunch(items):
    """items: list of 'word/flags'. Returns one list of raw output lines per item."""
    path = os.path.join(tmp, "u.dic")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{2 * len(items)}\n")
        for i, it in enumerate(items):
            f.write(f"{it}\n{SENTINEL}{i}\n")
    res = subprocess.run(["unmunch", path, aff], capture_output=True, check=True)
    groups, cur = [], []
    for raw in res.stdout.decode("utf-8", "replace").splitlines():
        if raw.startswith(SENTINEL):
            groups.append(cur)
            cur = []
        elif raw.strip():
            cur.append(raw.strip())
    assert len(groups) == len(items), (len(groups), len(items))
    return groups

def split_line(raw):
    form, _, cont = raw.partition("/")
    return form.rstrip("0"), cont

# First level: one job per (entry, group of flags).
jobs = []  # (lemma, pos, word, flags)
for _, lineno, word, flags, pos in sample:
    flags = "".join(c for c in flags if c not in DROP)
    infl = "".join(c for c in flags if not any(c in g for g in DERIV.values()))
    jobs.append((f"{word}@{lineno}", pos, word, infl))
    for name, group in DERIV.items():
        g = "".join(c for c in flags if c in group)
        if g:
            jobs.append((f"{word}@{lineno}~{name}", "noun", word, g))

first = unmunch([f"{w}/{fl}" if fl else w for _, _, w, fl in jobs])
forms = {}  # lemma -> set of forms
second_items, second_owner = [], []
for (lemma, pos, word, fl), lines in zip(jobs, first):
    acc = forms.setdefault((lemma, pos), set())
    derived = "~" in lemma
    for raw in lines:
        form, cont = split_line(raw)
        if not form or (derived and form == word):
            continue
        # A bare continuation form is only valid with the circumfix prefix when it ends with '|'.
        if not cont.endswith("|") or not ("]" in cont or "[" in cont):
            acc.add(form)
        if "]" in cont:
            acc.add("jā" + form)
        if "[" in cont:
            acc.add("vis" + form)
        more = "".join(c for c in cont if c in SECOND_LEVEL)
        if more:
            second_items.append(f"{form}/{more}")
            second_owner.append((lemma, pos))
for owner, lines in zip(second_owner, unmunch(second_items) if second_items else []):
    for raw in lines:
        form, _ = split_line(raw)
        if form:
            forms[owner].add(form)

# Keep only what hunspell itself accepts.
alls = sorted({f for fs in forms.values() for f in fs})
res = subprocess.run(["hunspell", "-d", dic[:-4], "-G"], input="\n".join(alls).encode("utf-8"),
                     capture_output=True, check=True)
ok = set(res.stdout.decode("utf-8").split())

n_out = 0
with open(out, "w", encoding="utf-8") as f:
    f.write(f"# form\tlemma\tpos  (hunspell-lv, {len(sample)} entries, seed {seed}; see benches/lv_wordforms.sh)\n")
    for (lemma, pos) in sorted(forms):
        for form in sorted(forms[(lemma, pos)]):
            if form in ok:
                f.write(f"{form}\t{lemma}\t{pos}\n")
                n_out += 1
print(f"wrote {n_out} forms of {len(forms)} lemmas to {out}", file=sys.stderr)
PY
