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
        var dx: Matrix                  // [T][d]  the attention's input, LN1's output
        var dQ, dK, dV: Matrix          // [T][d]
        var dScores: [[[Double]]]       // [H][T][T]  ∂L/∂S (scaled scores), masked 0
        var dWeights: [[[Double]]]      // [H][T][T]  ∂L/∂A, masked 0
        var dContext: Matrix            // [T][d]
        var dWq, dWk, dWv, dWo: Matrix  // [d][d]
        var dBq, dBk, dBv, dBo: Vector  // [d]
    }

    /// The softmax Jacobian ∂pᵢ/∂zⱼ = pᵢ·(δᵢⱼ − pⱼ) of p = softmax(z)   — [n][n], symmetric.
    public static func softmaxJacobian(_ p: Vector) -> Matrix {
        p.indices.map { i in p.indices.map { j in p[i] * ((i == j ? 1 : 0) - p[j]) } }
    }

    /// dOut [T][d] is ∂L/∂out; x [T][d] is the attention's input (LN1's output).
    static func backward(dOut: Matrix, x: Matrix, layer: LayerTrace, weights: LayerWeights, nHeads: Int) -> Output {
        let t = x.count, d = weights.wQ.count, dHead = d / nHeads
        let scale = 1 / Double(dHead).squareRoot()
        let (q, k, v) = (layer.q, layer.k, layer.v)

        let output = LinearBackward.backward(dy: dOut, x: layer.context, w: weights.wO)
        let dContext = output.dx                                             // [T][d]

        var dQ = LinearBackward.zeros(t, d), dK = dQ, dV = dQ               // [T][d]
        var dScores: [[[Double]]] = [], dWeights: [[[Double]]] = []          // [H][T][T]
        for h in 0..<nHeads {
            let cols = h * dHead..<(h + 1) * dHead
            let a = layer.weights[h]                                         // [T][T]
            var dA = LinearBackward.zeros(t, t), dS = dA
            for i in 0..<t {
                for j in 0...i {
                    dA[i][j] = Linear.dot(Array(dContext[i][cols]), Array(v[j][cols]))
                    for c in cols { dV[j][c] += a[i][j] * dContext[i][c] }
                }
                // Through the softmax of the visible scores S[i][0...i].
                let jac = softmaxJacobian(Array(a[i][0...i]))                // [i+1][i+1]
                for j in 0...i {
                    dS[i][j] = (0...i).reduce(0) { $0 + dA[i][$1] * jac[$1][j] }
                }
                // Through S[i][j] = q[i]·k[j]·scale.
                for j in 0...i {
                    for c in cols {
                        dQ[i][c] += dS[i][j] * k[j][c] * scale
                        dK[j][c] += dS[i][j] * q[i][c] * scale
                    }
                }
            }
            dWeights.append(dA)
            dScores.append(dS)
        }

        let query = LinearBackward.backward(dy: dQ, x: x, w: weights.wQ)
        let key = LinearBackward.backward(dy: dK, x: x, w: weights.wK)
        let value = LinearBackward.backward(dy: dV, x: x, w: weights.wV)
        let dx = Linear.add(Linear.add(query.dx, key.dx), value.dx)
        return Output(dx: dx, dQ: dQ, dK: dK, dV: dV, dScores: dScores, dWeights: dWeights, dContext: dContext,
                      dWq: query.dW, dWk: key.dW, dWv: value.dW, dWo: output.dW,
                      dBq: query.db, dBk: key.db, dBv: value.db, dBo: output.db)
    }
}
