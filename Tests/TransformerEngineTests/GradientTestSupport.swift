import Foundation
@testable import TransformerEngine

/// Helpers for checking gradients against central finite differences of the loss.
enum GradientCheck {
    static let h = 1e-6

    /// A tensor the loss depends on, its analytic gradient, and a way to nudge one entry.
    struct Probe {
        let name: String
        let analytic: Tensor                               // vectors as one row
        let loss: (_ row: Int, _ col: Int, _ delta: Double) -> Double
        /// Entries whose gradient is 0 by construction (masked attention cells), not nudged.
        var isMasked: (_ row: Int, _ col: Int) -> Bool = { _, _ in false }
    }

    /// The agreement of one tensor with its finite differences.
    ///
    /// A central difference carries rounding noise of about ulp(L)/h ≈ 1e-10 whatever the size
    /// of the gradient, so the relative difference only means something where the gradient is
    /// well above that: an entry passes when its relative difference is < `relativeTolerance`
    /// or its absolute difference is < `noiseFloor`. Both maxima are reported: the relative one
    /// over all entries (as defined, dominated by gradients that are 0 up to rounding, such as
    /// b_k's) and over the entries whose |a| + |b| ≥ `significant`.
    struct Comparison {
        var name: String
        var entries = 0
        var maxRelative = 0.0               // |a − b| / max(1e-8, |a| + |b|), all entries
        var maxSignificantRelative = 0.0    // the same, where |a| + |b| ≥ significant
        var maxAbsolute = 0.0
        var failures: [String] = []
        var worst = ""
    }

    static let relativeTolerance = 1e-5
    static let noiseFloor = 1e-8
    static let significant = 1e-4

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(1e-8, abs(a) + abs(b)) }

    /// Tensors with more entries than this get a deterministic sample of this many, spread
    /// evenly over the row-major entries (first and last included). Every tensor is checked.
    static let maxEntriesPerTensor = 64

    static func sample(rows: Int, cols: Int) -> [(Int, Int)] {
        let n = rows * cols
        let flat = n <= maxEntriesPerTensor ? Array(0..<n)
            : (0..<maxEntriesPerTensor).map { $0 * (n - 1) / (maxEntriesPerTensor - 1) }
        return flat.map { ($0 / cols, $0 % cols) }
    }

    static func compare(_ tensor: Probe) -> Comparison {
        var result = Comparison(name: tensor.name)
        for (i, j) in sample(rows: tensor.analytic.rows, cols: tensor.analytic.cols) {
            let a = tensor.analytic[i, j]
            let numeric = tensor.isMasked(i, j) ? 0 : (tensor.loss(i, j, h) - tensor.loss(i, j, -h)) / (2 * h)
            let rel = relative(a, numeric), diff = abs(a - numeric)
            let entry = "[\(i)][\(j)] analytic \(a), numeric \(numeric)"
            result.entries += 1
            if rel >= relativeTolerance && diff >= noiseFloor { result.failures.append(entry) }
            if abs(a) + abs(numeric) >= significant {
                if rel > result.maxSignificantRelative { result.worst = entry }
                result.maxSignificantRelative = max(result.maxSignificantRelative, rel)
            }
            result.maxRelative = max(result.maxRelative, rel)
            result.maxAbsolute = max(result.maxAbsolute, diff)
        }
        return result
    }

    // MARK: - Parameters

    /// Every weight of the model, optional ones included (nudged from their default value).
    static func parameters(_ model: Model, _ g: Gradients) -> [Probe] {
        func loss(_ m: Model) -> Double { Transformer.forward(m).loss! }
        func matrix(_ name: String, _ path: WritableKeyPath<Model, Tensor>, _ grad: Tensor) -> Probe {
            Probe(name: name, analytic: grad) { i, j, delta in
                var m = model
                m[keyPath: path][i, j] += delta
                return loss(m)
            }
        }
        func vector(_ name: String, _ path: WritableKeyPath<Model, [Double]?>, _ value: Double, _ grad: [Double]) -> Probe {
            Probe(name: name, analytic: Tensor(row: grad)) { _, j, delta in
                var m = model
                var v = m[keyPath: path] ?? [Double](repeating: value, count: grad.count)
                v[j] += delta
                m[keyPath: path] = v
                return loss(m)
            }
        }
        var out = [
            matrix("tok_emb", \.weights.tokEmb, g.tokEmb.dense),
            matrix("pos_emb", \.weights.posEmb, g.posEmb.dense),
            matrix("W_lm", \.weights.wLM.transpose, g.wLM.transposed.dense),  // in its stored layout, [V][d]
            vector("b_lm", \.weights.bLM, 0, g.bLM),
            vector("lnf_gamma", \.weights.lnf.gamma, 1, g.lnfGamma),
            vector("lnf_beta", \.weights.lnf.beta, 0, g.lnfBeta),
        ]
        for (l, lg) in g.layers.enumerated() {
            let p = "layers[\(l)]."
            let layer: WritableKeyPath<Model, LayerWeights> = \.weights.layers[l]
            out += [
                matrix(p + "W_q", layer.appending(path: \.wQ), lg.wQ.dense),
                matrix(p + "W_k", layer.appending(path: \.wK), lg.wK.dense),
                matrix(p + "W_v", layer.appending(path: \.wV), lg.wV.dense),
                matrix(p + "W_o", layer.appending(path: \.wO), lg.wO.dense),
                matrix(p + "W_1", layer.appending(path: \.w1), lg.w1.dense),
                matrix(p + "W_2", layer.appending(path: \.w2), lg.w2.dense),
                vector(p + "b_q", layer.appending(path: \.bQ), 0, lg.bQ),
                vector(p + "b_k", layer.appending(path: \.bK), 0, lg.bK),
                vector(p + "b_v", layer.appending(path: \.bV), 0, lg.bV),
                vector(p + "b_o", layer.appending(path: \.bO), 0, lg.bO),
                vector(p + "b_1", layer.appending(path: \.b1), 0, lg.b1),
                vector(p + "b_2", layer.appending(path: \.b2), 0, lg.b2),
                vector(p + "ln1_gamma", layer.appending(path: \.ln1.gamma), 1, lg.ln1Gamma),
                vector(p + "ln1_beta", layer.appending(path: \.ln1.beta), 0, lg.ln1Beta),
                vector(p + "ln2_gamma", layer.appending(path: \.ln2.gamma), 1, lg.ln2Gamma),
                vector(p + "ln2_beta", layer.appending(path: \.ln2.beta), 0, lg.ln2Beta),
            ]
        }
        return out
    }

    // MARK: - Intermediates

    /// Every intermediate with a gradient, nudged inside `TappedForward`.
    static func intermediates(_ model: Model, _ g: Gradients) -> [Probe] {
        func tensor(_ name: String, _ grad: Tensor, masked: @escaping (Int, Int) -> Bool = { _, _ in false }) -> Probe {
            Probe(name: name, analytic: grad, loss: { i, j, delta in
                TappedForward.loss(model) { key, value in
                    if key == name { value[i][j] += delta }
                }
            }, isMasked: masked)
        }
        var out = [tensor("x", g.x)]
        for (l, lg) in g.layers.enumerated() {
            let p = "layers[\(l)]."
            out += [tensor(p + "input", lg.input), tensor(p + "ln1", lg.ln1Out),
                    tensor(p + "q", lg.q), tensor(p + "k", lg.k), tensor(p + "v", lg.v)]
            for h in lg.scores.indices {
                out.append(tensor(p + "scores[\(h)]", lg.scores[h], masked: { i, j in j > i }))
                out.append(tensor(p + "attn_weights[\(h)]", lg.attnWeights[h], masked: { i, j in j > i }))
            }
            out += [tensor(p + "context", lg.context), tensor(p + "attn_out", lg.attnOut),
                    tensor(p + "resid_mid", lg.residMid), tensor(p + "ln2", lg.ln2Out),
                    tensor(p + "mlp_pre", lg.mlpPre), tensor(p + "mlp_act", lg.mlpAct),
                    tensor(p + "mlp_out", lg.mlpOut), tensor(p + "resid_out", lg.residOut)]
        }
        out += [tensor("final", g.final), tensor("logits", g.logits)]
        return out
    }
}

/// The forward pass again, step by step from the engine's own layers, with a tap after every
/// intermediate so a test can nudge it and see the loss move. Checked against
/// `Transformer.forward` (same loss) before it is trusted.
enum TappedForward {
    static func loss(_ model: Model, tap: (String, inout [[Double]]) -> Void) -> Double {
        let c = model.config, w = model.weights, ids = model.prompt.ids, t = ids.count
        let dHead = c.dHead, scale = 1 / Double(dHead).squareRoot()
        var x = Linear.add(ids.map { w.tokEmb.row($0) }, (0..<t).map { w.posEmb.row($0) })   // [T][d]
        tap("x", &x)
        for (l, layer) in w.layers.enumerated() {
            let p = "layers[\(l)]."
            tap(p + "input", &x)
            var ln1 = layerNorm(Tensor(x), layer.ln1, eps: c.layerNormEps).output.nested
            tap(p + "ln1", &ln1)
            var q = Linear.apply(ln1, layer.wQ, bias: layer.bQ); tap(p + "q", &q)
            var k = Linear.apply(ln1, layer.wK, bias: layer.bK); tap(p + "k", &k)
            var v = Linear.apply(ln1, layer.wV, bias: layer.bV); tap(p + "v", &v)
            var context = [[Double]](repeating: [Double](repeating: 0, count: c.dModel), count: t)
            for h in 0..<c.nHeads {
                let cols = h * dHead..<(h + 1) * dHead
                var s = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)   // [T][T]
                for i in 0..<t {
                    for j in 0...i { s[i][j] = Linear.dot(Array(q[i][cols]), Array(k[j][cols])) * scale }
                }
                tap(p + "scores[\(h)]", &s)
                var a = (0..<t).map { i in softmax((0..<t).map { j in j <= i ? s[i][j] : -.infinity }) }
                tap(p + "attn_weights[\(h)]", &a)
                for i in 0..<t {
                    for j in 0...i {
                        for col in cols { context[i][col] += a[i][j] * v[j][col] }
                    }
                }
            }
            tap(p + "context", &context)
            var attnOut = Linear.apply(context, layer.wO, bias: layer.bO); tap(p + "attn_out", &attnOut)
            var h1 = Linear.add(x, attnOut); tap(p + "resid_mid", &h1)
            var ln2 = layerNorm(Tensor(h1), layer.ln2, eps: c.layerNormEps).output.nested; tap(p + "ln2", &ln2)
            var pre = Linear.apply(ln2, layer.w1, bias: layer.b1); tap(p + "mlp_pre", &pre)
            var act = pre.map { $0.map(c.activation.apply) }; tap(p + "mlp_act", &act)
            var mlpOut = Linear.apply(act, layer.w2, bias: layer.b2); tap(p + "mlp_out", &mlpOut)
            var h2 = Linear.add(h1, mlpOut); tap(p + "resid_out", &h2)
            x = h2
        }
        var final = c.finalLayerNorm ? layerNorm(Tensor(x), w.lnf, eps: c.layerNormEps).output.nested : x
        tap("final", &final)
        var logits = Linear.apply(final, w.wLM.matrix, bias: w.bLM); tap("logits", &logits)
        let last = logits[t - 1]
        return logSumExp(last) - last[model.prompt.targetID!]
    }
}
