/// residual.html (per layer): attn_out = context·W_o (+ b_o), and h1 = x + attn_out.
enum ResidualPage {
    static let kind = PageKind(template: "residual", label: "W_o + residual", repeats: .perLayer, followsFocus: true, builtIn: PackageResources.residual_html) { s, v in context(s, layer: v.layer, focus: v.focus) }

    struct Context: PageContext {
        var contextTable: TableContext
        var woTable: TableContext
        var attnOutTable: TableContext
        var h1Table: TableContext
        var heatmap: String
        var hasHeatmap: Bool
        var figureHref: String
        var chart: String
        var focusWord: String
        var focusCls: String
        var xName: String
        var xVector: String
        var attnVector: String
        var h1Vector: String
        var workedAttn: WorkedSum
        var workedH1: String
        var multiHead: Bool
        var layerNumber: Int
        var multiLayer: Bool
    }

    static func context(_ s: SiteData, layer l: Int, focus f: Int) -> Context {
        let t = s.trace, d = s.model.config.dModel, layer = t.layers[l], w = s.model.weights.layers[l]
        let dims = s.dimensionLabels(d)
        var woTable = MatrixTable(caption: "W_o (\(d) × \(d))", values: w.wO.nested, rowLabels: dims, columnLabels: dims)
        woTable.corner = "in \\ out"
        func perToken(_ caption: String, _ m: [[Double]]) -> TableContext {
            s.tokenTable(caption, m, columns: dims, focus: f, stage: .residual(l)).render()
        }
        let xName = l == 0 ? "x" : "h2 (layer \(l))"
        let chart = GroupedBarChartSVG(
            id: "resid-bars", title: "“\(t.tokens[f])”: the stream before and after attention",
            description: "The residual stream of “\(t.tokens[f])” before attention (\(xName)) and after adding attn_out (h1).",
            categories: Array(dims.prefix(16)),
            series: [.init(name: "before (\(xName))", values: Array(layer.input.row(f).prefix(16))),
                     .init(name: "after (h1)", values: Array(layer.residMid.row(f).prefix(16)))],
            valueAxisLabel: "value", categoryAxisLabel: "dimension").render()
        let hasHeatmap = s.drawsSharedFigure(cells: d * d, focus: f)
        let heatmap = !hasHeatmap ? "" : HeatmapSVG(
                id: "wo-heatmap", title: "Heatmap of W_o",
                description: "How each context dimension (row) feeds each output dimension (column); strong diagonal values mean a dimension mostly passes through.",
                values: w.wO.nested.map { $0.map { Optional($0) } }, rowLabels: dims, columnLabels: dims, scale: ColorScale.diverging(for: w.wO.nested),
                showValues: d <= 16, rowHeader: "context dimension", columnHeader: "output dimension", legendLabel: "weight").render()
        let column0 = w.wO.nested.map { $0[0] }
        return Context(
            contextTable: perToken("Context vectors (from attention)", layer.context.nested),
            woTable: s.sharedTable(woTable, name: "W_o", focus: f, stage: .residual(l)),
            attnOutTable: perToken("attn_out = context · W_o\(w.bO == nil ? "" : " + b_o")", layer.attnOut.nested),
            h1Table: perToken("h1 = \(xName) + attn_out", layer.residMid.nested),
            heatmap: heatmap, hasHeatmap: hasHeatmap, figureHref: s.file(.residual(l)),
            chart: chart,
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            xName: xName,
            xVector: WorkedSum.vector(layer.input.row(f)),
            attnVector: WorkedSum.vector(layer.attnOut.row(f)),
            h1Vector: WorkedSum.vector(layer.residMid.row(f)),
            workedAttn: WorkedSum.dot(layer.context.row(f), column0, bias: w.bO?[0], result: layer.attnOut[f, 0]),
            workedH1: "\(WorkedSum.signed(layer.input[f, 0], decimals: 4)) + \(WorkedSum.signed(layer.attnOut[f, 0], decimals: 4)) = \(NumberFormat.short(layer.residMid[f, 0], decimals: 4))",
            multiHead: s.model.config.nHeads > 1,
            layerNumber: l + 1, multiLayer: s.multiLayer
        )
    }
}

extension Stage {
    static func residual(_ layer: Int) -> Stage { Stage(ResidualPage.kind, layer: layer) }
}
