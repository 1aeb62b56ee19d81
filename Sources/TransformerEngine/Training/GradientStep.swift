/// One step of gradient descent, W ← W − η·∇W, on every weight of the model.
///
/// Optional parameters the model file leaves out are materialised first at their default
/// value (0 for biases and betas, 1 for gammas) and then moved, so the stepped model has every
/// bias and LayerNorm parameter (including the final LayerNorm's, which stay exactly 1 and 0
/// when `final_layer_norm` is false, as their gradient is 0). The forward pass is unchanged by
/// the materialising itself: an explicit 0 bias or 1 gamma computes the same numbers as none.
extension Model {
    public func applying(_ g: Gradients, learningRate eta: Double) -> Model {
        precondition(g.lnfGamma.count == config.dModel && g.layers.count == weights.layers.count,
                     "gradients of another model")
        var m = self
        func step(_ w: Tensor, _ dw: Tensor) -> Tensor { .zipped(w, dw) { $0 - eta * $1 } }
        func step(_ w: [Double]?, default value: Double, _ dw: [Double]) -> [Double] {
            let current = w ?? [Double](repeating: value, count: dw.count)
            return zip(current, dw).map { $0 - eta * $1 }
        }
        m.weights.tokEmb = step(weights.tokEmb, g.tokEmb)
        m.weights.posEmb = step(weights.posEmb, g.posEmb)
        m.weights.wLM = step(weights.wLM, g.wLM)
        m.weights.bLM = step(weights.bLM, default: 0, g.bLM)
        m.weights.lnf = LayerNormParameters(gamma: step(weights.lnf.gamma, default: 1, g.lnfGamma),
                                            beta: step(weights.lnf.beta, default: 0, g.lnfBeta))
        for (l, (w, dw)) in zip(weights.layers, g.layers).enumerated() {
            m.weights.layers[l] = LayerWeights(
                wQ: step(w.wQ, dw.wQ), wK: step(w.wK, dw.wK), wV: step(w.wV, dw.wV), wO: step(w.wO, dw.wO),
                w1: step(w.w1, dw.w1), w2: step(w.w2, dw.w2),
                bQ: step(w.bQ, default: 0, dw.bQ), bK: step(w.bK, default: 0, dw.bK),
                bV: step(w.bV, default: 0, dw.bV), bO: step(w.bO, default: 0, dw.bO),
                b1: step(w.b1, default: 0, dw.b1), b2: step(w.b2, default: 0, dw.b2),
                ln1: LayerNormParameters(gamma: step(w.ln1.gamma, default: 1, dw.ln1Gamma),
                                         beta: step(w.ln1.beta, default: 0, dw.ln1Beta)),
                ln2: LayerNormParameters(gamma: step(w.ln2.gamma, default: 1, dw.ln2Gamma),
                                         beta: step(w.ln2.beta, default: 0, dw.ln2Beta)))
        }
        return m
    }
}
