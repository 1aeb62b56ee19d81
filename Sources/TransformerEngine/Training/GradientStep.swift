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
        m.weights.tokEmb = GradientStep.rows(weights.tokEmb, g.tokEmb, eta)
        m.weights.posEmb = GradientStep.rows(weights.posEmb, g.posEmb, eta)
        m.weights.wLM = GradientStep.step(weights.wLM, g.wLM, eta)
        m.weights.bLM = GradientStep.step(weights.bLM, g.bLM, eta)
        m.weights.lnf = GradientStep.step(weights.lnf, g.lnfGamma, g.lnfBeta, eta)
        for l in weights.layers.indices { m.weights.layers[l] = layer(l, applying: g.layers[l], learningRate: eta) }
        return m
    }

    /// Block l's weights after the step.
    public func layer(_ l: Int, applying dw: LayerGradients, learningRate eta: Double) -> LayerWeights {
        let w = weights.layers[l]
        func step(_ w: Tensor, _ dw: WeightGradient) -> Tensor { GradientStep.step(w, dw, eta) }
        func step(_ w: [Double]?, _ dw: [Double]) -> [Double]? { GradientStep.step(w, dw, eta) }
        return LayerWeights(
            wQ: step(w.wQ, dw.wQ), wK: step(w.wK, dw.wK), wV: step(w.wV, dw.wV), wO: step(w.wO, dw.wO),
            w1: step(w.w1, dw.w1), w2: step(w.w2, dw.w2),
            bQ: step(w.bQ, dw.bQ), bK: step(w.bK, dw.bK), bV: step(w.bV, dw.bV), bO: step(w.bO, dw.bO),
            b1: step(w.b1, dw.b1), b2: step(w.b2, dw.b2),
            ln1: GradientStep.step(w.ln1, dw.ln1Gamma, dw.ln1Beta, eta),
            ln2: GradientStep.step(w.ln2, dw.ln2Gamma, dw.ln2Beta, eta))
    }
}

extension Transformer {
    /// The forward pass of `model.applying(g, learningRate: η)` on its prompt, bit for bit,
    /// without the whole stepped model: each block's weights are stepped when the block runs
    /// and dropped after it, and of tok_emb and pos_emb only the prompt's rows are stepped
    /// (the others are not read), and W_lm a block of columns at a time (`GradientStep.head`).
    /// The learning chapter's last step needs no more than this.
    public static func forward(_ model: Model, afterStep g: Gradients, learningRate eta: Double) -> Trace {
        let w = model.weights, prompt = model.prompt
        let positions = Array(0..<prompt.ids.count)
        let bLM = GradientStep.step(w.bLM, g.bLM, eta)
        return forward(model, prompt: prompt,
                       tok: GradientStep.step(w.tokEmb[rows: prompt.ids], g.tokEmb[rows: prompt.ids], eta),
                       pos: GradientStep.step(w.posEmb[rows: positions], g.posEmb[rows: positions], eta),
                       layer: { model.layer($0, applying: g.layers[$0], learningRate: eta) },
                       lnf: GradientStep.step(w.lnf, g.lnfGamma, g.lnfBeta, eta),
                       head: { GradientStep.head($0, w.wLM, g.wLM, bias: bLM, eta) })
    }
}

/// W − η·∇W entry by entry, for each kind of parameter.
enum GradientStep {
    /// The columns of W_lm stepped at a time by `head`.
    static let headColumns = 4096

    /// final·(W − η·∇W) + bias without the stepped W whole (at GPT-2 small 768 × 50,257, as
    /// big as W): `headColumns` columns of it (rows of the stored Wᵀ, one per word) are stepped
    /// and multiplied at a time. Each column of a product is its own sums, so the blocks side by
    /// side are the whole product's bits.
    static func head(_ final: Tensor, _ w: TransposedMatrix, _ dw: WeightGradient, bias: [Double]?, _ eta: Double,
                     columns size: Int = headColumns) -> Tensor {
        let dwT = dw.transposed                                         // ∂L/∂Wᵀ [V][d]
        let blocks = stride(from: 0, to: w.cols, by: size).map { $0..<min(w.cols, $0 + size) }
        let products = blocks.map { words in                            // [T][words] each
            matmul(final, transposed: step(w.transpose, rows: words, dwT.block(rows: words), eta),
                   bias: bias.map { Array($0[words]) })
        }
        var values: [Double] = []
        values.reserveCapacity(final.rows * w.cols)
        for i in 0..<final.rows {
            for p in products { values += p.values[i * p.cols..<(i + 1) * p.cols] }
        }
        return Tensor(shape: [final.rows, w.cols], values: values)
    }

    /// W − η·∇W: the gradient is formed for the step and dropped after it.
    static func step(_ w: Tensor, _ dw: Tensor, _ eta: Double) -> Tensor {
        step(w, rows: 0..<w.rows, dw, eta)
    }

    /// The rows `rows` of W − η·∇W, from those rows of ∇W, into a new array. (Written over ∇W
    /// entry by entry, each write checked the array was unshared: GPT-2 small's steps took
    /// twice as long.)
    static func step(_ w: Tensor, rows: Range<Int>, _ dw: Tensor, _ eta: Double) -> Tensor {
        precondition(dw.shape == [rows.count, w.cols], "a gradient of shape \(dw.shape) for rows \(rows) of a weight of shape \(w.shape)")
        let first = rows.lowerBound * w.cols, g = dw.values
        return Tensor(shape: dw.shape, values: g.indices.map { w.entry(first + $0) - eta * g[$0] })
    }

    /// W held as its transpose: Wᵀ − η·∇(Wᵀ), the same entries.
    static func step(_ w: TransposedMatrix, _ dw: WeightGradient, _ eta: Double) -> TransposedMatrix {
        TransposedMatrix(transpose: step(w.transpose, dw.transposed, eta))
    }

    /// The gradient formed for the step, and dropped after it.
    static func step(_ w: Tensor, _ dw: WeightGradient, _ eta: Double) -> Tensor {
        step(w, dw.dense, eta)
    }

    /// A held vector moves; an absent one stays absent (at its fixed value).
    static func step(_ w: [Double]?, _ dw: [Double], _ eta: Double) -> [Double]? {
        w.map { zip($0, dw).map { $0 - eta * $1 } }
    }

    static func step(_ p: LayerNormParameters, _ dGamma: [Double], _ dBeta: [Double], _ eta: Double) -> LayerNormParameters {
        LayerNormParameters(gamma: step(p.gamma, dGamma, eta), beta: step(p.beta, dBeta, eta))
    }

    /// An embedding table, whose gradient is +0 in every row the prompt does not use: those
    /// rows stay as they are (w − η·(+0) is w, bit for bit, −0 included), only the others are
    /// stepped.
    static func rows(_ w: Tensor, _ dw: WeightGradient, _ eta: Double) -> Tensor {
        precondition(w.shape == dw.shape, "a gradient of shape \(dw.shape) for a weight of shape \(w.shape)")
        var stepped = w
        for r in dw.rowsThatMayMove {
            let g = dw.block(rows: r..<r + 1).values
            guard g.contains(where: { $0.bitPattern != 0 }) else { continue }
            for j in 0..<w.cols { stepped[r, j] = w[r, j] - eta * g[j] }
        }
        return stepped
    }
}
