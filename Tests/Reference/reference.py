#!/usr/bin/env python3
"""Independent NumPy reference for sitegen's transformer forward pass.

Run from the repository root:

    python3 Tests/Reference/reference.py           # (re)write Tests/Reference/fixtures/
    python3 Tests/Reference/reference.py --check   # regenerate in memory, exit 1 on any difference

For every fixture it writes `<name>.model.json` (the model, in the site's model
format) and `<name>.trace.json` (every intermediate tensor of the forward pass
on the model's prompt). The Swift engine is tested against the traces.

Conventions (the same ones the Swift engine is specified with):

* All arithmetic is float64. Vectors are rows; a layer is `x @ W + b`.
* Tokens: tokenizer "words" splits the prompt on whitespace, "chars" takes each
  character (Python str character = unicode scalar). ids index `vocab`.
* x0 = tok_emb[ids] + pos_emb[0..T-1].
* Pre-norm blocks. Per layer:
      ln1       = LN1(x)
      q, k, v   = ln1 @ W_q + b_q,  ln1 @ W_k + b_k,  ln1 @ W_v + b_v
      head h uses the contiguous columns h*d_head .. (h+1)*d_head-1, d_head = d_model / n_heads
      scores_h  = q_h @ k_h^T / sqrt(d_head)            (trace: masked cells j > i are null)
      weights_h = softmax over j <= i of scores_h[i, j]  (masked cells exactly 0)
      context   = concat_h (weights_h @ v_h)
      attn_out  = context @ W_o + b_o
      resid_mid = x + attn_out
      ln2       = LN2(resid_mid)
      mlp_pre   = ln2 @ W_1 + b_1
      mlp_act   = act(mlp_pre)      act = relu, gelu (GPT-2 tanh approximation) or gelu_exact (x * Phi(x))
      mlp_out   = mlp_act @ W_2 + b_2
      resid_out = resid_mid + mlp_out       (= x for the next layer)
* final  = LNf(x) if config.final_layer_norm else x
  logits = final @ W_lm + b_lm;  probs = row-wise softmax (max subtracted)
  prediction = vocab[argmax probs[T-1]] (first index on ties)
  loss = logsumexp(logits[T-1]) - logits[T-1][target]   (null without a target)
* LayerNorm: (x - mean) / sqrt(var + eps) * gamma + beta, population variance;
  gamma = 1 and beta = 0 when absent. Every absent bias is 0.

Generated fixtures draw weights from np.random.default_rng(seed): matrices and
biases ~ N(0, 0.5), LayerNorm gammas ~ 1 + N(0, 0.25), betas ~ N(0, 0.25), all
rounded to 4 decimals. The model is serialised first and the trace is computed
from the parsed JSON, so the model file is exactly what was computed on.

Gradients (`<name>.grads.json`, for the fixtures with a target): the loss is
L = -ln p(target) at the last position only. `backward` derives dL/d(every
weight) and dL/d(every intermediate) by hand, in vectorised NumPy:

* dlogits = softmax(logits[T-1]) - onehot(target) on the last row, 0 elsewhere.
* y = x @ W + b:  dx = dy @ W.T,  dW = x.T @ dy,  db = dy.sum(rows).
* LayerNorm, x_hat = (x - mean) / sqrt(var + eps), y = x_hat * gamma + beta:
      dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps),  g = dy * gamma
  dgamma = sum over rows of dy * x_hat, dbeta = sum over rows of dy.
* Softmax rows a = softmax(s):  ds = a * (da - sum(a * da)); masked cells stay 0.
* relu'(x) = 1 if x > 0 else 0;  gelu'(x) by the product rule on the tanh formula;
  gelu_exact'(x) = Phi(x) + x * phi(x).
* Residuals pass the gradient through unchanged and add it to the branch's.
* Absent optional parameters get the gradient at their default value (0 or 1);
  the final LayerNorm's parameters get 0 when final_layer_norm is false.

The gradient file has the model file's weight keys (every optional one) and the
trace's keys for the intermediates (masked attention cells are 0, not null). The
script checks its own analytic gradients against central finite differences
(h = 1e-6) of its forward pass before writing them.

--check: model files must match byte for byte. Trace files must match in
structure and every string/int/null exactly; floats may differ by at most
1e-12 (relative, or absolute for tiny numbers), because BLAS and SIMD exp/tanh
may round the last bit differently on another machine. Any difference is
reported; only differences beyond that tolerance make it fail.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parent.parent
SEED_MODEL = REPO / "Models" / "seed.json"

CHECK_TOLERANCE = 1e-12


# ----------------------------------------------------------------------------
# The maths
# ----------------------------------------------------------------------------

def layer_norm(x, gamma, beta, eps):
    """Row-wise LayerNorm with population variance."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def layer_norm_stats(x, eps):
    """Each row's mean, population variance and sqrt(variance + eps) (the site shows them)."""
    mean = x.mean(axis=-1)
    variance = ((x - mean[:, None]) ** 2).mean(axis=-1)
    return {"mean": mean, "variance": variance, "std": np.sqrt(variance + eps)}


def softmax(z):
    """Softmax of a 1-D vector or of each row of a matrix, max subtracted."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def relu(x):
    return np.maximum(x, 0.0)


def gelu(x):
    """GPT-2's tanh approximation."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_exact(x):
    """The exact GELU x * Phi(x), with the normal CDF from erf (nanoGPT's nn.GELU())."""
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def attention(x_norm, p, n_heads):
    """Causal multi-head self-attention. Returns a dict of the traced tensors."""
    T, d = x_norm.shape
    d_head = d // n_heads
    q = x_norm @ p["W_q"] + p["b_q"]
    k = x_norm @ p["W_k"] + p["b_k"]
    v = x_norm @ p["W_v"] + p["b_v"]

    scores = np.zeros((n_heads, T, T))
    weights = np.zeros((n_heads, T, T))
    context = np.zeros((T, d))
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        scores[h] = q[:, cols] @ k[:, cols].T / math.sqrt(d_head)
        for i in range(T):
            # query i sees keys 0..i; the rest stay exactly 0
            weights[h, i, : i + 1] = softmax(scores[h, i, : i + 1])
        context[:, cols] = weights[h] @ v[:, cols]

    attn_out = context @ p["W_o"] + p["b_o"]
    return {"q": q, "k": k, "v": v, "scores": scores, "weights": weights,
            "context": context, "attn_out": attn_out}


def mlp(x_norm, p, activation):
    act = {"relu": relu, "gelu": gelu, "gelu_exact": gelu_exact}[activation]
    mlp_pre = x_norm @ p["W_1"] + p["b_1"]
    mlp_act = act(mlp_pre)
    mlp_out = mlp_act @ p["W_2"] + p["b_2"]
    return {"mlp_pre": mlp_pre, "mlp_act": mlp_act, "mlp_out": mlp_out}


def tokenize(text, tokenizer):
    if tokenizer == "words":
        return text.split()
    if tokenizer == "chars":
        return list(text)
    raise ValueError(f"unknown tokenizer {tokenizer!r}")


def layer_params(layer, d, d_ff):
    """Weights of one layer as float64 arrays, absent optionals filled in."""
    def get(name, default):
        return np.array(layer[name], dtype=np.float64) if name in layer else default

    return {
        "W_q": get("W_q", None), "W_k": get("W_k", None),
        "W_v": get("W_v", None), "W_o": get("W_o", None),
        "W_1": get("W_1", None), "W_2": get("W_2", None),
        "b_q": get("b_q", np.zeros(d)), "b_k": get("b_k", np.zeros(d)),
        "b_v": get("b_v", np.zeros(d)), "b_o": get("b_o", np.zeros(d)),
        "b_1": get("b_1", np.zeros(d_ff)), "b_2": get("b_2", np.zeros(d)),
        "ln1_gamma": get("ln1_gamma", np.ones(d)), "ln1_beta": get("ln1_beta", np.zeros(d)),
        "ln2_gamma": get("ln2_gamma", np.ones(d)), "ln2_beta": get("ln2_beta", np.zeros(d)),
    }


def forward(model):
    """Full forward pass on model["prompt"]; returns the trace as a dict of arrays."""
    cfg = model["config"]
    w = model["weights"]
    vocab = model["vocab"]
    d, n_heads, d_ff = cfg["d_model"], cfg["n_heads"], cfg["d_ff"]
    eps = cfg["layer_norm_eps"]
    assert d % n_heads == 0

    tokens = tokenize(model["prompt"]["text"], model.get("tokenizer", "words"))
    ids = [vocab.index(t) for t in tokens]
    T = len(ids)
    assert 1 <= T <= cfg["max_positions"], "prompt longer than max_positions"

    tok = np.array(w["tok_emb"], dtype=np.float64)[ids]
    pos = np.array(w["pos_emb"], dtype=np.float64)[:T]
    x = tok + pos
    trace = {"tokens": tokens, "ids": ids,
             "embeddings": {"tok": tok, "pos": pos, "x": x}, "layers": []}

    assert len(w["layers"]) == cfg["n_layers"]
    for layer in w["layers"]:
        p = layer_params(layer, d, d_ff)
        ln1 = layer_norm(x, p["ln1_gamma"], p["ln1_beta"], eps)
        a = attention(ln1, p, n_heads)
        resid_mid = x + a["attn_out"]
        ln2 = layer_norm(resid_mid, p["ln2_gamma"], p["ln2_beta"], eps)
        m = mlp(ln2, p, cfg["activation"])
        resid_out = resid_mid + m["mlp_out"]
        trace["layers"].append({
            "ln1": ln1, "ln1_stats": layer_norm_stats(x, eps), "q": a["q"], "k": a["k"], "v": a["v"],
            "scores": a["scores"], "weights": a["weights"],
            "context": a["context"], "attn_out": a["attn_out"], "resid_mid": resid_mid,
            "ln2": ln2, "ln2_stats": layer_norm_stats(resid_mid, eps), "mlp_pre": m["mlp_pre"], "mlp_act": m["mlp_act"],
            "mlp_out": m["mlp_out"], "resid_out": resid_out,
        })
        x = resid_out

    if cfg["final_layer_norm"]:
        gamma = np.array(w.get("lnf_gamma", np.ones(d)), dtype=np.float64)
        beta = np.array(w.get("lnf_beta", np.zeros(d)), dtype=np.float64)
        final = layer_norm(x, gamma, beta, eps)
        trace["final_ln_stats"] = layer_norm_stats(x, eps)
    else:
        final = x

    b_lm = np.array(w.get("b_lm", np.zeros(len(vocab))), dtype=np.float64)
    logits = final @ np.array(w["W_lm"], dtype=np.float64) + b_lm
    probs = softmax(logits)
    prediction = vocab[int(np.argmax(probs[-1]))]

    target = model["prompt"].get("target")
    loss = None
    if target is not None:
        last = logits[-1]
        m = last.max()
        logsumexp = m + math.log(np.exp(last - m).sum())
        loss = float(logsumexp - last[vocab.index(target)])

    trace.update({"final": final, "logits": logits, "probs": probs,
                  "prediction": prediction, "target": target, "loss": loss})
    return trace


# ----------------------------------------------------------------------------
# The gradients, by hand
# ----------------------------------------------------------------------------

def linear_backward(dy, x, W):
    """y = x @ W + b  ->  (dx, dW, db)."""
    return dy @ W.T, x.T @ dy, dy.sum(axis=0)


def layer_norm_backward(dy, x, gamma, eps):
    """Row-wise LayerNorm backward -> (dx, dgamma, dbeta)."""
    mean = x.mean(axis=-1, keepdims=True)
    std = np.sqrt(((x - mean) ** 2).mean(axis=-1, keepdims=True) + eps)
    x_hat = (x - mean) / std
    g = dy * gamma
    dx = (g - g.mean(axis=-1, keepdims=True) - x_hat * (g * x_hat).mean(axis=-1, keepdims=True)) / std
    return dx, (dy * x_hat).sum(axis=0), dy.sum(axis=0)


def activation_grad(x, activation):
    if activation == "relu":
        return (x > 0).astype(np.float64)
    if activation == "gelu_exact":
        return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0))) + x * np.exp(-0.5 * x ** 2) / math.sqrt(2.0 * math.pi)
    c = math.sqrt(2.0 / math.pi)
    u = c * (x + 0.044715 * x ** 3)
    du = c * (1.0 + 3.0 * 0.044715 * x ** 2)
    th = np.tanh(u)
    return 0.5 * (1.0 + th) + 0.5 * x * (1.0 - th ** 2) * du


def attention_backward(d_out, x_norm, p, a, n_heads):
    """Backward of `attention` given its traced tensors `a` -> dict of gradients."""
    T, d = x_norm.shape
    d_head = d // n_heads
    d_ctx, dW_o, db_o = linear_backward(d_out, a["context"], p["W_o"])
    dq, dk, dv = np.zeros((T, d)), np.zeros((T, d)), np.zeros((T, d))
    d_weights = np.zeros((n_heads, T, T))
    d_scores = np.zeros((n_heads, T, T))
    visible = np.tril(np.ones((T, T)))
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        A = a["weights"][h]
        dA = (d_ctx[:, cols] @ a["v"][:, cols].T) * visible
        dv[:, cols] = A.T @ d_ctx[:, cols]
        dS = A * (dA - (A * dA).sum(axis=-1, keepdims=True))
        dq[:, cols] = dS @ a["k"][:, cols] / math.sqrt(d_head)
        dk[:, cols] = dS.T @ a["q"][:, cols] / math.sqrt(d_head)
        d_weights[h], d_scores[h] = dA, dS
    dx_q, dW_q, db_q = linear_backward(dq, x_norm, p["W_q"])
    dx_k, dW_k, db_k = linear_backward(dk, x_norm, p["W_k"])
    dx_v, dW_v, db_v = linear_backward(dv, x_norm, p["W_v"])
    return {"dx": dx_q + dx_k + dx_v, "q": dq, "k": dk, "v": dv,
            "scores": d_scores, "attn_weights": d_weights, "context": d_ctx,
            "W_q": dW_q, "W_k": dW_k, "W_v": dW_v, "W_o": dW_o,
            "b_q": db_q, "b_k": db_k, "b_v": db_v, "b_o": db_o}


def backward(model, trace):
    """dL/d(every weight and intermediate) of `forward(model)`; None without a target."""
    target = model["prompt"].get("target")
    if target is None:
        return None
    cfg, w, vocab = model["config"], model["weights"], model["vocab"]
    d, d_ff, n_heads, eps = cfg["d_model"], cfg["d_ff"], cfg["n_heads"], cfg["layer_norm_eps"]
    T, V = len(trace["ids"]), len(vocab)

    d_logits = np.zeros((T, V))
    d_logits[-1] = trace["probs"][-1]
    d_logits[-1, vocab.index(target)] -= 1.0
    d_final, dW_lm, db_lm = linear_backward(d_logits, trace["final"], np.array(w["W_lm"], dtype=np.float64))

    dlnf_gamma, dlnf_beta = np.zeros(d), np.zeros(d)
    d_resid = d_final
    if cfg["final_layer_norm"]:
        gamma = np.array(w.get("lnf_gamma", np.ones(d)), dtype=np.float64)
        d_resid, dlnf_gamma, dlnf_beta = layer_norm_backward(
            d_final, trace["layers"][-1]["resid_out"], gamma, eps)

    layer_grads = []
    inputs = [trace["embeddings"]["x"]] + [l["resid_out"] for l in trace["layers"][:-1]]
    for layer, tl, x in reversed(list(zip(w["layers"], trace["layers"], inputs))):
        p = layer_params(layer, d, d_ff)
        g = {"resid_out": d_resid, "mlp_out": d_resid}
        # MLP: mlp_out = act(ln2 @ W_1 + b_1) @ W_2 + b_2
        g["mlp_act"], g["W_2"], g["b_2"] = linear_backward(d_resid, tl["mlp_act"], p["W_2"])
        g["mlp_pre"] = g["mlp_act"] * activation_grad(tl["mlp_pre"], cfg["activation"])
        g["ln2"], g["W_1"], g["b_1"] = linear_backward(g["mlp_pre"], tl["ln2"], p["W_1"])
        dx_ln2, g["ln2_gamma"], g["ln2_beta"] = layer_norm_backward(g["ln2"], tl["resid_mid"], p["ln2_gamma"], eps)
        g["resid_mid"] = d_resid + dx_ln2
        g["attn_out"] = g["resid_mid"]
        # attention
        a = attention_backward(g["attn_out"], tl["ln1"], p, tl, n_heads)
        g["ln1"] = a.pop("dx")
        g.update(a)
        dx_ln1, g["ln1_gamma"], g["ln1_beta"] = layer_norm_backward(g["ln1"], x, p["ln1_gamma"], eps)
        g["input"] = g["resid_mid"] + dx_ln1
        d_resid = g["input"]
        layer_grads.insert(0, g)

    d_tok = np.zeros((V, d))
    np.add.at(d_tok, trace["ids"], d_resid)
    d_pos = np.zeros((cfg["max_positions"], d))
    d_pos[:T] = d_resid
    return {"loss": trace["loss"], "tok_emb": d_tok, "pos_emb": d_pos, "layers": layer_grads,
            "W_lm": dW_lm, "b_lm": db_lm, "lnf_gamma": dlnf_gamma, "lnf_beta": dlnf_beta,
            "x": d_resid, "final": d_final, "logits": d_logits}


LAYER_WEIGHT_KEYS = ["W_q", "W_k", "W_v", "W_o", "W_1", "W_2", "b_q", "b_k", "b_v", "b_o", "b_1", "b_2",
                     "ln1_gamma", "ln1_beta", "ln2_gamma", "ln2_beta"]
LAYER_INTERMEDIATE_KEYS = ["input", "ln1", "q", "k", "v", "scores", "attn_weights", "context", "attn_out",
                           "resid_mid", "ln2", "mlp_pre", "mlp_act", "mlp_out", "resid_out"]
DEFAULTS = {"b_q": 0.0, "b_k": 0.0, "b_v": 0.0, "b_o": 0.0, "b_1": 0.0, "b_2": 0.0, "b_lm": 0.0,
            "ln1_gamma": 1.0, "ln1_beta": 0.0, "ln2_gamma": 1.0, "ln2_beta": 0.0,
            "lnf_gamma": 1.0, "lnf_beta": 0.0}


def check_gradients(name, model, grads, h=1e-6):
    """Central finite differences of the loss for every weight entry (absent optionals
    materialised at their default); fails the script on a disagreement."""
    def loss(m):
        return forward(m)["loss"]

    cfg, d, d_ff, V = model["config"], model["config"]["d_model"], model["config"]["d_ff"], len(model["vocab"])
    shapes = {"b_q": d, "b_k": d, "b_v": d, "b_o": d, "b_1": d_ff, "b_2": d, "b_lm": V,
              "ln1_gamma": d, "ln1_beta": d, "ln2_gamma": d, "ln2_beta": d, "lnf_gamma": d, "lnf_beta": d}
    tensors = [((), key) for key in ["tok_emb", "pos_emb", "W_lm", "b_lm", "lnf_gamma", "lnf_beta"]]
    tensors += [(("layers", i), key) for i in range(cfg["n_layers"]) for key in LAYER_WEIGHT_KEYS]
    worst = 0.0
    for where, key in tensors:
        analytic = grads[key] if not where else grads["layers"][where[1]][key]
        for index in np.ndindex(*np.shape(analytic)):
            values = []
            for delta in (h, -h):
                # a shallow copy down to the one tensor that changes
                m = dict(model, weights=dict(model["weights"]))
                m["weights"]["layers"] = [dict(layer) for layer in m["weights"]["layers"]]
                holder = m["weights"] if not where else m["weights"]["layers"][where[1]]
                if key not in holder:
                    holder[key] = [DEFAULTS[key]] * shapes[key]
                arr = np.array(holder[key], dtype=np.float64)
                arr[index] += delta
                holder[key] = arr.tolist()
                values.append(loss(m))
            numeric = (values[0] - values[1]) / (2 * h)
            a = float(analytic[index])
            diff = abs(a - numeric)
            if diff > 1e-8 and diff > 1e-5 * (abs(a) + abs(numeric)):
                sys.exit(f"FAIL: {name} gradient of {where}{key}{index}: analytic {a}, numeric {numeric}")
            worst = max(worst, diff)
    print(f"{name}: analytic gradients match finite differences (max |diff| {worst:.1e})")


# The "training" object's defaults (the Swift engine's TrainingConfig.default).
TRAINING_DEFAULTS = {"learning_rate": 0.02, "steps": 40}


def gradient_step(model, grads, learning_rate):
    """W <- W - learning_rate * dL/dW for every weight the model file holds. A parameter the
    file leaves out (a bias, a LayerNorm gamma or beta) is not a parameter: it stays at its
    fixed value (0 or 1) and is not trained. Returns a new model."""
    m = json.loads(json.dumps(model))
    w = m["weights"]

    def step(holder, key, g):
        if key not in holder:
            return
        current = np.array(holder[key], dtype=np.float64)
        holder[key] = (current - learning_rate * g).tolist()

    for key in ["tok_emb", "pos_emb", "W_lm", "b_lm", "lnf_gamma", "lnf_beta"]:
        step(w, key, grads[key])
    for layer, g in zip(w["layers"], grads["layers"]):
        for key in LAYER_WEIGHT_KEYS:
            step(layer, key, g[key])
    return m


def train(model):
    """Plain gradient descent on the model's prompt; index 0 is before any step."""
    config = dict(TRAINING_DEFAULTS, **model.get("training", {}))
    target = model["prompt"]["target"]
    losses, p_target, predictions = [], [], []
    m = model
    for step in range(config["steps"] + 1):
        trace = forward(m)
        losses.append(trace["loss"])
        p_target.append(float(trace["probs"][-1][model["vocab"].index(target)]))
        predictions.append(trace["prediction"])
        if step < config["steps"]:
            m = gradient_step(m, backward(m, trace), config["learning_rate"])
    flip = predictions.index(target) if target in predictions else None
    return {"learning_rate": float(config["learning_rate"]), "steps": config["steps"], "losses": losses,
            "p_target": p_target, "predictions": predictions, "flip_step": flip}


def grads_json(grads):
    layers = [{key: g[key] for key in LAYER_WEIGHT_KEYS + LAYER_INTERMEDIATE_KEYS} for g in grads["layers"]]
    out = {"loss": grads["loss"], "tok_emb": grads["tok_emb"], "pos_emb": grads["pos_emb"], "layers": layers}
    out.update({key: grads[key] for key in ["W_lm", "b_lm", "lnf_gamma", "lnf_beta", "x", "final", "logits"]})
    return json.dumps(to_json_value(out), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


# ----------------------------------------------------------------------------
# Serialisation
# ----------------------------------------------------------------------------

def to_json_value(obj):
    """Arrays -> nested lists of Python floats; the masked scores become null."""
    if isinstance(obj, dict):
        return {k: to_json_value(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_json_value(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return obj


def trace_json(trace):
    out = to_json_value(trace)
    for layer in out["layers"]:
        layer["scores"] = [[[s if j <= i else None for j, s in enumerate(row)]
                            for i, row in enumerate(head)] for head in layer["scores"]]
    return json.dumps(out, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def model_json(model):
    return json.dumps(model, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# ----------------------------------------------------------------------------
# Fixture models
# ----------------------------------------------------------------------------

class Gen:
    """Rounded random weights from a fixed seed."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def _round(a):
        return [Gen._round(r) for r in a] if isinstance(a, list) else round(a, 4) + 0.0

    def normal(self, *shape, mean=0.0, std=0.5):
        return self._round((mean + std * self.rng.standard_normal(shape)).tolist())

    def gamma(self, d):
        return self.normal(d, mean=1.0, std=0.25)

    def beta(self, d):
        return self.normal(d, std=0.25)


def make_model(name, seed, vocab, config, prompt, tokenizer="words",
               layer_optionals=None, top_optionals=()):
    """layer_optionals: one tuple of optional parameter names per layer."""
    g = Gen(seed)
    d, d_ff, V = config["d_model"], config["d_ff"], len(vocab)
    shapes = {"b_q": d, "b_k": d, "b_v": d, "b_o": d, "b_1": d_ff, "b_2": d}
    layers = []
    for optionals in layer_optionals or [()] * config["n_layers"]:
        layer = {"W_q": g.normal(d, d), "W_k": g.normal(d, d),
                 "W_v": g.normal(d, d), "W_o": g.normal(d, d),
                 "W_1": g.normal(d, d_ff), "W_2": g.normal(d_ff, d)}
        for opt in optionals:
            if opt.endswith("_gamma"):
                layer[opt] = g.gamma(d)
            elif opt.endswith("_beta"):
                layer[opt] = g.beta(d)
            else:
                layer[opt] = g.normal(shapes[opt])
        layers.append(layer)
    assert len(layers) == config["n_layers"]
    weights = {"tok_emb": g.normal(V, d), "pos_emb": g.normal(config["max_positions"], d),
               "layers": layers, "W_lm": g.normal(d, V)}
    for opt in top_optionals:
        weights[opt] = {"b_lm": lambda: g.normal(V), "lnf_gamma": lambda: g.gamma(d),
                        "lnf_beta": lambda: g.beta(d)}[opt]()
    return {"name": name, "vocab": vocab, "tokenizer": tokenizer,
            "config": config, "weights": weights, "prompt": prompt}


def cfg(d_model, n_heads, n_layers, d_ff, max_positions, activation, final_layer_norm):
    return {"d_model": d_model, "n_heads": n_heads, "n_layers": n_layers, "d_ff": d_ff,
            "max_positions": max_positions, "activation": activation,
            "layer_norm_eps": 1e-5, "final_layer_norm": final_layer_norm}


ALL_LAYER_OPTIONALS = ("b_q", "b_k", "b_v", "b_o", "b_1", "b_2",
                       "ln1_gamma", "ln1_beta", "ln2_gamma", "ln2_beta")

LONG_WORD = "abcdefghijklmnopqrstuvwxyz0123456789ABCD"
assert len(LONG_WORD) == 40


def generated_models():
    return {
        # everything optional present, 2 heads x 2 layers, gelu, final LN
        "multi": make_model(
            "Two heads, two layers, every bias", seed=1,
            vocab=["the", "a", "cat", "dog", "sat", "ran", "on", "under", "mat", "rug"],
            config=cfg(8, 2, 2, 16, 8, "gelu", True),
            prompt={"text": "the dog ran under a cat", "target": "rug"},
            layer_optionals=[ALL_LAYER_OPTIONALS] * 2,
            top_optionals=("b_lm", "lnf_gamma", "lnf_beta")),
        # character tokenizer, 4 heads of width 2, no target
        "chars": make_model(
            "Characters", seed=2, tokenizer="chars",
            vocab=list("abcdehlorw "),
            config=cfg(8, 4, 1, 16, 12, "relu", False),
            prompt={"text": "hello world"},
            layer_optionals=[("b_q", "b_v", "b_1", "ln1_gamma")],
            top_optionals=("b_lm",)),
        # 3 layers with different optionals each, lnf_gamma without lnf_beta,
        # prompt fills max_positions and repeats a token
        "deep": make_model(
            "Three layers deep", seed=3,
            vocab=["one", "two", "three", "four", "five", "six", "seven"],
            config=cfg(6, 1, 3, 12, 5, "relu", True),
            prompt={"text": "one two three two one", "target": "six"},
            layer_optionals=[("b_q", "b_k", "ln1_gamma"),
                             (),
                             ("b_v", "b_o", "b_1", "b_2", "ln2_beta")],
            top_optionals=("lnf_gamma",)),
        # strings that must be escaped in HTML / JSON / JS
        "hostile": make_model(
            'Hostile <b>names</b> & "quotes" \'n\' 🙂', seed=4,
            vocab=["<script>", '"', "&", "'", "🙂", LONG_WORD, "a&b<c>", "hello", "عالم"],
            config=cfg(4, 2, 1, 8, 8, "relu", False),
            prompt={"text": f'hello <script> & a&b<c> 🙂 " \' {LONG_WORD}', "target": "عالم"},
            layer_optionals=[("b_o", "b_2")]),
    }


# ----------------------------------------------------------------------------
# Seed sanity figures (hand-checked values at the last position, "on")
# ----------------------------------------------------------------------------

SEED_EXPECTED = {
    "weights": [0.3868, 0.1461, 0.2204, 0.2467],
    "attn_out": [-0.3321, 0.0475, 0.1666, -0.3077],
    "resid_mid": [-0.5321, 0.3475, 0.6666, -0.2077],
    "mlp_out": [0.0369, 0.1525, 0.0779, -0.0369],
    "resid_out": [-0.4951, 0.5000, 0.7445, -0.2446],
    "logits": [0.0505, 0.3509, 0.1009, 0.1754, 0.1005, 0.0255],
    "probs": [0.1524, 0.2058, 0.1603, 0.1727, 0.1602, 0.1486],
}
SEED_LOSS = 1.831293


def check_seed(trace):
    layer = trace["layers"][0]
    got = {
        "weights": layer["weights"][0][-1], "attn_out": layer["attn_out"][-1],
        "resid_mid": layer["resid_mid"][-1], "mlp_out": layer["mlp_out"][-1],
        "resid_out": layer["resid_out"][-1], "logits": trace["logits"][-1],
        "probs": trace["probs"][-1],
    }
    print("seed, last position ('on'):")
    ok = True
    for key, expected in SEED_EXPECTED.items():
        diff = np.abs(np.asarray(got[key]) - expected).max()
        print(f"  {key:9s} {np.array2string(np.asarray(got[key]), precision=4, floatmode='fixed')}"
              f"  max|diff| {diff:.1e}")
        ok &= diff < 5e-5
    print(f"  prediction {trace['prediction']!r}, loss {trace['loss']:.6f}")
    ok &= trace["prediction"] == "cat" and abs(trace["loss"] - SEED_LOSS) < 1e-6
    if not ok:
        sys.exit("FAIL: seed trace does not match the expected figures")


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------

def build(check_fd=True):
    """Returns {filename: bytes} for every fixture file."""
    files = {}
    models = {"seed": SEED_MODEL.read_bytes().decode("utf-8")}  # byte copy
    models.update({name: model_json(m) for name, m in generated_models().items()})
    for name, text in models.items():
        model = json.loads(text)
        trace = forward(model)
        if name == "seed":
            check_seed(trace)
        if trace["loss"] is not None:
            p = trace["probs"][-1][model["vocab"].index(trace["target"])]
            assert abs(trace["loss"] + math.log(p)) < 1e-9, name
        for layer in trace["layers"]:
            assert np.allclose(layer["weights"].sum(axis=-1), 1.0), name
            assert np.all(np.triu(layer["weights"], k=1) == 0.0), name
        assert np.allclose(trace["probs"].sum(axis=-1), 1.0), name
        files[f"{name}.model.json"] = text.encode("utf-8")
        files[f"{name}.trace.json"] = trace_json(trace).encode("utf-8")
        grads = backward(model, trace)
        if grads is not None:
            if check_fd:
                check_gradients(name, model, grads)
            files[f"{name}.grads.json"] = grads_json(grads).encode("utf-8")
            run = train(model)
            if name == "seed":
                print(f"seed training: learning_rate {run['learning_rate']}, {run['steps']} steps, "
                      f"loss {run['losses'][0]:.4f} -> {run['losses'][-1]:.4f}, "
                      f"prediction flips to {model['prompt']['target']!r} at step {run['flip_step']}")
                assert run["flip_step"] is not None, "the seed must flip within the default run"
            text_run = json.dumps(run, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
            files[f"{name}.training.json"] = text_run.encode("utf-8")
    return files


def close(a, b, path="$"):
    """Yields descriptions of differences between two parsed JSON values."""
    if isinstance(a, float) and isinstance(b, float):
        if abs(a - b) > CHECK_TOLERANCE * max(1.0, abs(a), abs(b)):
            yield f"{path}: {a!r} != {b!r}"
    elif isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            yield f"{path}: keys {list(a)} != {list(b)}"
        else:
            for k in a:
                yield from close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: length {len(a)} != {len(b)}"
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                yield from close(x, y, f"{path}[{i}]")
    elif type(a) is not type(b) or a != b:
        yield f"{path}: {a!r} != {b!r}"


def check(files):
    failed = False
    expected_names = set(files)
    # Only the kinds of file this script writes: other scripts keep their fixtures here too.
    kinds = ("*.model.json", "*.trace.json", "*.grads.json", "*.training.json")
    present = {p.name for kind in kinds for p in FIXTURES.glob(kind)} if FIXTURES.is_dir() else set()
    for extra in sorted(present - expected_names):
        print(f"unexpected fixture file: {extra}")
        failed = True
    for name, text in files.items():
        path = FIXTURES / name
        if not path.exists():
            print(f"missing: {name}")
            failed = True
            continue
        committed = path.read_bytes()
        if committed == text:
            continue
        if name.endswith(".model.json"):
            print(f"differs: {name}")
            failed = True
            continue
        diffs = list(close(json.loads(committed), json.loads(text)))
        if diffs:
            print(f"differs: {name}")
            for d in diffs[:10]:
                print(f"  {d}")
            failed = True
        else:
            print(f"note: {name} differs only in float rounding (within {CHECK_TOLERANCE})")
    print("check FAILED: run python3 Tests/Reference/reference.py" if failed
          else "check OK: fixtures are up to date")
    return 1 if failed else 0


def main(argv):
    files = build()
    if "--check" in argv:
        return check(files)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (FIXTURES / name).write_bytes(text)
    print(f"wrote {len(files)} files to {FIXTURES.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
