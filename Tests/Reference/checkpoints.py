#!/usr/bin/env python3
"""Fixtures for reading real checkpoints: tiny GPT-2 folders, a byte-level BPE tokenizer
trained by Hugging Face `tokenizers`, and what the reference implementations make of them.

Run from the repository root:

    python3 Tests/Reference/checkpoints.py           # (re)write Tests/Reference/fixtures/checkpoints/
    python3 Tests/Reference/checkpoints.py --check   # regenerate in memory, exit 1 on any difference

Needs numpy, tokenizers and safetensors (`python3 -m pip install numpy tokenizers safetensors`).

What it writes (all under fixtures/checkpoints/):

* `tokenizer/`: `tokenizer.json` (BPE trained by `tokenizers` on TRAINING_TEXT below, with
  `<|endoftext|>`, ByteLevel pre-tokenizer; merges as ["a", "b"] pairs), `legacy.tokenizer.json`
  (the same, merges as "a b" strings), `vocab.json` + `merges.txt` (the same, the older pair),
  `extras.tokenizer.json` (the same with add_prefix_space and added tokens that use lstrip,
  rstrip, single_word and normalized), `words.tokenizer.json` and `words-split.tokenizer.json`
  (WordLevel trained on the same text, split by Whitespace / WhitespaceSplit, unknown token
  [UNK]), `chars.tokenizer.json` (BPE over the text's characters with no merges: one token per
  character), and `strings.json`: >= 1,000 strings with the ids `tokenizers` gives them under
  `tokenizer.json` ("ids"; the script asserts the legacy forms give the same), under
  `extras.tokenizer.json` ("extras_ids") and under the three plain ones ("words_ids",
  "words_split_ids", "chars_ids").
* One folder per checkpoint (config.json, model.safetensors or shards, a tokenizer):
    gpt2-f32      save_pretrained layout: `transformer.` names, F32, tied lm_head, gelu_new, tokenizer.json
    gpt2-f16      the original GPT-2 release layout: no prefix, F16, the attn.bias / attn.masked_bias
                  mask buffers, vocab.json + merges.txt
    gpt2-bf16     `transformer.` names, BF16, an untied lm_head.weight, gelu (exact, as nanoGPT), n_inner 24
    gpt2-sharded  F64 in two shards with model.safetensors.index.json, no prefix
  The safetensors files are written by this script's own writer (sorted names, offsets in
  that order, header padded with spaces to 8 bytes) and read back with the `safetensors`
  package, which must agree on every name, dtype, shape and byte.
* `<name>.weights.json`: every tensor as NumPy converts it to float64 (F16 by numpy's
  float16, BF16 as the top half of a float32), so the Swift reader can be held to it exactly.
* `<name>.forward.json`: a GPT-2 forward pass in float64 NumPy (written from the GPT-2 maths,
  as picoGPT) on PROMPT: ids, tokens, logits of every position, attention weights of every
  layer and head. The script also maps the checkpoint onto the site's own model format
  (`as_site_model`: the mapping the engine uses) and runs reference.py's forward pass on it:
  logits and attention weights must agree within 1e-12 (they do to ~2e-15).
* `<name>.trace.json`: what sitegen's trace.json must hold for
  `sitegen --model <name> --text PROMPT --target TARGET`: reference.py's forward trace and
  gradients on the mapped model (every tensor of today's trace schema), the checkpoint's raw
  tokens, prediction_id. hf_parity.py checks the same against transformers itself.
* `floats.json`: F16 and BF16 bit patterns (every special case and a stride through all 65,536)
  with NumPy's float64 value of each ("nan", "inf", "-inf" as strings).

--check: every file must match byte for byte, except the forward JSON, whose floats may differ
by 1e-12 (relative) because BLAS and libm can round the last bit differently elsewhere.
"""

import io
import json
import math
import sys
from pathlib import Path

import numpy as np
import safetensors
import safetensors.numpy
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures" / "checkpoints"

TRAINING_TEXT = """\
The cat sat on the mat. The dog sat on the log. It's a small world, isn't it?
We'll see what they've done: they're here, I'm there, and you'd know.
def forward(self, x):
    return self.ln_f(x) @ self.wte.weight.T  # logits
for i in range(10): print(i, i ** 2)
Numbers: 1, 2, 3, 42, 1024, 3.14159, 2026-12-01.
Le chat est assis sur le tapis. Der Hund schläft. El niño come.
Кошка сидит на ковре. Γάτα. 猫が座っている。 고양이
<|endoftext|>
the the the the cat cat dog dog mat mat sat sat on on
"""

SPECIAL = "<|endoftext|>"
PROMPT = "The cat sat on the mat."
TARGET = " dog"  # one token; the site's loss and gradients are for it
VOCAB_TARGET = 320
PADDING = 4  # config vocab_size = tokenizer size + PADDING: ids without a token


# ---------------------------------------------------------------- tokenizer

def train_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_TARGET, min_frequency=1, show_progress=False,
        special_tokens=[SPECIAL], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(TRAINING_TEXT.splitlines(keepends=True), trainer)
    return tok


def extras_tokenizer(base_json):
    tok = Tokenizer.from_str(base_json)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False, special=True)])
    tok.add_tokens([AddedToken("hello", single_word=True, normalized=True),
                    AddedToken("[x]", rstrip=True, normalized=False)])
    return tok


def word_tokenizers():
    """WordLevel with an unknown token, split by Whitespace and by WhitespaceSplit (what issue 15's
    `--tokenizer words` writes), and a BPE over characters with no merges (`--tokenizer chars`)."""
    words = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    words.train_from_iterator(TRAINING_TEXT.splitlines(), trainers.WordLevelTrainer(
        special_tokens=["[UNK]", SPECIAL], show_progress=False))
    split = Tokenizer.from_str(words.to_str())
    split.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    alphabet = sorted(set(TRAINING_TEXT) - {SPECIAL})
    vocab = {"[UNK]": 0, SPECIAL: 1} | {c: i + 2 for i, c in enumerate(alphabet)}
    chars = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="[UNK]"))
    chars.add_special_tokens([AddedToken(SPECIAL, special=True, normalized=False)])
    return {"words": words, "words-split": split, "chars": chars}


def legacy_json(base_json):
    data = json.loads(base_json)
    data["model"]["merges"] = [" ".join(pair) for pair in data["model"]["merges"]]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def vocab_and_merges(base_json):
    model = json.loads(base_json)["model"]
    vocab = json.dumps(model["vocab"], ensure_ascii=False, indent=1) + "\n"
    merges = "#version: 0.2\n" + "".join(" ".join(pair) + "\n" for pair in model["merges"])
    return vocab, merges


def category_samples(rng):
    """A few code points of every general category (assigned since early Unicode, BMP)."""
    import unicodedata
    by_category = {}
    for cp in range(0x20, 0x3000):
        by_category.setdefault(unicodedata.category(chr(cp)), []).append(chr(cp))
    by_category["Co"] = [chr(0xE000), chr(0xF8FF)]
    samples = []
    for category in sorted(by_category):
        if category in ("Cn", "Cs"):
            continue
        chars = by_category[category]
        picks = chars[:3] + [chars[i] for i in rng.choice(len(chars), size=min(6, len(chars)), replace=False)]
        samples.append("".join(picks))
        samples += [" " + c for c in picks[:3]] + [c + "x" for c in picks[:2]]
    return samples


HANDPICKED = [
    "", " ", "  ", "   ", "\n", "\n\n", " \n ", "\t", "\t\t x", "\r\n", " \r\n\r\n ",
    "hello world", "Hello, World!", "The cat sat on the mat.", "  leading", "trailing  ", "a  b", "a   b",
    "a\n\nb", "a \n b", "a\t b", "x \n\n y", "end with space ", "end with newline\n",
    "I'm", "you're", "they've", "we'll", "she'd", "it's", "IT'S", "don't", "'s", " 's", "''", "don''t",
    "'re'", "'ll've", "O'Neil's", "rock'n'roll", "it’s", "'S 'T 'RE", "x'", "'", " '",
    "123", "3.14159", "1,000,000", " 42", "2026-12-01", "0x1F", "1e-5", "٣٤٥", "１２３", "Ⅻ", "½ ¾", "x² + y³",
    "x=1+2", "def f(x):\n    return x**2\n", "if (a && b) { c(); }", "print(\"hi\")", "a[i] = b[j] // c",
    "<html><body>ok</body></html>", "SELECT * FROM t WHERE id = 1;", "$ ls -la ~/", "#include <stdio.h>",
    SPECIAL, "a" + SPECIAL + "b", "hello " + SPECIAL + " world", SPECIAL + SPECIAL, " " + SPECIAL + "\n",
    "<|endoftext", "endoftext|>", "<|endoftext|", "<|ENDOFTEXT|>", "<mask>", "a <mask> b", "a<mask>b",
    "hello", "say hello there", "ahello", "hellos", "[x]  y", "a [x]\nb", "hello<mask>[x]",
    "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "I ❤️ NY", "🙂🙃", " 😀 ok",
    "e\u0301", "a\u0308\u0304", "\u0301", " \u0301x", "ñ", "n\u0303", "Ω", "ﬁ", "ẞ", "ǅ",
    "日本語のテキスト", "中文字符", "한국어", "Русский текст", "ελληνικά", "עברית", "العربية", "हिन्दी", "ไทย",
    "\u00a0", "a\u00a0b", "\u2003x", "\u3000", "\u200b", "a\u200bb", "\ufeff", "\u2028", "\u2029", "\u0085",
    "\u180e", "\x1c", "\x1f", "\x0b\x0c", "\x00", "\x7f", "\x01abc", "a\u200db", "\u2060",
    # long words and runs: many merges in one word
    "a" * 2000, "the" * 700, "thecat" * 300, " " * 500, "\n" * 300, "ab1 " * 300, "猫" * 400,
]


POOLS = {
    "word": ["the", " the", "cat", " cat", " sat", " on", " mat", "The", " dog", "hello", " world", "forward",
             "self", " x", "Le", " chat", "schläft", " niño", "Кошка", " 猫", "고양이", "Γάτα"],
    "letter": list("abcXYZéüßøÆñçğışŁЖжЯλΩאבעربهअकไทあア漢字가ǅʰ"),
    "digit": list("0123456789٠١٢३४５６⁴²½Ⅻ"),
    "punct": list(".,;:!?()[]{}\"'-_/\\@#%&*+=<>|~^`“”‘’—–…¿¡«»§¶·•"),
    "symbol": list("€$£¥©®™°±×÷∑∞√≈≠≤≥←→↑↓♠♥★☆✓"),
    "mark": ["\u0301", "\u0308", "\u0303", "\u20dd", "\u093e", "\u0e31"],
    "space": [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\u00a0", "\u3000", "\u2009", "\f", "\v"],
    "emoji": ["😀", "👍", "👍🏽", "🎉", "🇯🇵", "👩‍💻", "❤️", "🚀", "🤖", "🧠"],
    "contraction": ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "’s", "'x", "''"],
    "special": [SPECIAL, "<mask>", "[x]", " hello ", "<|endoftext", "|>"],
    "code": ["def ", "return ", "x += 1", "f(x)", "a->b", "0xFF", "i++", "==", "!=", "//", "/* */", "{}", "();",
             "    ", "\tif", "@decorator", "`cmd`", "$VAR"],
}


def strings():
    rng = np.random.default_rng(20261201)
    items = list(HANDPICKED) + category_samples(rng)
    names = sorted(POOLS)
    while len(items) < 1200:
        length = int(rng.integers(1, 9))
        parts = []
        for _ in range(length):
            pool = POOLS[names[int(rng.integers(len(names)))]]
            parts.append(pool[int(rng.integers(len(pool)))])
        items.append("".join(parts))
    seen, unique = set(), []
    for text in items:
        if text not in seen:
            seen.add(text)
            unique.append(text)
    return unique


# ---------------------------------------------------------------- safetensors

DTYPE_SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}


def to_bf16_bits(values):
    """Round float64 values to bfloat16 (nearest, ties to even via float32), as uint16 bits."""
    bits = np.asarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2")


def encode_tensor(values, dtype):
    """(bytes, float64 values as stored) of a float64 array in `dtype`."""
    if dtype == "F64":
        stored = np.asarray(values, dtype="<f8")
        return stored.tobytes(), stored.astype(np.float64)
    if dtype == "F32":
        stored = np.asarray(values, dtype="<f4")
        return stored.tobytes(), stored.astype(np.float64)
    if dtype == "F16":
        stored = np.asarray(values, dtype="<f2")
        return stored.tobytes(), stored.astype(np.float64)
    if dtype == "BF16":
        bits = to_bf16_bits(values)
        return bits.tobytes(), bf16_to_float64(bits)
    raise ValueError(dtype)


def bf16_to_float64(bits):
    with np.errstate(invalid="ignore"):
        return (np.asarray(bits, dtype=np.uint32) << 16).astype("<u4").view("<f4").astype(np.float64)


def safetensors_bytes(tensors, metadata=None):
    """tensors: name -> (dtype, shape, raw bytes). Sorted names, contiguous offsets."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(blobs)


def check_with_safetensors(data, tensors):
    """The `safetensors` package reads back exactly what was meant."""
    read = dict(safetensors.deserialize(data))
    assert sorted(read) == sorted(tensors), "safetensors sees other tensor names"
    for name, (dtype, shape, raw) in tensors.items():
        info = read[name]
        assert info["dtype"] == dtype, name
        assert list(info["shape"]) == list(shape), name
        assert bytes(info["data"]) == raw, name
    numeric = {n for n, (d, _, _) in tensors.items() if d != "BF16"}
    if numeric and len(numeric) == len(tensors):
        arrays = safetensors.numpy.load(data)
        for name, (dtype, shape, raw) in tensors.items():
            assert arrays[name].tobytes() == raw, name


# ---------------------------------------------------------------- GPT-2

def gpt2_weights(rng, n_embd, n_layer, n_positions, vocab, n_inner):
    def normal(*shape, scale=0.3):
        return rng.normal(0.0, scale, size=shape)
    w = {"wte.weight": normal(vocab, n_embd), "wpe.weight": normal(n_positions, n_embd, scale=0.1)}
    for i in range(n_layer):
        p = f"h.{i}."
        w[p + "ln_1.weight"] = 1.0 + normal(n_embd, scale=0.1)
        w[p + "ln_1.bias"] = normal(n_embd, scale=0.1)
        w[p + "attn.c_attn.weight"] = normal(n_embd, 3 * n_embd)
        w[p + "attn.c_attn.bias"] = normal(3 * n_embd, scale=0.1)
        w[p + "attn.c_proj.weight"] = normal(n_embd, n_embd)
        w[p + "attn.c_proj.bias"] = normal(n_embd, scale=0.1)
        w[p + "ln_2.weight"] = 1.0 + normal(n_embd, scale=0.1)
        w[p + "ln_2.bias"] = normal(n_embd, scale=0.1)
        w[p + "mlp.c_fc.weight"] = normal(n_embd, n_inner)
        w[p + "mlp.c_fc.bias"] = normal(n_inner, scale=0.1)
        w[p + "mlp.c_proj.weight"] = normal(n_inner, n_embd)
        w[p + "mlp.c_proj.bias"] = normal(n_embd, scale=0.1)
    w["ln_f.weight"] = 1.0 + normal(n_embd, scale=0.1)
    w["ln_f.bias"] = normal(n_embd, scale=0.1)
    return w


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_exact(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def layer_norm(x, g, b, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * g + b


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def gpt2_forward(w, config, ids, lm_head):
    """GPT-2 as transformers' GPT2LMHeadModel computes it, in float64 (Conv1D: y = x @ W + b)."""
    n_embd, n_head = config["n_embd"], config["n_head"]
    act = {"gelu_new": gelu_tanh, "gelu": gelu_exact, "relu": lambda v: np.maximum(v, 0.0)}[config["activation_function"]]
    eps = config["layer_norm_epsilon"]
    T, d = len(ids), n_embd // n_head
    x = w["wte.weight"][ids] + w["wpe.weight"][:T]
    mask = np.triu(np.ones((T, T), dtype=bool), k=1)
    attention = []
    for i in range(config["n_layer"]):
        p = f"h.{i}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = np.split(qkv, 3, axis=-1)
        heads, weights = [], []
        for head in range(n_head):
            cols = slice(head * d, (head + 1) * d)
            scores = q[:, cols] @ k[:, cols].T / math.sqrt(d)
            scores = np.where(mask, -np.inf, scores)
            a = softmax(scores)
            weights.append(a)
            heads.append(a @ v[:, cols])
        attention.append(weights)
        x = x + np.concatenate(heads, axis=-1) @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        x = x + act(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    final = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return final @ lm_head.T, attention


def as_site_model(w, config, lm_head, ids, target_id=None):
    """The same GPT-2 in the site's own model format (reference.py's), the mapping the engine
    uses: W_q | W_k | W_v = the column blocks of c_attn, W_o = attn.c_proj, W_1 = mlp.c_fc,
    W_2 = mlp.c_proj, ln1/ln2/lnf = ln_1/ln_2/ln_f, W_lm = lm_head transposed (no b_lm). Tokens are
    stand-in words t0, t1, … so that reference.py's word tokenizer gives `ids`."""
    E = config["n_embd"]
    layers = []
    for i in range(config["n_layer"]):
        p = f"h.{i}."
        W, b = w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"]
        layers.append({
            "W_q": W[:, :E], "W_k": W[:, E:2 * E], "W_v": W[:, 2 * E:], "b_q": b[:E], "b_k": b[E:2 * E], "b_v": b[2 * E:],
            "W_o": w[p + "attn.c_proj.weight"], "b_o": w[p + "attn.c_proj.bias"],
            "W_1": w[p + "mlp.c_fc.weight"], "b_1": w[p + "mlp.c_fc.bias"],
            "W_2": w[p + "mlp.c_proj.weight"], "b_2": w[p + "mlp.c_proj.bias"],
            "ln1_gamma": w[p + "ln_1.weight"], "ln1_beta": w[p + "ln_1.bias"],
            "ln2_gamma": w[p + "ln_2.weight"], "ln2_beta": w[p + "ln_2.bias"],
        })
    return {
        "vocab": [f"t{i}" for i in range(config["vocab_size"])], "tokenizer": "words",
        "config": {"d_model": E, "n_heads": config["n_head"], "n_layers": config["n_layer"],
                   "d_ff": config["n_inner"] or 4 * E, "max_positions": config["n_positions"],
                   "activation": {"gelu_new": "gelu", "gelu": "gelu_exact", "relu": "relu"}[config["activation_function"]],
                   "layer_norm_eps": config["layer_norm_epsilon"], "final_layer_norm": True},
        "weights": {"tok_emb": w["wte.weight"], "pos_emb": w["wpe.weight"], "layers": layers,
                    "lnf_gamma": w["ln_f.weight"], "lnf_beta": w["ln_f.bias"], "W_lm": lm_head.T},
        "prompt": {"text": " ".join(f"t{i}" for i in ids), "target": None if target_id is None else f"t{target_id}"},
    }


def site_trace(w, config, lm_head, ids, target_id, tokenizer):
    """What sitegen's trace.json must hold for `sitegen --model <checkpoint> --text PROMPT
    --target TARGET`: reference.py's forward pass and gradients on the mapped model, with the
    checkpoint's tokens in place of the stand-in words, and prediction_id."""
    sys.path.insert(0, str(HERE))
    import reference
    model = as_site_model(w, config, lm_head, ids, target_id)
    trace = reference.forward(model)
    grads = reference.backward(model, trace)
    out = json.loads(reference.trace_json(trace))
    out["tokens"] = [tokenizer.id_to_token(i) for i in ids]
    out["prediction_id"] = int(np.argmax(trace["logits"][-1]))
    out["prediction"] = tokenizer.id_to_token(out["prediction_id"])
    out["target"] = tokenizer.id_to_token(target_id)
    out["grads"] = json.loads(reference.grads_json(grads))
    return out


def cross_check(w, config, lm_head, ids, logits, attention):
    """reference.py's forward pass (the site's engine spec) on the mapped model agrees."""
    sys.path.insert(0, str(HERE))
    import reference
    trace = reference.forward(as_site_model(w, config, lm_head, ids))
    worst = float(np.abs(trace["logits"] - logits).max())
    for layer, heads in zip(trace["layers"], attention):
        worst = max(worst, float(np.abs(layer["weights"] - np.array(heads)).max()))
    assert worst < 1e-12, f"reference.py disagrees with the GPT-2 forward by {worst}"
    return worst


CHECKPOINTS = [
    # name, dtype, prefix, tokenizer files, tied, activation, n_inner, mask buffers, shards
    dict(name="gpt2-f32", dtype="F32", prefix="transformer.", tokenizer="json", tied=True,
         activation="gelu_new", n_inner=None, masks=False, shards=1, seed=1),
    dict(name="gpt2-f16", dtype="F16", prefix="", tokenizer="vocab+merges", tied=True,
         activation="gelu_new", n_inner=None, masks=True, shards=1, seed=2),
    dict(name="gpt2-bf16", dtype="BF16", prefix="transformer.", tokenizer="json", tied=False,
         activation="gelu", n_inner=24, masks=False, shards=1, seed=3),
    dict(name="gpt2-sharded", dtype="F64", prefix="", tokenizer="json", tied=True,
         activation="relu", n_inner=None, masks=False, shards=2, seed=4),
]


def checkpoint_files(spec, tokenizer_json, vocab_json, merges_txt, tokenizer):
    n_embd, n_head, n_layer, n_positions = 8, 2, 2, 16
    vocab_size = tokenizer.get_vocab_size() + PADDING
    n_inner = spec["n_inner"] or 4 * n_embd
    config = {
        "activation_function": spec["activation"], "architectures": ["GPT2LMHeadModel"],
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": n_positions, "n_embd": n_embd,
        "n_head": n_head, "n_inner": spec["n_inner"], "n_layer": n_layer, "n_positions": n_positions,
        "scale_attn_weights": True, "vocab_size": vocab_size,
    }
    if not spec["tied"]:
        config["tie_word_embeddings"] = False
    rng = np.random.default_rng(spec["seed"])
    raw = gpt2_weights(rng, n_embd, n_layer, n_positions, vocab_size, n_inner)
    if not spec["tied"]:
        raw["lm_head.weight"] = rng.normal(0.0, 0.3, size=(vocab_size, n_embd))
    if spec["dtype"] == "F16":
        # Exercise the F16 corner cases inside real weights: a subnormal, the smallest normal, -0.
        raw["h.0.ln_1.bias"][:3] = [2.0 ** -24 * 3, 2.0 ** -14, -0.0]

    tensors, stored = {}, {}
    for name, values in raw.items():
        data, as_stored = encode_tensor(values, spec["dtype"])
        stored_name = name if name == "lm_head.weight" else spec["prefix"] + name
        tensors[stored_name] = (spec["dtype"], values.shape, data)
        stored[stored_name] = as_stored
    if spec["masks"]:
        for i in range(n_layer):
            tril = np.tril(np.ones((n_positions, n_positions), dtype="<f4")).reshape(1, 1, n_positions, n_positions)
            tensors[f"{spec['prefix']}h.{i}.attn.bias"] = ("F32", tril.shape, tril.tobytes())
            tensors[f"{spec['prefix']}h.{i}.attn.masked_bias"] = ("F32", (), np.asarray(-1e4, dtype="<f4").tobytes())

    files = {"config.json": (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()}
    if spec["shards"] == 1:
        data = safetensors_bytes(tensors, metadata={"format": "pt"})
        check_with_safetensors(data, tensors)
        files["model.safetensors"] = data
    else:
        names = sorted(tensors)
        half = (len(names) + 1) // 2
        weight_map = {}
        for index, part in enumerate([names[:half], names[half:]]):
            shard = f"model-{index + 1:05d}-of-00002.safetensors"
            subset = {n: tensors[n] for n in part}
            data = safetensors_bytes(subset, metadata={"format": "pt"})
            check_with_safetensors(data, subset)
            files[shard] = data
            weight_map.update({n: shard for n in part})
        index = {"metadata": {"total_size": sum(len(t[2]) for t in tensors.values())}, "weight_map": weight_map}
        files["model.safetensors.index.json"] = (json.dumps(index, indent=2, sort_keys=True) + "\n").encode()
    if spec["tokenizer"] == "json":
        files["tokenizer.json"] = tokenizer_json.encode()
    else:
        files["vocab.json"] = vocab_json.encode()
        files["merges.txt"] = merges_txt.encode()

    # Reference forward pass on the weights as stored.
    plain = {n[len(spec["prefix"]):] if n.startswith(spec["prefix"]) else n: v for n, v in stored.items()}
    ids = tokenizer.encode(PROMPT).ids
    lm_head = plain["wte.weight"] if spec["tied"] else plain["lm_head.weight"]
    logits, attention = gpt2_forward(plain, config, ids, lm_head)
    cross_check(plain, config, lm_head, ids, logits, attention)
    target_ids = tokenizer.encode(TARGET).ids
    assert len(target_ids) == 1, f"TARGET {TARGET!r} is not one token: {target_ids}"
    trace = site_trace(plain, config, lm_head, ids, target_ids[0], tokenizer)
    forward = {
        "text": PROMPT, "ids": ids, "tokens": [tokenizer.id_to_token(i) for i in ids],
        "logits": logits.tolist(), "logits_last": logits[-1].tolist(),
        "attn_weights": [[a.tolist() for a in layer] for layer in attention],
    }
    weights = {"dtype": spec["dtype"], "tensors": {n: {"shape": list(v.shape), "values": v.reshape(-1).tolist()}
                                                  for n, v in sorted(stored.items())}}
    return files, weights, forward, trace


def float_table():
    special16 = [0x0000, 0x8000, 0x0001, 0x8001, 0x0002, 0x03FF, 0x83FF, 0x0400, 0x0401, 0x3BFF, 0x3C00, 0x3C01,
                 0xBC00, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0x7FFF, 0x3555, 0x4248]
    patterns = sorted(set(special16 + list(range(0, 65536, 97))))
    def show(value):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else ("-inf" if value == -math.inf else value))
    f16 = np.asarray(patterns, dtype="<u2").view("<f2").astype(np.float64)
    bf16 = bf16_to_float64(np.asarray(patterns, dtype=np.uint16))
    return {"patterns": patterns, "f16": [show(v) for v in f16], "bf16": [show(v) for v in bf16]}


def dumps(value):
    return (json.dumps(value, ensure_ascii=True, allow_nan=False) + "\n").encode()


def build():
    files = {}
    tok = train_tokenizer()
    base_json = tok.to_str(pretty=True) + "\n"
    again = train_tokenizer().to_str(pretty=True) + "\n"
    assert base_json == again, "tokenizers training is not deterministic"
    legacy = legacy_json(base_json)
    vocab_json, merges_txt = vocab_and_merges(base_json)
    extras = extras_tokenizer(base_json)

    texts = strings()
    assert len(texts) >= 1000
    base = Tokenizer.from_str(base_json)
    legacy_tok = Tokenizer.from_str(legacy)
    slow = Tokenizer(models.BPE(vocab=json.loads(vocab_json), merges=[tuple(l.split(" ")) for l in merges_txt.splitlines()[1:]]))
    slow.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    slow.add_special_tokens([AddedToken(SPECIAL, special=True, normalized=False)])
    plain = word_tokenizers()
    plain_ids = {name: [] for name in plain}
    ids, extras_ids = [], []
    for text in texts:
        for name, tokenizer in plain.items():
            plain_ids[name].append(tokenizer.encode(text).ids)
        expected = base.encode(text).ids
        assert legacy_tok.encode(text).ids == expected, f"legacy merges differ on {text!r}"
        assert slow.encode(text).ids == expected, f"vocab.json + merges.txt differ on {text!r}"
        ids.append(expected)
        extras_ids.append(extras.encode(text).ids)
    files["tokenizer/tokenizer.json"] = base_json.encode()
    files["tokenizer/legacy.tokenizer.json"] = legacy.encode()
    files["tokenizer/vocab.json"] = vocab_json.encode()
    files["tokenizer/merges.txt"] = merges_txt.encode()
    files["tokenizer/extras.tokenizer.json"] = (extras.to_str(pretty=True) + "\n").encode()
    for name, tokenizer in plain.items():
        files[f"tokenizer/{name}.tokenizer.json"] = (tokenizer.to_str(pretty=True) + "\n").encode()
    files["tokenizer/strings.json"] = dumps({"strings": texts, "ids": ids, "extras_ids": extras_ids,
                                             "words_ids": plain_ids["words"], "words_split_ids": plain_ids["words-split"],
                                             "chars_ids": plain_ids["chars"]})

    for spec in CHECKPOINTS:
        folder, weights, forward, trace = checkpoint_files(spec, base_json, vocab_json, merges_txt, base)
        for name, data in folder.items():
            files[f"{spec['name']}/{name}"] = data
        files[f"{spec['name']}.weights.json"] = dumps(weights)
        files[f"{spec['name']}.forward.json"] = dumps(forward)
        files[f"{spec['name']}.trace.json"] = dumps(trace)
    files["floats.json"] = dumps(float_table())
    return files


def close(a, b, path):
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            return [f"{path}: {a!r} vs {b!r}"]
        if abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b)):
            return []
        return [f"{path}: {a!r} vs {b!r}"]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in close(x, y, f"{path}[{i}]")]
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return [d for k in a for d in close(a[k], b[k], f"{path}.{k}")]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def check(files):
    problems = []
    committed = {str(p.relative_to(OUT)) for p in OUT.rglob("*") if p.is_file()} if OUT.exists() else set()
    for extra in sorted(committed - set(files)):
        problems.append(f"{extra}: committed but no longer generated")
    for name, data in files.items():
        path = OUT / name
        if not path.exists():
            problems.append(f"{name}: missing")
            continue
        old = path.read_bytes()
        if old == data:
            continue
        if name.endswith(".forward.json") or name.endswith(".trace.json"):
            diffs = close(json.loads(old), json.loads(data), name)
            if not diffs:
                continue
            problems += diffs[:5]
        else:
            problems.append(f"{name}: differs")
    if problems:
        print("checkpoint fixtures are stale (run python3 Tests/Reference/checkpoints.py):")
        for p in problems:
            print("  " + p)
        return 1
    print(f"checkpoint fixtures up to date ({len(files)} files)")
    return 0


def main(argv):
    files = build()
    if "--check" in argv:
        return check(files)
    for name, data in files.items():
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(files)} files to {OUT.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
