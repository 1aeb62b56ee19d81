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
        for (r, target) in targets.enumerated() { dLogits[r, target] -= 1 }
        dLogits = dLogits * (1 / Double(batchSize) / Double(length))

        // logits = final·wteᵀ, final = LNf(h)
        let dFinal = matmul(dLogits, w.wte)                                   // [WT][d] ∂L/∂final
        var dResid = layerNormBackward(dy: dFinal, x: residOut, norm: lnf, gamma: w.lnf.gamma).dx

        var blocks: [RowGradients.Block] = []
        for (layer, block) in zip(layers, w.blocks).reversed() {
            // h2 = h1 + mlp(LN2(h1)), mlp(x) = gelu(x·W_fc + b_fc)·W_proj + b_proj
            let dAct = matmul(dResid, transposed: block.mlpProjWeight)         // [WT][4d]
            let dPre = dAct * layer.actSlope                                    // [WT][4d] ⊙ gelu′(pre)
            let dLn2 = matmul(dPre, transposed: block.fcWeight)                // [WT][d] ∂L/∂LN2(h1)
            let dMid = dResid + layerNormBackward(dy: dLn2, x: layer.residMid, norm: layer.ln2, gamma: block.ln2.gamma).dx

            // h1 = x + attention(LN1(x)), attention = context·W_o + b_o
            let dContext = matmul(dMid, transposed: block.projWeight)         // [WT][d]
            let dQKV = attentionBackward(dContext: dContext, layer: layer)    // [WT][3d]
            let dLn1 = matmul(dQKV, transposed: block.attnWeight)             // [WT][d] ∂L/∂LN1(x)
            let dInput = dMid + layerNormBackward(dy: dLn1, x: layer.input, norm: layer.ln1, gamma: block.ln1.gamma).dx

            blocks.insert(RowGradients.Block(
                ln1: .init(dy: dLn1, xHat: normalised(layer.input, layer.ln1)),
                attn: .init(x: layer.ln1.output, dy: dQKV),
                proj: .init(x: layer.context, dy: dMid),
                ln2: .init(dy: dLn2, xHat: normalised(layer.residMid, layer.ln2)),
                fc: .init(x: layer.ln2.output, dy: dPre),
                mlpProj: .init(x: layer.act, dy: dResid)), at: 0)
            dResid = dInput
        }
        return RowGradients(ids: ids, positions: ids.indices.map { $0 % length }, blocks: blocks,
                            lnf: .init(dy: dFinal, xHat: normalised(residOut, lnf)),
                            head: .init(x: lnf.output, dy: dLogits), embedded: dResid)
    }

    /// ∂L/∂(q | k | v) [WT][3d] from ∂L/∂context [WT][d]: the engine's one-head backward pass
    /// for every window and head.
    func attentionBackward(dContext: Tensor, layer: Layer) -> Tensor {
        let (d, h, t) = (weights.d, weights.heads, length)
        let dHead = d / h, scale = 1 / Double(dHead).squareRoot()
        var dQKV = Tensor(zeros: [windowCount * t, 3 * d])
        for w in 0..<windowCount {
            let rows = (w * t)..<((w + 1) * t)
            for head in 0..<h {
                let columns = (head * dHead)..<((head + 1) * dHead)
                let g = attentionHeadBackward(
                    dContext: dContext.block(rows: rows, columns: columns),
                    q: layer.qkv.block(rows: rows, columns: columns),
                    k: layer.qkv.block(rows: rows, columns: columns.shifted(by: d)),
                    v: layer.qkv.block(rows: rows, columns: columns.shifted(by: 2 * d)),
                    weights: layer.weights[w][head], scale: scale)
                dQKV.setBlock(g.dQ, row: w * t, column: head * dHead)
                dQKV.setBlock(g.dK, row: w * t, column: d + head * dHead)
                dQKV.setBlock(g.dV, row: w * t, column: 2 * d + head * dHead)
            }
        }
        return dQKV
    }

    /// x̂ = (x − μ)/σ row by row, with the statistics the forward LayerNorm recorded.
    func normalised(_ x: Tensor, _ norm: LayerNormOutput) -> Tensor {
        var xHat = x
        for t in 0..<x.rows {
            for i in 0..<x.cols { xHat[t, i] = (x[t, i] - norm.mean[t]) / norm.std[t] }
        }
        return xHat
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

    /// The parts' rows one after the other, in order: the whole batch.
    static func joined(_ parts: [RowGradients]) -> RowGradients {
        if parts.count == 1 { return parts[0] }
        func rows(_ tensors: [Tensor]) -> Tensor {
            Tensor(shape: [tensors.reduce(0) { $0 + $1.rows }, tensors[0].cols], values: tensors.flatMap(\.values))
        }
        func linear(_ items: [Linear]) -> Linear { Linear(x: rows(items.map(\.x)), dy: rows(items.map(\.dy))) }
        func norm(_ items: [Norm]) -> Norm { Norm(dy: rows(items.map(\.dy)), xHat: rows(items.map(\.xHat))) }
        let blocks = parts[0].blocks.indices.map { i in
            let b = parts.map { $0.blocks[i] }
            return Block(ln1: norm(b.map(\.ln1)), attn: linear(b.map(\.attn)), proj: linear(b.map(\.proj)),
                         ln2: norm(b.map(\.ln2)), fc: linear(b.map(\.fc)), mlpProj: linear(b.map(\.mlpProj)))
        }
        return RowGradients(ids: parts.flatMap(\.ids), positions: parts.flatMap(\.positions), blocks: blocks,
                            lnf: norm(parts.map(\.lnf)), head: linear(parts.map(\.head)),
                            embedded: rows(parts.map(\.embedded)))
    }

    /// Part 2: every tensor's gradient in the order of `layout` (names), from all the rows. The
    /// products and sums are shared between the cores whole (one task each), so no sum is split.
    func weightGradients(layout: [String], positionCount: Int) -> [[Double]] {
        var tasks: [(name: String, work: @Sendable () -> [Double])] = []
        func linear(_ name: String, _ l: Linear) {
            tasks.append((name + ".weight", { matmul(transposed: l.x, l.dy).values }))
            tasks.append((name + ".bias", { sumRows(l.dy) }))
        }
        func norm(_ name: String, _ n: Norm) {
            tasks.append((name + ".weight", { sumRows(n.dy * n.xHat) }))
            tasks.append((name + ".bias", { sumRows(n.dy) }))
        }
        for (i, b) in blocks.enumerated() {
            let h = "h.\(i)."
            norm(h + "ln_1", b.ln1)
            linear(h + "attn.c_attn", b.attn)
            linear(h + "attn.c_proj", b.proj)
            norm(h + "ln_2", b.ln2)
            linear(h + "mlp.c_fc", b.fc)
            linear(h + "mlp.c_proj", b.mlpProj)
        }
        norm("ln_f", lnf)
        let (head, embedded, ids, positions) = (head, embedded, ids, positions)
        // wte: its use as W_lm (∂L/∂logitsᵀ·final, [V][d]), then each row's embedding gradient.
        tasks.append(("wte.weight", {
            var dWte = matmul(transposed: head.dy, head.x)
            for (r, id) in ids.enumerated() {
                for j in 0..<embedded.cols { dWte[id, j] += embedded[r, j] }
            }
            return dWte.values
        }))
        tasks.append(("wpe.weight", {
            var dWpe = Tensor(zeros: [positionCount, embedded.cols])
            for (r, position) in positions.enumerated() {
                for j in 0..<embedded.cols { dWpe[position, j] += embedded[r, j] }
            }
            return dWpe.values
        }))
        let work = tasks.map(\.work)
        let results = inParallel(work.count) { work[$0]() }
        let byName = Dictionary(uniqueKeysWithValues: zip(tasks.map(\.name), results))
        return layout.map { byName[$0]! }
    }
}
