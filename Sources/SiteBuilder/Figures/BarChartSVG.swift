/// Horizontal bars, one per category, label on the left (readable on a phone even for long
/// words). Works for positive and signed values: negative bars extend left of the zero line.
///
/// - Category labels: `Bar.label`, cut to 14 characters with "…" (full label in a `<title>`),
///   coloured by `Bar.labelClass` when given. `categoryAxisLabel` is written above them.
/// - Value labels: `valueFormat` (`.number` → `NumberFormat.short`, `.percent` → "38.7%"),
///   right of positive bars, left of negative ones.
/// - The argmax bar gets a bold label, a darker fill and the text `argmaxText` ("▲ prediction");
///   the target bar gets an outline and the text `targetText` ("◆ target"). So colour is never
///   the only cue.
/// - Each bar row is a `<g>` whose `<title>` reads `"LABEL: value"` (NumberFormat.tooltip, 6 significant digits).
/// - The value axis (ticks, light grid lines, `valueAxisLabel`) runs along the bottom.
public struct BarChartSVG: Sendable {
    /// The widest chart, in user units, whose 12.5-unit text is still 11 px in a 390-px phone's
    /// 366-px column (366 × 12.5 / 11).
    static let phoneWidth = 415.0

    public struct Bar: Sendable, Equatable {
        public var label: String
        public var value: Double
        public var isArgmax: Bool
        public var isTarget: Bool
        public var labelClass: String?

        public init(label: String, value: Double, isArgmax: Bool = false, isTarget: Bool = false, labelClass: String? = nil) {
            self.label = label
            self.value = value
            self.isArgmax = isArgmax
            self.isTarget = isTarget
            self.labelClass = labelClass
        }
    }

    public var id: String
    public var title: String
    public var description: String
    public var bars: [Bar]
    public var valueAxisLabel: String
    public var categoryAxisLabel: String
    public var valueFormat: FigureValueFormat
    public var argmaxText: String
    public var targetText: String
    /// The value axis reaches at least this far, so that charts shown side by side share a
    /// scale (nil: it ends just past the largest bar).
    public var axisReach: Double? = nil

    public init(
        id: String,
        title: String,
        description: String,
        bars: [Bar],
        valueAxisLabel: String,
        categoryAxisLabel: String,
        valueFormat: FigureValueFormat = .number,
        argmaxText: String = "▲ prediction",
        targetText: String = "◆ target"
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.bars = bars
        self.valueAxisLabel = valueAxisLabel
        self.categoryAxisLabel = categoryAxisLabel
        self.valueFormat = valueFormat
        self.argmaxText = argmaxText
        self.targetText = targetText
    }

    static let barFill = "#92c5de"
    static let argmaxFill = "#2166ac"

    public func render() -> String {
        let pad = 8.0
        // Sizes in user units; the chart is drawn about 0.9× on a 390-px phone, so every text
        // stays at 11 px or more there.
        let font = 13.0
        let valueFont = 12.5
        let axisFont = 12.5
        let rowHeight = 24.0
        let barHeight = 16.0
        let fullPlotWidth = 170.0

        let values = bars.map { $0.value.isFinite ? $0.value : 0 }
        let axis = LinearAxis(min: Swift.min(0, values.min() ?? 0), max: Swift.max(0, values.max() ?? 0, axisReach ?? 0))
        let shownLabels = bars.map { FigureText.truncated($0.label, maxCharacters: 14) }
        let valueTexts = bars.map { valueFormat.label($0.value) }
        let annotations = bars.map { bar -> String in
            var parts: [String] = []
            if bar.isArgmax { parts.append(argmaxText) }
            if bar.isTarget { parts.append(targetText) }
            return parts.joined(separator: " ")
        }

        let labelWidth = zip(shownLabels, bars).map { FigureText.width($0, fontSize: font, bold: $1.isArgmax) }.max() ?? 0
        let labelColumn = Swift.max(labelWidth, FigureText.width(categoryAxisLabel, fontSize: axisFont)) + 8
        let valueWidths = zip(valueTexts, bars).map { FigureText.width($0, fontSize: valueFont, bold: $1.isArgmax) }
        let maxValueWidth = valueWidths.max() ?? 0
        let annotationWidth = annotations.map { FigureText.width($0, fontSize: valueFont) }.max() ?? 0

        let leftReserve = axis.lo < 0 ? maxValueWidth + 6 : 0
        let plotX = pad + labelColumn + leftReserve
        // The marker sits `markerGap` after the value; at 5 units the widest chart (a bar that is
        // both ▲ prediction and ◆ target) stays 11 px at 390 px.
        let markerGap = 5.0
        let rightReserve = maxValueWidth + 4 + (annotationWidth > 0 ? annotationWidth + markerGap : 0)
        let top = pad + 18
        let axisY = top + Double(bars.count) * rowHeight + 2
        func chartWidth(_ plotWidth: Double) -> Double {
            Swift.max(plotX + plotWidth + rightReserve, plotX + plotWidth / 2 + FigureText.width(valueAxisLabel, fontSize: axisFont) / 2) + pad
        }
        // Long labels (GPT-2's “<id 12897>”, a bar that is ▲ prediction ◆ target) take their room
        // from the plot, down to 110 units, so the chart stays within `phoneWidth`.
        let plotWidth = Swift.max(110, Swift.min(fullPlotWidth, fullPlotWidth - (chartWidth(fullPlotWidth) - Self.phoneWidth)))
        let width = chartWidth(plotWidth)
        let height = axisY + 36 + pad
        func xOf(_ v: Double) -> Double { axis.position(v, from: plotX, to: plotX + plotWidth) }
        let zeroX = xOf(0)

        var svg = SVGWriter()
        svg.open(id: id, classes: "figure figure-bars", width: width, height: height, title: title, description: description)

        // Category axis caption above the labels.
        svg.text(categoryAxisLabel, x: pad + labelColumn - 8, y: pad + 10, fontSize: axisFont, anchor: "end",
                 attributes: "class=\"figure-axis-label\" fill=\"currentColor\"")

        // Grid lines and tick labels.
        svg.valueAxis(axis, xOf: xOf, gridTop: top - 2, axisY: axisY, plotX: plotX, plotWidth: plotWidth,
                      format: valueFormat, label: valueAxisLabel)

        // Bars.
        for (i, bar) in bars.enumerated() {
            let rowY = top + Double(i) * rowHeight
            let barY = rowY + (rowHeight - barHeight) / 2
            let textY = rowY + rowHeight / 2 + font * 0.35
            let end = xOf(values[i])
            let x0 = Swift.min(zeroX, end)
            var classes = "figure-bar"
            if bar.isArgmax { classes += " figure-bar-argmax" }
            if bar.isTarget { classes += " figure-bar-target" }
            svg.raw("<g class=\"\(classes)\"><title>\(Escape.html(bar.label + ": " + NumberFormat.tooltip(bar.value)))</title>")

            var labelAttributes = "fill=\"currentColor\""
            if let c = bar.labelClass, !c.isEmpty { labelAttributes += " class=\"\(Escape.html(c))\"" }
            if bar.isArgmax { labelAttributes += " font-weight=\"700\"" }
            svg.text(shownLabels[i], x: pad + labelColumn - 8, y: textY, fontSize: font, anchor: "end",
                     attributes: labelAttributes, fullText: bar.label)

            var rectAttributes = "fill=\"\(bar.isArgmax ? BarChartSVG.argmaxFill : BarChartSVG.barFill)\""
            if bar.isTarget { rectAttributes += " stroke=\"currentColor\" stroke-width=\"2\"" }
            svg.rect(x: x0, y: barY, width: Swift.abs(end - zeroX), height: barHeight, attributes: rectAttributes)

            let valueAttributes = "class=\"figure-num\" fill=\"currentColor\"" + (bar.isArgmax ? " font-weight=\"700\"" : "")
            if values[i] < 0 {
                svg.text(valueTexts[i], x: end - 4, y: textY, fontSize: valueFont, anchor: "end", attributes: valueAttributes)
                if !annotations[i].isEmpty {
                    svg.text(annotations[i], x: zeroX + 6, y: textY, fontSize: valueFont,
                             attributes: "class=\"figure-marker\" fill=\"currentColor\"")
                }
            } else {
                svg.text(valueTexts[i], x: end + 4, y: textY, fontSize: valueFont, attributes: valueAttributes)
                if !annotations[i].isEmpty {
                    svg.text(annotations[i], x: end + 4 + valueWidths[i] + markerGap, y: textY, fontSize: valueFont,
                             attributes: "class=\"figure-marker\" fill=\"currentColor\"")
                }
            }
            svg.raw("</g>")
        }

        // Zero line on top of the bars.
        svg.line(x1: zeroX, y1: top - 4, x2: zeroX, y2: axisY, attributes: "class=\"figure-zero\" stroke=\"currentColor\" stroke-width=\"1.5\"")
        svg.close()
        return svg.output
    }
}
