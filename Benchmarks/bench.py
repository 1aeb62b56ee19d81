#!/usr/bin/env python3
"""Build-time benchmarks for sitegen (figures, not tests).

Builds the release binary, then prints each figure beside its budget:
  1. full build of the seed site, whole process, median of 11 runs      (budget 50 ms)
  2. save-to-updated in --watch mode: change one weight, wait until
     trace.json changes, median of 10 saves                             (budget 100 ms)
  2. the seed build as a multiple of the Swift process floor: a Foundation "hello"
     binary built the same way (release, static Swift runtime), median of 11  (budget 10×)
  3. full build of a wider model (d_model 64, 4 heads, 2 layers, d_ff 256,
     vocabulary 256, prompt of 32 tokens), median of 11 runs             (budget 300 ms)
     and its largest page                                               (budget 200 KB)

Run from the repository root:  python3 Benchmarks/bench.py   [--binary PATH] [--baseline PATH [--baseline-dir DIR]]
Wall times on a shared machine vary from run to run; the CPU time beside each build is the
steadier figure. With --baseline, a second sitegen binary (say, main's, built in another
checkout: --baseline-dir is where it runs, for its own Templates/) is timed run for run
beside this one, in alternation, so both see the same load, and each figure is printed
for both.
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def release_binary():
    # A statically linked Swift runtime saves ~10 ms of dynamic loading per run. Its own
    # scratch folder keeps it apart from the everyday debug build.
    flags = ["-c", "release", "--static-swift-stdlib", "--scratch-path", os.path.join(ROOT, ".build-bench")]
    subprocess.run(["swift", "build", *flags, "--product", "sitegen"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    path = subprocess.run(["swift", "build", *flags, "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    return os.path.join(path, "sitegen")


def timed_builds(binaries, args, runs):
    """For each (binary, folder) in turn, run after run: median wall time and median CPU time
    (user + system, all threads) of whole runs, in ms, and the fastest and slowest wall times."""
    times = [[] for _ in binaries]
    cpus = [[] for _ in binaries]
    for _ in range(runs):
        for k, (binary, cwd) in enumerate(binaries):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([binary, "--quiet", *args], cwd=cwd, check=True)
            times[k].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[k].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [(statistics.median(t) * 1000, statistics.median(c) * 1000, min(t) * 1000, max(t) * 1000)
            for t, c in zip(times, cpus)]


def swift_floor(tmp, runs):
    """Median wall time (ms) of a Foundation "hello" binary, built as sitegen's release binary is."""
    source = os.path.join(tmp, "hello.swift")
    with open(source, "w") as f:
        f.write('import Foundation\nprint("hello \\(Date().timeIntervalSince1970 > 0)")\n')
    binary = os.path.join(tmp, "hello")
    subprocess.run(["swiftc", "-O", "-static-stdlib", source, "-o", binary], check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([binary], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def wide_model(path):
    """A wider random model in the model-file format (fixed seed)."""
    rng = random.Random(7)
    d, heads, layers, ff, vocab, t = 64, 4, 2, 256, 256, 32
    def mat(r, c, scale=0.2):
        return [[round(rng.gauss(0, scale), 4) for _ in range(c)] for _ in range(r)]
    words = [f"w{i}" for i in range(vocab)]
    model = {
        "name": "A wider model",
        "vocab": words,
        "config": {"d_model": d, "n_heads": heads, "n_layers": layers, "d_ff": ff, "max_positions": t,
                   "activation": "gelu", "layer_norm_eps": 1e-5, "final_layer_norm": True},
        "weights": {
            "tok_emb": mat(vocab, d), "pos_emb": mat(t, d),
            "layers": [{"W_q": mat(d, d), "W_k": mat(d, d), "W_v": mat(d, d), "W_o": mat(d, d),
                        "W_1": mat(d, ff), "W_2": mat(ff, d)} for _ in range(layers)],
            "W_lm": mat(d, vocab),
        },
        "prompt": {"text": " ".join(rng.choice(words) for _ in range(t)), "target": words[3]},
    }
    with open(path, "w") as f:
        json.dump(model, f)


def watch_latency(binary, tmp, cwd=ROOT, saves=10):
    model = os.path.join(tmp, "watch-model.json")
    site = os.path.join(tmp, "watch-site")
    shutil.copy(os.path.join(ROOT, "Models", "seed.json"), model)
    proc = subprocess.Popen([binary, "--watch", "--model", model, "--output", site],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("Watching"):
                break
        original = open(model).read()
        times = []
        for i in range(saves):
            before = open(os.path.join(site, "trace.json"), "rb").read()
            text = original.replace("[0.1, 0.2, 0.2, 0.2, 0.1, 0.0]", f"[0.1, 0.2, 0.2, 0.2, {0.11 + i / 100:.2f}, 0.0]")
            time.sleep(0.15)
            start = time.perf_counter()
            with open(model, "w") as f:
                f.write(text)
            while open(os.path.join(site, "trace.json"), "rb").read() == before:
                if time.perf_counter() - start > 10:
                    raise SystemExit("watch mode did not update trace.json within 10 s")
                time.sleep(0.002)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="time this sitegen binary instead of building the release one")
    parser.add_argument("--baseline", help="also time this sitegen binary, run for run beside the first")
    parser.add_argument("--baseline-dir", default=ROOT, help="the folder the baseline runs in (its Templates/)")
    options = parser.parse_args()
    binaries = [(options.binary or release_binary(), ROOT)]
    if options.baseline:
        binaries.append((os.path.abspath(options.baseline), os.path.abspath(options.baseline_dir)))
    tmp = tempfile.mkdtemp(prefix="sitegen-bench-")
    try:
        rows = []  # name, one value per binary, budget, unit
        seed = timed_builds(binaries, ["--output", os.path.join(tmp, "seed-site")], 11)
        rows.append(("full build, seed site (median of 11; CPU)", [f"{w:.0f}–{x:.0f}; CPU {c:.0f} ms" for _, c, w, x in seed],
                     [m for m, _, _, _ in seed], 50, "ms"))
        floor = swift_floor(tmp, 11)
        rows.append((f"seed build ÷ Swift process floor (a Foundation hello: {floor:.1f} ms)", None,
                     [m / floor for m, _, _, _ in seed], 10, "×"))
        latency = [watch_latency(binary, tmp, cwd) for binary, cwd in binaries]
        rows.append(("watch: save to updated trace.json (median of 10)", None, latency, 100, "ms"))
        wide = os.path.join(tmp, "wide.json")
        wide_model(wide)
        wide_site = os.path.join(tmp, "wide-site")
        wide_runs = timed_builds(binaries, ["--model", wide, "--output", wide_site], 11)
        rows.append(("full build, wide model (median of 11; CPU)", [f"{w:.0f}–{x:.0f}; CPU {c:.0f} ms" for _, c, w, x in wide_runs],
                     [m for m, _, _, _ in wide_runs], 300, "ms"))
        largest = []
        for binary, cwd in binaries:
            subprocess.run([binary, "--quiet", "--model", wide, "--output", wide_site], cwd=cwd, check=True)
            pages = [os.path.join(wide_site, n) for n in os.listdir(wide_site) if n.endswith(".html")]
            page = max(pages, key=os.path.getsize)
            largest.append((os.path.getsize(page) / 1024, f"{os.path.basename(page)}; {len(pages)} pages, "
                            f"{sum(os.path.getsize(p) for p in pages) / 1e6:.1f} MB"))
        rows.append(("largest page of the wide site", [d for _, d in largest], [v for v, _ in largest], 200, "KB"))
        # Where the wide build's time goes (one more run, with the build's own step log).
        for binary, cwd in binaries:
            steps = subprocess.run([binary, "--model", wide, "--output", wide_site], cwd=cwd, check=True,
                                   capture_output=True, text=True).stdout
            print(f"wide build, step by step (one run of {binary}):")
            print("".join("    " + line + "\n" for line in steps.splitlines()))
        failed = 0
        names = ["this"] + (["baseline"] if options.baseline else [])
        for name, details, values, budget, unit in rows:
            ok = values[0] <= budget
            failed += not ok
            print(f"{name:76} {values[0]:8.1f} {unit}   budget {budget} {unit}   {'ok' if ok else 'OVER'}")
            for k, value in enumerate(values):
                if len(values) > 1 or details:
                    detail = f"  ({details[k]})" if details else ""
                    print(f"    {names[k]:9} {value:8.1f} {unit}{detail}")
        print(f"{len(rows) - failed} within budget, {failed} over")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
