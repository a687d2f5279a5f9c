#!/usr/bin/env python3
"""Rebuilds the word lists in this folder from Debian's hunspell dictionaries (see README.md).

Seeded and deterministic for a given set of Debian packages:
  apt-get install hunspell-tools hunspell-lv hunspell-no hunspell-da hunspell-sv hunspell-de-de \
      hunspell-ru hunspell-lt myspell-et hunspell-pl hunspell-en-us
  python3 benches/words/build.py
Finnish has no hunspell dictionary in Debian: its list comes from the Snowball test vocabulary
shipped inside the rust-stemmers crate (test_data/voc_fi.txt), located in ~/.cargo/registry.
"""
import glob, os, random, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DICTS = {
    "lv": "lv_LV", "nb": "nb_NO", "nn": "nn_NO", "en": "en_US", "da": "da_DK", "sv": "sv_SE",
    "de": "de_DE", "ru": "ru_RU", "lt": "lt_LT", "et": "et_EE", "pl": "pl_PL",
}
STEMS = 1500      # dictionary entries sampled per language
WORDS = 5000      # words kept per language (after expansion)
WORD_RE = re.compile(r"^[^\W\d_]{2,24}$")

def encoding(aff):
    with open(aff, "rb") as f:
        for line in f:
            if line.startswith(b"SET "):
                enc = line.split()[1].decode().lower()
                return {"iso8859-15": "iso8859_15", "iso8859-13": "iso8859_13",
                        "iso8859-1": "latin-1", "iso8859-2": "iso8859_2"}.get(enc, enc)
    return "utf-8"

def hunspell_words(lang, name):
    dic, aff = f"/usr/share/hunspell/{name}.dic", f"/usr/share/hunspell/{name}.aff"
    enc = encoding(aff)
    with open(dic, "rb") as f:
        lines = f.read().split(b"\n")[1:]
    entries = [l for l in lines if l.strip() and not l.startswith(b"/")]
    rng = random.Random(f"words-{lang}")
    sample = rng.sample(entries, min(STEMS, len(entries)))
    with tempfile.NamedTemporaryFile("wb", suffix=".dic", delete=False) as t:
        t.write(f"{len(sample)}\n".encode())
        # only the word and its affix flags: morphological fields confuse unmunch
        t.write(b"\n".join(s.split(b"\t")[0].split(b" ")[0] for s in sample) + b"\n")
    out = subprocess.run(["unmunch", t.name, aff], capture_output=True).stdout
    os.unlink(t.name)
    words = set()
    for raw in out.split(b"\n"):
        w = raw.decode(enc, "replace").strip().split("/")[0]
        if WORD_RE.match(w):
            words.add(w)
    if not words:  # a dictionary unmunch cannot read (numeric flags): the bare entries
        for s in sample:
            w = s.decode(enc, "replace").split("/")[0].split("\t")[0].strip()
            if WORD_RE.match(w):
                words.add(w)
    return words

def finnish_words():
    paths = glob.glob(os.path.expanduser("~/.cargo/registry/src/*/rust-stemmers-1.2.0/test_data/voc_fi.txt"))
    if not paths:
        sys.exit("rust-stemmers-1.2.0 is not in ~/.cargo/registry (cargo fetch first)")
    with open(paths[0], encoding="utf-8") as f:
        return {w.strip() for w in f if WORD_RE.match(w.strip())}

for lang in sorted(list(DICTS) + ["fi"]):
    words = finnish_words() if lang == "fi" else hunspell_words(lang, DICTS[lang])
    rng = random.Random(f"keep-{lang}")
    kept = sorted(words)
    if len(kept) > WORDS:
        kept = sorted(rng.sample(kept, WORDS))
    with open(os.path.join(HERE, f"{lang}.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(kept) + "\n")
    print(lang, len(words), "->", len(kept))
