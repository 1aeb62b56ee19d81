/// The weights as the engine computes with them: flat matrices, and every optional parameter
/// materialised at its default (0 for biases and betas, 1 for gammas). The forward pass makes
/// the same numbers either way — a sum that starts at an explicit 0 bias starts at 0, and
/// `· 1 + 0` is what LayerNorm computes without gamma and beta. The same shape holds the
/// gradients of the weights.
struct FlatWeights: Sendable {
    var tokEmb: Mat                 // [V][d]
    var posEmb: Mat                 // [max_positions][d]
    var layers: [FlatLayer]
    var wLM: Mat                    // [d][V]
    var bLM: Vector                 // [V]
    var lnfGamma, lnfBeta: Vector   // [d]
}

struct FlatLayer: Sendable {
    var wQ, wK, wV, wO: Mat         // [d][d]
    var w1: Mat                     // [d][d_ff]
    var w2: Mat                     // [d_ff][d]
    var bQ, bK, bV, bO: Vector      // [d]
    var b1: Vector                  // [d_ff]
    var b2: Vector                  // [d]
    var ln1Gamma, ln1Beta: Vector   // [d]
    var ln2Gamma, ln2Beta: Vector   // [d]

    var ln1: LayerNormParameters { LayerNormParameters(gamma: ln1Gamma, beta: ln1Beta) }
    var ln2: LayerNormParameters { LayerNormParameters(gamma: ln2Gamma, beta: ln2Beta) }
}

extension FlatWeights {
    init(_ w: Weights, config c: ModelConfig) {
        let d = c.dModel, v = w.wLM.first?.count ?? w.tokEmb.count
        func zeros(_ n: Int) -> Vector { Vector(repeating: 0, count: n) }
        func ones(_ n: Int) -> Vector { Vector(repeating: 1, count: n) }
        tokEmb = Mat(w.tokEmb)
        posEmb = Mat(w.posEmb)
        layers = w.layers.map { l in
            FlatLayer(wQ: Mat(l.wQ), wK: Mat(l.wK), wV: Mat(l.wV), wO: Mat(l.wO), w1: Mat(l.w1), w2: Mat(l.w2),
                      bQ: l.bQ ?? zeros(d), bK: l.bK ?? zeros(d), bV: l.bV ?? zeros(d), bO: l.bO ?? zeros(d),
                      b1: l.b1 ?? zeros(c.dFF), b2: l.b2 ?? zeros(d),
                      ln1Gamma: l.ln1.gamma ?? ones(d), ln1Beta: l.ln1.beta ?? zeros(d),
                      ln2Gamma: l.ln2.gamma ?? ones(d), ln2Beta: l.ln2.beta ?? zeros(d))
        }
        wLM = Mat(w.wLM)
        bLM = w.bLM ?? zeros(v)
        lnfGamma = w.lnf.gamma ?? ones(d)
        lnfBeta = w.lnf.beta ?? zeros(d)
    }

    /// Back to the model's form, every optional parameter present.
    var weights: Weights {
        Weights(tokEmb: tokEmb.nested, posEmb: posEmb.nested,
                layers: layers.map { l in
                    LayerWeights(wQ: l.wQ.nested, wK: l.wK.nested, wV: l.wV.nested, wO: l.wO.nested,
                                 w1: l.w1.nested, w2: l.w2.nested,
                                 bQ: l.bQ, bK: l.bK, bV: l.bV, bO: l.bO, b1: l.b1, b2: l.b2,
                                 ln1: l.ln1, ln2: l.ln2)
                },
                wLM: wLM.nested, bLM: bLM, lnf: LayerNormParameters(gamma: lnfGamma, beta: lnfBeta))
    }

    /// One step of gradient descent, W ← W − η·∇W entry by entry (as `Model.applying`).
    mutating func step(by g: FlatWeights, learningRate eta: Double) {
        func step(_ w: inout Vector, _ dw: Vector) {
            precondition(w.count == dw.count, "gradients of another model")
            w.withUnsafeMutableBufferPointer { w in
                dw.withUnsafeBufferPointer { d in
                    for i in w.indices { w[i] = w[i] - eta * d[i] }
                }
            }
        }
        func step(_ w: inout Mat, _ dw: Mat) { step(&w.values, dw.values) }
        precondition(g.layers.count == layers.count, "gradients of another model")
        step(&tokEmb, g.tokEmb)
        step(&posEmb, g.posEmb)
        for (l, dw) in g.layers.enumerated() {
            step(&layers[l].wQ, dw.wQ); step(&layers[l].wK, dw.wK); step(&layers[l].wV, dw.wV); step(&layers[l].wO, dw.wO)
            step(&layers[l].w1, dw.w1); step(&layers[l].w2, dw.w2)
            step(&layers[l].bQ, dw.bQ); step(&layers[l].bK, dw.bK); step(&layers[l].bV, dw.bV); step(&layers[l].bO, dw.bO)
            step(&layers[l].b1, dw.b1); step(&layers[l].b2, dw.b2)
            step(&layers[l].ln1Gamma, dw.ln1Gamma); step(&layers[l].ln1Beta, dw.ln1Beta)
            step(&layers[l].ln2Gamma, dw.ln2Gamma); step(&layers[l].ln2Beta, dw.ln2Beta)
        }
        step(&wLM, g.wLM)
        step(&bLM, g.bLM)
        step(&lnfGamma, g.lnfGamma)
        step(&lnfBeta, g.lnfBeta)
    }
}
