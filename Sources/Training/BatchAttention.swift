import Foundation
import TransformerEngine

/// Causal attention of a stacked batch, every window and head in one pass over the rows of
/// q | k | v [W·T][3d] (the scores read them in place; the sums over j four columns at a time
/// from a head's columns gathered into SIMD4 lanes). Per window and head (columns of width
/// d_head; row i sees keys 0...i):
///
///     S = q·kᵀ/√d_head masked above the diagonal,  A = softmax(S) by rows,  context = A·v
///
/// and backwards, from ∂L/∂context,
///
///     ∂L/∂A = ∂L/∂context·vᵀ (0 where masked),    ∂L/∂v = Aᵀ·∂L/∂context
///     ∂L/∂S = A ⊙ (∂L/∂A − rowsum(A ⊙ ∂L/∂A)),    ∂L/∂q = ∂L/∂S·k/√d_head,  ∂L/∂k = ∂L/∂Sᵀ·q/√d_head
///
/// Each entry is the engine's sum (`matmul`, `softmax`, `attentionHeadBackward`): the same
/// products added in the same order from +0 (softmax's exp being `VectorMath`'s). The masked terms are left out, which changes no
/// bit: they are ±0, and a sum that starts at +0 is never −0, so adding ±0 leaves it as it is.
struct BatchAttention: Sendable {
    let windowCount, length, heads, d: Int
    var dHead: Int { d / heads }
    var scale: Double { 1 / Double(dHead).squareRoot() }

    /// Where A[i, j] of window w, head h lives in the weights [W·H·T][T].
    func weightIndex(_ w: Int, _ h: Int, _ i: Int, _ j: Int) -> Int { ((w * heads + h) * length + i) * length + j }

    /// Where column c of head h of row i of window w lives in q | k | v (add d for k, 2d for v).
    func qkvIndex(_ w: Int, _ h: Int, _ i: Int, _ c: Int) -> Int { (w * length + i) * 3 * d + h * dHead + c }

    /// A head's d_head columns as SIMD4 lanes (the last padded with zeros): the sums over j
    /// run four columns at a time, each lane its own sum in the same order.
    var lanesPerRow: Int { (dHead + 3) / 4 }

    /// Columns column ..< column + d_head of the rows of window w of `values` (rows `width` wide), as lanes.
    func lanes(_ values: [Double], width: Int, column: Int, window w: Int) -> [SIMD4<Double>] {
        let n4 = lanesPerRow
        var out = [SIMD4<Double>](repeating: .zero, count: length * n4)
        for i in 0..<length {
            for c in 0..<dHead { out[i * n4 + c / 4][c % 4] = values[(w * length + i) * width + column + c] }
        }
        return out
    }

    /// Columns column ..< column + d_head of the rows of window w of `values` (rows `width` wide),
    /// transposed: out[c·T + j] = values[row j][column + c], so a sum over c for every j at once
    /// reads consecutive numbers.
    func transposed(_ values: [Double], width: Int, column: Int, window w: Int) -> [Double] {
        var out = [Double](repeating: 0, count: dHead * length)
        for j in 0..<length {
            for c in 0..<dHead { out[c * length + j] = values[(w * length + j) * width + column + c] }
        }
        return out
    }

    /// The lanes of `lanes` back into those columns of `values` (times `factor`, when given).
    func scatter(_ lanes: [SIMD4<Double>], into values: inout [Double], width: Int, column: Int, window w: Int, times factor: Double? = nil) {
        let n4 = lanesPerRow
        for i in 0..<length {
            for c in 0..<dHead {
                let value = lanes[i * n4 + c / 4][c % 4]
                values[(w * length + i) * width + column + c] = factor.map { value * $0 } ?? value
            }
        }
    }

    /// The weights A [W·H·T][T] (0 above each diagonal) and the heads' outputs side by side [W·T][d].
    func forward(_ qkv: Tensor) -> (weights: Tensor, context: Tensor) {
        let x = qkv.values, t = length, dh = dHead, n4 = lanesPerRow, scale = scale
        var a = [Double](repeating: 0, count: windowCount * heads * t * t)
        var context = [Double](repeating: 0, count: windowCount * t * d)
        for w in 0..<windowCount {
            for h in 0..<heads {
                let keys = transposed(x, width: 3 * d, column: d + h * dh, window: w)  // k[j][c] at keys[c·t + j]
                let v = lanes(x, width: 3 * d, column: 2 * d + h * dh, window: w)
                var out = [SIMD4<Double>](repeating: .zero, count: t * n4)  // the head's context rows
                for i in 0..<t {
                    let q = qkvIndex(w, h, i, 0), row = weightIndex(w, h, i, 0)
                    // S[i, j] = (Σ_c q[i][c]·k[j][c])·scale for j ≤ i, every j's sum at once (c outermost).
                    for c in 0..<dh {
                        let qc = x[q + c]
                        for j in 0...i { a[row + j] += qc * keys[c * t + j] }
                    }
                    for j in 0...i { a[row + j] *= scale }
                    softmaxInPlace(&a, row..<(row + i + 1))
                    for j in 0...i {
                        let weight = a[row + j]
                        for c in 0..<n4 { out[i * n4 + c] += weight * v[j * n4 + c] }
                    }
                }
                scatter(out, into: &context, width: d, column: h * dh, window: w)
            }
        }
        return (Tensor(shape: [windowCount * heads * t, t], values: a), Tensor(shape: [windowCount * t, d], values: context))
    }

    /// ∂L/∂(q | k | v) [W·T][3d] from ∂L/∂context [W·T][d], q | k | v and the weights of `forward`.
    func backward(dContext: Tensor, qkv: Tensor, weights: Tensor) -> Tensor {
        let x = qkv.values, a = weights.values, dc = dContext.values, t = length, dh = dHead, n4 = lanesPerRow, scale = scale
        var g = [Double](repeating: 0, count: windowCount * t * 3 * d)
        var dS = [Double](repeating: 0, count: t)                        // one row of ∂L/∂S
        for w in 0..<windowCount {
            for h in 0..<heads {
                let values = transposed(x, width: 3 * d, column: 2 * d + h * dh, window: w)  // v[j][c] at values[c·t + j]
                let q = lanes(x, width: 3 * d, column: h * dh, window: w)
                let k = lanes(x, width: 3 * d, column: d + h * dh, window: w)
                let dcLanes = lanes(dc, width: d, column: h * dh, window: w)
                var dQ = [SIMD4<Double>](repeating: .zero, count: t * n4), dK = dQ, dV = dQ
                for i in 0..<t {
                    let row = weightIndex(w, h, i, 0), out = (w * t + i) * d + h * dh
                    // ∂L/∂A[i, j] = Σ_c ∂L/∂context[i][c]·v[j][c] for j ≤ i, every j's sum at once.
                    for j in 0...i { dS[j] = 0 }
                    for c in 0..<dh {
                        let dcc = dc[out + c]
                        for j in 0...i { dS[j] += dcc * values[c * t + j] }
                    }
                    var dot = 0.0                                         // rowsum(A ⊙ ∂L/∂A)
                    for j in 0...i { dot += a[row + j] * dS[j] }
                    for j in 0...i { dS[j] = a[row + j] * (dS[j] - dot) }
                    for j in 0...i {
                        let dSij = dS[j], aij = a[row + j]
                        for c in 0..<n4 {
                            dQ[i * n4 + c] += dSij * k[j * n4 + c]        // ∂L/∂q[i] += ∂L/∂S[i, j]·k[j]
                            dK[j * n4 + c] += dSij * q[i * n4 + c]        // ∂L/∂k[j] += ∂L/∂S[i, j]·q[i]
                            dV[j * n4 + c] += aij * dcLanes[i * n4 + c]   // ∂L/∂v[j] += A[i, j]·∂L/∂context[i]
                        }
                    }
                }
                // The 1/√d_head of ∂L/∂q and ∂L/∂k after their sums (as the engine's `matmul(…) * scale`).
                scatter(dQ, into: &g, width: 3 * d, column: h * dh, window: w, times: scale)
                scatter(dK, into: &g, width: 3 * d, column: d + h * dh, window: w, times: scale)
                scatter(dV, into: &g, width: 3 * d, column: 2 * d + h * dh, window: w)
            }
        }
        return Tensor(shape: [windowCount * t, 3 * d], values: g)
    }
}
