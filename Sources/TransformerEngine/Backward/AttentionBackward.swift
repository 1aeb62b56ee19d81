/// The backward pass of causal multi-head self-attention. Forward, per head h on the columns
/// c = h·d_head ..< (h+1)·d_head:
///
///     q = x·W_q + b_q,  k = x·W_k + b_k,  v = x·W_v + b_v
///     S[i][j] = q[i]_c · k[j]_c / √d_head                (j ≤ i; later keys are masked)
///     A[i]    = softmax(S[i][0...i])
///     context[i]_c = Σ_{j≤i} A[i][j] · v[j]_c
///     out = context·W_o + b_o
///
/// Backward, from ∂L/∂out:
///
///     ∂L/∂context = ∂L/∂out·W_oᵀ,   ∂L/∂W_o = contextᵀ·∂L/∂out,   ∂L/∂b_o = Σₜ ∂L/∂out
///     ∂L/∂A[i][j] = ∂L/∂context[i]_c · v[j]_c         ∂L/∂v[j]_c = Σ_{i≥j} A[i][j]·∂L/∂context[i]_c
///     ∂L/∂S[i]    = J(A[i])ᵀ · ∂L/∂A[i],  J = diag(A[i]) − A[i]·A[i]ᵀ   (the softmax Jacobian, j ≤ i)
///     ∂L/∂q[i]_c  = Σ_{j≤i} ∂L/∂S[i][j] · k[j]_c / √d_head
///     ∂L/∂k[j]_c  = Σ_{i≥j} ∂L/∂S[i][j] · q[i]_c / √d_head
///     then W_q, W_k, W_v and their biases as any linear layer, and
///     ∂L/∂x = ∂L/∂q·W_qᵀ + ∂L/∂k·W_kᵀ + ∂L/∂v·W_vᵀ
///
/// Masked entries (j > i) take no part: their ∂L/∂A and ∂L/∂S are 0.
public enum AttentionBackward {
    struct Output {
        var dx: Mat                     // [T][d]  the attention's input, LN1's output
        var dQ, dK, dV: Mat             // [T][d]
        var dScores: [Mat]              // [H][T][T]  ∂L/∂S (scaled scores), masked 0
        var dWeights: [Mat]             // [H][T][T]  ∂L/∂A, masked 0
        var dContext: Mat               // [T][d]
        var dWq, dWk, dWv, dWo: Mat     // [d][d]
        var dBq, dBk, dBv, dBo: Vector  // [d]
    }

    /// The softmax Jacobian ∂pᵢ/∂zⱼ = pᵢ·(δᵢⱼ − pⱼ) of p = softmax(z)   — [n][n], symmetric.
    public static func softmaxJacobian(_ p: Vector) -> Matrix {
        p.indices.map { i in p.indices.map { j in p[i] * ((i == j ? 1 : 0) - p[j]) } }
    }

    /// dOut [T][d] is ∂L/∂out; x [T][d] is the attention's input (LN1's output).
    static func backward(dOut: Mat, x: Mat, attention: Attention.Output, weights: FlatLayer, nHeads: Int) -> Output {
        let t = x.rows, d = weights.wQ.rows, dHead = d / nHeads
        let scale = 1 / Double(dHead).squareRoot()
        let (q, k, v) = (attention.q, attention.k, attention.v)

        let output = LinearBackward.backward(dy: dOut, x: attention.context, w: weights.wO)
        let dContext = output.dx                                             // [T][d]

        // A query row whose ∂L/∂context is all zero adds only ±0 to ∂L/∂v, ∂L/∂q and ∂L/∂k and
        // leaves its ∂L/∂A and ∂L/∂S rows at +0 — when q, k, v and A are finite (0·∞ is NaN).
        let skippable = q.isFinite && k.isFinite && v.isFinite && attention.weights.allSatisfy(\.isFinite)

        var dQ = Mat(rows: t, cols: d), dK = dQ, dV = dQ                     // [T][d]
        var dA = Vector(repeating: 0, count: nHeads * t * t), dS = dA          // [H][T][T]
        q.values.withUnsafeBufferPointer { q in
        k.values.withUnsafeBufferPointer { k in
        v.values.withUnsafeBufferPointer { v in
        dContext.values.withUnsafeBufferPointer { dc in
        dQ.values.withUnsafeMutableBufferPointer { dQ in
        dK.values.withUnsafeMutableBufferPointer { dK in
        dV.values.withUnsafeMutableBufferPointer { dV in
        dA.withUnsafeMutableBufferPointer { dA in
        dS.withUnsafeMutableBufferPointer { dS in
            for h in 0..<nHeads {
                attention.weights[h].values.withUnsafeBufferPointer { a in
                    let head = Head(t: t, d: d, c0: h * dHead, dHead: dHead, scale: scale, q: q.baseAddress!,
                                    k: k.baseAddress!, v: v.baseAddress!, a: a.baseAddress!, dContext: dc.baseAddress!)
                    for i in 0..<t where !(skippable && head.contextGradientIsZero(row: i)) {
                        head.backward(row: i, dQ: dQ.baseAddress!, dK: dK.baseAddress!, dV: dV.baseAddress!,
                                      dA: dA.baseAddress! + h * t * t, dS: dS.baseAddress! + h * t * t)
                    }
                }
            }
        }}}}}}}}}
        func perHead(_ all: Vector) -> [Mat] {
            (0..<nHeads).map { Mat(rows: t, cols: t, values: Vector(all[$0 * t * t..<($0 + 1) * t * t])) }
        }
        let dScores = perHead(dS), dWeights = perHead(dA)

        let query = LinearBackward.backward(dy: dQ, x: x, w: weights.wQ)
        let key = LinearBackward.backward(dy: dK, x: x, w: weights.wK)
        let value = LinearBackward.backward(dy: dV, x: x, w: weights.wV)
        let dx = (query.dx + key.dx) + value.dx
        return Output(dx: dx, dQ: dQ, dK: dK, dV: dV, dScores: dScores, dWeights: dWeights, dContext: dContext,
                      dWq: query.dW, dWk: key.dW, dWv: value.dW, dWo: output.dW,
                      dBq: query.db, dBk: key.db, dBv: value.db, dBo: output.db)
    }

    /// One head's part for one query row i, on the head's columns c0..<c0 + d_head of the
    /// [T][d] matrices and on the head's [T][T] A, ∂L/∂A and ∂L/∂S.
    private struct Head {
        let t, d, c0, dHead: Int
        let scale: Double
        let q, k, v, a, dContext: UnsafePointer<Double>

        func contextGradientIsZero(row i: Int) -> Bool {
            (0..<dHead).allSatisfy { dContext[i * d + c0 + $0] == 0 }
        }

        func backward(row i: Int, dQ: UnsafeMutablePointer<Double>, dK: UnsafeMutablePointer<Double>,
                      dV: UnsafeMutablePointer<Double>, dA: UnsafeMutablePointer<Double>, dS: UnsafeMutablePointer<Double>) {
            let dci = dContext + i * d + c0, qi = q + i * d + c0, ai = a + i * t
            let dAi = dA + i * t, dSi = dS + i * t
            for j in 0...i {
                let vj = v + j * d + c0, dVj = dV + j * d + c0
                var dot = 0.0
                for c in 0..<dHead { dot += dci[c] * vj[c] }
                dAi[j] = dot                                                  // ∂L/∂A[i][j] = ∂L/∂context[i]·v[j]
                let aij = ai[j]
                for c in 0..<dHead { dVj[c] += aij * dci[c] }                 // ∂L/∂v[j] += A[i][j]·∂L/∂context[i]
            }
            // Through the softmax of the visible scores: ∂L/∂S[i][j] = Σₘ ∂L/∂A[i][m]·J[m][j] with
            // J[m][j] = A[i][m]·(δₘⱼ − A[i][j]), summed over m in order, for all j side by side.
            for m in 0...i {
                let g = dAi[m], am = ai[m]
                for j in 0...i { dSi[j] += g * (am * ((m == j ? 1 : 0) - ai[j])) }
            }
            // Through S[i][j] = q[i]·k[j]·scale.
            let dQi = dQ + i * d + c0
            for j in 0...i {
                let kj = k + j * d + c0, dKj = dK + j * d + c0, s = dSi[j]
                for c in 0..<dHead {
                    dQi[c] += s * kj[c] * scale
                    dKj[c] += s * qi[c] * scale
                }
            }
        }
    }
}
