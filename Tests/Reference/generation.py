#!/usr/bin/env python3
"""Independent NumPy reference for sitegen's generation chapter (greedy and sampled continuations).

Run from the repository root:

    python3 Tests/Reference/generation.py           # (re)write Tests/Reference/fixtures/generation/
    python3 Tests/Reference/generation.py --check   # regenerate in memory, exit 1 on any difference

For every reference model (Tests/Reference/fixtures/*.model.json) and a few prompts and
settings it writes the continuation the Swift engine must produce, in trace.json's
"generation" format, plus each sampled step's tempered distribution over the vocabulary.

Conventions (the ones the Swift engine is specified with):

* Each step is a full forward pass (reference.forward) over its window of the text so far and
  the new token is appended, `count` tokens in all. The window is the whole text while it fits
  the model's positions, then its last max_positions tokens, at positions 0, 1, ... (nanoGPT's
  generate: idx_cond = idx[:, -block_size:]); each step records where its window starts, and
  the continuation's "window" object lists them (first_cropped_step: the first step, from 0,
  whose window leaves tokens out; null when none does).
* Greedy: argmax of the last position's logits, the lower id on ties (np.argmax).
* Sampled, in transformers' order: p = softmax(logits / T); order the ids by descending p,
  ties by ascending id; top-k keeps the first K (K = 0: all) and renormalises; top-p keeps
  the smallest prefix whose running sum reaches P (at least one; P = 1: all) and
  renormalises; c_j = p_1 + ... + p_j in that order (summed left to right); the chosen
  token is the first j with u < c_j (the last when rounding leaves u >= c_n).
* u comes from SplitMix64 seeded with the seed, one draw per step:
      state = state + 0x9E3779B97F4A7C15 (mod 2^64)
      z = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9
      z = (z ^ (z >> 27)) * 0x94D049BB133111EB
      next = z ^ (z >> 31)
      u = (next >> 11) * 2^-53
"""
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference  # noqa: E402

FIXTURES = reference.FIXTURES
OUT = FIXTURES / "generation"
MASK = (1 << 64) - 1
TOLERANCE = 1e-12


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def unit(self):
        return (self.next() >> 11) * 2.0 ** -53


def last_logits(model, ids):
    vocab = model["vocab"]
    sep = "" if model.get("tokenizer", "words") == "chars" else " "
    m = dict(model, prompt={"text": sep.join(vocab[i] for i in ids)})
    trace = reference.forward(m)
    assert trace["ids"] == ids, "the text so far must tokenize back to its ids"
    return trace["logits"][-1]


def sample_step(logits, u, temperature, top_k, top_p):
    p = reference.softmax(np.asarray(logits) / temperature)
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))
    kept = order if top_k == 0 else order[:top_k]
    q = [p[i] for i in kept]
    total = sum(q)
    q = [x / total for x in q]
    n = len(q)
    if top_p < 1:
        mass = 0.0
        for j, x in enumerate(q):
            mass += x
            if mass >= top_p:
                n = j + 1
                break
    kept, q = kept[:n], q[:n]
    total = sum(q)
    q = [x / total for x in q]
    c, chosen = 0.0, len(q) - 1
    for j, x in enumerate(q):
        c += x
        if u < c:
            chosen = j
            break
    return {"kept": kept, "probs": q, "u": u, "id": kept[chosen]}, p


def generate(model, text, count, temperature, top_k, top_p, seed):
    vocab = model["vocab"]
    prompt_ids = [vocab.index(t) for t in reference.tokenize(text, model.get("tokenizer", "words"))]
    positions = model["config"]["max_positions"]
    starts = [max(0, len(prompt_ids) + i - positions) for i in range(count)]
    ids, greedy = list(prompt_ids), []
    for i in range(count):
        window = ids[-positions:]                   # the whole text while it fits
        assert len(ids) - len(window) == starts[i]
        nxt = int(np.argmax(last_logits(model, window)))
        greedy.append(nxt)
        ids.append(nxt)
    ids, rng, steps, tempered = list(prompt_ids), SplitMix64(seed), [], []
    for i in range(count):
        step, p = sample_step(last_logits(model, ids[-positions:]), rng.unit(), temperature, top_k, top_p)
        step["window"] = starts[i]
        steps.append(step)
        tempered.append([float(x) for x in p])
        ids.append(step["id"])
    sampled_ids = [s["id"] for s in steps]
    return {
        "text": text, "count": count,
        "generation": {
            "greedy": {"ids": greedy, "tokens": [vocab[i] for i in greedy]},
            "sampled": {"temperature": temperature, "top_k": top_k, "top_p": top_p, "seed": seed,
                        "ids": sampled_ids, "tokens": [vocab[i] for i in sampled_ids],
                        "steps": [dict(s, probs=[float(x) for x in s["probs"]]) for s in steps]},
            "window": {"positions": positions, "starts": starts,
                       "first_cropped_step": next((i for i, s in enumerate(starts) if s > 0), None)},
        },
        "tempered": tempered,
    }


# (model, prompt, count, temperature, top_k, top_p, seed): defaults, each cut-off alone,
# both together, a hot and a cold temperature, several seeds; prompts that fill the positions
# and continuations that outgrow them (the window is cropped), and ones that stay within.
CASES = [
    ("seed", "the cat sat on", 8, 0.8, 0, 1.0, 0),
    ("seed", "sat", 12, 1.0, 0, 0.9, 4),
    ("seed", "the", 8, 0.8, 0, 1.0, 0),
    ("seed", "the cat", 8, 1.5, 0, 1.0, 1),
    ("seed", "cat", 2, 1.0, 3, 1.0, 7),
    ("seed", "the", 3, 1.0, 0, 0.6, 2),
    ("multi", "the dog", 8, 0.8, 0, 1.0, 0),
    ("multi", "a cat", 8, 1.2, 4, 0.9, 42),
    ("multi", "the dog ran under a cat", 8, 0.5, 0, 0.5, 3),
    ("multi", "rug", 8, 2.0, 2, 1.0, 9007199254740991),
    ("deep", "one", 8, 0.8, 0, 1.0, 0),
    ("deep", "two three", 8, 1.0, 3, 0.8, 5),
    ("deep", "one two three one", 10, 0.8, 0, 1.0, 0),
    ("chars", "he", 10, 0.8, 0, 1.0, 0),
    ("chars", "wor", 9, 1.3, 5, 0.95, 11),
    ("hostile", "hello", 8, 0.8, 0, 1.0, 0),
    ("hostile", "<script> &", 8, 1.0, 0, 0.7, 123),
]


def build():
    by_model = {}
    for name, text, count, t, k, p, seed in CASES:
        model = json.loads((FIXTURES / f"{name}.model.json").read_text(encoding="utf-8"))
        by_model.setdefault(name, []).append(generate(model, text, count, t, k, p, seed))
    return {f"{name}.generation.json": (json.dumps(cases, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
            for name, cases in by_model.items()}


def check(files):
    failed = False
    for name, text in files.items():
        path = OUT / name
        if not path.exists():
            print(f"missing: {name}")
            failed = True
        elif path.read_bytes() != text:
            diffs = list(reference.close(json.loads(path.read_bytes()), json.loads(text)))
            if diffs:
                print(f"differs: {name}")
                for d in diffs[:10]:
                    print(f"  {d}")
                failed = True
    print("check FAILED: run python3 Tests/Reference/generation.py" if failed
          else "check OK: generation fixtures are up to date")
    return 1 if failed else 0


def main(argv):
    files = build()
    if "--check" in argv:
        return check(files)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_bytes(text)
    print(f"wrote {len(files)} files to {OUT.relative_to(reference.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
