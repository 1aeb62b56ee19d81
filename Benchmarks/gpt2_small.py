#!/usr/bin/env python3
"""Writes a GPT-2-small-shaped checkpoint in the Hugging Face layout, for the benchmarks.

    python3 Benchmarks/gpt2_small.py OUT_FOLDER [--layers N] [--seed S]

OUT_FOLDER receives what `GPT2LMHeadModel.save_pretrained` plus a fast tokenizer write:
  config.json        n_embd 768, n_layer 12, n_head 12, n_positions 1024, vocab_size 50257,
                     gelu_new, layer_norm_epsilon 1e-5, tied LM head (tie_word_embeddings)
  model.safetensors  F32, names with the `transformer.` prefix, Conv1D layout (in × out);
                     every weight drawn from N(0, 0.02) as GPT-2's own init (biases 0,
                     LayerNorm gains 1), no lm_head.weight (tied to wte)
  tokenizer.json     byte-level BPE trained by Hugging Face `tokenizers` on TEXT below (its
                     vocabulary is smaller than the model's 50,257 ids, which is allowed)

The checkpoint is 0.5 GB and is never committed: the benchmark writes it into a temporary
or ignored folder (`.build-bench/gpt2-small`). Same seed, same bytes.
Needs numpy, safetensors and tokenizers (pinned in .ci/run).
"""
import argparse
import json
import os
import sys

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

N_EMBD, N_HEAD, N_POSITIONS, VOCAB_SIZE = 768, 12, 1024, 50257

# The tokenizer's training text: a few paragraphs in plain English, repeated with variations.
TEXT = """\
The quick brown fox jumps over the lazy dog. The cat sat on the mat, and the dog lay by the door.
A transformer reads a sequence of tokens, turns each into a vector, and lets every position look
back at the ones before it. Attention weighs the earlier tokens; the feed-forward layer works on
each position alone. After the last layer, the model scores every word in its vocabulary, and the
softmax turns the scores into probabilities for the next token.
Once upon a time there was a small village by the sea. The fishermen went out every morning and
came back in the evening with their nets full of fish. Children played on the beach, and the old
men sat in the shade and told stories of storms and of ships that never came home.
Learning means changing the weights a little, in the direction that makes the right answer more
likely. The gradient says which way is downhill; the learning rate says how big a step to take.
"""


def train_tokenizer(vocab_size):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    lines = [line for line in TEXT.splitlines() if line]
    tok.train_from_iterator(lines * 4, trainer=trainer)
    return tok


def weights(rng, n_layer):
    """The GPT-2 tensors (float32), in the order `save_pretrained` names them."""
    def normal(*shape):
        return rng.normal(0.0, 0.02, size=shape).astype(np.float32)
    def ones(n):
        return np.ones(n, dtype=np.float32)
    def zeros(n):
        return np.zeros(n, dtype=np.float32)
    e, inner = N_EMBD, 4 * N_EMBD
    t = {"transformer.wte.weight": normal(VOCAB_SIZE, e), "transformer.wpe.weight": normal(N_POSITIONS, e)}
    for i in range(n_layer):
        p = f"transformer.h.{i}."
        t[p + "ln_1.weight"], t[p + "ln_1.bias"] = ones(e), zeros(e)
        t[p + "attn.c_attn.weight"], t[p + "attn.c_attn.bias"] = normal(e, 3 * e), zeros(3 * e)
        t[p + "attn.c_proj.weight"], t[p + "attn.c_proj.bias"] = normal(e, e), zeros(e)
        t[p + "ln_2.weight"], t[p + "ln_2.bias"] = ones(e), zeros(e)
        t[p + "mlp.c_fc.weight"], t[p + "mlp.c_fc.bias"] = normal(e, inner), zeros(inner)
        t[p + "mlp.c_proj.weight"], t[p + "mlp.c_proj.bias"] = normal(inner, e), zeros(e)
    t["transformer.ln_f.weight"], t["transformer.ln_f.bias"] = ones(e), zeros(e)
    return t


def config(n_layer):
    return {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
        "n_embd": N_EMBD, "n_layer": n_layer, "n_head": N_HEAD, "n_positions": N_POSITIONS, "n_ctx": N_POSITIONS,
        "vocab_size": VOCAB_SIZE, "n_inner": None, "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5, "initializer_range": 0.02, "tie_word_embeddings": True,
        "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
        "scale_attn_weights": True, "scale_attn_by_inverse_layer_idx": False,
        "bos_token_id": 0, "eos_token_id": 0,
    }


def write(folder, n_layer=12, seed=14, tokenizer_vocab=2000):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config(n_layer), f, indent=2, sort_keys=True)
        f.write("\n")
    train_tokenizer(tokenizer_vocab).save(os.path.join(folder, "tokenizer.json"))
    save_file(weights(np.random.default_rng(seed), n_layer), os.path.join(folder, "model.safetensors"),
              metadata={"format": "pt"})
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--seed", type=int, default=14)
    options = parser.parse_args()
    write(options.folder, options.layers, options.seed)
    print(options.folder)


if __name__ == "__main__":
    sys.exit(main())
