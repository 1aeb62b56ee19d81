#!/usr/bin/env python3
"""A property test over the built sitegen binary: for random valid small models and prompts,
the build succeeds (exit 0) and `sitegen check` passes on the site it wrote.

    python3 Tests/Fuzz/properties.py                  # 20 s, seed 1
    python3 Tests/Fuzz/properties.py --cases 50 --seed 3

The models vary every shape and option of the model-file format: d_model, heads, layers, d_ff,
positions, ReLU or GELU, the final LayerNorm, optional biases and LayerNorm parameters, the
words or chars tokenizer, a vocabulary with markup characters and non-ASCII words, a prompt of
any length up to max_positions, a target or none, and a training run. A failing case is saved
with the command that reproduces it.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Word pieces: plain, markup that must be escaped, non-ASCII (one scalar each, no combining marks).
PIECES = ["a", "b", "cat", "sat", "<b>", "&amp;", "\"q\"", "it's", "é", "猫", "𝛼", "🐱", "x{{y}}", "--", "]]>"]
CHARS = list("abcdefgh<>&\"'é猫𝛼🐱{}#;")


def matrix(rng, rows, cols, scale):
    return [[round(rng.gauss(0, scale), 6) for _ in range(cols)] for _ in range(rows)]


def vector(rng, n, scale, around=0.0):
    return [round(around + rng.gauss(0, scale), 6) for _ in range(n)]


def random_model(rng):
    heads = rng.choice([1, 1, 2, 4])
    d = heads * rng.choice([1, 2, 3, 4])
    layers = rng.choice([1, 1, 2, 3])
    ff = rng.choice([1, 2, 4, 8, 16])
    tokenizer = rng.choice(["words", "chars"])
    if tokenizer == "words":
        vocab = []
        while len(vocab) < rng.randint(2, 12):
            word = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 2)))
            if word not in vocab:
                vocab.append(word)
    else:
        vocab = rng.sample(CHARS, rng.randint(2, 12))
    positions = rng.randint(1, 12)
    count = rng.randint(1, positions)
    tokens = [rng.choice(vocab) for _ in range(count)]
    text = (" " if tokenizer == "words" else "").join(tokens)
    scale = rng.choice([0.05, 0.3, 1.0])
    config = {"d_model": d, "n_heads": heads, "n_layers": layers, "d_ff": ff, "max_positions": positions,
              "activation": rng.choice(["relu", "gelu"]), "layer_norm_eps": rng.choice([1e-5, 1e-6, 0.1]),
              "final_layer_norm": rng.random() < 0.5}
    def layer():
        weights = {"W_q": matrix(rng, d, d, scale), "W_k": matrix(rng, d, d, scale), "W_v": matrix(rng, d, d, scale),
                   "W_o": matrix(rng, d, d, scale), "W_1": matrix(rng, d, ff, scale), "W_2": matrix(rng, ff, d, scale)}
        for name, n in [("b_q", d), ("b_k", d), ("b_v", d), ("b_o", d), ("b_1", ff), ("b_2", d)]:
            if rng.random() < 0.3:
                weights[name] = vector(rng, n, scale)
        for name, around in [("ln1_gamma", 1), ("ln1_beta", 0), ("ln2_gamma", 1), ("ln2_beta", 0)]:
            if rng.random() < 0.3:
                weights[name] = vector(rng, d, scale, around)
        return weights
    weights = {"tok_emb": matrix(rng, len(vocab), d, scale), "pos_emb": matrix(rng, positions, d, scale),
               "layers": [layer() for _ in range(layers)], "W_lm": matrix(rng, d, len(vocab), scale)}
    if rng.random() < 0.3:
        weights["b_lm"] = vector(rng, len(vocab), scale)
    if config["final_layer_norm"] and rng.random() < 0.5:
        weights["lnf_gamma"], weights["lnf_beta"] = vector(rng, d, scale, 1), vector(rng, d, scale)
    model = {"name": rng.choice(["random", "a <model> & \"friends\"", "猫 🐱"]), "vocab": vocab, "tokenizer": tokenizer,
             "config": config, "weights": weights,
             "prompt": {"text": text, "target": rng.choice(vocab) if rng.random() < 0.8 else None}}
    if rng.random() < 0.5:
        model["training"] = {"learning_rate": rng.choice([0.01, 0.1, 1.0]), "steps": rng.randint(1, 30)}
    return model


def check_case(binary, model, folder):
    """None when the build and the check both pass, else what went wrong."""
    path = os.path.join(folder, "model.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(model, f, ensure_ascii=False)
    site = os.path.join(folder, "Site")
    build = subprocess.run([binary, "--quiet", "--model", path, "--templates", os.path.join(ROOT, "Templates"),
                            "--output", site], capture_output=True, timeout=60)
    if build.returncode != 0:
        return f"build exit {build.returncode}: {build.stderr.decode('utf-8', 'replace')[-2000:]}"
    check = subprocess.run([binary, "check", site], capture_output=True, timeout=60)
    if check.returncode != 0:
        return f"check exit {check.returncode}: {check.stderr.decode('utf-8', 'replace')[-2000:]}"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/sitegen"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--cases", type=int, help="a fixed number of cases instead of a time budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--findings", default=os.path.join(ROOT, ".build/fuzz-findings"))
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary}: no sitegen binary (run swift build first, or pass --binary)")

    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.seconds
    cases = 0
    while (cases < args.cases) if args.cases is not None else (cases == 0 or time.monotonic() < deadline):
        model = random_model(rng)
        cases += 1
        folder = tempfile.mkdtemp(prefix="sitegen-property-")
        try:
            problem = check_case(args.binary, model, folder)
        except subprocess.TimeoutExpired as error:
            problem = f"timed out: {error}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if problem:
            os.makedirs(args.findings, exist_ok=True)
            saved = os.path.join(args.findings, f"property-seed{args.seed}-case{cases}.model.json")
            with open(saved, "w", encoding="utf-8") as f:
                json.dump(model, f, ensure_ascii=False)
            print(f"case {cases} (seed {args.seed}) failed: {problem}\n  saved {saved}\n"
                  f"  reproduce: {args.binary} --model {saved} --output /tmp/property-site && {args.binary} check /tmp/property-site")
            sys.exit(1)
    print(f"properties: {cases} random valid models built and checked clean (seed {args.seed})")


if __name__ == "__main__":
    main()
