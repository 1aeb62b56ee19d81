/// The exact gradients of the loss L = −ln p(target) at the last position, by the chain rule
/// from the logits back to the embeddings (analytically, in Double). Only the last position's
/// loss counts: the other positions influence L only through attention.
public enum Backward {
    /// ∂L/∂ every weight and every intermediate of `trace`, which must be the forward pass of
    /// `model` (on any prompt). nil when the prompt has no target (no loss).
    public static func gradients(_ model: Model, trace: Trace) -> Gradients? {
        guard let target = trace.targetID, let loss = trace.loss else { return nil }
        let c = model.config, w = model.weights
        let t = trace.count, vocabSize = model.vocab.count

        // Softmax + cross-entropy: ∂L/∂logits[T−1] = p − onehot(target); other rows 0.
        var dLogits = LinearBackward.zeros(t, vocabSize)                      // [T][V]
        dLogits[t - 1] = trace.probs[t - 1]
        dLogits[t - 1][target] -= 1

        // logits = final·W_lm + b_lm
        let head = LinearBackward.backward(dy: dLogits, x: trace.final, w: w.wLM)
        let dFinal = head.dx                                                 // [T][d]

        // final = LNf(h) when final_layer_norm, else h
        var dResid = dFinal                                                  // [T][d] ∂L/∂ residual stream
        var dLnfGamma = Vector(repeating: 0, count: c.dModel)
        var dLnfBeta = Vector(repeating: 0, count: c.dModel)
        if let finalNorm = trace.finalNorm {
            let input = trace.layers.last?.residOut ?? trace.x
            let lnf = LayerNormBackward.backward(dy: dFinal, input: input, rows: finalNorm, parameters: w.lnf)
            dResid = lnf.dx
            dLnfGamma = lnf.dGamma
            dLnfBeta = lnf.dBeta
        }

        // The blocks, last to first.
        var layers: [LayerGradients] = []
        for (layer, lw) in zip(trace.layers, w.layers).reversed() {
            let g = blockBackward(dResidOut: dResid, layer: layer, weights: lw, config: c)
            layers.insert(g, at: 0)
            dResid = g.input
        }

        // x = tok_emb[ids] + pos_emb[0..<T]
        let dX = dResid                                                      // [T][d]
        var dTokEmb = LinearBackward.zeros(vocabSize, c.dModel)              // [V][d]
        var dPosEmb = LinearBackward.zeros(c.maxPositions, c.dModel)         // [max_positions][d]
        for (i, id) in trace.ids.enumerated() {
            for j in 0..<c.dModel {
                dTokEmb[id][j] += dX[i][j]                                   // a repeated token accumulates
                dPosEmb[i][j] = dX[i][j]
            }
        }

        return Gradients(tokEmb: dTokEmb, posEmb: dPosEmb, layers: layers, wLM: head.dW, bLM: head.db,
                         lnfGamma: dLnfGamma, lnfBeta: dLnfBeta,
                         loss: loss, x: dX, final: dFinal, logits: dLogits)
    }

    /// One pre-norm block backwards: h1 = x + attn(LN1(x)),  h2 = h1 + MLP(LN2(h1)).
    static func blockBackward(dResidOut: Matrix, layer: LayerTrace, weights: LayerWeights, config c: ModelConfig) -> LayerGradients {
        // h2 = h1 + mlpOut: the residual passes ∂L/∂h2 to both.
        let dMlpOut = dResidOut                                              // [T][d]
        let mlp = MLPBackward.backward(dOut: dMlpOut, x: layer.ln2Out, pre: layer.mlpPre, act: layer.mlpAct,
                                       weights: weights, activation: c.activation)
        let ln2 = LayerNormBackward.backward(dy: mlp.dx, input: layer.residMid, rows: layer.ln2, parameters: weights.ln2)
        let dResidMid = Linear.add(dResidOut, ln2.dx)                         // [T][d] ∂L/∂h1

        // h1 = x + attnOut
        let dAttnOut = dResidMid                                             // [T][d]
        let attn = AttentionBackward.backward(dOut: dAttnOut, x: layer.ln1Out, layer: layer, weights: weights, nHeads: c.nHeads)
        let ln1 = LayerNormBackward.backward(dy: attn.dx, input: layer.input, rows: layer.ln1, parameters: weights.ln1)
        let dInput = Linear.add(dResidMid, ln1.dx)                           // [T][d] ∂L/∂x

        return LayerGradients(
            wQ: attn.dWq, wK: attn.dWk, wV: attn.dWv, wO: attn.dWo, w1: mlp.dW1, w2: mlp.dW2,
            bQ: attn.dBq, bK: attn.dBk, bV: attn.dBv, bO: attn.dBo, b1: mlp.dB1, b2: mlp.dB2,
            ln1Gamma: ln1.dGamma, ln1Beta: ln1.dBeta, ln2Gamma: ln2.dGamma, ln2Beta: ln2.dBeta,
            input: dInput, ln1Out: attn.dx, q: attn.dQ, k: attn.dK, v: attn.dV,
            scores: attn.dScores, attnWeights: attn.dWeights, context: attn.dContext, attnOut: dAttnOut,
            residMid: dResidMid, ln2Out: mlp.dx, mlpPre: mlp.dPre, mlpAct: mlp.dAct, mlpOut: dMlpOut,
            residOut: dResidOut)
    }
}
