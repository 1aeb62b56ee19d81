import TransformerEngine

/// The backward pass of a batch, L = (1/B) Σ_windows (1/T) Σₜ −ln p(target), in two parts:
///
/// 1. `rowGradients`: from ∂L/∂logits = (p − onehot(target)) / (B·T) back to the embeddings,
///    ∂L/∂(every activation) by the chain rule. Every row's numbers depend on its own window
///    only, so a batch may be cut into parts of whole windows that run side by side.
/// 2. `RowGradients.weightGradients`: each weight's gradient as one product over all B·T rows
///    (∂L/∂W = xᵀ·∂L/∂y), each bias's and LayerNorm parameter's as one sum over them, in the
///    GPT-2 layout (c_attn's q | k | v columns together, wte's gradient the sum of its two uses).
extension BatchForward {
    /// Part 1 for these windows, of a batch of `batchSize` windows.
    func rowGradients(batchSize: Int) -> RowGradients {
        let w = weights

        // Softmax + cross-entropy at every row.
        var dLogits = probs                                                   // [WT][V]
        let perRow = 1 / Double(batchSize) / Double(length), v = probs.cols
        for (r, target) in targets.enumerated() {
            dLogits.values[r * v + target] -= 1
            for j in (r * v)..<((r + 1) * v) { dLogits.values[j] *= perRow }
        }

        // logits = final·wteᵀ, final = LNf(h)
        let dFinal = matmul(dLogits, w.wte)                                   // [WT][d] ∂L/∂final
        let final = layerNormInputBackward(dy: dFinal, x: residOut, norm: lnf, gamma: w.lnf.gamma)
        var dResid = final.dx
        let attention = BatchAttention(windowCount: windowCount, length: length, heads: w.heads, d: w.d)

        var blocks: [RowGradients.Block] = []
        for (layer, block) in zip(layers, w.blocks).reversed() {
            // h2 = h1 + mlp(LN2(h1)), mlp(x) = gelu(x·W_fc + b_fc)·W_proj + b_proj
            let dAct = matmul(dResid, transposed: block.mlpProjWeight)         // [WT][4d]
            let dPre = dAct * layer.actSlope                                    // [WT][4d] ⊙ gelu′(pre)
            let dLn2 = matmul(dPre, transposed: block.fcWeight)                // [WT][d] ∂L/∂LN2(h1)
            let ln2 = layerNormInputBackward(dy: dLn2, x: layer.residMid, norm: layer.ln2, gamma: block.ln2.gamma)
            let dMid = dResid + ln2.dx

            // h1 = x + attention(LN1(x)), attention = context·W_o + b_o
            let dContext = matmul(dMid, transposed: block.projWeight)         // [WT][d]
            let dQKV = attention.backward(dContext: dContext, qkv: layer.qkv, weights: layer.weights) // [WT][3d]
            let dLn1 = matmul(dQKV, transposed: block.attnWeight)             // [WT][d] ∂L/∂LN1(x)
            let ln1 = layerNormInputBackward(dy: dLn1, x: layer.input, norm: layer.ln1, gamma: block.ln1.gamma)
            let dInput = dMid + ln1.dx

            blocks.insert(RowGradients.Block(
                ln1: .init(dy: dLn1, xHat: ln1.xHat),
                attn: .init(x: layer.ln1.output, dy: dQKV),
                proj: .init(x: layer.context, dy: dMid),
                ln2: .init(dy: dLn2, xHat: ln2.xHat),
                fc: .init(x: layer.ln2.output, dy: dPre),
                mlpProj: .init(x: layer.act, dy: dResid)), at: 0)
            dResid = dInput
        }
        return RowGradients(ids: ids, positions: ids.indices.map { $0 % length }, blocks: blocks,
                            lnf: .init(dy: dFinal, xHat: final.xHat),
                            head: .init(x: lnf.output, dy: dLogits), embedded: dResid)
    }
}

/// What part 1 of the backward pass leaves for the weights' gradients, row by row.
struct RowGradients: Sendable {
    /// y = x·W + b: ∂L/∂W = xᵀ·∂L/∂y, ∂L/∂b = Σ_rows ∂L/∂y.
    struct Linear: Sendable { var x, dy: Tensor }
    /// y = x̂ ⊙ γ + β: ∂L/∂γ = Σ_rows ∂L/∂y ⊙ x̂, ∂L/∂β = Σ_rows ∂L/∂y.
    struct Norm: Sendable { var dy, xHat: Tensor }
    struct Block: Sendable { var ln1: Norm, attn: Linear, proj: Linear, ln2: Norm, fc: Linear, mlpProj: Linear }

    var ids: [Int]                              // [WT] each row's token
    var positions: [Int]                        // [WT] each row's position in its window
    var blocks: [Block]
    var lnf: Norm
    var head: Linear                            // logits = final·wteᵀ (x: final, dy: ∂L/∂logits)
    var embedded: Tensor                        // [WT][d] ∂L/∂(wte[id] + wpe[position])

    /// The parts' rows of one tensor one after the other, in order: the whole batch's.
    static func rows(_ tensors: [Tensor]) -> Tensor {
        if tensors.count == 1 { return tensors[0] }
        return Tensor(shape: [tensors.reduce(0) { $0 + $1.rows }, tensors[0].cols], values: tensors.flatMap(\.values))
    }

    /// Part 2: every tensor's gradient in the order of `layout` (names), from all the rows of
    /// the parts, taken in order. The products and sums are shared between the cores whole (one
    /// task each, the one that joins the rows it reads), so no sum is split.
    static func weightGradients(_ parts: [RowGradients], layout: [String], positionCount: Int) -> [[Double]] {
        var tasks: [@Sendable () -> [(name: String, values: [Double])]] = []
        func linear(_ name: String, _ items: [Linear]) {
            tasks.append {
                let (x, dy) = (rows(items.map(\.x)), rows(items.map(\.dy)))
                return [(name + ".weight", matmul(transposed: x, dy).values), (name + ".bias", sumRows(dy))]
            }
        }
        func norm(_ name: String, _ items: [Norm]) {
            tasks.append {
                let (dy, xHat) = (rows(items.map(\.dy)), rows(items.map(\.xHat)))
                return [(name + ".weight", sumRows(dy * xHat)), (name + ".bias", sumRows(dy))]
            }
        }
        let heads = parts.map(\.head), embedded = rows(parts.map(\.embedded))
        let ids = parts.flatMap(\.ids), positions = parts.flatMap(\.positions)
        // wte (the biggest task, so first): its use as W_lm (∂L/∂logitsᵀ·final, [V][d]), then each
        // row's embedding gradient.
        tasks.append {
            var dWte = matmul(transposed: rows(heads.map(\.dy)), rows(heads.map(\.x)))
            for (r, id) in ids.enumerated() {
                for j in 0..<embedded.cols { dWte[id, j] += embedded[r, j] }
            }
            return [("wte.weight", dWte.values)]
        }
        tasks.append {
            var dWpe = Tensor(zeros: [positionCount, embedded.cols])
            for (r, position) in positions.enumerated() {
                for j in 0..<embedded.cols { dWpe[position, j] += embedded[r, j] }
            }
            return [("wpe.weight", dWpe.values)]
        }
        for i in parts[0].blocks.indices {
            let b = parts.map { $0.blocks[i] }, h = "h.\(i)."
            norm(h + "ln_1", b.map(\.ln1))
            linear(h + "attn.c_attn", b.map(\.attn))
            linear(h + "attn.c_proj", b.map(\.proj))
            norm(h + "ln_2", b.map(\.ln2))
            linear(h + "mlp.c_fc", b.map(\.fc))
            linear(h + "mlp.c_proj", b.map(\.mlpProj))
        }
        norm("ln_f", parts.map(\.lnf))
        let work = tasks
        let results = inParallel(work.count) { work[$0]() }
        let byName = Dictionary(uniqueKeysWithValues: results.flatMap { $0 }.map { ($0.name, $0.values) })
        return layout.map { byName[$0]! }
    }
}
