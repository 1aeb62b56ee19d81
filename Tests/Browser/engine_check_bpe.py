#!/usr/bin/env python3
"""The playground's JavaScript engine on a byte-level BPE GPT-2 checkpoint fixture.

    python3 Tests/Browser/engine_check_bpe.py [--prompts N] [--sitegen .build/debug/sitegen]

This check turns the gpt2-f32 checkpoint fixture
(Tests/Reference/fixtures/checkpoints/gpt2-f32: safetensors, tokenizer.json) into the site's
model format itself, with the tokenizer.json beside it (`model.bpe`, what engine.js reads), and
in headless Chromium checks:

  * engine.js's byte-level BPE gives the ids Hugging Face `tokenizers` gives for every string
    of Tests/Reference/fixtures/checkpoints/tokenizer/strings.json (over 1,000);
  * on N prompts (default 20, drawn from those strings, 1 to 16 tokens) every tensor of the
    forward pass agrees with the NumPy reference (Tests/Reference/reference.py) within 1e-9;
  * the site sitegen builds from the checkpoint (its model.js: the weights and tokenizer.json):
    on the same N prompts engine.js gives every tensor of each `--text PROMPT` build's
    trace.json and its sampled continuation within 1e-9, and playground.html?text=PROMPT
    shows what the static page of that build shows (engine_check.check_model);
  * "The cat sat on the mat." gives the logits of gpt2-f32.forward.json within 1e-9, and its
    greedy continuation is transformers' generate(do_sample=False)
    (fixtures/generation/gpt2-f32.hf-generate.json);
  * engine.js's exact GELU x·½·(1 + erf(x/√2)) (its erf is a port of fdlibm's s_erf.c) on
    a grid of 40,000 points in [−10, 10] and the interval edges of s_erf.c, against the same
    formula with Python's math.erf, the C library's erf that the Swift engine calls: within
    1e-9 (in practice a few ulp);
  * the same site check (20 --text builds, every tensor within 1e-9, every shown table equal)
    on gpt2-bf16 (exact-erf GELU: config activation_function "gelu") and on gpt2-f16 (vocab.json
    + merges.txt, no tokenizer.json: model.js carries the pair in tokenizer.json's shape); on
    gpt2-f16's model.js the BPE also gives every string of strings.json the ids of tokenizers.

Needs numpy and safetensors (CI installs both). Exit 1 on any difference; without Chromium
it skips (exit 0), or fails when CI is set.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "Tests" / "Reference"))
import reference  # noqa: E402
from browser_check import BrowserError, Chromium, find_chromium  # noqa: E402
from engine_check import TENSOR_KEYS, check_model, difference  # noqa: E402

FIXTURES = REPO / "Tests" / "Reference" / "fixtures"
CHECKPOINT = FIXTURES / "checkpoints" / "gpt2-f32"
# Checkpoints whose site's playground is checked too: (folder, what it exercises).
MORE_CHECKPOINTS = [("gpt2-bf16", "exact-erf GELU"), ("gpt2-f16", "vocab.json + merges.txt")]


def gelu_grid() -> list[float]:
    """x for the exact-GELU check: a fine grid, and s_erf.c's interval edges (times √2) on both sides."""
    xs = [i / 2000 for i in range(-20000, 20001)]
    for edge in (2.0 ** -28, 0.84375, 1.25, 1 / 0.35, 6.0):
        for x in (edge, math.nextafter(edge, 0), math.nextafter(edge, 10)):
            xs += [x * math.sqrt(2), -x * math.sqrt(2)]
    return xs + [0.0, -0.0, 1e-300, 30.0, -30.0]


def gelu_exact(x: float) -> float:
    """The Swift engine's formula, x·Φ(x) with Φ(x) = ½·(1 + erf(x/√2)), with the C library's erf."""
    return x * (0.5 * (1 + math.erf(x / math.sqrt(2))))


def site_model() -> dict:
    """The checkpoint in the site's model format (Conv1D weights are already in × out)."""
    config = json.loads((CHECKPOINT / "config.json").read_text())
    tokenizer = json.loads((CHECKPOINT / "tokenizer.json").read_text(encoding="utf-8"))
    w = {k.removeprefix("transformer."): v.astype(np.float64) for k, v in load_file(CHECKPOINT / "model.safetensors").items()}
    d, n = config["n_embd"], config["n_layer"]
    vocab = [None] * config["vocab_size"]
    for token, i in tokenizer["model"]["vocab"].items():
        vocab[i] = token
    for t in tokenizer["added_tokens"]:
        vocab[t["id"]] = t["content"]
    layers = []
    for i in range(n):
        p = lambda name: w[f"h.{i}.{name}"].tolist()  # noqa: E731
        qkv, qkv_b = w[f"h.{i}.attn.c_attn.weight"], w[f"h.{i}.attn.c_attn.bias"]
        layers.append({
            "W_q": qkv[:, :d].tolist(), "W_k": qkv[:, d:2 * d].tolist(), "W_v": qkv[:, 2 * d:].tolist(),
            "b_q": qkv_b[:d].tolist(), "b_k": qkv_b[d:2 * d].tolist(), "b_v": qkv_b[2 * d:].tolist(),
            "W_o": p("attn.c_proj.weight"), "b_o": p("attn.c_proj.bias"),
            "W_1": p("mlp.c_fc.weight"), "b_1": p("mlp.c_fc.bias"),
            "W_2": p("mlp.c_proj.weight"), "b_2": p("mlp.c_proj.bias"),
            "ln1_gamma": p("ln_1.weight"), "ln1_beta": p("ln_1.bias"),
            "ln2_gamma": p("ln_2.weight"), "ln2_beta": p("ln_2.bias"),
        })
    assert config["activation_function"] == "gelu_new"
    return {
        "name": "gpt2-f32", "vocab": vocab, "tokenizer": "words",   # "words" for reference.py: BPE tokens hold no whitespace
        "config": {"d_model": d, "n_heads": config["n_head"], "n_layers": n, "d_ff": 4 * d,
                   "max_positions": config["n_positions"], "activation": "gelu",
                   "layer_norm_eps": config["layer_norm_epsilon"], "final_layer_norm": True},
        "weights": {"tok_emb": w["wte.weight"].tolist(), "pos_emb": w["wpe.weight"].tolist(), "layers": layers,
                    "W_lm": w["wte.weight"].T.tolist(),
                    "lnf_gamma": w["ln_f.weight"].tolist(), "lnf_beta": w["ln_f.bias"].tolist()},
        "bpe": tokenizer,
    }


def reference_trace(model: dict, ids: list[int]) -> dict:
    m = dict(model, prompt={"text": " ".join(model["vocab"][i] for i in ids)})
    trace = reference.forward(m)
    assert trace["ids"] == ids
    return json.loads(reference.trace_json(trace))


def page_can_hold(text: str) -> bool:
    """What `--text` accepts: no character XML 1.0 forbids (controls but tab and newlines, U+FFFE/F)."""
    return all(c in "\t\n\r" or (0x20 <= ord(c) and not 0xD800 <= ord(c) <= 0xDFFF and ord(c) not in (0xFFFE, 0xFFFF)) for c in text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=20)
    parser.add_argument("--sitegen", default=str(REPO / ".build" / "debug" / "sitegen"))
    args = parser.parse_args(argv)
    binary = find_chromium()
    if binary is None:
        print("BPE engine check skipped: no chromium found")
        return 1 if os.environ.get("CI") else 0
    model = site_model()
    strings = json.loads((FIXTURES / "checkpoints" / "tokenizer" / "strings.json").read_text(encoding="utf-8"))
    forward = json.loads((CHECKPOINT.parent / "gpt2-f32.forward.json").read_text(encoding="utf-8"))
    generated = json.loads((FIXTURES / "generation" / "gpt2-f32.hf-generate.json").read_text())
    rng = random.Random("bpe")
    candidates = [(s, ids) for s, ids in zip(strings["strings"], strings["ids"])
                  if 1 <= len(ids) <= 16 and 0 not in ids and page_can_hold(s)]
    prompts = [forward["text"]] + [s for s, _ in rng.sample(candidates, args.prompts - 1)]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="engine-check-bpe-") as work:
        folder = Path(work)
        (folder / "engine.js").write_bytes((REPO / "Templates" / "engine.js").read_bytes())
        (folder / "model.js").write_text("const sitegenModel = " + json.dumps(model) + ";\n", encoding="utf-8")
        (folder / "strings.js").write_text("const bpeStrings = " + json.dumps(strings["strings"]) + ";\n", encoding="utf-8")
        (folder / "harness.html").write_text('<!DOCTYPE html><html><head><meta charset="utf-8"/><title>bpe</title>'
                                             '<script src="engine.js"></script><script src="model.js"></script>'
                                             '<script src="strings.js"></script></head><body></body></html>', encoding="utf-8")
        browser = Chromium(binary)
        try:
            browser.open_page()
            browser.navigate((folder / "harness.html").as_uri())
            encoded = json.loads(browser.evaluate("JSON.stringify(bpeStrings.map((s) => SitegenEngine.byteLevelBPE(sitegenModel.bpe).encode(s)))"))
            wrong = [s for s, a, b in zip(strings["strings"], encoded, strings["ids"]) if a != b]
            print(f"byte-level BPE: {len(strings['strings'])} strings, {len(strings['strings']) - len(wrong)} give the ids of tokenizers")
            failures += len(wrong)
            for s in wrong[:5]:
                print(f"     - {s!r}")
            worst = 0.0
            for k, text in enumerate(prompts):
                js = json.loads(browser.evaluate(
                    "(() => { const t = SitegenEngine.tokenize(sitegenModel, %s); return JSON.stringify(SitegenEngine.forward(sitegenModel, t.ids)); })()"
                    % json.dumps(text)))
                ref = reference_trace(model, js["ids"])
                problems: list[str] = []
                for key in ("tokens", "ids", "final", "logits", "probs"):
                    worst = max(worst, difference(js[key], ref[key], key, problems))
                for key in ("tok", "pos", "x"):
                    worst = max(worst, difference(js["embeddings"][key], ref["embeddings"][key], key, problems))
                for i, (a, b) in enumerate(zip(js["layers"], ref["layers"])):
                    for key in TENSOR_KEYS:
                        worst = max(worst, difference(a[key], b[key], f"layers[{i}].{key}", problems))
                if k == 0:
                    difference(js["ids"], forward["ids"], "ids vs forward.json", problems)
                    worst = max(worst, difference(js["logits"], forward["logits"], "logits vs forward.json", problems))
                if problems:
                    failures += 1
                    print(f"FAIL {text!r}")
                    for p in problems[:8]:
                        print(f"     - {p}")
            print(f"gpt2-f32: {len(prompts)} prompts, max |JS − NumPy| {worst:.3g}")
            for case in generated["cases"]:
                ids = json.loads(browser.evaluate("""(() => { const ids = %s.slice();
                    for (let i = 0; i < %d; i++) { const l = SitegenEngine.forward(sitegenModel, ids).logits;
                      const z = l[l.length - 1]; let best = 0; for (let j = 1; j < z.length; j++) if (z[j] > z[best]) best = j; ids.push(best); }
                    return JSON.stringify(ids.slice(%d)); })()""" % (json.dumps(case["prompt_ids"]), case["max_new_tokens"], len(case["prompt_ids"]))))
                same = ids == case["greedy"]
                print(f"greedy from {case['prompt_ids']}: {'equals' if same else 'DIFFERS from'} transformers' generate(do_sample=False)")
                failures += 0 if same else 1
            failed, _ = check_model(browser, args.sitegen, CHECKPOINT, len(prompts), folder, texts=prompts)
            failures += failed
            browser.navigate((folder / "harness.html").as_uri())
            xs = gelu_grid()
            js = json.loads(browser.evaluate("JSON.stringify(%s.map(SitegenEngine.activation('gelu_exact')))" % json.dumps(xs)))
            erfs = json.loads(browser.evaluate("JSON.stringify(%s.map(SitegenEngine.erf))" % json.dumps(xs)))
            gelu_worst = max(abs(a - gelu_exact(x)) for a, x in zip(js, xs))
            erf_worst = max(abs(a - math.erf(x)) for a, x in zip(erfs, xs))
            print(f"exact GELU: {len(xs)} points, max |JS − C library| {gelu_worst:.3g} (erf: {erf_worst:.3g})")
            failures += 0 if gelu_worst <= 1e-9 else 1
            for name, what in MORE_CHECKPOINTS:
                print(f"{name} ({what}):")
                failed, _ = check_model(browser, args.sitegen, CHECKPOINT.parent / name, len(prompts), folder, texts=prompts)
                failures += failed
                site = folder / name                                       # check_model's default build
                (site / "strings.js").write_text("const bpeStrings = " + json.dumps(strings["strings"]) + ";\n", encoding="utf-8")
                (site / "strings-harness.html").write_text(
                    '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>bpe</title><script src="engine.js"></script>'
                    '<script src="model.js"></script><script src="strings.js"></script></head><body></body></html>', encoding="utf-8")
                browser.navigate((site / "strings-harness.html").as_uri())
                encoded = json.loads(browser.evaluate("JSON.stringify(bpeStrings.map((s) => SitegenEngine.byteLevelBPE(sitegenModel.bpe).encode(s)))"))
                wrong = [t for t, a, b in zip(strings["strings"], encoded, strings["ids"]) if a != b]
                print(f"{name}'s model.js BPE: {len(strings['strings'])} strings, {len(strings['strings']) - len(wrong)} give the ids of tokenizers")
                failures += len(wrong)
        except BrowserError as exc:
            print(f"BPE engine check aborted: {exc}")
            failures += 1
        finally:
            browser.close()
    print("BPE engine check OK" if failures == 0 else f"BPE engine check FAILED ({failures})")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
