#!/usr/bin/env python3
"""The playground's JavaScript engine (Templates/engine.js) against the Swift engine.

    python3 Tests/Browser/engine_check.py SITEGEN MODEL.json [MODEL.json ...] [--prompts N]

For every model it draws N prompts (default 20; seeded, from the model's vocabulary, 1 to
max_positions tokens), builds each with `SITEGEN --model MODEL --text PROMPT` (the static
site's trace.json), and runs the same prompt through engine.js and the site's model.js in
headless Chromium (the DevTools driver of browser_check.py). It compares every tensor of the
forward pass (embeddings, every layer's LayerNorms, q, k, v, scores, attention weights,
context, MLP and residuals, final, logits, probabilities) and the sampled continuation
(each step's kept ids, probabilities, u, chosen id and window start: past max_positions
each step sees the last max_positions tokens) within 1e-9, and prints the largest
difference per model. Then it opens the default build's playground.html?text=PROMPT (the
script reruns the model) and the --text build's playground.html (the static page) and
requires the same text in every table the page shows: the next-token table, the tempered
distribution, the sampled continuation, every attention map and the last token's vectors.
Exits 1 on any difference, 0 when all agree. Without Chromium it
skips (exit 0), or fails when the environment variable CI is set.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_check import BrowserError, Chromium, find_chromium  # noqa: E402

TOLERANCE = 1e-9
HARNESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>engine check</title>
<script src="engine.js"></script><script src="model.js"></script></head><body></body></html>
"""
TENSOR_KEYS = ["ln1", "q", "k", "v", "scores", "weights", "context", "attn_out", "resid_mid",
               "ln2", "mlp_pre", "mlp_act", "mlp_out", "resid_out"]


def prompts(model: dict, count: int, seed: str) -> list[str]:
    rng = random.Random(seed)
    sep = "" if model.get("tokenizer", "words") == "chars" else " "
    vocab = [w for w in model["vocab"] if sep == "" or (w.strip() == w and w and not any(c.isspace() for c in w))]
    out: list[str] = []
    while len(out) < count:
        n = rng.randint(1, model["config"]["max_positions"])
        text = sep.join(rng.choice(vocab) for _ in range(n))
        if sep == "" and text.strip() != text:
            continue
        out.append(text)
    return out


def difference(a, b, path: str, problems: list[str]) -> float:
    """The largest |a − b| over two nested values; shape or value mismatches go to problems."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        d = abs(a - b)
        if not d <= TOLERANCE:
            problems.append(f"{path}: {a!r} vs {b!r}")
        return d
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            problems.append(f"{path}: length {len(a)} vs {len(b)}")
            return float("inf")
        return max((difference(x, y, f"{path}[{i}]", problems) for i, (x, y) in enumerate(zip(a, b))), default=0.0)
    if a != b:
        problems.append(f"{path}: {a!r} vs {b!r}")
        return float("inf")
    return 0.0


def compare(js: dict, trace: dict, problems: list[str]) -> float:
    worst = 0.0
    for key in ("tokens", "ids"):
        worst = max(worst, difference(js[key], trace[key], key, problems))
    for key in ("tok", "pos", "x"):
        worst = max(worst, difference(js["embeddings"][key], trace["embeddings"][key], f"embeddings.{key}", problems))
    if len(js["layers"]) != len(trace["layers"]):
        problems.append("layer count differs")
    for i, (a, b) in enumerate(zip(js["layers"], trace["layers"])):
        for key in TENSOR_KEYS:
            worst = max(worst, difference(a[key], b[key], f"layers[{i}].{key}", problems))
    for key in ("final", "logits", "probs"):
        worst = max(worst, difference(js[key], trace[key], key, problems))
    sampled = trace["generation"]["sampled"]
    if len(js["sampled"]) != len(sampled["steps"]):
        problems.append(f"sampled: {len(js['sampled'])} steps vs {len(sampled['steps'])}")
    for j, (a, b) in enumerate(zip(js["sampled"], sampled["steps"])):
        for key in ("kept", "probs", "u", "id", "window"):
            worst = max(worst, difference(a[key], b[key], f"sampled[{j}].{key}", problems))
    return worst


RUN = """
(() => {
  const text = %s, settings = %s;
  const { ids, unknown } = SitegenEngine.tokenize(sitegenModel, text);
  if (unknown.length) throw new Error("unknown tokens " + JSON.stringify(unknown));
  const trace = SitegenEngine.forward(sitegenModel, ids);
  trace.sampled = SitegenEngine.sample(sitegenModel, ids, settings).map(({ kept, probs, u, id, window }) => ({ kept, probs, u, id, window }));
  return JSON.stringify(trace);   // -Infinity (masked scores) becomes null, as in trace.json
})()
"""


SHOWN = ["next-token", "tempered", "sampled-continuation", "attention-maps", "last-vectors"]
READ_SHOWN = "JSON.stringify(%s.map((id) => document.getElementById(id).innerText))" % json.dumps(SHOWN)


def page_problems(browser: Chromium, base: Path, site: Path, text: str) -> list[str]:
    """The playground rerun in the browser against the static page of the same prompt."""
    query = urllib.parse.urlencode({"text": text}, quote_via=urllib.parse.quote)
    browser.navigate((base / "playground.html").resolve().as_uri() + "?" + query)
    rerun = json.loads(browser.evaluate(READ_SHOWN))
    browser.navigate((site / "playground.html").resolve().as_uri())
    static = json.loads(browser.evaluate(READ_SHOWN))
    return [f"playground #{name} differs from the static page: {a[:120]!r} vs {b[:120]!r}"
            for name, a, b in zip(SHOWN, rerun, static) if a != b]


def check_model(browser: Chromium, sitegen: str, model_path: Path, count: int, work: Path,
                texts: list[str] | None = None) -> tuple[int, float]:
    """`model_path` is a model file, or a checkpoint folder with the prompts `texts` given."""
    given = texts
    texts = texts if texts is not None else prompts(json.loads(model_path.read_text(encoding="utf-8")), count, model_path.stem)
    count = len(texts)
    base = work / model_path.stem
    prompt = [] if texts is None else ["--text", texts[0]]   # a checkpoint holds no prompt of its own
    subprocess.run([sitegen, "--quiet", "--model", str(model_path), *prompt, "--output", str(base)], check=True)
    (base / "engine-harness.html").write_text(HARNESS, encoding="utf-8")
    browser.navigate((base / "engine-harness.html").resolve().as_uri())
    failures, worst = 0, 0.0
    for i, text in enumerate(texts):
        site = work / f"{model_path.stem}-{i}"
        subprocess.run([sitegen, "--quiet", "--model", str(model_path), "--text", text, "--output", str(site)], check=True)
        trace = json.loads((site / "trace.json").read_text(encoding="utf-8"))
        s = trace["generation"]["sampled"]
        settings = {"count": len(s["ids"]), "temperature": s["temperature"], "topK": s["top_k"], "topP": s["top_p"], "seed": s["seed"]}
        js = json.loads(browser.evaluate(RUN % (json.dumps(text), json.dumps(settings))))
        problems: list[str] = []
        d = compare(js, trace, problems)
        problems += page_problems(browser, base, site, text)
        browser.navigate((base / "engine-harness.html").resolve().as_uri())
        worst = max(worst, d)
        if problems:
            failures += 1
            print(f"FAIL {model_path.name} {text!r}")
            for p in problems[:8]:
                print(f"     - {p}")
    print(f"{model_path.name}: {count} prompts, {count - failures} agree, max |JS − Swift| {worst:.3g}", flush=True)
    return failures, worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sitegen")
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--prompts", type=int, default=20)
    args = parser.parse_args(argv)
    binary = find_chromium()
    if binary is None:
        print("engine check skipped: no chromium found")
        return 1 if os.environ.get("CI") else 0
    failures = 0
    with tempfile.TemporaryDirectory(prefix="engine-check-") as work:
        browser = Chromium(binary)
        try:
            browser.open_page()
            for model in args.models:
                failed, _ = check_model(browser, args.sitegen, model, args.prompts, Path(work))
                failures += failed
        except BrowserError as exc:
            print(f"engine check aborted: {exc}")
            failures += 1
        finally:
            browser.close()
    print("engine check OK" if failures == 0 else f"engine check FAILED: {failures} prompts differ")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
