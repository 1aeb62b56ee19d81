// sitegen's transformer in the browser: the second implementation of the Swift engine
// (Sources/TransformerEngine), written as the same maths, for the playground. Plain modern
// JavaScript, no library. Vectors are rows; a layer is x·W + b; all arithmetic is float64.
// The browser test (Tests/Browser/engine_check.py) compares every tensor with the Swift
// engine's trace.json within 1e-9.
"use strict";

const SitegenEngine = (() => {
  // ---- tokenizers -------------------------------------------------------------------------

  /// The prompt's tokens: "words" splits on whitespace, "chars" takes each Unicode scalar,
  /// a byte-level BPE model (`model.bpe`, a Hugging Face tokenizer.json) encodes GPT-2 style.
  function split(model, text) {
    if (model.bpe) return byteLevelBPE(model.bpe).encode(text).map((id) => model.vocab[id]);
    const kind = model.tokenizer || "words";
    if (kind === "chars") return Array.from(text);
    if (kind === "words") return text.split(/\s+/u).filter((w) => w.length > 0);
    throw new Error(`tokenizer "${kind}" is not supported by the playground`);
  }

  // ---- byte-level BPE (GPT-2), from a tokenizer.json --------------------------------------

  /// GPT-2's bytes_to_unicode: the printable bytes stand for themselves, the other 68 map to
  /// U+0100 onwards, so every byte is one visible character (a space is "Ġ").
  function byteToUnicode() {
    const table = [];
    let next = 256;
    for (let b = 0; b < 256; b++) {
      const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
      table.push(String.fromCodePoint(printable ? b : next++));
    }
    return table;
  }

  /// GPT-2's pre-tokenizer pattern: contractions, letters, digits, other symbols, spaces.
  const gpt2Pattern = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
  const encoders = new WeakMap();

  /// { encode(text) → ids } for a tokenizer.json with a BPE model and the ByteLevel
  /// pre-tokenizer; added tokens (such as <|endoftext|>) are matched first, as written.
  function byteLevelBPE(json) {
    if (encoders.has(json)) return encoders.get(json);
    const vocab = new Map(Object.entries(json.model.vocab));
    const ranks = new Map(json.model.merges.map((m, rank) => [Array.isArray(m) ? m.join(" ") : m, rank]));
    const bytes = byteToUnicode(), utf8 = new TextEncoder();
    const added = (json.added_tokens || []).map((t) => t.content).sort((a, b) => b.length - a.length);
    const cache = new Map();
    function merge(word) {
      if (cache.has(word)) return cache.get(word);
      let parts = Array.from(word);
      for (;;) {
        let best = -1, bestRank = Infinity;
        for (let i = 0; i + 1 < parts.length; i++) {
          const rank = ranks.get(parts[i] + " " + parts[i + 1]);
          if (rank !== undefined && rank < bestRank) { bestRank = rank; best = i; }
        }
        if (best < 0) break;
        const pair = parts[best] + parts[best + 1], merged = [];
        for (let i = 0; i < parts.length; i++) {      // merge every occurrence, left to right
          if (i + 1 < parts.length && parts[i] + parts[i + 1] === pair && ranks.get(parts[i] + " " + parts[i + 1]) === bestRank) {
            merged.push(pair);
            i++;
          } else merged.push(parts[i]);
        }
        parts = merged;
      }
      cache.set(word, parts);
      return parts;
    }
    function encodePlain(text, ids) {
      for (const [piece] of text.matchAll(gpt2Pattern)) {
        const word = Array.from(utf8.encode(piece), (b) => bytes[b]).join("");
        for (const part of merge(word)) ids.push(vocab.get(part));
      }
    }
    const encoder = {
      encode(text) {
        const ids = [];
        let rest = text;
        while (rest.length > 0) {
          let at = -1, token = null;
          for (const t of added) {
            const i = rest.indexOf(t);
            if (i >= 0 && (at < 0 || i < at)) { at = i; token = t; }
          }
          if (at < 0) { encodePlain(rest, ids); break; }
          encodePlain(rest.slice(0, at), ids);
          ids.push(vocab.get(token));
          rest = rest.slice(at + token.length);
        }
        return ids;
      },
    };
    encoders.set(json, encoder);
    return encoder;
  }

  /// { tokens, ids, unknown }: `unknown` lists the tokens that are not in the vocabulary.
  function tokenize(model, text) {
    if (model.bpe) {     // the tokenizer gives ids; the shown tokens are the site's (␣ for a space)
      const ids = byteLevelBPE(model.bpe).encode(text).map((id) => (id === undefined ? -1 : id));
      const tokens = ids.map((id) => (id < 0 ? "?" : model.vocab[id]));
      return { tokens, ids, unknown: tokens.filter((t, i) => ids[i] < 0) };
    }
    const index = new Map();
    model.vocab.forEach((word, id) => { if (!index.has(word)) index.set(word, id); });
    const tokens = split(model, text);
    const ids = tokens.map((t) => (index.has(t) ? index.get(t) : -1));
    return { tokens, ids, unknown: tokens.filter((t, i) => ids[i] < 0) };
  }

  // ---- the operations the layers are written in ----------------------------------------------

  /// x·W + b for x [T][n], W [n][m], b [m] (or none).
  function matmul(x, W, b) {
    const n = W.length, m = n > 0 ? W[0].length : 0;
    return x.map((row) => {
      const out = new Array(m).fill(0);
      for (let i = 0; i < n; i++) {
        const xi = row[i], Wi = W[i];
        for (let j = 0; j < m; j++) out[j] += xi * Wi[j];
      }
      if (b) for (let j = 0; j < m; j++) out[j] += b[j];
      return out;
    });
  }

  const add = (a, b) => a.map((row, i) => row.map((v, j) => v + b[i][j]));

  /// softmax(z)ᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z); −∞ (masked) gives exactly 0.
  function softmax(z) {
    let largest = z[0];
    for (const v of z) if (largest < v) largest = v;
    const e = z.map((v) => Math.exp(v - largest));
    let sum = 0;
    for (const v of e) sum += v;
    return e.map((v) => v / sum);
  }

  /// LayerNorm of every row: (x − μ) / √(var + ε) ⊙ γ + β, population variance.
  function layerNorm(x, gamma, beta, eps) {
    return x.map((row) => {
      const n = row.length;
      let mean = 0;
      for (const v of row) mean += v;
      mean /= n;
      let variance = 0;
      for (const v of row) variance += (v - mean) * (v - mean);
      variance /= n;
      const std = Math.sqrt(variance + eps);
      return row.map((v, i) => ((v - mean) / std) * (gamma ? gamma[i] : 1) + (beta ? beta[i] : 0));
    });
  }

  /// ReLU max(0, x); GELU ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GPT-2's approximation;
  /// exact GELU x·Φ(x) = x·½·(1 + erf(x/√2)), as nanoGPT (a Hugging Face config's "gelu").
  function activation(name) {
    if (name === "relu") return (v) => Math.max(0, v);
    if (name === "gelu") {
      const c = Math.sqrt(2 / Math.PI);
      return (v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)));
    }
    if (name === "gelu_exact") return (v) => v * (0.5 * (1 + erf(v / Math.sqrt(2))));
    throw new Error(`activation "${name}" is not supported by the playground`);
  }

  // ---- erf: JavaScript has no Math.erf --------------------------------------------------------
  // The rational approximations of fdlibm's s_erf.c (Sun Microsystems, 1993; the erf of glibc,
  // musl and FreeBSD, which the Swift engine's Foundation erf calls), written out here:
  //   |x| < 0.84375:        erf x = x + x·P(x²)/Q(x²)
  //   0.84375 ≤ |x| < 1.25: erf x = erx + P(s)/Q(s), s = |x| − 1, erx = 0.845062911510467529297
  //   1.25 ≤ |x| < 6:       erf x = 1 − e^(−z² − 0.5625)·e^((z − x)(z + x) + R(1/x²)/S(1/x²)) / x,
  //                         z = x with its low 32 bits cleared (so z² is exact); R/S differ
  //                         below and above 1/0.35
  //   |x| ≥ 6:              erf x = ±1 (to double precision)
  // Their error is below 2⁻⁵⁷ relative; odd symmetry gives negative x.
  const erfCoefficients = {
    // erf on [0, 0.84375]: P and Q in x²
    pp: [1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
         -5.77027029648944159157e-03, -2.37630166566501626084e-05],
    qq: [1, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
         1.32494738004321644526e-04, -3.96022827877536812320e-06],
    // erf − erx on [0.84375, 1.25]: P and Q in s = |x| − 1
    pa: [-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
         3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
         -2.16637559486879084300e-03],
    qa: [1, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
         1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02],
    // erfc on [1.25, 1/0.35]: R and S in 1/x²
    ra: [-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
         -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
         -8.12874355063065934246e+01, -9.81432934416914548592e+00],
    sa: [1, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
         6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
         6.57024977031928170135e+00, -6.04244152148580987438e-02],
    // erfc on [1/0.35, 6]: R and S in 1/x²
    rb: [-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
         -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
         -4.83519191608651397019e+02],
    sb: [1, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
         3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
         -2.24409524465858183362e+01],
  };
  /// c₀ + s·(c₁ + s·(c₂ + …)), Horner's rule in fdlibm's order.
  const polynomial = (s, c) => c.reduceRight((sum, k) => sum * s + k, 0);
  const doubleBits = new DataView(new ArrayBuffer(8));   // big-endian: bytes 0…3 are the high word
  /// The high 32 bits of x (sign, exponent, top of the mantissa): s_erf.c's interval tests.
  function highWord(x) { doubleBits.setFloat64(0, x); return doubleBits.getUint32(0); }
  /// x with its low 32 bits cleared.
  function withoutLowWord(x) { doubleBits.setFloat64(0, x); doubleBits.setUint32(4, 0); return doubleBits.getFloat64(0); }

  function erf(x) {
    if (Number.isNaN(x)) return NaN;
    const c = erfCoefficients, sign = x < 0 ? -1 : 1, ax = Math.abs(x), ix = highWord(ax);
    if (ix < 0x3feb0000) {                                   // |x| < 0.84375
      if (ix < 0x3e300000) return x + 1.28379167095512586316e-01 * x;   // |x| < 2⁻²⁸: x·(1 + 2/√π − 1)
      const z = x * x;
      return x + x * (polynomial(z, c.pp) / polynomial(z, c.qq));
    }
    if (ix < 0x3ff40000) {                                   // |x| < 1.25
      const s = ax - 1;
      return sign * (8.45062911510467529297e-01 + polynomial(s, c.pa) / polynomial(s, c.qa));
    }
    if (ix >= 0x40180000) return sign * 1;                   // |x| ≥ 6: 1 − tiny rounds to 1
    const s = 1 / (ax * ax);
    const [R, S] = ix < 0x4006db6e ? [polynomial(s, c.ra), polynomial(s, c.sa)]   // |x| < 1/0.35
                                   : [polynomial(s, c.rb), polynomial(s, c.sb)];
    const z = withoutLowWord(ax);
    const r = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + R / S);
    return sign * (1 - r / ax);
  }

  const columns = (x, from, to) => x.map((row) => row.slice(from, to));
  const transpose = (x) => (x.length === 0 ? [] : x[0].map((_, j) => x.map((row) => row[j])));

  // ---- the forward pass ---------------------------------------------------------------------

  /// One pre-norm block: h1 = x + attention(LN1(x)), h2 = h1 + mlp(LN2(h1)).
  function block(x, w, config) {
    const eps = config.layer_norm_eps, H = config.n_heads, d = config.d_model, dHead = d / H;
    const ln1 = layerNorm(x, w.ln1_gamma, w.ln1_beta, eps);
    const q = matmul(ln1, w.W_q, w.b_q), k = matmul(ln1, w.W_k, w.b_k), v = matmul(ln1, w.W_v, w.b_v);
    const scale = 1 / Math.sqrt(dHead), scores = [], weights = [], heads = [];
    for (let h = 0; h < H; h++) {
      const [qh, kh, vh] = [q, k, v].map((m) => columns(m, h * dHead, (h + 1) * dHead));
      // qᵢ·kⱼ/√d_head, −∞ for j > i (query i sees keys 0…i only)
      const s = matmul(qh, transpose(kh)).map((row, i) => row.map((value, j) => (j > i ? -Infinity : value * scale)));
      const a = s.map(softmax);
      scores.push(s);
      weights.push(a);
      heads.push(matmul(a, vh));                                          // Σⱼ aᵢⱼ·vⱼ
    }
    const context = x.map((_, t) => heads.flatMap((head) => head[t]));    // the heads side by side
    const attnOut = matmul(context, w.W_o, w.b_o);
    const residMid = add(x, attnOut);
    const ln2 = layerNorm(residMid, w.ln2_gamma, w.ln2_beta, eps);
    const mlpPre = matmul(ln2, w.W_1, w.b_1);
    const mlpAct = mlpPre.map((row) => row.map(activation(config.activation)));
    const mlpOut = matmul(mlpAct, w.W_2, w.b_2);
    const residOut = add(residMid, mlpOut);
    return {
      ln1, q, k, v, scores, weights, context, attn_out: attnOut, resid_mid: residMid,
      ln2, mlp_pre: mlpPre, mlp_act: mlpAct, mlp_out: mlpOut, resid_out: residOut,
    };
  }

  /// Every intermediate of the forward pass on `ids`, with trace.json's keys.
  function forward(model, ids) {
    const w = model.weights, c = model.config;
    const tok = ids.map((id) => w.tok_emb[id].slice());
    const pos = ids.map((_, t) => w.pos_emb[t].slice());
    let x = add(tok, pos);
    const trace = { ids, tokens: ids.map((id) => model.vocab[id]), embeddings: { tok, pos, x }, layers: [] };
    for (const layer of w.layers) {
      const l = block(x, layer, c);
      trace.layers.push(l);
      x = l.resid_out;
    }
    const final = c.final_layer_norm ? layerNorm(x, w.lnf_gamma, w.lnf_beta, c.layer_norm_eps) : x;
    const logits = matmul(final, w.W_lm, w.b_lm);
    const probs = logits.map(softmax);
    return Object.assign(trace, { final, logits, probs });
  }

  // ---- sampling (the generation chapter's rules) ---------------------------------------------

  /// SplitMix64: state += 0x9E3779B97F4A7C15; z = (state ⊕ state≫30)·0xBF58476D1CE4E5B9;
  /// z = (z ⊕ z≫27)·0x94D049BB133111EB; next = z ⊕ z≫31 (mod 2⁶⁴); u = (next ≫ 11)·2⁻⁵³.
  class SplitMix64 {
    constructor(seed) { this.state = BigInt.asUintN(64, BigInt(seed)); }
    next() {
      this.state = BigInt.asUintN(64, this.state + 0x9E3779B97F4A7C15n);
      let z = this.state;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
      return z ^ (z >> 31n);
    }
    nextUnit() { return Number(this.next() >> 11n) * 2 ** -53; }
  }

  /// Ids by descending value, ties by ascending id.
  const descendingOrder = (p) => p.map((_, i) => i).sort((a, b) => (p[a] !== p[b] ? p[b] - p[a] : a - b));
  const renormalised = (x) => { let s = 0; for (const v of x) s += v; return x.map((v) => v / s); };

  /// softmax(z / T) → top-k (0 = all) → renormalise → top-p (1 = all) → renormalise → the
  /// token whose interval [cⱼ₋₁, cⱼ) holds u.
  function sampleStep(logits, u, { temperature, topK, topP }) {
    const tempered = softmax(logits.map((z) => z / temperature));
    const order = descendingOrder(tempered);
    const top = topK === 0 ? order : order.slice(0, topK);
    const topProbs = renormalised(top.map((id) => tempered[id]));
    let count = topProbs.length;
    if (topP < 1) {
      let mass = 0;
      for (let j = 0; j < topProbs.length; j++) {
        mass += topProbs[j];
        if (mass >= topP) { count = j + 1; break; }
      }
    }
    const kept = top.slice(0, count), probs = renormalised(topProbs.slice(0, count));
    let c = 0, chosen = probs.length - 1;
    for (let j = 0; j < probs.length; j++) {
      c += probs[j];
      if (u < c) { chosen = j; break; }
    }
    return { tempered, kept, probs, u, id: kept[chosen] };
  }

  /// The first id of the window step `step` conditions on: once the text is longer than the
  /// model's positions, only its last max_positions tokens (at positions 0, 1, …), as nanoGPT's
  /// generate crops idx[:, -block_size:].
  const windowStart = (model, length) => Math.max(0, length - model.config.max_positions);

  /// The sampled continuation of `ids`: `count` tokens, each step conditioned on the window.
  function sample(model, ids, settings) {
    const generator = new SplitMix64(settings.seed), text = ids.slice(), steps = [];
    for (let i = 0; i < settings.count; i++) {
      const start = windowStart(model, text.length);
      const logits = forward(model, text.slice(start)).logits;
      const step = sampleStep(logits[logits.length - 1], generator.nextUnit(), settings);
      steps.push(Object.assign(step, { window: start }));
      text.push(step.id);
    }
    return steps;
  }

  return { tokenize, forward, softmax, sampleStep, sample, windowStart, SplitMix64, descendingOrder, byteLevelBPE, erf, activation };
})();
