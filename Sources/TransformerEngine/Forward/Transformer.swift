/// The forward pass of a decoder-only pre-norm transformer, written like the maths.
public enum Transformer {
    /// Runs the model on its prompt.
    public static func forward(_ model: Model) -> Trace {
        forward(model, prompt: model.prompt)
    }

    /// Runs the model on a prompt already checked against its vocabulary and max_positions.
    public static func forward(_ model: Model, prompt: Prompt) -> Trace {
        let pass = run(FlatWeights(model.weights, config: model.config), model.config, ids: prompt.ids, targetID: prompt.targetID)
        return Trace(pass, prompt: prompt, vocab: model.vocab)
    }

    /// The pass itself. A `lean` pass, for the training run, computes only what the loss and the
    /// gradients need: the LM head at the last position, and the last block (and final norm)
    /// at the last position too, apart from its keys and values — see `lastPositionSuffices`.
    static func run(_ w: FlatWeights, _ c: ModelConfig, ids: [Int], targetID: Int?, lean: Bool = false) -> ForwardPass {
        let t = ids.count
        let tok = w.tokEmb.rows(ids)                                     // [T][d]
        let pos = w.posEmb.rows(0..<t)                                   // [T][d]
        var x = tok + pos                                                // [T][d]
        let x0 = x

        var layers: [LayerPass] = []
        var rows = 0..<t                                                 // the positions computed
        for (l, layer) in w.layers.enumerated() {
            let ln1 = LayerNorm(layer.ln1, eps: c.layerNormEps).apply(x) // [T][d] and the row statistics
            if lean && l == w.layers.count - 1 && lastPositionSuffices(x: x, ln1: ln1.output, layer: layer, w: w, c) {
                rows = t - 1..<t
            }
            let attn = Attention(weights: layer, nHeads: c.nHeads)(ln1.output, queries: rows)
            let h1 = x + attn.out                                        // x + attn(LN1(x))·W_o
            let ln2 = LayerNorm(layer.ln2, eps: c.layerNormEps).apply(h1, rows: rows)
            let mlp = MLP(weights: layer, activation: c.activation)(ln2.output, rows: rows)
            let h2 = h1 + mlp.out                                        // h1 + MLP(LN2(h1))
            layers.append(LayerPass(input: x, ln1: ln1, attention: attn, residMid: h1, ln2: ln2, mlp: mlp, residOut: h2))
            x = h2
        }

        var finalNorm: LayerNorm.Rows? = nil
        if c.finalLayerNorm {
            finalNorm = LayerNorm(LayerNormParameters(gamma: w.lnfGamma, beta: w.lnfBeta), eps: c.layerNormEps).apply(x, rows: rows)
            x = finalNorm!.output
        }
        let head = lean ? x.rows([t - 1]) : x
        let logits = Mat.linear(head, w.wLM, bias: w.bLM)                // [T][V] (or [1][V])
        let probs = Softmax.rows(logits)                                 // [T][V]
        let last = logits.row(logits.rows - 1)
        let predictionID = argmax(last)
        var loss: Double? = nil
        if let target = targetID {
            loss = Softmax.logSumExp(last) - last[target]                // −ln p(target)
        }
        return ForwardPass(tok: tok, pos: pos, x: x0, layers: layers, finalNorm: finalNorm, final: x,
                           logits: logits, probs: probs, predictionID: predictionID, loss: loss)
    }

    /// Whether the last block may skip the positions before the last, for the loss and the
    /// gradients of the weights to come out bit for bit the same.
    ///
    /// Only the last position has a loss, so in the backward pass those positions' values of
    /// the last block (q, the attention rows, context, h1, LN2, the MLP, h2, the final norm)
    /// only ever meet gradients that are exactly 0. That adds ±0 to sums that start at +0 — no
    /// change — unless a value is infinite or NaN (0·∞ is NaN), or a LayerNorm's Jacobian or an
    /// activation's derivative is. So the skip is allowed when a bound on every such value is
    /// small: magnitudes are bounded stage by stage from the block's input and weights (x·W + b
    /// by max|x|·Σ|W| + max|b|, LayerNorm's x̂ by |x − μ|/√ε), each with a factor 2 for
    /// rounding, and all must stay below 10¹⁰⁰ (a NaN or ∞ anywhere fails the test).
    static func lastPositionSuffices(x: Mat, ln1: Mat, layer: FlatLayer, w: FlatWeights, _ c: ModelConfig) -> Bool {
        func largest(_ v: Vector) -> Double {
            var m = 0.0
            for e in v { if !(abs(e) <= m) { m = abs(e.isNaN ? .infinity : e) } }
            return m
        }
        func absSum(_ m: Mat) -> Double {                                // ≥ every column's Σ|W|
            m.values.withUnsafeBufferPointer { v in                      // (two lanes: any order will do)
                var lanes = SIMD2<Double>(), i = 0
                while i + 2 <= v.count { lanes += SIMD2(abs(v[i]), abs(v[i + 1])); i += 2 }
                return lanes.sum() + (i < v.count ? abs(v[i]) : 0)
            }
        }
        let n = Double(c.dModel), root = c.layerNormEps.squareRoot() / 2 // σ ≥ √ε
        var bounds: [Double] = []
        func linear(_ input: Double, _ weight: Mat, _ bias: Vector) -> Double {
            let bound = 2 * (input * absSum(weight) + largest(bias))
            bounds.append(bound)
            return bound
        }
        func layerNorm(_ input: Double, gamma: Vector, beta: Vector) -> Double {
            let xHat = 8 * input / root                                  // |x − μ| ≤ 4·max|x|
            let output = 2 * (xHat * largest(gamma) + largest(beta))
            bounds += [xHat, (2 + 2 * (xHat * xHat / n)) / root, output] // with the Jacobian's bound
            return output
        }
        let input = largest(x.values), normed = largest(ln1.values)
        let q = linear(normed, layer.wQ, layer.bQ), k = linear(normed, layer.wK, layer.bK)
        let v = linear(normed, layer.wV, layer.bV)
        bounds.append(2 * q * k * Double(c.dHead))                        // the scores (scale ≤ 1)
        let h1 = 2 * (input + linear(4 * v, layer.wO, layer.bO))          // context ≤ 4·max|v|
        let ln2 = layerNorm(h1, gamma: layer.ln2Gamma, beta: layer.ln2Beta)
        let pre = linear(ln2, layer.w1, layer.b1)                         // |act(pre)| ≤ |pre|
        let h2 = 2 * (h1 + linear(2 * pre, layer.w2, layer.b2))
        bounds += [h1, h2]
        if c.finalLayerNorm { _ = layerNorm(h2, gamma: w.lnfGamma, beta: w.lnfBeta) }
        return bounds.allSatisfy { $0 <= 1e100 }
    }

    /// The first index of the largest value.
    public static func argmax(_ v: Vector) -> Int {
        var best = 0
        for i in v.indices where v[i] > v[best] { best = i }
        return best
    }
}
