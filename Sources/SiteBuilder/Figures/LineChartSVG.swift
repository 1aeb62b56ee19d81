/// One series `values[x]` plotted over x = 0, 1, …, values.count − 1 (e.g. loss per training step).
///
/// - Axes: integer ticks along x with `xAxisLabel` under them; "nice" ticks along y
///   (formatted with `valueFormat`) with `yAxisLabel` written above the y axis.
/// - Each point is a circle with `<title>` `"X_AXIS_LABEL x: value"` (6 significant digits), e.g. `step 3: 1.2345`.
/// - Optional `marker`: a vertical dashed line at `marker.x` with `marker.label` next to it
///   (e.g. "prediction flips at step 7"), plus a ring around that point.
/// - `yIncludesZero` (default true) keeps 0 on the y axis.
/// - Several series (`init(…series:…)`): each its own (x, y) points, the first drawn solid with
///   filled points, the others dashed with hollow ones, named in a legend above the plot;
///   each point's `<title>` is `"X_AXIS_LABEL x, SERIES: value"`.
public struct LineChartSVG: Sendable {
    /// One named line of a chart with several.
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        public init(name: String, points: [Point]) { (self.name, self.points) = (name, points) }
    }
    public struct Point: Sendable, Equatable {
        public var x: Int
        public var y: Double
        public init(x: Int, y: Double) { (self.x, self.y) = (x, y) }
    }

    public struct Marker: Sendable, Equatable {
        public var x: Int
        public var label: String

        public init(x: Int, label: String) {
            self.x = x
            self.label = label
        }
    }

    public var id: String
    public var title: String
    public var description: String
    public var values: [Double]
    public var xAxisLabel: String
    public var yAxisLabel: String
    public var marker: Marker?
    public var yIncludesZero: Bool
    public var valueFormat: FigureValueFormat
    /// The named series, when the chart has several (then `values` is empty).
    public var series: [Series] = []

    /// A chart of several named series over shared x values (e.g. train and validation loss by step).
    public init(id: String, title: String, description: String, series: [Series], xAxisLabel: String, yAxisLabel: String,
                yIncludesZero: Bool = true, valueFormat: FigureValueFormat = .number) {
        self.init(id: id, title: title, description: description, values: [], xAxisLabel: xAxisLabel, yAxisLabel: yAxisLabel,
                  yIncludesZero: yIncludesZero, valueFormat: valueFormat)
        self.series = series
    }

    public init(
        id: String,
        title: String,
        description: String,
        values: [Double],
        xAxisLabel: String,
        yAxisLabel: String,
        marker: Marker? = nil,
        yIncludesZero: Bool = true,
        valueFormat: FigureValueFormat = .number
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.values = values
        self.xAxisLabel = xAxisLabel
        self.yAxisLabel = yAxisLabel
        self.marker = marker
        self.yIncludesZero = yIncludesZero
        self.valueFormat = valueFormat
    }

    /// Axis, tick and legend text (user units): at least 11 px on a 390-px phone.
    static let font = 12.5

    public func render() -> String {
        let pad = 8.0
        let width = 400.0
        let height = 250.0
        let named = !series.isEmpty
        let finite = named ? series.flatMap { $0.points.map(\.y) }.filter(\.isFinite) : values.filter(\.isFinite)
        var lo = finite.min() ?? 0
        var hi = finite.max() ?? 1
        if yIncludesZero { lo = Swift.min(0, lo); hi = Swift.max(0, hi) }
        let yAxis = LinearAxis(min: lo, max: hi, targetTicks: 4)
        let lastX = named ? Swift.max(1, series.flatMap { $0.points.map(\.x) }.max() ?? 1) : Swift.max(1, values.count - 1)
        let xStep = LinearAxis(min: 0, max: Double(lastX), targetTicks: 5, integerSteps: true).step
        let xTicks = stride(from: 0.0, through: Double(lastX), by: xStep).map { $0 }

        let yLabels = yAxis.ticks.map { yAxis.label($0, format: valueFormat) }
        let yLabelWidth = yLabels.map { FigureText.width($0, fontSize: Self.font) }.max() ?? 0
        let plotLeft = pad + yLabelWidth + 8
        let plotRight = width - pad - 12
        let plotTop = pad + 34
        let plotBottom = height - pad - 36
        func px(_ x: Double) -> Double { plotLeft + x / Double(lastX) * (plotRight - plotLeft) }
        func py(_ y: Double) -> Double { yAxis.position(y, from: plotBottom, to: plotTop) }

        var svg = SVGWriter()
        svg.open(id: id, classes: "figure figure-line", width: width, height: height, title: title, description: description)

        svg.raw("<g class=\"figure-axis\" fill=\"currentColor\">")
        svg.text(yAxisLabel, x: pad, y: pad + 12, fontSize: Self.font, attributes: "class=\"figure-axis-label\"")
        for (t, text) in zip(yAxis.ticks, yLabels) {
            let y = py(t)
            svg.line(x1: plotLeft, y1: y, x2: plotRight, y2: y, attributes: "class=\"figure-grid\" stroke=\"currentColor\" stroke-opacity=\"0.15\"")
            svg.text(text, x: plotLeft - 6, y: y + Self.font * 0.35, fontSize: Self.font, anchor: "end", attributes: "class=\"figure-num\"")
        }
        for t in xTicks {
            let x = px(t)
            svg.line(x1: x, y1: plotBottom, x2: x, y2: plotBottom + 4, attributes: "stroke=\"currentColor\"")
            svg.text(NumberFormat.short(t, decimals: 0), x: x, y: plotBottom + 17, fontSize: Self.font, anchor: "middle",
                     attributes: "class=\"figure-num\"")
        }
        svg.line(x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, attributes: "stroke=\"currentColor\"")
        svg.line(x1: plotLeft, y1: plotTop, x2: plotLeft, y2: plotBottom, attributes: "stroke=\"currentColor\"")
        svg.text(xAxisLabel, x: (plotLeft + plotRight) / 2, y: plotBottom + 33, fontSize: Self.font, anchor: "middle",
                 attributes: "class=\"figure-axis-label\"")
        svg.raw("</g>")
        if named { legend(&svg, right: plotRight, y: pad + 12) }

        if let marker, marker.x >= 0, marker.x < Swift.max(1, values.count) {
            let x = px(Double(marker.x))
            let rightHalf = x > (plotLeft + plotRight) / 2
            svg.raw("<g class=\"figure-marker\" fill=\"currentColor\">")
            svg.line(x1: x, y1: plotTop - 12, x2: x, y2: plotBottom,
                     attributes: "stroke=\"currentColor\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"")
            svg.text(marker.label, x: rightHalf ? x - 4 : x + 4, y: plotTop - 4, fontSize: Self.font,
                     anchor: rightHalf ? "end" : "start", attributes: "font-weight=\"700\"")
            svg.raw("</g>")
        }

        if named {
            for (k, line) in series.enumerated() {
                let points = line.points.filter { $0.y.isFinite }
                let dash = k == 0 ? "" : " stroke-dasharray=\"6 4\""
                if points.count > 1 {
                    let list = points.map { "\(SVGWriter.n(px(Double($0.x)))),\(SVGWriter.n(py($0.y)))" }.joined(separator: " ")
                    svg.raw("<polyline class=\"figure-series figure-series-\(k + 1)\" points=\"\(list)\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash)/>")
                }
                let radius = points.count > 60 ? 2.0 : 2.5
                svg.raw("<g class=\"figure-points\" fill=\"currentColor\"\(k == 0 ? "" : " fill-opacity=\"0\" stroke=\"currentColor\" stroke-width=\"1.5\"")>")
                for p in points {
                    let pointTitle = "\(xAxisLabel) \(p.x), \(line.name): \(NumberFormat.tooltip(p.y))"
                    svg.raw("<circle cx=\"\(SVGWriter.n(px(Double(p.x))))\" cy=\"\(SVGWriter.n(py(p.y)))\" r=\"\(SVGWriter.n(radius))\"><title>\(Escape.html(pointTitle))</title></circle>")
                }
                svg.raw("</g>")
            }
            svg.close()
            return svg.output
        }

        // The line, drawn through finite points only.
        let points = values.enumerated().compactMap { i, v -> (Int, Double)? in v.isFinite ? (i, v) : nil }
        if points.count > 1 {
            let list = points.map { "\(SVGWriter.n(px(Double($0.0)))),\(SVGWriter.n(py($0.1)))" }.joined(separator: " ")
            svg.raw("<polyline class=\"figure-series\" points=\"\(list)\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-linejoin=\"round\"/>")
        }
        let radius = values.count > 60 ? 2.0 : 3.5
        svg.raw("<g class=\"figure-points\" fill=\"currentColor\">")
        for (i, v) in points {
            let pointTitle = "\(xAxisLabel) \(i): \(NumberFormat.tooltip(v))"
            let isMarked = marker?.x == i
            svg.raw("<circle cx=\"\(SVGWriter.n(px(Double(i))))\" cy=\"\(SVGWriter.n(py(v)))\" r=\"\(SVGWriter.n(isMarked ? radius + 1.5 : radius))\"")
            if isMarked { svg.raw(" stroke=\"currentColor\" stroke-width=\"2\" fill-opacity=\"0.3\"") }
            svg.raw("><title>\(Escape.html(pointTitle))</title></circle>")
        }
        svg.raw("</g>")
        svg.close()
        return svg.output
    }

    /// The series' names, right-aligned above the plot, each after a short stroke of its line.
    private func legend(_ svg: inout SVGWriter, right: Double, y: Double) {
        svg.raw("<g class=\"figure-legend\" fill=\"currentColor\">")
        var x = right
        for (k, line) in series.enumerated().reversed() {
            let textWidth = FigureText.width(line.name, fontSize: Self.font)
            svg.text(line.name, x: x, y: y, fontSize: Self.font, anchor: "end")
            x -= textWidth + 6
            let dash = k == 0 ? "" : " stroke-dasharray=\"6 4\""
            svg.line(x1: x - 22, y1: y - 4, x2: x, y2: y - 4, attributes: "stroke=\"currentColor\" stroke-width=\"2\"\(dash)")
            x -= 22 + 14
        }
        svg.raw("</g>")
    }
}
