#!/usr/bin/env python3
"""The shipped training corpus: sentences from a small grammar in the seed model's world
(cats, dogs, mats, who sat where), so a tiny model trained on it has something to learn.

    python3 Corpus/generate.py           # (re)write Corpus/cats-and-dogs.txt
    python3 Corpus/generate.py --check   # exit 1 if the committed file is not what this writes

Python's random.Random(SEED) (Mersenne Twister; choice() is stable since Python 3.2) draws the
sentences, so the file is the same everywhere. The world has habits a model can pick up: the
cat nearly always sits on the mat, the dog on the rug, the bird on the fence; some sentences
ask who sat where and answer it.
"""

import random
import sys
from pathlib import Path

SEED = 0
SENTENCES = 1800
OUT = Path(__file__).resolve().parent / "cats-and-dogs.txt"

ANIMALS = ["cat", "dog", "bird"]
# Where each animal sits, with weights: its habit, and now and then somewhere else.
SEATS = {
    "cat": [("mat", 8), ("sofa", 1), ("bed", 1)],
    "dog": [("rug", 8), ("bed", 1), ("mat", 1)],
    "bird": [("fence", 8), ("roof", 2)],
}
SIT_VERBS = [("sat", 6), ("slept", 2), ("lay", 2)]
ADJECTIVES = ["", "", "", "big ", "small ", "old ", "black ", "happy "]
DOINGS = {
    "cat": ["watched the bird", "chased a mouse", "ignored the dog", "washed its paws"],
    "dog": ["chased the cat", "barked at the bird", "wagged its tail", "ate its dinner"],
    "bird": ["sang a song", "watched the cat", "flew away", "ate some seeds"],
}
TIMES = ["", "", "", "yesterday ", "today ", "in the morning ", "at night "]


def weighted(rng, options):
    total = sum(weight for _, weight in options)
    pick = rng.randrange(total)
    for value, weight in options:
        if pick < weight:
            return value
        pick -= weight
    raise AssertionError("unreachable")


def sentence(rng):
    animal = rng.choice(ANIMALS)
    seat = weighted(rng, SEATS[animal])
    verb = weighted(rng, SIT_VERBS)
    kind = rng.randrange(7)
    if kind <= 2:
        return f"{rng.choice(TIMES)}the {rng.choice(ADJECTIVES)}{animal} {verb} on the {seat}."
    if kind == 3:
        return f"the {animal} {verb} on the {seat} and {rng.choice(DOINGS[animal])}."
    if kind == 4:
        return f"who sat on the {seat}? the {animal} sat on the {seat}."
    if kind == 5:
        return f"where did the {animal} sit? the {animal} sat on the {seat}."
    other = rng.choice([a for a in ANIMALS if a != animal])
    return f"the {animal} sat on the {seat} and the {other} sat on the {weighted(rng, SEATS[other])}."


def corpus():
    rng = random.Random(SEED)
    lines = []
    for _ in range(SENTENCES // 3):
        lines.append(" ".join(sentence(rng) for _ in range(3)))
    return "\n".join(lines) + "\n"


def main():
    text = corpus()
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.name} is stale: run python3 Corpus/generate.py and commit it")
            sys.exit(1)
        print(f"{OUT.name} is up to date ({len(text)} characters)")
        return
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text)} characters, {text.count(chr(10))} lines)")


if __name__ == "__main__":
    main()
