/// The backward pass of each layer: from ∂L/∂(its output) and what the forward pass recorded,
/// ∂L/∂(its input) and ∂L/∂(its weights).

/// y = x·W + b, x [T][n], W [n][m]:  ∂L/∂x = ∂L/∂y·Wᵀ,  ∂L/∂W = xᵀ·∂L/∂y,  ∂L/∂b = Σₜ ∂L/∂y.
/// (The products read W and x as stored: the bits of `matmul(dy, w.T)` and `matmul(x.T, dy)`;
/// ∂L/∂W is kept as its two factors and formed where it is read, `WeightGradient`.)
///
/// Positions whose row of ∂L/∂y is all zero (the LM head's, but for the last position, when
/// the loss is the prompt's one next-word prediction) are left out of both products: their
/// terms are ±0, which leave every sum's bits as they are (a sum that starts at +0 never
/// becomes −0), and their rows of ∂L/∂x are +0. At GPT-2 small's head this skips 23 of 24
/// rows of two 768 × 50,257 products. (For finite x and W, as a checked model's are: an
/// infinity times a skipped 0 would have been NaN.)
public func linearBackward(dy: Tensor, x: Tensor, w: Tensor) -> (dx: Tensor, dW: WeightGradient, db: [Double]) {
    linearBackward(dy: dy, x: x, inputs: w.rows) { matmul($0, transposed: w) }
}

/// The same for a weight held as its transpose (W_lm): ∂L/∂x = ∂L/∂y·Wᵀ reads Wᵀ as stored,
/// the same sums.
public func linearBackward(dy: Tensor, x: Tensor, w: TransposedMatrix) -> (dx: Tensor, dW: WeightGradient, db: [Double]) {
    linearBackward(dy: dy, x: x, inputs: w.rows) { matmul($0, w.transpose) }
}

/// `linearBackward` for a weight of `n` rows, with `timesWT(a)` = a·Wᵀ.
private func linearBackward(dy: Tensor, x: Tensor, inputs n: Int, timesWT: (Tensor) -> Tensor)
    -> (dx: Tensor, dW: WeightGradient, db: [Double]) {
    let live = (0..<dy.rows).filter { t in dy.row(t).contains { $0 != 0 } }
    if live.isEmpty && dy.rows > 0 {
        return (dx: Tensor(zeros: [dy.rows, n]), dW: WeightGradient(transposed: x[rows: live], times: dy[rows: live]),
                db: sumRows(dy))
    }
    guard live.count < dy.rows else {
        return (dx: timesWT(dy),                                        // [T][n]
                dW: WeightGradient(transposed: x, times: dy),           // [n][m]
                db: sumRows(dy))                                        // [m]
    }
    let dyLive = dy[rows: live]
    let dxLive = timesWT(dyLive)                                        // [live][n]
    var dx = Tensor(zeros: [dy.rows, n])                                // [T][n]
    for (k, t) in live.enumerated() {
        for i in 0..<n { dx[t, i] = dxLive[k, i] }
    }
    return (dx: dx, dW: WeightGradient(transposed: x[rows: live], times: dyLive), db: sumRows(dy))
}

/// y = x̂ ⊙ γ + β with x̂ = (x − μ)/σ, row by row. Every x̂ᵢ depends on every xⱼ through μ and
/// σ; with g = ∂L/∂y ⊙ γ the closed form is
///
///     ∂L/∂x = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ,   ∂L/∂γ = Σₜ ∂L/∂y ⊙ x̂,   ∂L/∂β = Σₜ ∂L/∂y.
public func layerNormBackward(dy: Tensor, x: Tensor, norm: LayerNormOutput, gamma: [Double]?)
    -> (dx: Tensor, dGamma: [Double], dBeta: [Double]) {
    let (dx, xHat) = layerNormInputBackward(dy: dy, x: x, norm: norm, gamma: gamma)
    return (dx, sumRows(dy * xHat), sumRows(dy))
}

/// The ∂L/∂x part of `layerNormBackward`, with the x̂ it used (what a batch needs before it
/// sums ∂L/∂γ over all its rows at once).
public func layerNormInputBackward(dy: Tensor, x: Tensor, norm: LayerNormOutput, gamma: [Double]?)
    -> (dx: Tensor, xHat: Tensor) {
    let n = x.cols
    let gamma = gamma ?? [Double](repeating: 1, count: n)
    var xHat = Tensor(zeros: x.shape)                                   // [T][n]
    var dx = Tensor(zeros: x.shape)                                     // [T][n]
    var xh = [Double](repeating: 0, count: n), g = xh                   // one row of x̂ and of ∂L/∂x̂
    for t in 0..<x.rows {
        let (mean, std) = (norm.mean[t], norm.std[t])
        for i in 0..<n {
            xh[i] = (x.values[t * n + i] - mean) / std
            g[i] = dy.values[t * n + i] * gamma[i]
        }
        let gMean = g.reduce(0, +) / Double(n)
        let gxMean = zip(g, xh).reduce(0) { $0 + $1.0 * $1.1 } / Double(n)
        for i in 0..<n {
            xHat.values[t * n + i] = xh[i]
            dx.values[t * n + i] = (g[i] - gMean - xh[i] * gxMean) / std
        }
    }
    return (dx, xHat)
}

/// out = act(x·W₁ + b₁)·W₂ + b₂:  ∂L/∂act = ∂L/∂out·W₂ᵀ,  ∂L/∂pre = ∂L/∂act ⊙ act′(pre) (the
/// forward pass recorded act′(pre)), then W₁ as any linear layer.
func mlpBackward(dOut: Tensor, x: Tensor, layer: LayerTrace, w: LayerWeights)
    -> (dx: Tensor, dPre: Tensor, dAct: Tensor, dW1: WeightGradient, dB1: [Double], dW2: WeightGradient, dB2: [Double]) {
    let second = linearBackward(dy: dOut, x: layer.mlpAct, w: w.w2)
    let dAct = second.dx                                                // [T][d_ff]
    let dPre = dAct * layer.mlpSlope                                    // [T][d_ff] ∂L/∂act ⊙ act′(pre)
    let first = linearBackward(dy: dPre, x: x, w: w.w1)
    return (first.dx, dPre, dAct, first.dW, first.db, second.dW, second.db)
}

/// Causal multi-head self-attention backwards. Forward, per head (columns of width d_head):
/// S = q·kᵀ/√d_head masked above the diagonal, A = softmax(S) by rows, context = A·v,
/// out = context·W_o + b_o. Backward, from ∂L/∂out:
///
///     ∂L/∂context = ∂L/∂out·W_oᵀ
///     ∂L/∂A = ∂L/∂context·vᵀ (0 where masked),   ∂L/∂v = Aᵀ·∂L/∂context
///     ∂L/∂S = A ⊙ (∂L/∂A − rowsum(A ⊙ ∂L/∂A))     (the softmax Jacobian, applied row by row)
///     ∂L/∂q = ∂L/∂S·k/√d_head,   ∂L/∂k = ∂L/∂Sᵀ·q/√d_head
///     ∂L/∂x = ∂L/∂q·W_qᵀ + ∂L/∂k·W_kᵀ + ∂L/∂v·W_vᵀ
func attentionBackward(dOut: Tensor, x: Tensor, layer: LayerTrace, w: LayerWeights, nHeads: Int) -> AttentionGradients {
    let output = linearBackward(dy: dOut, x: layer.context, w: w.wO)
    let dContext = output.dx                                            // [T][d]
    let scale = 1 / Double(x.cols / nHeads).squareRoot()
    let (q, k, v, dc) = (splitHeads(layer.q, count: nHeads), splitHeads(layer.k, count: nHeads),
                         splitHeads(layer.v, count: nHeads), splitHeads(dContext, count: nHeads))
    var dQ: [Tensor] = [], dK: [Tensor] = [], dV: [Tensor] = [], dS: [Tensor] = [], dA: [Tensor] = []
    for h in 0..<nHeads {
        let head = attentionHeadBackward(dContext: dc[h], q: q[h], k: k[h], v: v[h], weights: layer.weights[h], scale: scale)
        dA.append(head.dWeights)
        dS.append(head.dScores)
        dV.append(head.dV)
        dQ.append(head.dQ)
        dK.append(head.dK)
    }
    let (dq, dk, dv) = (mergeHeads(dQ), mergeHeads(dK), mergeHeads(dV)) // [T][d]
    let query = linearBackward(dy: dq, x: x, w: w.wQ)
    let key = linearBackward(dy: dk, x: x, w: w.wK)
    let value = linearBackward(dy: dv, x: x, w: w.wV)
    return AttentionGradients(dx: query.dx + key.dx + value.dx, dQ: dq, dK: dk, dV: dv, dScores: dS, dWeights: dA,
                              dContext: dContext, dWq: query.dW, dWk: key.dW, dWv: value.dW, dWo: output.dW,
                              dBq: query.db, dBk: key.db, dBv: value.db, dBo: output.db)
}

/// One head of causal attention backwards (A = softmax(S), S = q·kᵀ·scale masked, context = A·v),
/// from ∂L/∂context [T][d_head] and the head's q, k, v [T][d_head] and weights A [T][T].
public func attentionHeadBackward(dContext dc: Tensor, q: Tensor, k: Tensor, v: Tensor, weights a: Tensor, scale: Double)
    -> (dQ: Tensor, dK: Tensor, dV: Tensor, dScores: Tensor, dWeights: Tensor) {
    let dWeights = causalMask(matmul(dc, transposed: v), with: 0)       // [T][T] ∂L/∂A = ∂L/∂context·vᵀ
    let dScores = softmaxRowsBackward(dWeights, softmax: a)             // [T][T] ∂L/∂S
    return (dQ: matmul(dScores, k) * scale,                             // [T][d_head] ∂L/∂S·k/√d_head
            dK: matmul(transposed: dScores, q) * scale,                 // [T][d_head] ∂L/∂Sᵀ·q/√d_head
            dV: matmul(transposed: a, dc),                              // [T][d_head] Aᵀ·∂L/∂context
            dScores: dScores, dWeights: dWeights)
}

/// p = softmax(z) row by row: ∂L/∂z = p ⊙ (∂L/∂p − rowsum(p ⊙ ∂L/∂p)), the softmax Jacobian
/// diag(p) − p·pᵀ applied to each row.
public func softmaxRowsBackward(_ dp: Tensor, softmax p: Tensor) -> Tensor {
    var dz = Tensor(zeros: p.shape)                                     // [T][n]
    for i in 0..<p.rows {
        let dot = (0..<p.cols).reduce(0) { $0 + p[i, $1] * dp[i, $1] }
        for j in 0..<p.cols { dz[i, j] = p[i, j] * (dp[i, j] - dot) }
    }
    return dz
}

struct AttentionGradients {
    var dx: Tensor                              // [T][d] the attention's input, LN1's output
    var dQ, dK, dV: Tensor                      // [T][d]
    var dScores: [Tensor]                       // [H][T][T] ∂L/∂S, 0 where masked
    var dWeights: [Tensor]                      // [H][T][T] ∂L/∂A, 0 where masked
    var dContext: Tensor                        // [T][d]
    var dWq, dWk, dWv, dWo: WeightGradient      // [d][d]
    var dBq, dBk, dBv, dBo: [Double]            // [d]
}
