/// The forward pass of a decoder-only pre-norm transformer, written like the maths.
public enum Transformer {
    /// Runs the model on its prompt.
    public static func forward(_ model: Model) -> Trace {
        forward(model, prompt: model.prompt)
    }

    /// Runs the model on a prompt already checked against its vocabulary and max_positions.
    public static func forward(_ model: Model, prompt: Prompt) -> Trace {
        let c = model.config, w = model.weights
        let ids = prompt.ids
        let tok = ids.map { w.tokEmb[$0] }                              // [T][d]
        let pos = Array(w.posEmb[0..<ids.count])                         // [T][d]
        var x = Linear.add(tok, pos)                                     // [T][d]
        let x0 = x

        var layers: [LayerTrace] = []
        for layer in w.layers {
            let ln1 = LayerNorm(layer.ln1, eps: c.layerNormEps).apply(x) // [T] rows
            let attn = Attention(weights: layer, nHeads: c.nHeads)(ln1.map(\.output))
            let h1 = Linear.add(x, attn.out)                             // x + attn(LN1(x))·W_o
            let ln2 = LayerNorm(layer.ln2, eps: c.layerNormEps).apply(h1)
            let mlp = MLP(weights: layer, activation: c.activation)(ln2.map(\.output))
            let h2 = Linear.add(h1, mlp.out)                             // h1 + MLP(LN2(h1))
            layers.append(LayerTrace(input: x, ln1: ln1, q: attn.q, k: attn.k, v: attn.v,
                                     scores: attn.scores, weights: attn.weights, context: attn.context,
                                     attnOut: attn.out, residMid: h1, ln2: ln2, mlpPre: mlp.pre,
                                     mlpAct: mlp.act, mlpOut: mlp.out, residOut: h2))
            x = h2
        }

        var finalNorm: [LayerNorm.Row]? = nil
        if c.finalLayerNorm {
            finalNorm = LayerNorm(w.lnf, eps: c.layerNormEps).apply(x)
            x = finalNorm!.map(\.output)
        }
        let logits = Linear.apply(x, w.wLM, bias: w.bLM)                 // [T][V]
        let probs = logits.map(Softmax.apply)                            // [T][V]
        let last = logits[logits.count - 1]
        let predictionID = argmax(last)
        var loss: Double? = nil
        if let t = prompt.targetID {
            loss = Softmax.logSumExp(last) - last[t]                     // −ln p(target)
        }
        return Trace(tokens: prompt.tokens, ids: ids, tokEmb: tok, posEmb: pos, x: x0, layers: layers,
                     finalNorm: finalNorm, final: x, logits: logits, probs: probs,
                     predictionID: predictionID, prediction: model.vocab[predictionID],
                     target: prompt.target, targetID: prompt.targetID, loss: loss)
    }

    /// The first index of the largest value.
    public static func argmax(_ v: Vector) -> Int {
        var best = 0
        for i in v.indices where v[i] > v[best] { best = i }
        return best
    }
}
