import TransformerEngine

/// mlp.html (per layer): LN2 → W_1 → activation → W_2 → h2 = h1 + mlp_out.
enum MLPPage {
    static let kind = PageKind(template: "mlp", label: "MLP + residual", repeats: .perLayer, followsFocus: true, builtIn: PackageResources.mlp_html) { s, v in context(s, layer: v.layer, focus: v.focus) }

    struct Context: PageContext {
        var ln2Table: TableContext
        var w1Table: TableContext
        /// " + b_1", " + b_2" when the model has these biases.
        var bias1: String
        var bias2: String
        var preTable: TableContext
        var actTable: TableContext
        var w2Table: TableContext
        var outTable: TableContext
        var h2Table: TableContext
        var chart: String
        var isRelu: Bool
        var actName: String
        var zeroedCount: Int
        var dFF: Int
        /// d_ff > d_model: W_1 widens the vector (else it only maps it to d_ff units).
        var widens: Bool
        var dModel: Int
        var noneZeroed: Bool
        var focusWord: String
        var focusCls: String
        var h1Vector: String
        var mlpVector: String
        var h2Vector: String
        var workedPre: WorkedSum
        var workedAct: String
        var workedOut: WorkedSum
        var workedH2: String
        var layerNumber: Int
        var multiLayer: Bool
        var isLastLayer: Bool
        @PagePart var added: ResidualSum
    }

    static func context(_ s: SiteData, layer l: Int, focus f: Int) -> Context {
        let t = s.trace, c = s.model.config, layer = t.layers[l], w = s.model.weights.layers[l]
        let dims = s.dimensionLabels(c.dModel), hidden = s.dimensionLabels(c.dFF, prefix: "u")
        func perToken(_ caption: String, _ m: [[Double]], _ columns: [String]) -> MatrixTable {
            s.tokenTable(caption, m, columns: columns, focus: f, stage: .mlp(l))
        }
        var w1 = MatrixTable(caption: "W_1 (\(c.dModel) × \(c.dFF))", matrix: w.w1, rowLabels: dims, columnLabels: hidden)
        w1.corner = "in \\ hidden"
        var w2 = MatrixTable(caption: "W_2 (\(c.dFF) × \(c.dModel))", matrix: w.w2, rowLabels: hidden, columnLabels: dims)
        w2.corner = "hidden \\ out"
        let isRelu = c.activation == .relu
        let pre = layer.mlpPre.row(f), act = layer.mlpAct.row(f)
        let zeroed = pre.indices.filter { pre[$0] <= 0 }
        let zeroedNames = zeroed.map { hidden[$0] }
        let chart = GroupedBarChartSVG(
            id: "mlp-bars", title: "“\(t.tokens[f])”: hidden units before and after \(isRelu ? "ReLU" : "GELU")",
            description: isRelu
                ? "ReLU sets \(zeroed.count) of \(c.dFF) hidden units of “\(t.tokens[f])” to zero\(zeroed.isEmpty ? "" : " (\(zeroedNames.prefix(8).joined(separator: ", "))\(zeroed.count > 8 ? ", …" : ""))") and keeps the positive ones."
                : "GELU keeps large positive values, pulls negative ones towards zero, and bends values near zero.",
            categories: Array(hidden.prefix(16)),
            series: [.init(name: "before (mlp_pre)", values: Array(pre.prefix(16))),
                     .init(name: "after \(isRelu ? "ReLU" : "GELU")", values: Array(act.prefix(16)))],
            valueAxisLabel: "value", categoryAxisLabel: "hidden unit").render()
        let ln2 = layer.ln2Out.row(f)
        let w1col = (0..<w.w1.rows).map { w.w1[$0, 0] }, w2col = (0..<w.w2.rows).map { w.w2[$0, 0] }
        let actName = isRelu ? "ReLU" : "GELU"
        return Context(
            ln2Table: perToken("LN2(h1): h1 normalised again", layer.ln2Out.nested, dims).render(),
            w1Table: s.sharedTable(w1, name: "W_1", focus: f, stage: .mlp(l)),
            bias1: FormulaTerms.bias(w.b1, "b_1"), bias2: FormulaTerms.bias(w.b2, "b_2"),
            preTable: perToken("mlp_pre = LN2(h1) · W_1\(w.b1 == nil ? "" : " + b_1")", layer.mlpPre.nested, hidden).render(),
            actTable: actTable(s, layer, l, hidden, f, isRelu: isRelu),
            w2Table: s.sharedTable(w2, name: "W_2", focus: f, stage: .mlp(l)),
            outTable: perToken("mlp_out = \(actName)(mlp_pre) · W_2\(w.b2 == nil ? "" : " + b_2")", layer.mlpOut.nested, dims).render(),
            h2Table: perToken("h2 = h1 + mlp_out, the output of \(s.multiLayer ? "block \(l + 1)" : "the block")", layer.residOut.nested, dims).render(),
            chart: chart,
            isRelu: isRelu, actName: actName,
            zeroedCount: zeroed.count, dFF: c.dFF, widens: c.dFF > c.dModel, dModel: c.dModel,
            noneZeroed: zeroed.isEmpty,
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            h1Vector: WorkedSum.vector(layer.residMid.row(f)),
            mlpVector: WorkedSum.vector(layer.mlpOut.row(f)),
            h2Vector: WorkedSum.vector(layer.residOut.row(f)),
            workedPre: WorkedSum.dot(ln2, w1col, bias: w.b1?[0], result: pre[0]),
            workedAct: "\(actName)(\(NumberFormat.short(pre[0], decimals: 4))) = \(NumberFormat.short(act[0], decimals: 4))",
            workedOut: WorkedSum.dot(act, w2col, bias: w.b2?[0], result: layer.mlpOut[f, 0]),
            workedH2: "\(WorkedSum.signed(layer.residMid[f, 0], decimals: 4)) + \(WorkedSum.signed(layer.mlpOut[f, 0], decimals: 4)) = \(NumberFormat.short(layer.residOut[f, 0], decimals: 4))",
            layerNumber: l + 1, multiLayer: s.multiLayer,
            isLastLayer: l == c.nLayers - 1,
            added: ResidualSum(stream: layer.residMid.row(f), branch: layer.mlpOut.row(f), dimensions: dims)
        )
    }

    /// The activation output, with the entries ReLU set to zero marked.
    static func actTable(_ s: SiteData, _ layer: LayerTrace, _ l: Int, _ hidden: [String], _ f: Int, isRelu: Bool) -> TableContext {
        var table = s.tokenTable(isRelu ? "ReLU(mlp_pre): each negative entry becomes 0 (shown as “mlp_pre → 0”)" : "GELU(mlp_pre)",
                                 layer.mlpAct.nested, columns: hidden, focus: f, stage: .mlp(l))
        // ReLU's output is exactly 0 where mlp_pre ≤ 0.
        if isRelu {
            table.zeroTitle = "0 (ReLU: input was ≤ 0)"
            table.zeroedFrom = layer.mlpPre.nested
        }
        return table.render()
    }
}

extension Stage {
    static func mlp(_ layer: Int) -> Stage { Stage(MLPPage.kind, layer: layer) }
}
