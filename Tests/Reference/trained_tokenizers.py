#!/usr/bin/env python3
"""The ids Hugging Face `tokenizers` gives the shipped corpus under each tokenizer that
`sitegen train` learns from it (fixtures/trained-tokenizers/<kind>.tokenizer.json, written by
sitegen: `SITEGEN_WRITE_TOKENIZER_FIXTURES=1 swift test --filter TokenizerTrainingTests`).

    python3 Tests/Reference/trained_tokenizers.py           # write fixtures/trained-tokenizers/<kind>.ids.json
    python3 Tests/Reference/trained_tokenizers.py --check   # exit 1 if tokenizers gives other ids than committed

TokenizerTrainingTests holds sitegen's own reader and trainer to these ids. Needs `tokenizers`
(pinned in .ci/run).
"""

import json
import sys
from pathlib import Path

from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "Tests/Reference/fixtures/trained-tokenizers"
CORPUS = ROOT / "Corpus/cats-and-dogs.txt"
KINDS = ["bpe", "words", "chars"]


def main():
    check = "--check" in sys.argv[1:]
    corpus = CORPUS.read_text(encoding="utf-8")
    stale = []
    for kind in KINDS:
        tokenizer = Tokenizer.from_file(str(FOLDER / f"{kind}.tokenizer.json"))
        ids = tokenizer.encode(corpus).ids
        text = json.dumps({"corpus": "Corpus/cats-and-dogs.txt", "count": len(ids), "ids": ids}, separators=(",", ":")) + "\n"
        path = FOLDER / f"{kind}.ids.json"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            else:
                print(f"{kind}: tokenizers gives the committed {len(ids)} ids")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(ids)} ids, vocabulary {tokenizer.get_vocab_size()})")
    if stale:
        print("stale (tokenizers gives other ids): " + ", ".join(stale) + "; run python3 Tests/Reference/trained_tokenizers.py")
        sys.exit(1)


if __name__ == "__main__":
    main()
