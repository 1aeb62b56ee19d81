#!/usr/bin/env python3
"""Reference for `sitegen train`'s loss: a tiny tied GPT-2 (weights drawn here by NumPy), two
token windows, and the language-modelling loss of each written from the maths in float64:

    x = wte[ids] + wpe[0..T)
    per block: h = x + c_proj(attn(LN1(x)));  x = h + mlp_c_proj(gelu_new(c_fc(LN2(h))))
    logits = LN_f(x) · wteᵀ
    loss = mean over t of −ln softmax(logits[t])[ids[t+1]]

    python3 Tests/Reference/training.py           # write fixtures/training-loss.json
    python3 Tests/Reference/training.py --check   # exit 1 if it is stale (floats within 1e-12)

The Swift test (TrainingTests) reads the weights and windows from the fixture and must give
each window's loss and the batch mean within 1e-12.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "fixtures/training-loss.json"
D, LAYERS, HEADS, CONTEXT, VOCAB, EPS = 8, 2, 2, 6, 11, 1e-5


def layer_norm(x, g, b):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * g + b


def gelu_new(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(w, ids):
    t = len(ids)
    x = w["wte.weight"][ids] + w["wpe.weight"][:t]
    hd = D // HEADS
    mask = np.triu(np.ones((t, t), dtype=bool), 1)
    for i in range(LAYERS):
        p = f"h.{i}."
        a = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv[:, :D], qkv[:, D:2 * D], qkv[:, 2 * D:]
        heads = []
        for h in range(HEADS):
            s = q[:, h * hd:(h + 1) * hd] @ k[:, h * hd:(h + 1) * hd].T / math.sqrt(hd)
            s = np.where(mask, -np.inf, s)
            e = np.exp(s - s.max(axis=1, keepdims=True))
            heads.append((e / e.sum(axis=1, keepdims=True)) @ v[:, h * hd:(h + 1) * hd])
        x = x + np.concatenate(heads, axis=1) @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        x = x + gelu_new(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    return layer_norm(x, w["ln_f.weight"], w["ln_f.bias"]) @ w["wte.weight"].T


def window_loss(w, window):
    logits = forward(w, window[:-1])
    top = logits.max(axis=1, keepdims=True)
    log_probs = logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    return float(-np.mean([log_probs[t, window[t + 1]] for t in range(len(window) - 1)]))


def layout():
    shapes = [("wte.weight", [VOCAB, D]), ("wpe.weight", [CONTEXT, D])]
    for i in range(LAYERS):
        p = f"h.{i}."
        shapes += [(p + "ln_1.weight", [D]), (p + "ln_1.bias", [D]),
                   (p + "attn.c_attn.weight", [D, 3 * D]), (p + "attn.c_attn.bias", [3 * D]),
                   (p + "attn.c_proj.weight", [D, D]), (p + "attn.c_proj.bias", [D]),
                   (p + "ln_2.weight", [D]), (p + "ln_2.bias", [D]),
                   (p + "mlp.c_fc.weight", [D, 4 * D]), (p + "mlp.c_fc.bias", [4 * D]),
                   (p + "mlp.c_proj.weight", [4 * D, D]), (p + "mlp.c_proj.bias", [D])]
    return shapes + [("ln_f.weight", [D]), ("ln_f.bias", [D])]


def build():
    rng = np.random.RandomState(15)
    weights = {}
    for name, shape in layout():
        base = 1.0 if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight" else 0.0
        # Rounded to float32, as the checkpoint stores them.
        weights[name] = (base + 0.3 * rng.standard_normal(shape)).astype(np.float32).astype(np.float64)
    windows = [[int(i) for i in rng.randint(0, VOCAB, CONTEXT + 1)] for _ in range(2)]
    losses = [window_loss(weights, w) for w in windows]
    return {
        "config": {"n_embd": D, "n_layer": LAYERS, "n_head": HEADS, "n_positions": CONTEXT, "vocab_size": VOCAB,
                   "layer_norm_epsilon": EPS},
        "tensors": [{"name": n, "shape": s, "values": [float(v) for v in weights[n].ravel()]} for n, s in layout()],
        "windows": windows,
        "window_losses": losses,
        "batch_loss": float(np.mean(losses)),
    }


def main():
    data = build()
    text = json.dumps(data, indent=1) + "\n"
    if "--check" in sys.argv[1:]:
        old = json.loads(OUT.read_text()) if OUT.exists() else None
        ok = old is not None and old["tensors"] == data["tensors"] and old["windows"] == data["windows"] and all(
            abs(a - b) <= 1e-12 * max(1, abs(b)) for a, b in zip(old["window_losses"] + [old["batch_loss"]], data["window_losses"] + [data["batch_loss"]]))
        if not ok:
            print(f"{OUT.name} is stale: run python3 Tests/Reference/training.py")
            sys.exit(1)
        print(f"{OUT.name} is up to date (batch loss {data['batch_loss']:.15f})")
        return
    OUT.write_text(text)
    print(f"wrote {OUT} (batch loss {data['batch_loss']:.15f})")


if __name__ == "__main__":
    main()
