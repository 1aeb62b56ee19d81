#!/usr/bin/env python3
"""Loads a folder `sitegen train` wrote with Hugging Face transformers and tokenizers, and
writes what they compute on a few prompts, for TrainedModelTests to hold sitegen to:

    /work/venv-hf/bin/python Tests/Reference/transformers_check.py Models/tiny
        # writes Tests/Reference/fixtures/tiny.transformers.json

Needs torch and transformers (not in CI: the fixture is committed). For each prompt: the ids
`tokenizers` gives, the logits of every position (float64 of transformers' float32 forward),
and the top next token.
"""

import json
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

PROMPTS = ["the cat sat on the", "the dog sat on the", "who sat on the fence? the", "where did the cat sit? the cat sat on the"]


def main():
    folder = Path(sys.argv[1])
    out = Path(__file__).resolve().parent / "fixtures" / f"{folder.name}.transformers.json"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    model = GPT2LMHeadModel.from_pretrained(str(folder), torch_dtype=torch.float32).eval()
    results = []
    for prompt in PROMPTS:
        ids = tokenizer.encode(prompt).ids
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0].double()
        top = int(logits[-1].argmax())
        results.append({"prompt": prompt, "ids": ids, "next_id": top, "next_token": tokenizer.decode([top]),
                        "logits": [[float(v) for v in row] for row in logits]})
        print(f"{prompt!r} -> {tokenizer.decode([top])!r}  (p = {float(torch.softmax(logits[-1], 0)[top]):.3f})")
    out.write_text(json.dumps({"folder": str(folder), "results": results}) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
