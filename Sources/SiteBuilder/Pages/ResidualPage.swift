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
        /// " + b_o" when the model has W_o's bias.
        var oBias: String
        var xVector: String
        var attnVector: String
        var h1Vector: String
        var workedAttn: WorkedSum
        var workedH1: String
        var multiHead: Bool
        var layerNumber: Int
        var multiLayer: Bool
        @PagePart var added: ResidualSum
    }

    static func context(_ s: SiteData, layer l: Int, focus f: Int) -> Context {
        let t = s.trace, d = s.model.config.dModel, layer = t.layers[l], w = s.model.weights.layers[l]
        let dims = s.dimensionLabels(d)
        var woTable = MatrixTable(caption: "W_o (\(d) × \(d))", matrix: w.wO, rowLabels: dims, columnLabels: dims)
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
                matrix: w.wO, rowLabels: dims, columnLabels: dims, scale: ColorScale.diverging(for: w.wO),
                showValues: d <= 16, rowHeader: "context dimension", columnHeader: "output dimension", legendLabel: "weight").render()
        let column0 = (0..<w.wO.rows).map { w.wO[$0, 0] }
        return Context(
            contextTable: perToken("Context vectors (from attention)", layer.context.nested),
            woTable: s.sharedTable(woTable, name: "W_o", focus: f, stage: .residual(l)),
            attnOutTable: perToken("attn_out = context · W_o\(w.bO == nil ? "" : " + b_o")", layer.attnOut.nested),
            h1Table: perToken("h1 = \(xName) + attn_out", layer.residMid.nested),
            heatmap: heatmap, hasHeatmap: hasHeatmap, figureHref: s.file(.residual(l)),
            chart: chart,
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            xName: xName,
            oBias: FormulaTerms.bias(w.bO, "b_o"),
            xVector: WorkedSum.vector(layer.input.row(f)),
            attnVector: WorkedSum.vector(layer.attnOut.row(f)),
            h1Vector: WorkedSum.vector(layer.residMid.row(f)),
            workedAttn: WorkedSum.dot(layer.context.row(f), column0, bias: w.bO?[0], result: layer.attnOut[f, 0]),
            workedH1: "\(WorkedSum.signed(layer.input[f, 0], decimals: 4)) + \(WorkedSum.signed(layer.attnOut[f, 0], decimals: 4)) = \(NumberFormat.short(layer.residMid[f, 0], decimals: 4))",
            multiHead: s.model.config.nHeads > 1,
            layerNumber: l + 1, multiLayer: s.multiLayer,
            added: ResidualSum(stream: layer.input.row(f), branch: layer.attnOut.row(f), dimensions: dims)
        )
    }
}

/// What a residual sum `out = stream + branch` adds, in numbers: the lengths of the three
/// vectors, how far the sum still points where the stream did, and the dimension the branch
/// moves most.
struct ResidualSum: PageContext {
    var streamLength: String
    var branchLength: String
    var sumLength: String
    var cosine: String
    /// The sum still points roughly where the stream did (cosine ≥ 0.7).
    var keepsDirection: Bool
    var largestDimension: String
    var largestWorked: String

    init(stream: [Double], branch: [Double], dimensions: [String]) {
        func length(_ v: [Double]) -> Double { v.map { $0 * $0 }.reduce(0, +).squareRoot() }
        let sum = zip(stream, branch).map { $0 + $1 }
        let dot = zip(stream, sum).map { $0 * $1 }.reduce(0, +)
        let lengths = length(stream) * length(sum)
        let largest = branch.indices.max { abs(branch[$0]) != abs(branch[$1]) ? abs(branch[$0]) < abs(branch[$1]) : $0 > $1 } ?? 0
        streamLength = NumberFormat.short(length(stream))
        branchLength = NumberFormat.short(length(branch))
        sumLength = NumberFormat.short(length(sum))
        cosine = lengths > 0 ? NumberFormat.short(dot / lengths) : "—"
        keepsDirection = lengths > 0 && dot / lengths >= 0.7
        largestDimension = dimensions[largest]
        largestWorked = "\(WorkedSum.signed(stream[largest])) + \(WorkedSum.signed(branch[largest])) = \(NumberFormat.short(sum[largest]))"
    }
}

extension Stage {
    static func residual(_ layer: Int) -> Stage { Stage(ResidualPage.kind, layer: layer) }
}
