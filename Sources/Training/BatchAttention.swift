import FoundationEssentials
import TransformerEngine

/// Causal attention of a stacked batch, window by window and head by head: with q, k, v one
/// head's columns (width d_head) of one window's rows of q | k | v [W·T][3d] (row i sees keys
/// 0...i),
///
///     S = q·kᵀ/√d_head masked above the diagonal,  A = softmax(S) by rows,  context = A·v
///
/// and backwards, from ∂L/∂context,
///
///     ∂L/∂A = ∂L/∂context·vᵀ (0 where masked),    ∂L/∂v = Aᵀ·∂L/∂context
///     ∂L/∂S = A ⊙ (∂L/∂A − rowsum(A ⊙ ∂L/∂A)),    ∂L/∂q = ∂L/∂S·k/√d_head,  ∂L/∂k = ∂L/∂Sᵀ·q/√d_head
///
/// Each product is one `matmul` (the AVX2 kernel), and each entry is the engine's sum
/// (`matmul`, `softmax`, `attentionHeadBackward`): the same products added in the same order
/// from +0 (softmax's exp being `VectorMath`'s). The products also run over the masked terms,
/// which changes no bit: A and ∂L/∂S are +0 there, so those terms are ±0, and a sum that
/// starts at +0 is never −0, so adding ±0 leaves it as it is.

struct BatchAttention: Sendable {
    let windowCount, length, heads, d: Int
    var dHead: Int { d / heads }
    var scale: Double { 1 / Double(dHead).squareRoot() }

    /// Where window w, head h's weights A [T][T] start in the weights [W·H·T][T].
    func weightStart(_ w: Int, _ h: Int) -> Int { (w * heads + h) * length * length }

    /// Window w's rows of `values` [W·T][…], the d_head columns from `column`.
    func block(_ values: Tensor, window w: Int, column: Int) -> Tensor {
        values.block(rows: (w * length)..<((w + 1) * length), columns: column..<(column + dHead))
    }

    /// The weights A [W·H·T][T] (0 above each diagonal) and the heads' outputs side by side [W·T][d].
    func forward(_ qkv: Tensor) -> (weights: Tensor, context: Tensor) {
        let t = length, dh = dHead, scale = scale
        var weights = Tensor(zeros: [windowCount * heads * t, t])
        var context = Tensor(zeros: [windowCount * t, d])
        for w in 0..<windowCount {
            for h in 0..<heads {
                let q = block(qkv, window: w, column: h * dh)
                let k = block(qkv, window: w, column: d + h * dh)
                let v = block(qkv, window: w, column: 2 * d + h * dh)
                var a = matmul(q, transposed: k)                              // [T][T] q·kᵀ
                for i in 0..<t {
                    let row = i * t
                    for j in 0...i { a.values[row + j] *= scale }
                    softmaxInPlace(&a.values, row..<(row + i + 1))
                    for j in (i + 1)..<t { a.values[row + j] = 0 }
                }
                let start = weightStart(w, h)
                weights.values.replaceSubrange(start..<(start + t * t), with: a.values)
                context.setBlock(matmul(a, v), row: w * t, column: h * dh)
            }
        }
        return (weights, context)
    }

    /// ∂L/∂(q | k | v) [W·T][3d] from ∂L/∂context [W·T][d], q | k | v and the weights of `forward`.
    func backward(dContext: Tensor, qkv: Tensor, weights: Tensor) -> Tensor {
        let t = length, dh = dHead, scale = scale
        var g = Tensor(zeros: [windowCount * t, 3 * d])
        for w in 0..<windowCount {
            for h in 0..<heads {
                let q = block(qkv, window: w, column: h * dh)
                let k = block(qkv, window: w, column: d + h * dh)
                let v = block(qkv, window: w, column: 2 * d + h * dh)
                let dC = block(dContext, window: w, column: h * dh)
                let start = weightStart(w, h)
                let a = Tensor(shape: [t, t], values: Array(weights.values[start..<(start + t * t)]))
                var dS = matmul(dC, transposed: v)                            // [T][T] ∂L/∂A
                for i in 0..<t {
                    let row = i * t
                    var dot = 0.0                                             // rowsum(A ⊙ ∂L/∂A)
                    for j in 0...i { dot += a.values[row + j] * dS.values[row + j] }
                    for j in 0...i { dS.values[row + j] = a.values[row + j] * (dS.values[row + j] - dot) }
                    for j in (i + 1)..<t { dS.values[row + j] = 0 }
                }
                // The 1/√d_head of ∂L/∂q and ∂L/∂k after their sums (as the engine's `matmul(…) * scale`).
                g.setBlock(matmul(dS, k) * scale, row: w * t, column: h * dh)
                g.setBlock(matmul(transposed: dS, q) * scale, row: w * t, column: d + h * dh)
                g.setBlock(matmul(transposed: a, dC), row: w * t, column: 2 * d + h * dh)
            }
        }
        return g
    }
}
