import Foundation

/// Causal multi-head self-attention. Heads are contiguous column blocks of width d_head.
struct Attention {
    let weights: FlatLayer
    let nHeads: Int

    struct Output {
        var q, k, v: Mat                    // [T][d_model]
        var scores: [Mat]                   // [H][T][T] scaled; above the diagonal (masked) unused, 0
        var weights: [Mat]                  // [H][T][T] softmax rows, exactly 0 / Σ where masked
        var context: Mat                    // [T][d_model] heads concatenated
        var out: Mat                        // [T][d_model] context·W_o + b_o
    }

    /// `queries` limits the query positions (keys and values are always all of them); the
    /// rows of q, scores, weights, context and out for the other positions are left at 0.
    func callAsFunction(_ x: Mat, queries: Range<Int>? = nil) -> Output {
        let queries = queries ?? 0..<x.rows
        let q = queries.count == x.rows ? Mat.linear(x, weights.wQ, bias: weights.bQ)    // [T][d]
            : Mat.linear(x.rows(queries), weights.wQ, bias: weights.bQ).placed(at: queries.lowerBound, rows: x.rows)
        let k = Mat.linear(x, weights.wK, bias: weights.bK)     // [T][d]
        let v = Mat.linear(x, weights.wV, bias: weights.bV)     // [T][d]
        let t = x.rows, d = q.cols, dHead = d / nHeads
        var context = Mat(rows: t, cols: d)                      // [T][d]
        var scores = Vector(repeating: 0, count: nHeads * t * t), attention = scores   // [H][T][T]
        q.values.withUnsafeBufferPointer { q in
        k.values.withUnsafeBufferPointer { k in
        v.values.withUnsafeBufferPointer { v in
        scores.withUnsafeMutableBufferPointer { s in
        attention.withUnsafeMutableBufferPointer { a in
        context.values.withUnsafeMutableBufferPointer { ctx in
            let head = Head(t: t, d: d, dHead: dHead, q: q.baseAddress!, k: k.baseAddress!, v: v.baseAddress!)
            for h in 0..<nHeads {
                head.forward(h, queries: queries, scores: s.baseAddress! + h * t * t,
                             weights: a.baseAddress! + h * t * t, context: ctx.baseAddress!)
            }
        }}}}}}
        let out = queries.count == t ? Mat.linear(context, weights.wO, bias: weights.bO)   // [T][d]
            : Mat.linear(context.rows(queries), weights.wO, bias: weights.bO).placed(at: queries.lowerBound, rows: t)
        func perHead(_ all: Vector) -> [Mat] {
            (0..<nHeads).map { Mat(rows: t, cols: t, values: Vector(all[$0 * t * t..<($0 + 1) * t * t])) }
        }
        return Output(q: q, k: k, v: v, scores: perHead(scores), weights: perHead(attention), context: context, out: out)
    }

    /// One head h on its columns c0 = h·d_head ..< c0 + d_head of q, k, v and context.
    private struct Head {
        let t, d, dHead: Int
        let q, k, v: UnsafePointer<Double>

        func forward(_ h: Int, queries: Range<Int>, scores s: UnsafeMutablePointer<Double>,
                     weights a: UnsafeMutablePointer<Double>, context: UnsafeMutablePointer<Double>) {
            let c0 = h * dHead
            let scale = 1 / Double(dHead).squareRoot()
            for i in queries {
                let qi = q + i * d + c0, si = s + i * t, ai = a + i * t
                // Query i sees keys 0...i; later keys are masked.
                for j in 0...i {
                    let kj = k + j * d + c0
                    var dot = 0.0
                    for c in 0..<dHead { dot += qi[c] * kj[c] }
                    si[j] = dot * scale                                  // S[i][j] = q[i]·k[j] / √d_head
                }
                Softmax.causalRow(si, visible: i + 1, total: t, into: ai)  // A[i] = softmax(S[i][0...i])
                let ci = context + i * d + c0
                for j in 0...i {                                         // context[i] = Σⱼ A[i][j]·v[j]
                    let vj = v + j * d + c0, aij = ai[j]
                    for c in 0..<dHead { ci[c] += aij * vj[c] }
                }
            }
        }
    }
}
