import Foundation

/// Causal multi-head self-attention. Heads are contiguous column blocks of width d_head.
struct Attention {
    let weights: LayerWeights
    let nHeads: Int

    struct Output {
        var q, k, v: Matrix                 // [T][d_model]
        var scores: [[[Double?]]]           // [H][T][T] scaled, nil above the diagonal (masked)
        var weights: [[[Double]]]           // [H][T][T] softmax rows, exactly 0 where masked
        var context: Matrix                 // [T][d_model] heads concatenated
        var out: Matrix                     // [T][d_model] context·W_o + b_o
    }

    func callAsFunction(_ x: Matrix) -> Output {
        let q = Linear.apply(x, weights.wQ, bias: weights.bQ)     // [T][d]
        let k = Linear.apply(x, weights.wK, bias: weights.bK)     // [T][d]
        let v = Linear.apply(x, weights.wV, bias: weights.bV)     // [T][d]
        let t = x.count, d = q.first?.count ?? 0, dHead = d / nHeads
        let scale = 1 / Double(dHead).squareRoot()
        var context = Matrix(repeating: Vector(repeating: 0, count: d), count: t)
        var allScores: [[[Double?]]] = []
        var allWeights: [[[Double]]] = []
        for h in 0..<nHeads {
            let cols = h * dHead..<(h + 1) * dHead
            var scores: [[Double?]] = []
            var weightsH: [[Double]] = []
            for i in 0..<t {
                // Query i sees keys 0...i; later keys are masked.
                let row: [Double?] = (0..<t).map { j in
                    j <= i ? Linear.dot(Array(q[i][cols]), Array(k[j][cols])) * scale : nil
                }
                let w = Softmax.apply(row)
                for j in 0...i {
                    for c in cols { context[i][c] += w[j] * v[j][c] }
                }
                scores.append(row)
                weightsH.append(w)
            }
            allScores.append(scores)
            allWeights.append(weightsH)
        }
        let out = Linear.apply(context, weights.wO, bias: weights.bO)   // [T][d]
        return Output(q: q, k: k, v: v, scores: allScores, weights: allWeights, context: context, out: out)
    }
}
