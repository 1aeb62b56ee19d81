import TransformerEngine

/// backprop.html: the gradient flowing back through the block, and dL/dW for every matrix on
/// one shared scale.
enum BackpropPage {
    static let kind = PageKind(template: "backprop", label: "Backprop", chapter: .learning, showsLearning: true, builtIn: PackageResources.backprop_html) { s, v in context(s) }

    struct Context: PageContext {
        var common: LearningPages.Common
        var stageTable: TableContext
        var tokenTable: TableContext
        var heatmaps: [Heatmap]
        var blame: [Blame]
        var mostBlamed: String
        var sharedMax: String
        var focusWord: String
        var focusCls: String
        var isRelu: Bool
    }
    struct Heatmap {
        var name: String
        var svg: String
        var largest: String
    }
    struct Blame {
        var name: String
        var largest: String
    }

    /// The gradient heatmaps compare sizes across every matrix of the model at once, so big
    /// matrices are pooled harder than elsewhere (mean of blocks, said in each figure); every
    /// entry is in trace.json under `grads`.
    /// Up to 8×8, the overview's cells carry their own titles; bigger ones are drawn compactly.
    static let titledCells = 64
    static let overviewSize = 16

    static func context(_ s: SiteData) -> any PageContext {
        guard let learning = s.learning else { return LearningPages.noTarget(s) }
        let g = learning.gradients, t = s.trace, c = s.model.config, f = s.lastToken
        let dims = s.dimensionLabels(c.dModel)
        // The gradient vectors of the last token, stage by stage, from the output back to the input.
        // With a final LayerNorm the LM head's input differs from the last block's output.
        var labels: [String] = c.finalLayerNorm ? ["dL/dLNf(h2) (LM head input)"] : []
        var rows: [[Double]] = c.finalLayerNorm ? [g.final.row(f)] : []
        for l in stride(from: c.nLayers - 1, through: 0, by: -1) {
            let lg = g.layers[l], p = s.multiLayer ? "L\(l + 1) " : ""
            labels += [p + "dL/dh2 (block output)", p + "dL/dmlp_out", p + "dL/dLN2(h1)", p + "dL/dh1", p + "dL/dattn_out",
                       p + "dL/dcontext", p + "dL/dLN1(x)", p + "dL/d" + (l == 0 ? "x" : "input")]
            rows += [lg.residOut.row(f), lg.mlpOut.row(f), lg.ln2Out.row(f), lg.residMid.row(f), lg.attnOut.row(f), lg.context.row(f), lg.ln1Out.row(f), lg.input.row(f)]
        }
        var stageTable = MatrixTable(caption: "The gradient of the loss with respect to “\(t.tokens[f])”'s vector at each stage, from the output back to the input",
                                     values: rows, rowLabels: labels, columnLabels: dims)
        stageTable.corner = "stage"
        var tokenTable = MatrixTable(caption: "dL/dx for every token: the gradient reaches earlier tokens only through attention",
                                     values: g.x.nested, rowLabels: s.tokenLabels, columnLabels: dims)
        tokenTable.corner = "position · token"
        tokenTable.rowClasses = s.tokenClasses
        tokenTable.highlightRows = [f]
        // Every weight matrix's gradient on one shared scale.
        var matrices: [(String, [[Double]], [String], [String])] = []
        for l in 0..<c.nLayers {
            let lg = g.layers[l], p = s.multiLayer ? "layer \(l + 1) " : ""
            let hidden = s.dimensionLabels(c.dFF, prefix: "u")
            matrices += [(p + "W_q", lg.wQ.nested, dims, dims), (p + "W_k", lg.wK.nested, dims, dims), (p + "W_v", lg.wV.nested, dims, dims),
                         (p + "W_o", lg.wO.nested, dims, dims), (p + "W_1", lg.w1.nested, dims, hidden), (p + "W_2", lg.w2.nested, hidden, dims)]
        }
        matrices.append(("W_lm", g.wLM.nested, dims, s.model.vocab))
        let sharedMax = matrices.flatMap { $0.1.flatMap { $0 } }.map(abs).max() ?? 0
        let scale = ColorScale.diverging(maxAbs: ColorScale.roundedUp(sharedMax))
        let heatmaps = matrices.enumerated().map { k, m -> Heatmap in
            let largest = m.1.flatMap { $0 }.map(abs).max() ?? 0
            let svg = HeatmapSVG(
                id: "grad-w\(k)", title: "dL/d\(m.0)",
                description: "The gradient of \(m.0) on the shared scale ±\(NumberFormat.short(scale.maximum, decimals: 3)); its largest entry is \(NumberFormat.short(largest, decimals: 4)) in size.",
                values: m.1.map { $0.map { Optional($0) } }, rowLabels: m.2, columnLabels: m.3, scale: scale,
                showValues: false, legendLabel: "dL/dW", maxSize: Self.overviewSize,
                titledCellLimit: Self.titledCells).render()
            return Heatmap(name: m.0, svg: svg, largest: NumberFormat.short(largest, decimals: 4))
        }
        var largestByMatrix: [(name: String, largest: Double)] = matrices.map { m in
            (m.0, m.1.flatMap { $0 }.map(abs).max() ?? 0)
        }
        largestByMatrix.sort { a, b in a.largest != b.largest ? a.largest > b.largest : a.name < b.name }
        let blame: [Blame] = largestByMatrix.map { entry in
            Blame(name: entry.name, largest: NumberFormat.short(entry.largest, decimals: 4))
        }
        return Context(common: LearningPages.common(s), 
            stageTable: stageTable.render(),
            tokenTable: tokenTable.render(),
            heatmaps: heatmaps,
            blame: blame,
            mostBlamed: largestByMatrix.first?.name ?? "",
            sharedMax: NumberFormat.short(scale.maximum, decimals: 3),
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            isRelu: c.activation == .relu
        )
    }
}

extension Stage {
    static let backprop = Stage(BackpropPage.kind)
}
