#!/usr/bin/env python3
"""Greedy continuations of a GPT-2 checkpoint fixture by Hugging Face transformers.

    python3 Tests/Reference/hf_generate.py           # (re)write fixtures/generation/gpt2-f32.hf-generate.json
    python3 Tests/Reference/hf_generate.py --check   # regenerate in memory, exit 1 on any difference

Runs `GPT2LMHeadModel.generate(ids, do_sample=False, max_new_tokens=N)` on the checkpoint
fixture Tests/Reference/fixtures/checkpoints/gpt2-f32 (in float64, and again in float32 as
transformers loads it) from the prompt "The cat sat on the mat." (ids of the fixture's
tokenizer, from gpt2-f32.forward.json) and two shorter prefixes of it, up to the model's
16 positions. The Swift engine's greedy continuation is tested against the float64 ids
(Tests/CheckpointsTests/GreedyGenerationTests.swift).

Without torch and transformers (CI's plain python3) it says so and exits 0; a venv with
them: `pip install torch==2.13.0+cpu transformers`.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKPOINT = HERE / "fixtures" / "checkpoints" / "gpt2-f32"
FORWARD = HERE / "fixtures" / "checkpoints" / "gpt2-f32.forward.json"
OUT = HERE / "fixtures" / "generation" / "gpt2-f32.hf-generate.json"


def build():
    import torch
    from transformers import GPT2LMHeadModel

    prompt = json.loads(FORWARD.read_text(encoding="utf-8"))
    ids = prompt["ids"]
    model = GPT2LMHeadModel.from_pretrained(CHECKPOINT)
    model.eval()
    positions = model.config.n_positions
    cases = []
    for length in (len(ids), 3, 1):
        start = ids[:length]
        n = positions - length
        runs = {}
        for dtype in (torch.float64, torch.float32):
            m = model.to(dtype)
            x = torch.tensor([start])
            with torch.no_grad():
                out = m.generate(x, attention_mask=torch.ones_like(x), do_sample=False,
                                 max_new_tokens=n, min_new_tokens=n, pad_token_id=0)
            runs[str(dtype)] = out[0, length:].tolist()
        cases.append({"prompt_ids": start, "max_new_tokens": n,
                      "greedy": runs["torch.float64"], "greedy_float32": runs["torch.float32"]})
    doc = {"checkpoint": "gpt2-f32", "text": prompt["text"],
           "call": "GPT2LMHeadModel.generate(ids, do_sample=False, max_new_tokens=N)", "cases": cases}
    return (json.dumps(doc, indent=1) + "\n").encode("utf-8")


def main(argv):
    try:
        import torch  # noqa: F401
        import transformers
    except ImportError:
        print("skipped: torch and transformers are not installed (the committed fixture stays as it is)")
        return 0
    text = build()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    if "--check" in argv:
        if OUT.read_bytes() != text:
            print(f"check FAILED: {OUT.name} differs; run python3 Tests/Reference/hf_generate.py")
            return 1
        print(f"check OK: {OUT.name} is what transformers generates")
        return 0
    OUT.write_bytes(text)
    print(f"wrote {OUT.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
