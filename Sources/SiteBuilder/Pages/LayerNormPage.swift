import TransformerEngine

/// layernorm.html (per layer): mean, standard deviation and normalised vector per token.
enum LayerNormPage {
    static let kind = PageKind(template: "layernorm", label: "LayerNorm", repeats: .perLayer, followsFocus: true, builtIn: PackageResources.layernorm_html) { s, v in context(s, layer: v.layer, focus: v.focus) }

    struct Context: PageContext {
        var inputTable: TableContext
        var statsTable: TableContext
        var outTable: TableContext
        var chart: String
        var focusWord: String
        var focusCls: String
        var inputName: String
        var workedMean: String
        var workedDeviations: String
        var workedVariance: String
        var workedStd: String
        var workedFirst: String
        var hasParameters: Bool
        /// " · γᵢ + βᵢ" for the formula, each part only when the model holds it.
        var scaleShift: String
        var eps: String
        var dModel: Int
        var n: String
        var isFirstLayer: Bool
        var layerNumber: Int
        var multiLayer: Bool
    }

    static func context(_ s: SiteData, layer l: Int, focus f: Int) -> Context {
        let t = s.trace, d = s.model.config.dModel, layer = t.layers[l]
        let params = s.model.weights.layers[l].ln1
        let input = layer.input
        let inputName = l == 0 ? "x" : "h2 (layer \(l))"
        let stage = Stage.layerNorm(l)
        let inputTable = s.tokenTable("Input: \(inputName), the residual stream entering \(s.multiLayer ? "block \(l + 1)" : "the block")", input,
                                      columns: s.dimensionLabels(d), focus: f, stage: stage)
        let stats = zip(layer.ln1.mean, layer.ln1.std).map { [$0, $1] }
        let statsTable = s.tokenTable("Per-token statistics: mean and √(variance + ε)", stats,
                                      columns: ["mean", "std"], focus: f, stage: stage)
        let outTable = s.tokenTable("Output: LN1(\(inputName)), each row now has mean 0 and standard deviation ≈ 1", layer.ln1Out,
                                    columns: s.dimensionLabels(d), focus: f, stage: stage)
        let chart = GroupedBarChartSVG(
            id: "ln-bars", title: "“\(t.tokens[f])” before and after LayerNorm",
            description: "Before: mean \(NumberFormat.short(layer.ln1.mean[f])), std \(NumberFormat.short(layer.ln1.std[f])). After: the same shape, centred on 0 and scaled to unit spread.",
            categories: Array(s.dimensionLabels(d).prefix(16)),
            series: [.init(name: "before (\(inputName))", values: Array(input.row(f).prefix(16))),
                     .init(name: "after LN1", values: Array(layer.ln1Out.row(f).prefix(16)))],
            valueAxisLabel: "value", categoryAxisLabel: "dimension").render()
        let row = (mean: layer.ln1.mean[f], variance: layer.ln1.variance[f], std: layer.ln1.std[f]), x = input.row(f)
        let n = Double(d)
        let meanSum = WorkedSum.joinedSum(x)
        let deviations = x.map { $0 - row.mean }
        // Each square and the variance keep 4 decimals, or more when a small one (GPT-2's ~0.02
        // deviations square to ~0.0004) needs them for two significant digits.
        let squares = WorkedSum.shortened(deviations.count, separator: " + ") { NumberFormat.atLeastTwoDigits(deviations[$0] * deviations[$0]) }
        let variance = NumberFormat.atLeastTwoDigits(row.variance)
        let hasGamma = params.gamma != nil || params.beta != nil
        let gamma0 = params.gamma?[0] ?? 1, beta0 = params.beta?[0] ?? 0
        var first = "(\(WorkedSum.signed(x[0], decimals: 4)) − \(WorkedSum.signed(row.mean, decimals: 4))) / \(NumberFormat.short(row.std, decimals: 4))"
        if hasGamma { first += " × \(WorkedSum.signed(gamma0)) + \(WorkedSum.signed(beta0))" }
        first += " = \(NumberFormat.short(layer.ln1Out[f, 0], decimals: 4))"
        return Context(
            inputTable: inputTable.render(),
            statsTable: statsTable.render(),
            outTable: outTable.render(),
            chart: chart,
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            inputName: inputName,
            workedMean: "(\(meanSum)) / \(d) = \(NumberFormat.short(row.mean, decimals: 4))",
            workedDeviations: WorkedSum.vector(deviations, decimals: 4),
            workedVariance: "(\(WorkedSum.squares(deviations, decimals: 4))) / \(d) = (\(squares)) / \(d) = \(variance)",
            workedStd: "√(\(variance) + \(NumberFormat.exact(s.model.config.layerNormEps))) = \(NumberFormat.short(row.std, decimals: 4))",
            workedFirst: first,
            hasParameters: hasGamma,
            scaleShift: FormulaTerms.layerNormScaleShift(params),
            eps: NumberFormat.exact(s.model.config.layerNormEps),
            dModel: d, n: NumberFormat.short(n, decimals: 0),
            isFirstLayer: l == 0,
            layerNumber: l + 1,
            multiLayer: s.multiLayer
        )
    }
}

extension Stage {
    static func layerNorm(_ layer: Int) -> Stage { Stage(LayerNormPage.kind, layer: layer) }
}
