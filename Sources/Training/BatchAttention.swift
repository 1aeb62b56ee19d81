import Foundation
import TransformerEngine

/// Causal attention of a stacked batch, every window and head in one pass over the rows of
/// q | k | v [W·T][3d], without a copy of any head's columns. Per window and head (columns of
/// width d_head; row i sees keys 0...i):
///
///     S = q·kᵀ/√d_head masked above the diagonal,  A = softmax(S) by rows,  context = A·v
///
/// and backwards, from ∂L/∂context,
///
///     ∂L/∂A = ∂L/∂context·vᵀ (0 where masked),    ∂L/∂v = Aᵀ·∂L/∂context
///     ∂L/∂S = A ⊙ (∂L/∂A − rowsum(A ⊙ ∂L/∂A)),    ∂L/∂q = ∂L/∂S·k/√d_head,  ∂L/∂k = ∂L/∂Sᵀ·q/√d_head
///
/// Each entry is the engine's sum (`matmul`, `softmax`, `attentionHeadBackward`): the same
/// products added in the same order from +0. The masked terms are left out, which changes no
/// bit: they are ±0, and a sum that starts at +0 is never −0, so adding ±0 leaves it as it is.
struct BatchAttention: Sendable {
    let windowCount, length, heads, d: Int
    var dHead: Int { d / heads }
    var scale: Double { 1 / Double(dHead).squareRoot() }

    /// Where A[i, j] of window w, head h lives in the weights [W·H·T][T].
    func weightIndex(_ w: Int, _ h: Int, _ i: Int, _ j: Int) -> Int { ((w * heads + h) * length + i) * length + j }

    /// Where column c of head h of row i of window w lives in q | k | v (add d for k, 2d for v).
    func qkvIndex(_ w: Int, _ h: Int, _ i: Int, _ c: Int) -> Int { (w * length + i) * 3 * d + h * dHead + c }

    /// The weights A [W·H·T][T] (0 above each diagonal) and the heads' outputs side by side [W·T][d].
    func forward(_ qkv: Tensor) -> (weights: Tensor, context: Tensor) {
        let x = qkv.values, t = length, dh = dHead, scale = scale
        var a = [Double](repeating: 0, count: windowCount * heads * t * t)
        var context = [Double](repeating: 0, count: windowCount * t * d)
        for w in 0..<windowCount {
            for h in 0..<heads {
                let keys = qkvIndex(w, h, 0, 0) + d, stride = 3 * d        // k[j][c] at keys + j·stride + c
                for i in 0..<t {
                    let q = qkvIndex(w, h, i, 0), row = weightIndex(w, h, i, 0)
                    // S[i, j] = (Σ_c q[i][c]·k[j][c])·scale for j ≤ i, every j's sum at once (c outermost).
                    for c in 0..<dh {
                        let qc = x[q + c]
                        for j in 0...i { a[row + j] += qc * x[keys + j * stride + c] }
                    }
                    for j in 0...i { a[row + j] *= scale }
                    var largest = a[row]
                    for j in 0...i where largest < a[row + j] { largest = a[row + j] }
                    var sum = 0.0
                    for j in 0...i {
                        a[row + j] = a[row + j] == -.infinity ? 0 : exp(a[row + j] - largest)
                        sum += a[row + j]
                    }
                    for j in 0...i { a[row + j] /= sum }
                    let out = (w * t + i) * d + h * dh
                    for j in 0...i {
                        let v = keys + j * stride + d, weight = a[row + j]
                        for c in 0..<dh { context[out + c] += weight * x[v + c] }
                    }
                }
            }
        }
        return (Tensor(shape: [windowCount * heads * t, t], values: a), Tensor(shape: [windowCount * t, d], values: context))
    }

    /// ∂L/∂(q | k | v) [W·T][3d] from ∂L/∂context [W·T][d], q | k | v and the weights of `forward`.
    func backward(dContext: Tensor, qkv: Tensor, weights: Tensor) -> Tensor {
        let x = qkv.values, a = weights.values, dc = dContext.values, t = length, dh = dHead, scale = scale
        var g = [Double](repeating: 0, count: windowCount * t * 3 * d)
        var dS = [Double](repeating: 0, count: t)                        // one row of ∂L/∂S
        for w in 0..<windowCount {
            for h in 0..<heads {
                let values = qkvIndex(w, h, 0, 0) + 2 * d, stride = 3 * d  // v[j][c] at values + j·stride + c
                for i in 0..<t {
                    let row = weightIndex(w, h, i, 0), out = (w * t + i) * d + h * dh
                    // ∂L/∂A[i, j] = Σ_c ∂L/∂context[i][c]·v[j][c] for j ≤ i, every j's sum at once.
                    for j in 0...i { dS[j] = 0 }
                    for c in 0..<dh {
                        let dcc = dc[out + c]
                        for j in 0...i { dS[j] += dcc * x[values + j * stride + c] }
                    }
                    var dot = 0.0                                         // rowsum(A ⊙ ∂L/∂A)
                    for j in 0...i { dot += a[row + j] * dS[j] }
                    for j in 0...i { dS[j] = a[row + j] * (dS[j] - dot) }
                    let q = qkvIndex(w, h, i, 0)
                    for j in 0...i {
                        let k = qkvIndex(w, h, j, 0), dSij = dS[j], aij = a[row + j]
                        for c in 0..<dh {
                            g[q + c] += dSij * x[k + d + c]               // ∂L/∂q[i] += ∂L/∂S[i, j]·k[j]
                            g[k + d + c] += dSij * x[q + c]               // ∂L/∂k[j] += ∂L/∂S[i, j]·q[i]
                            g[k + 2 * d + c] += aij * dc[out + c]         // ∂L/∂v[j] += A[i, j]·∂L/∂context[i]
                        }
                    }
                }
            }
        }
        // The 1/√d_head of ∂L/∂q and ∂L/∂k, after their sums (as the engine's `matmul(…) * scale`).
        for r in 0..<(windowCount * t) {
            for c in 0..<(2 * d) { g[r * 3 * d + c] *= scale }
        }
        return Tensor(shape: [windowCount * t, 3 * d], values: g)
    }
}
