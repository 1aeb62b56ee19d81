/// One step of gradient descent, W ← W − η·∇W, on every parameter the model holds.
///
/// A parameter the model file leaves out (an optional bias, a LayerNorm γ or β) is not a
/// parameter: it keeps its fixed value (0 for biases and betas, 1 for gammas), stays absent in
/// the stepped model and is not trained, although `Gradients` still reports how it would move.
/// Checkpoints hold all of theirs, so every one of their parameters trains.
extension Model {
    public func applying(_ g: Gradients, learningRate eta: Double) -> Model {
        precondition(g.lnfGamma.count == config.dModel && g.layers.count == weights.layers.count,
                     "gradients of another model")
        var m = self
        func step(_ w: Tensor, _ dw: Tensor) -> Tensor { .zipped(w, dw) { $0 - eta * $1 } }
        /// A held vector moves; an absent one stays absent (at its fixed value).
        func step(_ w: [Double]?, _ dw: [Double]) -> [Double]? {
            w.map { zip($0, dw).map { $0 - eta * $1 } }
        }
        m.weights.tokEmb = step(weights.tokEmb, g.tokEmb)
        m.weights.posEmb = step(weights.posEmb, g.posEmb)
        m.weights.wLM = step(weights.wLM, g.wLM)
        m.weights.bLM = step(weights.bLM, g.bLM)
        m.weights.lnf = LayerNormParameters(gamma: step(weights.lnf.gamma, g.lnfGamma),
                                            beta: step(weights.lnf.beta, g.lnfBeta))
        for (l, (w, dw)) in zip(weights.layers, g.layers).enumerated() {
            m.weights.layers[l] = LayerWeights(
                wQ: step(w.wQ, dw.wQ), wK: step(w.wK, dw.wK), wV: step(w.wV, dw.wV), wO: step(w.wO, dw.wO),
                w1: step(w.w1, dw.w1), w2: step(w.w2, dw.w2),
                bQ: step(w.bQ, dw.bQ), bK: step(w.bK, dw.bK),
                bV: step(w.bV, dw.bV), bO: step(w.bO, dw.bO),
                b1: step(w.b1, dw.b1), b2: step(w.b2, dw.b2),
                ln1: LayerNormParameters(gamma: step(w.ln1.gamma, dw.ln1Gamma),
                                         beta: step(w.ln1.beta, dw.ln1Beta)),
                ln2: LayerNormParameters(gamma: step(w.ln2.gamma, dw.ln2Gamma),
                                         beta: step(w.ln2.beta, dw.ln2Beta)))
        }
        return m
    }
}
