#!/usr/bin/env python3
"""sitegen against Hugging Face transformers itself: GPT2LMHeadModel (float64, eager attention)
on a checkpoint folder written by `save_pretrained`, compared with the trace.json sitegen builds
from the same folder.

Run from the repository root:

    python3 Tests/Reference/hf_parity.py           # compare (needs transformers + torch; skips without)
    python3 Tests/Reference/hf_parity.py --write   # (re)write the fixture (needs transformers + torch)

Needs `pip install torch transformers` (CPU torch is enough) for either; without them the
comparison prints that it was skipped and exits 0, and the committed expectations still hold
sitegen to transformers' numbers in `swift test` (CheckpointSiteTests).

What --write writes, under fixtures/hf-gpt2/:

* `gpt2-tiny/`: `save_pretrained`'s config.json, generation_config.json and model.safetensors
  (F32, `transformer.` names, tied lm_head, gelu_new) of a GPT2LMHeadModel with n_embd 16,
  2 layers, 4 heads, 32 positions, every parameter drawn from N(0, 0.3) with torch seed 0
  (the default initialisation would leave the biases 0 and the LayerNorms 1); the byte-level
  BPE tokenizer.json of fixtures/checkpoints/tokenizer (vocab_size = its size + 4: padded ids).
* `transformers.json`: what transformers computes on PROMPT with TARGET: ids, logits of every
  position, attention weights of every layer and head, the loss of TARGET at the last position.

The comparison runs `sitegen --model gpt2-tiny --text PROMPT --target TARGET` (the binary in
.build/debug, or the one given with --sitegen PATH) and prints the max difference of each.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = HERE / "fixtures" / "hf-gpt2"
FOLDER = OUT / "gpt2-tiny"
TOKENIZER = HERE / "fixtures" / "checkpoints" / "tokenizer" / "tokenizer.json"
PROMPT = "The cat sat on the mat. It's 2026, isn't it?"
TARGET = " dog"
TOLERANCE = 1e-9


def transformers_run(folder, text, target):
    """ids, logits, attentions and the target's loss as transformers computes them, in float64."""
    import torch
    from tokenizers import Tokenizer
    from transformers import GPT2LMHeadModel

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    ids = tokenizer.encode(text).ids
    target_ids = tokenizer.encode(target).ids
    assert len(target_ids) == 1, f"TARGET {target!r} is {len(target_ids)} tokens"
    model = GPT2LMHeadModel.from_pretrained(str(folder), attn_implementation="eager").double().eval()
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_attentions=True)
    logits = out.logits[0]
    loss = float(torch.nn.functional.cross_entropy(logits[-1:], torch.tensor(target_ids)))
    return {"text": text, "target": target, "ids": ids, "target_id": target_ids[0],
            "logits": logits.tolist(), "attn_weights": [a[0].tolist() for a in out.attentions], "loss": loss}


def write():
    import torch
    from tokenizers import Tokenizer
    from transformers import GPT2Config, GPT2LMHeadModel

    vocab_size = Tokenizer.from_file(str(TOKENIZER)).get_vocab_size() + 4
    config = GPT2Config(n_embd=16, n_layer=2, n_head=4, n_positions=32, vocab_size=vocab_size,
                        activation_function="gelu_new", bos_token_id=0, eos_token_id=0)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(config)
    with torch.no_grad():
        for _, parameter in sorted(model.named_parameters()):
            parameter.normal_(0.0, 0.3)
    if FOLDER.exists():
        shutil.rmtree(FOLDER)
    model.save_pretrained(str(FOLDER), safe_serialization=True)
    shutil.copy(TOKENIZER, FOLDER / "tokenizer.json")
    expected = transformers_run(FOLDER, PROMPT, TARGET)
    (OUT / "transformers.json").write_text(json.dumps(expected, ensure_ascii=True) + "\n")
    print(f"wrote {FOLDER.relative_to(ROOT)} and {(OUT / 'transformers.json').relative_to(ROOT)}")


def max_difference(a, b):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), "shapes differ"
        return max((max_difference(x, y) for x, y in zip(a, b)), default=0.0)
    return abs(a - b)


def compare(sitegen):
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        print("hf_parity: transformers or torch not installed; skipped "
              "(the committed transformers.json is still checked by swift test)")
        return 0
    expected = transformers_run(FOLDER, PROMPT, TARGET)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "Site"
        subprocess.run([sitegen, "--quiet", "--model", str(FOLDER), "--text", PROMPT, "--target", TARGET,
                        "--output", str(site)], check=True)
        trace = json.loads((site / "trace.json").read_text())
    committed = json.loads((OUT / "transformers.json").read_text())
    figures = {
        "ids equal": trace["ids"] == expected["ids"],
        "logits": max_difference(trace["logits"], expected["logits"]),
        "attention weights": max(max_difference(layer["weights"], heads)
                                 for layer, heads in zip(trace["layers"], expected["attn_weights"])),
        "loss": abs(trace["loss"] - expected["loss"]),
        "committed transformers.json vs this transformers": max(max_difference(committed["logits"], expected["logits"]),
                                                                 abs(committed["loss"] - expected["loss"])),
    }
    print(f"transformers {transformers.__version__}, torch {torch.__version__}: GPT2LMHeadModel (float64, eager) "
          f"on {FOLDER.relative_to(ROOT)}, {len(expected['ids'])} tokens")
    ok = figures["ids equal"] and len(trace["layers"]) == len(expected["attn_weights"])
    for name, value in figures.items():
        if isinstance(value, bool):
            print(f"  {name}: {value}")
        else:
            print(f"  {name}: max difference {value:.3g}")
            ok &= value < TOLERANCE
    print("hf_parity: sitegen equals transformers within 1e-9" if ok else "hf_parity: FAILED")
    return 0 if ok else 1


def main(argv):
    if "--write" in argv:
        write()
        return 0
    sitegen = argv[argv.index("--sitegen") + 1] if "--sitegen" in argv else str(ROOT / ".build" / "debug" / "sitegen")
    return compare(sitegen)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
