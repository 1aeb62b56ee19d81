/// The exact gradients of the loss L = −ln p(target) at the last position, by the chain rule
/// from the logits back to the embeddings (analytically, in Double). Only the last position's
/// loss counts: the other positions influence L only through attention.
public enum Backward {
    /// ∂L/∂ every weight and every intermediate of `trace`, which must be the forward pass of
    /// `model` (on any prompt). nil when the prompt has no target (no loss).
    public static func gradients(_ model: Model, trace: Trace) -> Gradients? {
        guard let target = trace.targetID, let loss = trace.loss else { return nil }
        let t = trace.count

        // Softmax + cross-entropy: ∂L/∂logits = p − onehot(target) in the last row, 0 elsewhere.
        var dLogits = Tensor(zeros: trace.logits.shape)                 // [T][V]
        for v in 0..<trace.logits.cols { dLogits[t - 1, v] = trace.probs[t - 1, v] - (v == target ? 1 : 0) }
        return gradients(model, trace: trace, dLogits: dLogits, loss: loss)
    }

    /// The gradients of any loss L of the logits, given ∂L/∂logits [T][V] (for a loss at every
    /// position, as in training on a text, every row is non-zero); `loss` is L itself.
    public static func gradients(_ model: Model, trace: Trace, dLogits: Tensor, loss: Double) -> Gradients {
        let w = model.weights, c = model.config, d = c.dModel

        // logits = final·W_lm + b_lm
        let head = linearBackward(dy: dLogits, x: trace.final, w: w.wLM)
        let dFinal = head.dx                                            // [T][d]

        // final = LNf(h) when final_layer_norm, else h
        var dResid = dFinal                                             // [T][d] ∂L/∂ residual stream
        var dLnf = (gamma: [Double](repeating: 0, count: d), beta: [Double](repeating: 0, count: d))
        if let finalNorm = trace.finalNorm {
            let lnf = layerNormBackward(dy: dFinal, x: trace.layers.last?.residOut ?? trace.x, norm: finalNorm,
                                        gamma: w.lnf.gamma)
            (dResid, dLnf) = (lnf.dx, (lnf.dGamma, lnf.dBeta))
        }

        // The blocks, last to first.
        var layers: [LayerGradients] = []
        for (layer, lw) in zip(trace.layers, w.layers).reversed() {
            let g = blockBackward(dResidOut: dResid, layer: layer, w: lw, config: c)
            layers.insert(g, at: 0)
            dResid = g.input
        }

        // x = tok_emb[ids] + pos_emb[0..<T]
        let dX = dResid                                                 // [T][d]
        let dTokEmb = WeightGradient(embeddingRows: w.tokEmb.rows, ids: trace.ids, dX: dX)  // [V][d] a repeated token accumulates
        var dPosEmb = Tensor(zeros: w.posEmb.shape)                     // [max_positions][d]
        for i in trace.ids.indices {
            for j in 0..<d { dPosEmb[i, j] = dX[i, j] }
        }
        return Gradients(tokEmb: dTokEmb, posEmb: WeightGradient(dPosEmb), layers: layers, wLM: head.dW, bLM: head.db,
                         lnfGamma: dLnf.gamma, lnfBeta: dLnf.beta, loss: loss, x: dX, final: dFinal, logits: dLogits)
    }

    /// One pre-norm block backwards: h1 = x + attention(LN1(x)), h2 = h1 + mlp(LN2(h1)).
    static func blockBackward(dResidOut: Tensor, layer: LayerTrace, w: LayerWeights, config c: ModelConfig) -> LayerGradients {
        // h2 = h1 + mlpOut: the residual passes ∂L/∂h2 to both.
        let mlp = mlpBackward(dOut: dResidOut, x: layer.ln2Out, layer: layer, w: w)
        let ln2 = layerNormBackward(dy: mlp.dx, x: layer.residMid, norm: layer.ln2, gamma: w.ln2.gamma)
        let dResidMid = dResidOut + ln2.dx                              // [T][d] ∂L/∂h1

        // h1 = x + attnOut
        let attn = attentionBackward(dOut: dResidMid, x: layer.ln1Out, layer: layer, w: w, nHeads: c.nHeads)
        let ln1 = layerNormBackward(dy: attn.dx, x: layer.input, norm: layer.ln1, gamma: w.ln1.gamma)
        let dInput = dResidMid + ln1.dx                                 // [T][d] ∂L/∂x

        return LayerGradients(
            wQ: attn.dWq, wK: attn.dWk, wV: attn.dWv, wO: attn.dWo, w1: mlp.dW1, w2: mlp.dW2,
            bQ: attn.dBq, bK: attn.dBk, bV: attn.dBv, bO: attn.dBo, b1: mlp.dB1, b2: mlp.dB2,
            ln1Gamma: ln1.dGamma, ln1Beta: ln1.dBeta, ln2Gamma: ln2.dGamma, ln2Beta: ln2.dBeta,
            input: dInput, ln1Out: attn.dx, q: attn.dQ, k: attn.dK, v: attn.dV,
            scores: attn.dScores, attnWeights: attn.dWeights, context: attn.dContext, attnOut: dResidMid,
            residMid: dResidMid, ln2Out: mlp.dx, mlpPre: mlp.dPre, mlpAct: mlp.dAct, mlpOut: dResidOut,
            residOut: dResidOut)
    }
}
