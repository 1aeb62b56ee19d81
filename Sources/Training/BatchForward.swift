import FoundationEssentials
import TransformerEngine
import Glibc

/// The forward pass of windows at once: W windows of T input ids stacked into one [W·T][d]
/// tensor, rows w·T ..< (w+1)·T being window w, so that every weight multiplies all W·T rows
/// in one product. Everything but attention works row by row; attention is causal
/// within each window (a row sees the rows of its own window up to itself). Each row gets
/// the operations the engine's `Transformer.forward` does on its window alone, in the same
/// order (a product's entry is one sum over k, whatever the other rows), except that the exp
/// of the softmaxes and the tanh of gelu are `VectorMath`'s, a few units in the last place
/// from the engine's: a row's numbers depend on its own window only.
struct BatchForward: Sendable {
    /// What one block recorded for the backward pass.
    struct Layer: Sendable {
        var input: Tensor                   // [BT][d]  the residual stream entering the block
        var ln1: LayerNormOutput            // [BT][d]
        var qkv: Tensor                     // [BT][3d] LN1(x)·c_attn + b: q | k | v
        var weights: Tensor                 // [B·H·T][T] attention weights, window by window, head by head
        var context: Tensor                 // [BT][d]  the heads' outputs side by side
        var residMid: Tensor                // [BT][d]  h1
        var ln2: LayerNormOutput            // [BT][d]
        var act: Tensor                     // [BT][4d] gelu(pre), pre = LN2(h1)·c_fc + b
        var actSlope: Tensor                // [BT][4d] gelu′(pre)
    }

    let weights: LayoutWeights
    let windowCount: Int                    // B
    let length: Int                         // T
    let ids: [Int]                          // [BT] inputs
    let targets: [Int]                      // [BT] the next id of each input
    let layers: [Layer]
    let residOut: Tensor                    // [BT][d]  the last block's output
    let lnf: LayerNormOutput                // [BT][d]  the LM head's input
    let probs: Tensor                       // [BT][V]  softmax of the logits LNf(h)·wteᵀ

    /// Runs `parameters` on `windows` of T + 1 ids each (input ids[0..<T], targets ids[1...T]).
    init(_ parameters: GPT2Parameters, windows: [ArraySlice<Int>]) {
        let t = (windows.first?.count ?? 1) - 1
        precondition(t > 0 && windows.allSatisfy { $0.count == t + 1 }, "windows of different lengths")
        weights = LayoutWeights(parameters)
        (windowCount, length) = (windows.count, t)
        ids = windows.flatMap { $0.dropLast() }
        targets = windows.flatMap { $0.dropFirst() }

        let w = weights
        let positions = (0..<windowCount).flatMap { _ in 0..<t }
        let attention = BatchAttention(windowCount: windowCount, length: t, heads: w.heads, d: w.d)
        var x = w.wte[rows: ids] + w.wpe[rows: positions]                // [BT][d] tok_emb + pos_emb
        var layers: [Layer] = []
        for block in w.blocks {
            let ln1 = layerNorm(x, block.ln1, eps: w.eps)
            let qkv = matmul(ln1.output, block.attnWeight, bias: block.attnBias)            // [BT][3d]
            let (heads, context) = attention.forward(qkv)
            let residMid = x + matmul(context, block.projWeight, bias: block.projBias)    // h1
            let ln2 = layerNorm(residMid, block.ln2, eps: w.eps)
            let pre = matmul(ln2.output, block.fcWeight, bias: block.fcBias)               // [BT][4d]
            let (act, actSlope) = geluAndSlope(pre)
            layers.append(Layer(input: x, ln1: ln1, qkv: qkv, weights: heads, context: context,
                                residMid: residMid, ln2: ln2, act: act, actSlope: actSlope))
            x = residMid + matmul(act, block.mlpProjWeight, bias: block.mlpProjBias)       // h2
        }
        self.layers = layers
        residOut = x
        lnf = layerNorm(x, w.lnf, eps: w.eps)
        var logits = matmul(lnf.output, transposed: w.wte)                                  // [BT][V]
        for r in 0..<logits.rows { softmaxInPlace(&logits.values, (r * logits.cols)..<((r + 1) * logits.cols)) }
        probs = logits
    }

    /// The loss of each window: (1/T) Σₜ −ln p(target at t).
    var windowLosses: [Double] {
        (0..<windowCount).map { w in
            var loss = 0.0
            for r in (w * length)..<((w + 1) * length) { loss -= log(probs[r, targets[r]]) }
            return loss / Double(length)
        }
    }

    /// The batch's loss: the mean of the windows' losses.
    var loss: Double { windowLosses.reduce(0, +) / Double(windowCount) }
}
