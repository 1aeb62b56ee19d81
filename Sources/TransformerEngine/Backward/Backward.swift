/// The exact gradients of the loss L = −ln p(target) at the last position, by the chain rule
/// from the logits back to the embeddings (analytically, in Double). Only the last position's
/// loss counts: the other positions influence L only through attention.
public enum Backward {
    /// ∂L/∂ every weight and every intermediate of `trace`, which must be the forward pass of
    /// `model` (on any prompt). nil when the prompt has no target (no loss).
    public static func gradients(_ model: Model, trace: Trace) -> Gradients? {
        guard let target = trace.targetID, let loss = trace.loss else { return nil }
        let weights = FlatWeights(model.weights, config: model.config)
        let g = run(weights, model.config, ForwardPass(trace), ids: trace.ids, target: target)
        return Gradients(g, loss: loss)
    }

    /// ∂L/∂ everything, in flat form.
    struct Result {
        var weights: FlatWeights                // shaped as the weights
        var layers: [LayerIntermediates]
        var x: Mat                              // [T][d]
        var final: Mat                          // [T][d]
        var logits: Mat                         // [T][V]
    }

    struct LayerIntermediates {
        var input, ln1Out: Mat                  // [T][d]
        var attention: AttentionBackward.Output
        var residMid, ln2Out: Mat               // [T][d]
        var mlp: MLPBackward.Output
        var residOut: Mat                       // [T][d]
    }

    /// The backward pass of `pass`, the forward pass of weights `w` on `ids`. Only the last
    /// position's probabilities are read, so `pass` may hold the last row of logits only.
    static func run(_ w: FlatWeights, _ c: ModelConfig, _ pass: ForwardPass, ids: [Int], target: Int) -> Result {
        let t = ids.count, vocabSize = w.bLM.count

        // Softmax + cross-entropy: ∂L/∂logits[T−1] = p − onehot(target); other rows 0.
        var dLogits = Mat(rows: t, cols: vocabSize)                           // [T][V]
        var last = pass.lastProbs
        last[target] -= 1
        dLogits.values.replaceSubrange((t - 1) * vocabSize..<t * vocabSize, with: last)

        // logits = final·W_lm + b_lm
        let head = LinearBackward.backward(dy: dLogits, x: pass.final, w: w.wLM)
        let dFinal = head.dx                                                 // [T][d]

        // final = LNf(h) when final_layer_norm, else h
        var dResid = dFinal                                                  // [T][d] ∂L/∂ residual stream
        var dLnfGamma = Vector(repeating: 0, count: c.dModel)
        var dLnfBeta = Vector(repeating: 0, count: c.dModel)
        if let finalNorm = pass.finalNorm {
            let input = pass.layers.last?.residOut ?? pass.x
            let lnf = LayerNormBackward.backward(dy: dFinal, input: input, rows: finalNorm, gamma: w.lnfGamma)
            dResid = lnf.dx
            dLnfGamma = lnf.dGamma
            dLnfBeta = lnf.dBeta
        }

        // The blocks, last to first.
        var layers: [LayerIntermediates] = [], layerWeights: [FlatLayer] = []
        for (layer, lw) in zip(pass.layers, w.layers).reversed() {
            let (g, dw) = blockBackward(dResidOut: dResid, layer: layer, weights: lw, config: c)
            layers.insert(g, at: 0)
            layerWeights.insert(dw, at: 0)
            dResid = g.input
        }

        // x = tok_emb[ids] + pos_emb[0..<T]
        let dX = dResid                                                      // [T][d]
        var dTokEmb = Mat(rows: w.tokEmb.rows, cols: c.dModel)               // [V][d]
        var dPosEmb = Mat(rows: w.posEmb.rows, cols: c.dModel)               // [max_positions][d]
        for (i, id) in ids.enumerated() {
            for j in 0..<c.dModel {
                dTokEmb[id, j] += dX[i, j]                                   // a repeated token accumulates
                dPosEmb[i, j] = dX[i, j]
            }
        }

        let weights = FlatWeights(tokEmb: dTokEmb, posEmb: dPosEmb, layers: layerWeights, wLM: head.dW, bLM: head.db,
                                  lnfGamma: dLnfGamma, lnfBeta: dLnfBeta)
        return Result(weights: weights, layers: layers, x: dX, final: dFinal, logits: dLogits)
    }

    /// One pre-norm block backwards: h1 = x + attn(LN1(x)),  h2 = h1 + MLP(LN2(h1)).
    static func blockBackward(dResidOut: Mat, layer: LayerPass, weights: FlatLayer,
                              config c: ModelConfig) -> (LayerIntermediates, FlatLayer) {
        // h2 = h1 + mlpOut: the residual passes ∂L/∂h2 to both.
        let dMlpOut = dResidOut                                              // [T][d]
        let mlp = MLPBackward.backward(dOut: dMlpOut, x: layer.ln2.output, mlp: layer.mlp,
                                       weights: weights, activation: c.activation)
        let ln2 = LayerNormBackward.backward(dy: mlp.dx, input: layer.residMid, rows: layer.ln2, gamma: weights.ln2Gamma)
        let dResidMid = dResidOut + ln2.dx                                   // [T][d] ∂L/∂h1

        // h1 = x + attnOut
        let dAttnOut = dResidMid                                             // [T][d]
        let attn = AttentionBackward.backward(dOut: dAttnOut, x: layer.ln1.output, attention: layer.attention,
                                              weights: weights, nHeads: c.nHeads)
        let ln1 = LayerNormBackward.backward(dy: attn.dx, input: layer.input, rows: layer.ln1, gamma: weights.ln1Gamma)
        let dInput = dResidMid + ln1.dx                                      // [T][d] ∂L/∂x

        let intermediates = LayerIntermediates(input: dInput, ln1Out: attn.dx, attention: attn, residMid: dResidMid,
                                               ln2Out: mlp.dx, mlp: mlp, residOut: dResidOut)
        let dw = FlatLayer(wQ: attn.dWq, wK: attn.dWk, wV: attn.dWv, wO: attn.dWo, w1: mlp.dW1, w2: mlp.dW2,
                           bQ: attn.dBq, bK: attn.dBk, bV: attn.dBv, bO: attn.dBo, b1: mlp.dB1, b2: mlp.dB2,
                           ln1Gamma: ln1.dGamma, ln1Beta: ln1.dBeta, ln2Gamma: ln2.dGamma, ln2Beta: ln2.dBeta)
        return (intermediates, dw)
    }
}

extension Gradients {
    init(_ g: Backward.Result, loss: Double) {
        let w = g.weights
        self.init(tokEmb: w.tokEmb.nested, posEmb: w.posEmb.nested,
                  layers: zip(g.layers, w.layers).map { l, dw in
                      LayerGradients(
                          wQ: dw.wQ.nested, wK: dw.wK.nested, wV: dw.wV.nested, wO: dw.wO.nested,
                          w1: dw.w1.nested, w2: dw.w2.nested,
                          bQ: dw.bQ, bK: dw.bK, bV: dw.bV, bO: dw.bO, b1: dw.b1, b2: dw.b2,
                          ln1Gamma: dw.ln1Gamma, ln1Beta: dw.ln1Beta, ln2Gamma: dw.ln2Gamma, ln2Beta: dw.ln2Beta,
                          input: l.input.nested, ln1Out: l.ln1Out.nested,
                          q: l.attention.dQ.nested, k: l.attention.dK.nested, v: l.attention.dV.nested,
                          scores: l.attention.dScores.map(\.nested), attnWeights: l.attention.dWeights.map(\.nested),
                          context: l.attention.dContext.nested, attnOut: l.residMid.nested,
                          residMid: l.residMid.nested, ln2Out: l.ln2Out.nested,
                          mlpPre: l.mlp.dPre.nested, mlpAct: l.mlp.dAct.nested, mlpOut: l.residOut.nested,
                          residOut: l.residOut.nested)
                  },
                  wLM: w.wLM.nested, bLM: w.bLM, lnfGamma: w.lnfGamma, lnfBeta: w.lnfBeta,
                  loss: loss, x: g.x.nested, final: g.final.nested, logits: g.logits.nested)
    }
}
