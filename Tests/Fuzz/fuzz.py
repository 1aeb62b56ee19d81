#!/usr/bin/env python3
"""A mutation fuzzer over the built sitegen binary.

Each target is a seed corpus and a way to run sitegen on one input. Every run mutates a
corpus entry (byte-level edits, or edits of the JSON structure when the entry is JSON), runs
sitegen on it with a timeout, and fails on a crash (a signal), a hang (the timeout) or an exit
status other than 0 (built) and 1 (refused with a message). The input that did it is saved in
the findings folder with the command that reproduces it.

    python3 Tests/Fuzz/fuzz.py                       # every target, 60 s in all, seed 1
    python3 Tests/Fuzz/fuzz.py --seconds 300 --seed 7 --target model-json
    python3 Tests/Fuzz/fuzz.py --runs 500            # a fixed number of runs per target

The same --seed gives the same inputs in the same order (a time budget only decides how far
along that sequence a run gets). A target is a `Target` in TARGETS: its corpus and how to
invoke sitegen. The checkpoint targets (model.safetensors, with a safetensors-aware header
mutation; config.json; tokenizer.json) take the checkpoint fixtures in
Tests/Reference/fixtures/checkpoints/*/ and are skipped while there are none.
"""
import argparse
import glob
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Target:
    """A corpus (files matched by `patterns`, relative to the repository) and `command`, which
    writes one input into `folder` and returns the argv that runs sitegen on it. `command`
    also gets the corpus file the input came from, so it can copy what belongs beside it."""

    # A hang is no exit within `timeout`: the slowest input seen so far builds in 1.3 s with the
    # debug binary on an idle machine, over 10 s on a loaded one, so the margin is wide.
    def __init__(self, name, patterns, command, timeout=30.0):
        self.name, self.patterns, self.command, self.timeout = name, patterns, command, timeout

    def corpus(self):
        paths = sorted({p for pattern in self.patterns for p in glob.glob(os.path.join(ROOT, pattern))})
        return [(os.path.relpath(p, ROOT), open(p, "rb").read()) for p in paths]


def model_json_command(binary, data, origin, folder):
    """`sitegen --model input.json` with the repository's templates into a fresh output."""
    model = os.path.join(folder, "input.json")
    with open(model, "wb") as f:
        f.write(data)
    return [binary, "--quiet", "--model", model, "--templates", os.path.join(ROOT, "Templates"),
            "--output", os.path.join(folder, "Site")]


def site_page_command(binary, data, origin, folder):
    """`sitegen check` on the committed site with one page replaced by the input."""
    site = os.path.join(folder, "Site")
    shutil.copytree(os.path.join(ROOT, "Site"), site)
    with open(os.path.join(site, "attention.html"), "wb") as f:
        f.write(data)
    return [binary, "check", site]


def prompt_text_command(binary, data, origin, folder):
    """`sitegen --text INPUT --target mat` on the seed model (an argument holds no NUL byte)."""
    text = data.replace(b"\0", b"") or b" "
    return [binary, "--quiet", "--model", os.path.join(ROOT, "Models/seed.json"), "--text", text, "--target", "mat",
            "--templates", os.path.join(ROOT, "Templates"), "--output", os.path.join(folder, "Site")]


def checkpoint_command(binary, data, origin, folder):
    """`sitegen --model DIR` on a copy of the checkpoint folder the input came from (config.json,
    model.safetensors, tokenizer.json), with that one file replaced by the input, and a prompt."""
    checkpoint = os.path.join(folder, "checkpoint")
    shutil.copytree(os.path.dirname(os.path.join(ROOT, origin)), checkpoint)
    with open(os.path.join(checkpoint, os.path.basename(origin)), "wb") as f:
        f.write(data)
    # A checkpoint holds no prompt: give one, so a mutation that still reads is built in full.
    return [binary, "--quiet", "--model", checkpoint, "--text", "The cat sat on the mat.",
            "--templates", os.path.join(ROOT, "Templates"), "--output", os.path.join(folder, "Site")]


# A target whose corpus is empty is skipped (the checkpoint ones, until checkpoint fixtures exist).
CHECKPOINTS = "Tests/Reference/fixtures/checkpoints/*/"
TARGETS = [
    Target("model-json", ["Models/seed.json", "Tests/Reference/fixtures/*.model.json"], model_json_command),
    Target("site-page", ["Site/index.html", "Site/attention.html", "Site/training.html",
                         "Tests/PageValidationTests/Fixtures/pages/*.html"], site_page_command),
    Target("prompt-text", ["Tests/Fuzz/corpus/prompt-*.txt"], prompt_text_command),
    Target("checkpoint-safetensors", [CHECKPOINTS + "model.safetensors"], checkpoint_command),
    Target("checkpoint-config", [CHECKPOINTS + "config.json"], checkpoint_command),
    Target("checkpoint-tokenizer", [CHECKPOINTS + "tokenizer.json"], checkpoint_command),
]

# Tokens that often break parsers and the checks after them.
INTERESTING = [b"0", b"-0", b"1e999", b"-1e999", b"1e-999", b"NaN", b"Infinity", b"null", b"true", b"[]", b"{}",
               b"\"\"", b"\"\\u0000\"", b"\"\\ud800\"", b"\"\\uFFFE\"", b"\"\\u001b]0;x\\u0007\"", b"9" * 400,
               b"-2147483649", b"9223372036854775808", b"[" * 200, b"{\"a\":" * 100, b"\xff\xfe", b"\xc3\x28",
               b"\xef\xbb\xbf", b"<", b"&amp;", b"&#0;", b"<!ENTITY x \"y\">", b"]]>", b"\x00"]

# JSON values a structure mutation puts in place of another.
STRANGE_VALUES = [None, True, False, 0, -1, 1, 2, 3, 7, 1e308, -1e308, 1e-320, 2**53 + 1, 10**30, "", "the",
                  "\u0000", "\u001b[2J", "\ufffe", "\u202e", "<b>&amp;</b>", "x" * 300, [], {}, [[]], [[0.1]],
                  [0.1, 0.2], {"a": 1}, "relu", "gelu", "chars", "words"]


def byte_mutation(rng, data, corpus):
    data = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3, 8])):
        kind = rng.randrange(7)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:       # flip a bit
            at = min(at, len(data) - 1)
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:     # a random byte
            at = min(at, len(data) - 1)
            data[at] = rng.randrange(256)
        elif kind == 2:              # insert an interesting token
            data[at:at] = rng.choice(INTERESTING)
        elif kind == 3 and data:     # delete a range
            data[at:at + rng.randrange(1, 64)] = b""
        elif kind == 4 and data:     # duplicate a range
            piece = data[at:at + rng.randrange(1, 256)]
            data[at:at] = piece
        elif kind == 5:              # splice in a piece of another corpus entry
            other = rng.choice(corpus)[1]
            start = rng.randrange(len(other) + 1)
            data[at:at] = other[start:start + rng.randrange(1, 512)]
        else:                        # truncate
            data = data[:at]
    return bytes(data)


def paths_in(value, path=()):
    """Every (path, value) in a JSON value, the root included."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_in(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_in(item, path + (index,))


def structure_mutation(rng, data):
    """Parses `data` as JSON and edits its tree: replaces, deletes, duplicates or reshapes a
    node, renames a key. None when `data` is not JSON."""
    try:
        root = json.loads(data)
    except ValueError:
        return None
    for _ in range(rng.choice([1, 1, 2, 4])):
        nodes = list(paths_in(root))
        path, value = rng.choice(nodes)
        if not path:
            continue
        parent = root
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        kind = rng.randrange(8)
        if kind == 0:                                  # a strange value
            parent[last] = rng.choice(STRANGE_VALUES)
        elif kind == 1:                                # delete
            del parent[last]
        elif kind == 2 and isinstance(value, list):    # drop or add a row or an entry
            if value and rng.random() < 0.5:
                value.pop(rng.randrange(len(value)))
            else:
                value.append(value[rng.randrange(len(value))] if value else 0)
        elif kind == 3 and isinstance(value, (int, float)) and not isinstance(value, bool):
            parent[last] = rng.choice([value * 1000, -value, value + 1, value - 1, 0, value * 1e300])
        elif kind == 4 and isinstance(parent, dict):   # rename a key (unknown keys, controls in keys)
            parent[rng.choice(["\u001b]0;pwned\u0007", "extra", last + " ", last.upper(), "\u0000"])] = parent.pop(last)
        elif kind == 5 and isinstance(value, str):     # edit a string
            parent[last] = rng.choice([value * 50, value + "\u0001", value + " x", "", value[::-1], "\ud7ff" + value])
        elif kind == 6:                                # nest deeper
            parent[last] = [value] if rng.random() < 0.5 else {"x": value}
        else:                                          # copy another node here
            parent[last] = json.loads(json.dumps(rng.choice(nodes)[1]))
    text = json.dumps(root, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
    return text.encode("utf-8", "surrogatepass")


def safetensors_mutation(rng, data):
    """A safetensors file is an 8-byte little-endian header length, a JSON header (dtypes,
    shapes, offsets) and the tensor bytes: edits the header's structure and writes it back with
    its new length (now and then a wrong one). None when `data` is not laid out that way."""
    if len(data) < 8:
        return None
    length = int.from_bytes(data[:8], "little")
    if not 2 <= length <= len(data) - 8:
        return None
    header = structure_mutation(rng, data[8:8 + length])
    if header is None:
        return None
    stated = len(header) if rng.random() < 0.9 else rng.choice([0, len(header) + 1, len(header) - 1, 2**63, len(data) * 2])
    return (stated % 2**64).to_bytes(8, "little") + header + data[8 + length:]


def mutate(rng, corpus):
    name, data = rng.choice(corpus)
    if rng.random() < 0.5:
        structured = safetensors_mutation(rng, data) if name.endswith(".safetensors") else structure_mutation(rng, data)
        if structured is not None:
            return name, structured
    return name, byte_mutation(rng, data, corpus)


def run_one(target, binary, data, origin):
    """(verdict, detail): verdict is None when sitegen behaved (exit 0 or 1 in time)."""
    folder = tempfile.mkdtemp(prefix="sitegen-fuzz-")
    try:
        argv = target.command(binary, data, origin, folder)
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=target.timeout)
        except subprocess.TimeoutExpired:
            return "hang", f"no exit within {target.timeout:g} s"
        if done.returncode < 0:
            return "crash", f"killed by signal {-done.returncode}\n" + done.stderr.decode("utf-8", "replace")[-2000:]
        if done.returncode not in (0, 1):
            return "exit", f"exit status {done.returncode}\n" + done.stderr.decode("utf-8", "replace")[-2000:]
        if done.returncode == 1 and not done.stderr.strip():
            return "silent", "exit 1 with no message"
        raw = sorted({b for b in done.stdout + done.stderr if b < 0x20 and b not in (0x09, 0x0A)})
        if raw:
            return "raw-control", f"printed control bytes {raw} unescaped\n" + done.stderr.decode("utf-8", "replace")[-2000:]
        return None, ""
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def save(findings, target, verdict, detail, data, origin, binary):
    os.makedirs(findings, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = os.path.join(findings, f"{target.name}-{verdict}-{digest}.input")
    with open(path, "wb") as f:
        f.write(data)
    with open(path + ".txt", "w") as f:
        f.write(f"target {target.name}: {verdict}, a mutation of {origin}\n{detail}\n"
                f"reproduce: python3 Tests/Fuzz/fuzz.py --replay {path} --origin {origin} --target {target.name} --binary {binary}\n")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/sitegen"))
    parser.add_argument("--seconds", type=float, default=60, help="time budget for all targets together")
    parser.add_argument("--runs", type=int, help="runs per target instead of a time budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", action="append", help="only these targets (repeatable)")
    parser.add_argument("--findings", default=os.path.join(ROOT, ".build/fuzz-findings"))
    parser.add_argument("--timeout", type=float, help="seconds before a run counts as a hang (default: each target's, 30)")
    parser.add_argument("--replay", help="run one saved input and print what happened")
    parser.add_argument("--origin", help="with --replay: the corpus file the input came from")
    args = parser.parse_args()

    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    if args.timeout:
        for target in targets:
            target.timeout = args.timeout
    if not targets:
        sys.exit(f"no such target; the targets are: {', '.join(t.name for t in TARGETS)}")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary}: no sitegen binary (run swift build first, or pass --binary)")
    if args.replay:
        origin = args.origin or targets[0].corpus()[0][0]
        verdict, detail = run_one(targets[0], args.binary, open(args.replay, "rb").read(), origin)
        print(f"{targets[0].name}: {verdict or 'fine (exit 0 or 1)'}\n{detail}")
        sys.exit(1 if verdict else 0)

    failures = 0
    corpora = {target.name: target.corpus() for target in targets}
    for target in targets:
        if not corpora[target.name]:
            print(f"{target.name}: skipped, no corpus yet ({', '.join(target.patterns)})")
    targets = [target for target in targets if corpora[target.name]]
    for target in targets:
        corpus = corpora[target.name]
        rng = random.Random(f"{args.seed}/{target.name}")
        deadline = time.monotonic() + args.seconds / len(targets)
        runs, verdicts = 0, {}
        # The corpus itself first, unmutated, then mutations.
        pending = [(name, data) for name, data in corpus]
        while (runs < args.runs) if args.runs is not None else (time.monotonic() < deadline):
            if pending:
                name, data = pending.pop(0)
                origin = name
            else:
                name, data = mutate(rng, corpus)
                origin = "a mutation of " + name
            verdict, detail = run_one(target, args.binary, data, name)
            runs += 1
            if verdict:
                failures += 1
                path = save(args.findings, target, verdict, detail, data, name, args.binary)
                print(f"{target.name}: {verdict} on {origin} (run {runs}): {detail.splitlines()[0]}\n  saved {path}")
                if failures >= 10:
                    break
            verdicts[verdict or "fine"] = verdicts.get(verdict or "fine", 0) + 1
        print(f"{target.name}: {runs} runs, seed {args.seed}: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    if failures:
        print(f"{failures} finding(s) in {args.findings}")
        sys.exit(1)


if __name__ == "__main__":
    main()
