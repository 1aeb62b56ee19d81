#!/usr/bin/env python3
"""sitegen train against PyTorch on CPU, side by side in one run (issue 15's speed figures).

    python3 Benchmarks/train_bench.py --peer              # creates Benchmarks/.venv-torch with CPU torch first
    python3 Benchmarks/train_bench.py --python /work/venv-hf/bin/python   # a python that has torch already
    python3 Benchmarks/train_bench.py --python … --before OLD/sitegen     # an older build beside this one

For each shape (d 32 / 2 layers / 4 heads / context 32 / batch 16 / 300 steps, the budget
shape; then d 64 and d 128, --wide-steps steps each) it times:

* the whole `sitegen train` process (release build; corpus Corpus/cats-and-dogs.txt, BPE), wall clock;
* PyTorch's training loop alone (a GPT-2 of the same shape written in torch: tied embeddings,
  pre-norm blocks, gelu tanh, AdamW with the same settings, clipping at 1.0), single thread
  (torch.set_num_threads(1)), same batch, context and steps, on random windows of the same
  vocabulary size;

and prints tokens/s (batch × context × steps / seconds), the ratio against the budget of
1.0× (sitegen's whole process / torch's loop), the peak resident memory of each process, and
the CPU seconds of each (sitegen's process, user + system; torch's loop, process time), the
steadier figure on a shared machine.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "Benchmarks", ".venv-torch")
CORPUS = os.path.join(ROOT, "Corpus", "cats-and-dogs.txt")

TORCH_LOOP = r'''
import json, math, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.set_num_threads(1)
torch.manual_seed(0)
cfg = json.loads(sys.argv[1])
V, D, L, H, T, B, S = cfg["vocab"], cfg["d"], cfg["layers"], cfg["heads"], cfg["context"], cfg["batch"], cfg["steps"]

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.c_attn, self.c_proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.c_fc, self.mlp_proj = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
    def forward(self, x):
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        shape = (x.size(0), x.size(1), H, D // H)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(a.transpose(1, 2).reshape(x.shape))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, D), nn.Embedding(T, D)
        self.h = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(D)
    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.size(1)))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T

model = GPT()
for p in model.parameters():
    if p.dim() == 2:
        nn.init.normal_(p, 0.0, 0.02)   # GPT-2's initialisation, as sitegen train
decay = [p for p in model.parameters() if p.dim() == 2]
rest = [p for p in model.parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                        lr=3e-3, betas=(0.9, 0.95), eps=1e-8)
data = torch.randint(0, V, (20000,))
warmup = min(100, S // 10)
def rate(t):
    return 3e-3 * t / warmup if t <= warmup else 3e-3 * (0.1 + 0.45 * (1 + math.cos(math.pi * (t - warmup) / max(1, S - warmup))))
start, cpu_start = time.perf_counter(), time.process_time()
for step in range(1, S + 1):
    starts = torch.randint(0, len(data) - T, (B,))
    batch = torch.stack([data[s:s + T + 1] for s in starts])
    logits = model(batch[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, V), batch[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    for group in opt.param_groups:
        group["lr"] = rate(step)
    opt.step()
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
print(json.dumps({"seconds": seconds, "cpu": cpu, "loss": loss.item(), "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''


def torch_python(args):
    if args.python:
        return args.python
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        if not args.peer:
            sys.exit("no python with torch: pass --peer (creates Benchmarks/.venv-torch) or --python PATH")
        print(f"creating {VENV} with CPU torch …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "torch==2.13.0+cpu"], check=True)
    return python


def run_sitegen(binary, shape):
    out = tempfile.mkdtemp(prefix="train-bench-")
    command = [binary, "train", CORPUS, "--output", os.path.join(out, "m"), "--quiet",
               "--d-model", str(shape["d"]), "--layers", str(shape["layers"]), "--heads", str(shape["heads"]),
               "--context", str(shape["context"]), "--batch", str(shape["batch"]), "--steps", str(shape["steps"]),
               "--checkpoint-every", "0"]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"sitegen train failed: {' '.join(command)}")
    with open(os.path.join(out, "m", "config.json")) as f:
        vocab = json.load(f)["vocab_size"]
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, vocab


def run_torch(python, shape):
    result = subprocess.run([python, "-c", TORCH_LOOP, json.dumps(shape)], check=True, capture_output=True, text=True)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["seconds"], data["cpu"], data["peak_kb"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer", action="store_true", help="create Benchmarks/.venv-torch with CPU torch if missing")
    parser.add_argument("--python", help="a python that has torch")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "sitegen"))
    parser.add_argument("--wide-steps", type=int, default=30, help="steps for the d 64 and d 128 shapes")
    parser.add_argument("--before", help="another sitegen binary (an older build) timed beside --binary on each shape")
    args = parser.parse_args()
    python = torch_python(args)
    if args.binary == os.path.join(ROOT, ".build", "release", "sitegen"):
        subprocess.run(["swift", "build", "-c", "release", "--product", "sitegen"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    shapes = [dict(d=32, layers=2, heads=4, context=32, batch=16, steps=300),
              dict(d=64, layers=2, heads=4, context=64, batch=16, steps=args.wide_steps),
              dict(d=128, layers=2, heads=4, context=64, batch=16, steps=args.wide_steps)]
    print(f"{'shape':32} {'sitegen (process)':>20} {'torch (loop, 1 thread)':>24} {'ratio':>7} {'peak RSS sitegen / torch':>26}"
          f" {'CPU s sitegen / torch':>22}")
    for shape in shapes:
        binaries = ([("before", args.before)] if args.before else []) + [("", args.binary)]
        runs = [(name, *run_sitegen(binary, shape)) for name, binary in binaries]
        vocab = runs[-1][4]
        t_seconds, t_cpu, t_peak = run_torch(python, dict(shape, vocab=vocab))
        tokens = shape["batch"] * shape["context"] * shape["steps"]
        for name, s_seconds, s_cpu, s_peak, _ in runs:
            label = f"d {shape['d']}, ctx {shape['context']}, {shape['steps']} steps, V {vocab}" + (f" ({name})" if name else "")
            print(f"{label:32} {tokens / s_seconds:>11.0f} tok/s {s_seconds:5.1f}s {tokens / t_seconds:>13.0f} tok/s {t_seconds:5.1f}s "
                  f"{s_seconds / t_seconds:>6.1f}x {s_peak / 1024:>12.0f} MB / {t_peak / 1024:.0f} MB"
                  f" {s_cpu:>10.1f} / {t_cpu:.1f} ({s_cpu / t_cpu:.1f}x)", flush=True)
    print("budget: sitegen's whole process at most 1.0x torch's loop at d 32 (first row)")


if __name__ == "__main__":
    main()
