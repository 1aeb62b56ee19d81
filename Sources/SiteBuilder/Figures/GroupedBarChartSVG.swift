/// Horizontal grouped bars: for each category one thin bar per series, stacked under each
/// other (e.g. a LayerNorm vector "before" and "after" for d0…d3, or a probability before and
/// after a training step). Series are told apart by fill AND pattern/outline:
/// series 0 solid dark blue, series 1 light orange with diagonal hatching and a dark outline,
/// series 2 light grey with a dashed outline (styles repeat after that).
///
/// - A legend above the chart names the series (`Series.name`) next to a swatch.
/// - Category labels come from `categories` (cut to 14 characters, full text in a `<title>`),
///   optionally coloured with `categoryLabelClasses`.
/// - Each bar is a `<rect>` with `<title>` `"CATEGORY (SERIES): value"` (6 significant digits), inside its series'
///   group; its value label uses `valueFormat`.
public struct GroupedBarChartSVG: Sendable {
    public struct Series: Sendable, Equatable {
        public var name: String
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var id: String
    public var title: String
    public var description: String
    public var categories: [String]
    public var series: [Series]
    public var valueAxisLabel: String
    public var categoryAxisLabel: String
    public var valueFormat: FigureValueFormat
    public var categoryLabelClasses: [String]?

    public init(
        id: String,
        title: String,
        description: String,
        categories: [String],
        series: [Series],
        valueAxisLabel: String,
        categoryAxisLabel: String,
        valueFormat: FigureValueFormat = .number,
        categoryLabelClasses: [String]? = nil
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.categories = categories
        self.series = series
        self.valueAxisLabel = valueAxisLabel
        self.categoryAxisLabel = categoryAxisLabel
        self.valueFormat = valueFormat
        self.categoryLabelClasses = categoryLabelClasses
    }

    /// Fill/stroke attributes of series `k` (pattern ids are prefixed by the figure id).
    private func style(_ k: Int) -> String {
        let eid = Escape.html(id)
        switch k % 3 {
        case 0: return "fill=\"#2166ac\""
        case 1: return "fill=\"url(#\(eid)-hatch1)\" stroke=\"#7f3b08\" stroke-width=\"1.5\""
        default: return "fill=\"#d9d9d9\" stroke=\"#525252\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\""
        }
    }

    public func render() -> String {
        let pad = 8.0
        // Sizes in user units; the chart is drawn about 0.9× on a 390-px phone, so every text
        // stays at 11 px or more there.
        let font = 13.0
        let valueFont = 12.5
        let axisFont = 12.5
        let barHeight = 13.0
        let barGap = 2.0
        let groupGap = 10.0
        let plotWidth = 170.0
        let seriesCount = series.count
        let eid = Escape.html(id)

        func value(_ k: Int, _ c: Int) -> Double? {
            guard c < series[k].values.count else { return nil }
            let v = series[k].values[c]
            return v.isFinite ? v : 0
        }
        let all = series.flatMap { $0.values.filter(\.isFinite) }
        let axis = LinearAxis(min: Swift.min(0, all.min() ?? 0), max: Swift.max(0, all.max() ?? 0))

        let shown = categories.map { FigureText.truncated($0, maxCharacters: 14) }
        let labelWidth = shown.map { FigureText.width($0, fontSize: font) }.max() ?? 0
        let labelColumn = Swift.max(labelWidth, FigureText.width(categoryAxisLabel, fontSize: axisFont)) + 8
        let valueWidth = series.flatMap { $0.values.map { FigureText.width(valueFormat.label($0), fontSize: valueFont) } }.max() ?? 0
        let leftReserve = axis.lo < 0 ? valueWidth + 6 : 0
        let plotX = pad + labelColumn + leftReserve

        // Legend row: swatch + name per series, laid out left to right.
        var legendItems: [(x: Double, name: String)] = []
        var legendX = pad
        for s in series {
            legendItems.append((legendX, s.name))
            legendX += 14 + 5 + FigureText.width(s.name, fontSize: axisFont) + 14
        }
        let legendRight = legendX - 14

        let top = pad + 20 + 18
        let groupHeight = Double(seriesCount) * barHeight + Double(Swift.max(0, seriesCount - 1)) * barGap
        let axisY = top + Double(categories.count) * (groupHeight + groupGap) - groupGap + 6
        let width = Swift.max(plotX + plotWidth + valueWidth + 6, legendRight,
                              plotX + plotWidth / 2 + FigureText.width(valueAxisLabel, fontSize: axisFont) / 2) + pad
        let height = axisY + 36 + pad
        func xOf(_ v: Double) -> Double { axis.position(v, from: plotX, to: plotX + plotWidth) }
        let zeroX = xOf(0)

        var svg = SVGWriter()
        svg.open(id: id, classes: "figure figure-grouped-bars", width: width, height: height, title: title, description: description)
        svg.raw("<defs><pattern id=\"\(eid)-hatch1\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">")
        svg.raw("<rect width=\"5\" height=\"5\" fill=\"#fdb863\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#7f3b08\" stroke-width=\"1.5\"/></pattern></defs>")

        // Legend.
        svg.raw("<g class=\"figure-legend\" fill=\"currentColor\">")
        for (k, item) in legendItems.enumerated() {
            svg.rect(x: item.x, y: pad + 3, width: 14, height: 10, attributes: "class=\"figure-series-\(k)\" " + style(k))
            svg.text(item.name, x: item.x + 19, y: pad + 12, fontSize: axisFont)
        }
        svg.raw("</g>")

        svg.text(categoryAxisLabel, x: pad + labelColumn - 8, y: top - 8, fontSize: axisFont, anchor: "end",
                 attributes: "class=\"figure-axis-label\" fill=\"currentColor\"")

        // Axis.
        svg.valueAxis(axis, xOf: xOf, gridTop: top - 4, axisY: axisY, plotX: plotX, plotWidth: plotWidth,
                      format: valueFormat, label: valueAxisLabel)

        // Category labels, then the bars series by series (each series' fill and pattern set once
        // on its group; each bar titled with its value), then the value labels.
        func barY(_ k: Int, _ c: Int) -> Double { top + Double(c) * (groupHeight + groupGap) + Double(k) * (barHeight + barGap) }
        svg.raw("<g class=\"figure-category-labels\" fill=\"currentColor\" font-size=\"\(SVGWriter.n(font))\" text-anchor=\"end\">")
        for (c, category) in categories.enumerated() {
            let groupY = top + Double(c) * (groupHeight + groupGap)
            var labelAttributes = ""
            if let classes = categoryLabelClasses, c < classes.count, !classes[c].isEmpty {
                labelAttributes = "class=\"\(Escape.html(classes[c]))\""
            }
            svg.label(shown[c], x: pad + labelColumn - 8, y: groupY + groupHeight / 2 + font * 0.35,
                      attributes: labelAttributes, fullText: category)
        }
        svg.raw("</g>")
        for k in 0..<seriesCount {
            svg.raw("<g class=\"figure-bar figure-series-\(k)\" \(style(k))>")
            for (c, category) in categories.enumerated() {
                guard let v = value(k, c) else { continue }
                let end = xOf(v)
                svg.openRect(x: Swift.min(zeroX, end), y: barY(k, c), width: Swift.abs(end - zeroX), height: barHeight)
                svg.raw("><title>")
                svg.escaped(category)
                svg.raw(" (")
                svg.escaped(series[k].name)
                svg.raw("): ")
                svg.escaped(NumberFormat.tooltip(series[k].values[c]))
                svg.raw("</title></rect>")
            }
            svg.raw("</g>")
        }
        svg.raw("<g class=\"figure-num\" fill=\"currentColor\" font-size=\"\(SVGWriter.n(valueFont))\">")
        for k in 0..<seriesCount {
            for c in categories.indices {
                guard let v = value(k, c) else { continue }
                let end = xOf(v)
                let textY = barY(k, c) + barHeight / 2 + valueFont * 0.35
                let text = valueFormat.label(series[k].values[c])
                if v < 0 {
                    svg.label(text, x: end - 4, y: textY, attributes: "text-anchor=\"end\"")
                } else {
                    svg.label(text, x: end + 4, y: textY)
                }
            }
        }
        svg.raw("</g>")

        svg.line(x1: zeroX, y1: top - 4, x2: zeroX, y2: axisY, attributes: "class=\"figure-zero\" stroke=\"currentColor\" stroke-width=\"1.5\"")
        svg.close()
        return svg.output
    }
}
