import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SiteBuilder
import TransformerEngine

// MARK: - Helpers

/// Parses `svg` as a standalone XML document; returns the parser error, if any.
private func xmlError(_ svg: String) -> String? {
    let parser = XMLParser(data: Data(svg.utf8))
    if parser.parse() { return nil }
    return parser.parserError.map { "\($0)" } ?? "unknown parse error"
}

private let nasty = "<b>&\"'"
private let nastyEscaped = "&lt;b&gt;&amp;&quot;&#39;"

private func smallHeatmap() -> HeatmapSVG {
    HeatmapSVG(id: "h", title: "T", description: "D",
               values: [[1, nil], [0.25, 0.75]],
               rowLabels: ["on", "the"], columnLabels: ["on", "the"],
               scale: .sequential(max: 1), showValues: true)
}

private func smallBarChart() -> BarChartSVG {
    BarChartSVG(id: "b", title: "T", description: "D", bars: [
        .init(label: "mat", value: 0.5, isArgmax: true),
        .init(label: "rug", value: 0.3, isTarget: true),
        .init(label: "cat", value: 0.2),
    ], valueAxisLabel: "probability", categoryAxisLabel: "word")
}

/// One of every figure, fed awkward input (escaping, emoji, NaN, negative values, masks).
private func allFigures(label: String = nasty) -> [String] {
    var attention: [[Double?]] = []
    for i in 0..<5 { attention.append((0..<5).map { j in j > i ? nil : 1 / Double(i + 1) }) }
    let words = [label, "the", "🐈‍⬛ cat", "extraordinarily", "a"]
    var big: [[Double?]] = []
    for i in 0..<130 {
        var row: [Double?] = []
        for j in 0..<70 { row.append((i + j) % 7 == 0 ? nil : sin(Double(i * j))) }
        big.append(row)
    }
    var figures: [String] = []
    figures.append(HeatmapSVG(id: "att", title: label, description: label, values: attention, rowLabels: words, columnLabels: words,
               scale: .sequential(max: 1), showValues: true, highlightRow: 2, rowHeader: label, columnHeader: label,
               rowLabelClasses: (0..<5).map { "tok-\($0)" }, columnLabelClasses: (0..<5).map { "tok-\($0)" },
               legendLabel: label, maskedText: label).render())
    figures.append(HeatmapSVG(id: "big", title: "t", description: "d", values: big, rowLabels: [label], columnLabels: [],
               scale: .diverging(forMasked: big), highlightRow: 100).render())
    figures.append(HeatmapSVG(id: "empty", title: "t", description: "d", values: [], rowLabels: [], columnLabels: [],
               scale: .diverging(maxAbs: 0)).render())
    figures.append(HeatmapSVG(id: "nonfinite", title: "t", description: "d", values: [[.nan, .infinity], [-.infinity]],
               rowLabels: ["a"], columnLabels: ["b"], scale: .diverging(maxAbs: 1), showValues: true).render())
    figures.append(BarChartSVG(id: "bars", title: label, description: label, bars: [
        .init(label: label, value: 0.4, isArgmax: true, isTarget: true, labelClass: "tok-0"),
        .init(label: "extraordinarily long word", value: 0.35),
        .init(label: "🐈", value: 0.25),
    ], valueAxisLabel: label, categoryAxisLabel: label, valueFormat: .percent, argmaxText: label, targetText: label).render())
    figures.append(BarChartSVG(id: "logits", title: "t", description: "d", bars: [
        .init(label: "mat", value: -0.5, isArgmax: true),
        .init(label: "rug", value: -3.25, isTarget: true),
        .init(label: "x", value: .nan),
        .init(label: "y", value: 2),
    ], valueAxisLabel: "logit", categoryAxisLabel: "word").render())
    figures.append(BarChartSVG(id: "none", title: "t", description: "d", bars: [], valueAxisLabel: "v", categoryAxisLabel: "c").render())
    figures.append(GroupedBarChartSVG(id: "ln", title: label, description: label, categories: ["d0", "d1", label, "d3"], series: [
        .init(name: "before", values: [0.5, -1.2, 2, 0.1]),
        .init(name: label, values: [0.1, -1.4, 1.5]),
        .init(name: "third", values: [1, 1, 1, 1]),
    ], valueAxisLabel: label, categoryAxisLabel: label, categoryLabelClasses: ["a", "b"]).render())
    figures.append(sampleStack(layers: 2, heads: 3, label: label).render())
    figures.append(sampleStack(layers: 12, heads: 12, label: label).render())
    figures.append(LineChartSVG(id: "loss", title: label, description: label, values: [3, 2.5, .nan, 1.25, 1, 0.9],
                 xAxisLabel: label, yAxisLabel: label, marker: .init(x: 3, label: label)).render())
    figures.append(LineChartSVG(id: "flat", title: "t", description: "d", values: [2, 2], xAxisLabel: "x", yAxisLabel: "y",
                 yIncludesZero: false).render())
    figures.append(LineChartSVG(id: "one", title: "t", description: "d", values: [], xAxisLabel: "x", yAxisLabel: "y",
                 marker: .init(x: 40, label: "out of range")).render())
    return figures
}

// MARK: - Number formatting

@Test func svgNumberFormatting() {
    #expect(SVGNumber.format(0) == "0")
    #expect(SVGNumber.format(-0.0) == "0")
    #expect(SVGNumber.format(-0.004) == "0")
    #expect(SVGNumber.format(0.004) == "0")
    #expect(SVGNumber.format(12.5) == "12.5")
    #expect(SVGNumber.format(12.50001) == "12.5")
    #expect(SVGNumber.format(3.14159) == "3.14")
    #expect(SVGNumber.format(-2.7) == "-2.7")
    #expect(SVGNumber.format(-0.07) == "-0.07")
    #expect(SVGNumber.format(100) == "100")
    #expect(SVGNumber.format(0.1 + 0.2) == "0.3")
    #expect(SVGNumber.format(1.999) == "2")
    #expect(SVGNumber.format(216.48) == "216.48")
    #expect(SVGNumber.format(0.125, decimals: 3) == "0.125")
    #expect(SVGNumber.format(.nan) == "0")
    #expect(SVGNumber.format(.infinity) == "0")
}

// MARK: - Colour scale

@Test func divergingScaleEndpointsAndMidpoint() {
    let scale = ColorScale.diverging(maxAbs: 2)
    #expect(scale.minimum == -2 && scale.maximum == 2)
    #expect(scale.color(-2) == "#2166ac")
    #expect(scale.color(0) == "#f7f7f7")
    #expect(scale.color(2) == "#b2182b")
    #expect(scale.color(-50) == "#2166ac")  // clamped
    #expect(scale.color(50) == "#b2182b")
    #expect(scale.color(.nan) == "#bdbdbd")
    // Between stops 4 (#f7f7f7) and 5 (#fddbc7), a quarter of the way.
    #expect(ColorScale.diverging(maxAbs: 8).color(0.5) == "#f9f0eb")
    #expect(scale.textColor(-2) == "#ffffff")
    #expect(scale.textColor(0) == "#000000")
    #expect(scale.textColor(2) == "#ffffff")
    #expect(ColorScale.diverging(maxAbs: 0).maximum == 1)
    #expect(ColorScale.diverging(maxAbs: -.infinity).maximum == 1)
}

@Test func sequentialScaleEndpointsAndMidpoint() {
    let scale = ColorScale.sequential(max: 1)
    #expect(scale.color(0) == "#fcfbfd")
    #expect(scale.color(0.5) == "#9e9ac8")
    #expect(scale.color(1) == "#3f007d")
    #expect(scale.color(-1) == "#fcfbfd")
    #expect(scale.textColor(0) == "#000000")
    #expect(scale.textColor(1) == "#ffffff")
    #expect(ColorScale.sequential(max: 0).maximum == 1)
}

@Test func divergingScaleForValuesRoundsUp() {
    let a = ColorScale.diverging(for: [[0.3868, -0.2], [0.1]])
    #expect(a.kind == .diverging)
    #expect(a.maximum == 0.39 && a.minimum == -0.39)
    #expect(ColorScale.diverging(for: [[-3.27]]).maximum == 3.3)
    #expect(ColorScale.diverging(for: [[12.4, 1]]).maximum == 13)
    #expect(ColorScale.diverging(for: [[0.5]]).maximum == 0.5)
    #expect(ColorScale.diverging(for: [[0, 0], [0]]).maximum == 1)
    #expect(ColorScale.diverging(for: []).maximum == 1)
    #expect(ColorScale.diverging(forMasked: [[nil, -0.02], [nil]]).maximum == 0.02)
    #expect(ColorScale.sequential(for: [[0.3868, 0.1]]).maximum == 0.39)
}

// MARK: - Heatmap

@Test func heatmapTwoByTwoWithMaskedCell() {
    let expected = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 216.48 140" style="max-width: 325px; min-width: 173px; --natural-width: 217px" role="img" aria-labelledby="h-title h-desc" class="figure figure-heatmap">\
    <title id="h-title">T</title><desc id="h-desc">D</desc>\
    <defs><linearGradient id="h-legend" x1="0" y1="0" x2="1" y2="0">\
    <stop offset="0" stop-color="#fcfbfd"/><stop offset="0.125" stop-color="#efedf5"/><stop offset="0.25" stop-color="#dadaeb"/>\
    <stop offset="0.375" stop-color="#bcbddc"/><stop offset="0.5" stop-color="#9e9ac8"/><stop offset="0.625" stop-color="#807dba"/>\
    <stop offset="0.75" stop-color="#6a51a3"/><stop offset="0.875" stop-color="#54278f"/><stop offset="1" stop-color="#3f007d"/>\
    </linearGradient>\
    <pattern id="h-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
    <rect width="6" height="6" fill="#e6e6e6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a0a0a0" stroke-width="2"/></pattern></defs>\
    <g class="figure-column-labels" fill="currentColor" font-size="12" text-anchor="middle">\
    <text x="57.48" y="22">on</text>\
    <text x="103.48" y="22">the</text></g>\
    <g class="figure-row-labels" fill="currentColor" font-size="12" text-anchor="end">\
    <text x="28.48" y="47.2">on</text>\
    <text x="28.48" y="77.2">the</text></g>\
    <g class="figure-cells">\
    <g><title>on → on: 1</title><rect x="34.48" y="28" width="45" height="29" fill="#3f007d"/>\
    <text x="56.98" y="46.35" font-size="11" text-anchor="middle" class="figure-num" fill="#ffffff">1.00</text></g>\
    <rect x="80.48" y="28" width="45" height="29" class="figure-masked" fill="url(#h-hatch)"><title>on → the: masked (future token)</title></rect>\
    <g><title>the → on: 0.25</title><rect x="34.48" y="58" width="45" height="29" fill="#dadaeb"/>\
    <text x="56.98" y="76.35" font-size="11" text-anchor="middle" class="figure-num" fill="#000000">0.25</text></g>\
    <g><title>the → the: 0.75</title><rect x="80.48" y="58" width="45" height="29" fill="#6a51a3"/>\
    <text x="102.98" y="76.35" font-size="11" text-anchor="middle" class="figure-num" fill="#ffffff">0.75</text></g>\
    </g>\
    <g class="figure-legend" fill="currentColor">\
    <rect x="34.48" y="106" width="160" height="10" fill="url(#h-legend)" stroke="currentColor" stroke-width="0.5"/>\
    <line x1="34.48" y1="116" x2="34.48" y2="119" stroke="currentColor"/>\
    <text x="34.48" y="130" font-size="11" text-anchor="start" class="figure-num">0.00</text>\
    <line x1="194.48" y1="116" x2="194.48" y2="119" stroke="currentColor"/>\
    <text x="194.48" y="130" font-size="11" text-anchor="end" class="figure-num">1.00</text></g>\
    </svg>
    """
    #expect(smallHeatmap().render() == expected)
}

/// Past `titledCellLimit` cells, one path per quantised colour (cells are strokes, dashed to
/// keep the 1-px gaps), one hatched path for every masked cell, and one titled band per row
/// instead of a title per cell, all in the grid's own coordinates.
@Test func bigHeatmapIsDrawnCompactly() {
    var map = smallHeatmap()
    map.showValues = false
    map.titledCellLimit = 3
    let svg = map.render()
    let cells = """
    <g class="figure-cells" transform="translate(34.48 28)">\
    <g fill="none" stroke-width="25" stroke-dasharray="25 1" transform="translate(0 12.5)">\
    <path stroke="#3f007d" d="M0 0h26"/>\
    <path stroke="#dadaeb" d="M0 26h26"/>\
    <path stroke="#6a51a3" d="M26 26h26"/>\
    </g>\
    <path class="figure-masked" fill="url(#h-hatch)" d="M26 0h25v25H26z"><title>hatched cells: masked (future token)</title></path>\
    <rect x="0" y="0" width="25" height="25" class="figure-row-band" fill="transparent"><title>on: from 1.0000 (on) to 1.0000 (on)</title></rect>\
    <rect x="0" y="26" width="51" height="25" class="figure-row-band" fill="transparent"><title>the: from 0.2500 (on) to 0.7500 (the)</title></rect>\
    </g>
    """
    #expect(svg.contains(cells), "\(svg)")
    // Wider than the 2 × 2 drawing, the caption takes two lines.
    #expect(svg.contains(">row tooltips give the ranges;</text>") && svg.contains(">exact values are in trace.json</text>"))
    #expect(!svg.contains("<title>on → on"))
    // The same colours as the titled drawing where the quantised level meets a stop.
    #expect(map.scale.color(1) == "#3f007d")
}

/// In the compact drawing, cells of one colour side by side in a row are one stroke (its
/// dashes keep the gaps between them); a different colour starts a new one.
@Test func compactHeatmapJoinsRunsOfOneColour() {
    var map = HeatmapSVG(id: "r", title: "t", description: "d", values: [[0.5, 0.5, 0.5, 0.25], [0.5, 0.25, 0.25, 0.5]],
                         rowLabels: ["a", "b"], columnLabels: ["w", "x", "y", "z"], scale: .sequential(max: 1))
    map.titledCellLimit = 1
    let svg = map.render()
    let half = map.scale.color(0.5), quarter = map.scale.color(0.25)  // on the quantised levels
    #expect(half != quarter)
    #expect(svg.contains("<path stroke=\"\(half)\" d=\"M0 0h78M0 26h26M78 26h26\"/>"), "\(svg)")
    #expect(svg.contains("<path stroke=\"\(quarter)\" d=\"M78 0h26M26 26h52\"/>"), "\(svg)")
}

@Test func heatmapDivergingLegendHasMinZeroMax() {
    let svg = HeatmapSVG(id: "e", title: "t", description: "d", values: [[-0.3, 0.2]], rowLabels: ["cat"],
                         columnLabels: ["d0", "d1"], scale: .diverging(for: [[-0.3, 0.2]])).render()
    #expect(svg.contains(">−0.30</text>"))
    #expect(svg.contains(">0.00</text>"))
    #expect(svg.contains(">0.30</text>"))
    #expect(svg.contains("<title>cat → d0: −0.3</title>"))
    #expect(!svg.contains("figure-masked"))
    #expect(!svg.contains("-hatch"))  // no pattern when nothing is masked
}

/// A small scale's legend ends say what the captions say (±0.0074), not a rounded ±0.01.
@Test func heatmapLegendShowsASmallScalesTwoSignificantDigits() {
    let svg = HeatmapSVG(id: "g", title: "t", description: "d", values: [[-0.0074, 0.003]], rowLabels: ["d0"],
                         columnLabels: ["d0", "d1"], scale: .diverging(for: [[-0.0074, 0.003]])).render()
    #expect(svg.contains(">−0.0074</text>") && svg.contains(">0.0074</text>") && svg.contains(">0</text>"))
    #expect(!svg.contains(">0.01</text>"))
}

@Test func heatmapOptionsAppear() {
    let svg = HeatmapSVG(id: "a", title: "t", description: "d", values: [[1, nil], [0.5, 0.5]],
                         rowLabels: ["extraordinarily", "b"], columnLabels: ["extraordinarily", "b"],
                         scale: .sequential(max: 1), highlightRow: 1, rowHeader: "query token", columnHeader: "key token",
                         rowLabelClasses: ["tok-0", "tok-1"], columnLabelClasses: ["tok-0", "tok-1"],
                         legendLabel: "attention weight", cellTitleSeparator: ", ").render()
    #expect(svg.contains(">query token</text>"))
    #expect(svg.contains(">key token</text>"))
    #expect(svg.contains(">attention weight</text>"))
    #expect(svg.contains("class=\"figure-highlight\""))
    #expect(svg.contains("class=\"tok-1\" font-weight=\"700\">b</text>"))
    // Long column label: truncated to 10 characters, rotated, full word in a <title>.
    #expect(svg.contains("<g class=\"figure-column-labels\" fill=\"currentColor\" font-size=\"12\" transform=\"rotate(-45)\">"))
    // Each mark colour is one path.
    #expect(svg.contains("<path class=\"figure-mark tok-1\" fill=\"none\" d=\""))
    #expect(svg.contains("<title>extraordinarily</title>extraordi…</text>"))
    #expect(svg.contains("<title>extraordinarily, b: masked (future token)</title>"))
    #expect(!svg.contains("figure-num\" fill"))  // showValues is off
}

/// A caption wider than the drawing breaks after a "; " instead of widening it.
@Test func heatmapCaptionWrapsAfterSemicolons() {
    #expect(HeatmapSVG.lines("a; b", maxWidth: 1000, fontSize: 11) == ["a; b"])
    #expect(HeatmapSVG.lines("pooled: 768×768 shown as 16×16; row tooltips give the ranges; exact values are in trace.json",
                             maxWidth: 200, fontSize: 11)
            == ["pooled: 768×768 shown as 16×16;", "row tooltips give the ranges;", "exact values are in trace.json"])
    let big = Tensor(shape: [768, 768], values: (0..<(768 * 768)).map { Double($0 % 7) - 3 })
    let svg = HeatmapSVG(id: "w", title: "t", description: "d", matrix: big,
                         rowLabels: (0..<768).map { "d\($0)" }, columnLabels: (0..<768).map { "d\($0)" },
                         legendLabel: "dL/dW", maxSize: 16, titledCellLimit: 64).render()
    #expect(svg.contains(">pooled: 768×768 shown as 16×16 (mean of 48×48 blocks);</text>"), "\(svg.suffix(600))")
    let width = Double(svg.components(separatedBy: "viewBox=\"0 0 ")[1].prefix { $0 != " " })!
    // Two such maps a row fit a 1280-px page at their natural size (552 px each).
    #expect(width < 552, "the caption no longer sets the width: \(width)")
}

/// GPT-2's long labels take their room from the plot, so the chart's text stays 11 px on a phone.
@Test func barChartWithLongLabelsStaysWithinAPhonesWidth() {
    let bars = (0..<20).map { i in BarChartSVG.Bar(label: "<id \(12_897 + i)>", value: 2.4 - Double(i) * 0.05, isArgmax: i == 0, isTarget: false) }
        + [BarChartSVG.Bar(label: "␣the", value: -1.06, isArgmax: false, isTarget: true)]
    let svg = BarChartSVG(id: "lm", title: "t", description: "d", bars: bars, valueAxisLabel: "logit", categoryAxisLabel: "word").render()
    let width = Double(svg.components(separatedBy: "viewBox=\"0 0 ")[1].prefix { $0 != " " })!
    #expect(width <= BarChartSVG.phoneWidth, "\(width)")
}

@Test func poolingOf130By3Matrix() {
    let values: [[Double?]] = (0..<130).map { i in [Double(i), i % 2 == 0 ? nil : Double(i), nil] }
    let ranges = HeatmapSVG.poolRanges(count: 130, maxSize: 64)
    #expect(ranges.count == 44)
    #expect(ranges.first == 0..<3)
    #expect(ranges.last == 129..<130)
    #expect(HeatmapSVG.poolRanges(count: 3, maxSize: 64) == [0..<1, 1..<2, 2..<3])
    #expect(HeatmapSVG.poolRanges(count: 128, maxSize: 64).count == 64)
    #expect(HeatmapSVG.poolRanges(count: 0, maxSize: 64).isEmpty)

    let pooled = HeatmapSVG.pooled(values, maxSize: 64)
    #expect(pooled.count == 44)
    #expect(pooled.allSatisfy { $0.count == 3 })
    #expect(pooled[0] == [1.0, 1.0, nil])   // mean(0,1,2); only row 1 is unmasked; all masked
    #expect(pooled[1] == [4.0, 4.0, nil])   // mean(3,4,5); mean(3,5)
    #expect(pooled[43] == [129.0, 129.0, nil])

    let svg = HeatmapSVG(id: "p", title: "t", description: "d", values: values,
                         rowLabels: (0..<130).map { "w\($0)" }, columnLabels: ["a", "b", "c"],
                         scale: .sequential(max: 130), showValues: true).render()
    #expect(svg.contains(">pooled: 130×3 shown as 44×3 (mean of 3×1 blocks)</text>"))
    #expect(svg.contains("<title>w0…w2 → a: mean 1</title>"))
    #expect(svg.contains("<title>w129 → a: 129</title>"))
    #expect(svg.contains("<title>w0…w2 → c: masked (future token)</title>"))
    #expect(!svg.contains("figure-num\" fill"))  // no values written in pooled cells
    #expect(xmlError(svg) == nil)
}

/// W_lm held as its transpose pools to the same heatmap, bit for bit, as the matrix itself.
@Test func transposedMatrixPoolsAsTheMatrix() {
    let rows = 70, cols = 131
    let m = Tensor(shape: [rows, cols], values: (0..<rows * cols).map { k in sin(Double(k) * 0.37) / Double(1 + k % 7) })
    func svg(_ make: (String, String, [String], [String]) -> HeatmapSVG) -> String {
        make("h", "t", (0..<rows).map { "d\($0)" }, (0..<cols).map { "w\($0)" }).render()
    }
    let held = svg { HeatmapSVG(id: $0, title: $1, description: "d", matrix: TransposedMatrix(m), rowLabels: $2, columnLabels: $3) }
    let direct = svg { HeatmapSVG(id: $0, title: $1, description: "d", matrix: m, rowLabels: $2, columnLabels: $3) }
    #expect(held.contains("pooled: 70×131 shown as"))
    #expect(held == direct)
}

// MARK: - Bar charts

@Test func barChartWithArgmaxAndTarget() {
    let expected = """
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 341.67 144" style="max-width: 513px; min-width: 273px" role="img" aria-labelledby="b-title b-desc" class="figure figure-bars"><title id="b-title">T</title><desc id="b-desc">D</desc>\
    <text x="38.5" y="18" font-size="12.5" text-anchor="end" class="figure-axis-label" fill="currentColor">word</text>\
    <g class="figure-axis" fill="currentColor">\
    <line x1="46.5" y1="100" x2="46.5" y2="104" stroke="currentColor"/>\
    <text x="46.5" y="116" font-size="12.5" text-anchor="middle" class="figure-num">0.0</text>\
    <line x1="103.17" y1="24" x2="103.17" y2="100" class="figure-grid" stroke="currentColor" stroke-opacity="0.15"/>\
    <line x1="103.17" y1="100" x2="103.17" y2="104" stroke="currentColor"/>\
    <text x="103.17" y="116" font-size="12.5" text-anchor="middle" class="figure-num">0.2</text>\
    <line x1="159.83" y1="24" x2="159.83" y2="100" class="figure-grid" stroke="currentColor" stroke-opacity="0.15"/>\
    <line x1="159.83" y1="100" x2="159.83" y2="104" stroke="currentColor"/>\
    <text x="159.83" y="116" font-size="12.5" text-anchor="middle" class="figure-num">0.4</text>\
    <line x1="216.5" y1="24" x2="216.5" y2="100" class="figure-grid" stroke="currentColor" stroke-opacity="0.15"/>\
    <line x1="216.5" y1="100" x2="216.5" y2="104" stroke="currentColor"/>\
    <text x="216.5" y="116" font-size="12.5" text-anchor="middle" class="figure-num">0.6</text>\
    <line x1="46.5" y1="100" x2="216.5" y2="100" stroke="currentColor"/>\
    <text x="131.5" y="132" font-size="12.5" text-anchor="middle" class="figure-axis-label">probability</text></g>\
    <g class="figure-bar figure-bar-argmax"><title>mat: 0.5</title><text x="38.5" y="42.55" font-size="13" text-anchor="end" fill="currentColor" font-weight="700">mat</text>\
    <rect x="46.5" y="30" width="141.67" height="16" fill="#2166ac"/>\
    <text x="192.17" y="42.55" font-size="12.5" class="figure-num" fill="currentColor" font-weight="700">0.50</text>\
    <text x="226.59" y="42.55" font-size="12.5" class="figure-marker" fill="currentColor">▲ prediction</text></g>\
    <g class="figure-bar figure-bar-target"><title>rug: 0.3</title><text x="38.5" y="66.55" font-size="13" text-anchor="end" fill="currentColor">rug</text>\
    <rect x="46.5" y="54" width="85" height="16" fill="#92c5de" stroke="currentColor" stroke-width="2"/>\
    <text x="135.5" y="66.55" font-size="12.5" class="figure-num" fill="currentColor">0.30</text>\
    <text x="167.25" y="66.55" font-size="12.5" class="figure-marker" fill="currentColor">◆ target</text></g>\
    <g class="figure-bar"><title>cat: 0.2</title><text x="38.5" y="90.55" font-size="13" text-anchor="end" fill="currentColor">cat</text>\
    <rect x="46.5" y="78" width="56.67" height="16" fill="#92c5de"/>\
    <text x="107.17" y="90.55" font-size="12.5" class="figure-num" fill="currentColor">0.20</text></g>\
    <line x1="46.5" y1="22" x2="46.5" y2="100" class="figure-zero" stroke="currentColor" stroke-width="1.5"/></svg>
    """
    #expect(smallBarChart().render() == expected)
}

@Test func barChartNegativeValuesExtendLeftOfZero() {
    let svg = BarChartSVG(id: "l", title: "t", description: "d", bars: [
        .init(label: "up", value: 2),
        .init(label: "down", value: -2, isArgmax: false, isTarget: true),
    ], valueAxisLabel: "logit", categoryAxisLabel: "word").render()
    // Axis −2…2: zero line in the middle of the 200-unit plot; the negative bar ends at it.
    #expect(svg.contains(">−2</text>"))
    #expect(svg.contains(">−2.00</text>"))
    let zero = svg.components(separatedBy: "class=\"figure-zero\"")[0].components(separatedBy: "<line x1=\"").last!
    let zeroX = Double(zero.prefix { $0 != "\"" })!
    let downRect = svg.components(separatedBy: "<title>down: −2</title>")[1].components(separatedBy: "<rect x=\"")[1]
    let x = Double(downRect.prefix { $0 != "\"" })!
    let width = Double(downRect.components(separatedBy: "width=\"")[1].prefix { $0 != "\"" })!
    #expect(x < zeroX)
    #expect(abs(x + width - zeroX) < 0.02)
    #expect(svg.contains(">◆ target</text>"))
}

@Test func barChartPercentFormat() {
    let svg = BarChartSVG(id: "p", title: "t", description: "d", bars: [
        .init(label: "mat", value: 0.38680257, isArgmax: true),
    ], valueAxisLabel: "probability", categoryAxisLabel: "word", valueFormat: .percent).render()
    #expect(svg.contains(">38.7%</text>"))
    #expect(svg.contains(">0%</text>"))
    #expect(svg.contains(">40%</text>"))
    #expect(svg.contains("<title>mat: 0.386803</title>"))
}

@Test func groupedBarChartLegendAndTitles() {
    let svg = GroupedBarChartSVG(id: "ln", title: "t", description: "d", categories: ["d0", "d1"], series: [
        .init(name: "before", values: [0.5, -1.25]),
        .init(name: "after", values: [0.1, -1.5]),
    ], valueAxisLabel: "value", categoryAxisLabel: "dimension").render()
    #expect(svg.contains(">before</text>"))
    #expect(svg.contains(">after</text>"))
    #expect(svg.contains("<title>d1 (after): −1.5</title>"))
    #expect(svg.contains("fill=\"url(#ln-hatch1)\" stroke=\"#7f3b08\""))  // series 1: pattern + outline
    #expect(svg.contains(">−1.25</text>"))
    #expect(xmlError(svg) == nil)
}

// MARK: - The whole-stack picture and line chart

/// A stack of `layers` blocks as the overview draws it: every block up to 3, else the first,
/// one band and the last.
private func sampleStack(layers: Int, heads: Int, label: String = "x") -> StackSVG {
    func block(_ l: Int) -> StackSVG.Block {
        StackSVG.Block(name: "block \(l + 1) of \(layers)", layerNorm1: .init("LayerNorm 1", href: "layer\(l + 1)-layernorm.html"),
                       attention: .init("Attention", "\(heads) heads", href: "layer\(l + 1)-attention.html"), heads: heads,
                       attentionAdd: .init("W_o and the residual", href: "layer\(l + 1)-residual.html"),
                       layerNorm2: .init("LayerNorm 2", href: "layer\(l + 1)-mlp.html"),
                       mlp: .init("MLP", "768 → 3072 → 768", href: "layer\(l + 1)-mlp.html"),
                       mlpAdd: .init("the second residual", href: "layer\(l + 1)-mlp.html"))
    }
    let rows: [StackSVG.Row] = layers <= 3 ? (0..<layers).map { .block(block($0)) }
        : [.block(block(0)), .collapsed(.init("blocks 2–\(layers - 1)", "the same shape", href: "layer2-attention.html")), .block(block(layers - 1))]
    return StackSVG(id: "stack", title: label, description: label, tokens: .init(label, "4 tokens", href: "tokens.html?a=1&b=2"),
                    tokenEmbedding: .init("Token embedding", href: "embeddings.html"), positionEmbedding: .init("Position embedding", href: "positions.html"),
                    streamLabel: "residual stream", rows: rows, finalNorm: .init("Final LayerNorm", href: "lm-head.html"),
                    lmHead: .init("LM head", href: "lm-head.html"), prediction: .init("Softmax → prediction", label, href: "prediction.html"),
                    learning: .init("Learning", href: "gradient.html"))
}

@Test func stackDrawsEveryPartAsALinkFromTheModelsShape() {
    let one = sampleStack(layers: 1, heads: 1).render()
    #expect(one.contains("role=\"group\"") && !one.contains("role=\"img\""))  // links inside: not one image
    #expect(one.contains("<title id=\"stack-title\">x</title><desc id=\"stack-desc\">x</desc>"))
    #expect(one.contains("<a href=\"layer1-attention.html\"><title>Attention — 1 heads</title>"))
    #expect(one.contains("<a href=\"tokens.html?a=1&amp;b=2\">"))
    #expect(!one.contains("stack-head-slot"))  // one head: no slots
    #expect(one.components(separatedBy: "class=\"stack-block\"").count - 1 == 1)
    #expect(one.components(separatedBy: "<a href=").count - 1 == 13)  // 7 block parts + tokens, 2 embeddings, final LN, LM head, prediction, learning
    #expect(one.components(separatedBy: "class=\"stack-spine\"").count - 1 == 1)
    #expect(one.components(separatedBy: ">skip</text>").count - 1 == 2)
    #expect(!one.contains("xlink"))

    // GPT-2 small: 12 blocks collapse to the first, one band and the last; 12 head slots each.
    let gpt2 = sampleStack(layers: 12, heads: 12).render()
    #expect(gpt2.contains(">block 1 of 12</text>") && gpt2.contains(">block 12 of 12</text>") && !gpt2.contains("block 2 of 12"))
    #expect(gpt2.contains(">blocks 2–11</text>"))
    #expect(gpt2.components(separatedBy: "class=\"stack-head-slot\"").count - 1 == 24)
    #expect(gpt2.components(separatedBy: "class=\"stack-block\"").count - 1 == 3)
    // Readable at both sizes: the 12-block picture is only a band taller than two blocks.
    let height = { (svg: String) -> Double in Double(svg.firstMatch(of: /viewBox="0 0 380 ([0-9.]+)"/)!.1)! }
    #expect(height(gpt2) - height(sampleStack(layers: 2, heads: 12).render()) == 46 + 12)
    // At 390 px the picture is about 366 px wide: no text under 11 px there.
    let sizes = gpt2.matches(of: /font-size="([0-9.]+)"/).map { Double($0.1)! }
    #expect(!sizes.isEmpty && sizes.allSatisfy { $0 * 366 / 380 >= 11 }, "\(sizes.min() ?? 0)")
}

@Test func lineChartPointsAndMarker() {
    let svg = LineChartSVG(id: "loss", title: "t", description: "d", values: [2, 1.5, 1.25, 0.5],
                           xAxisLabel: "step", yAxisLabel: "loss",
                           marker: .init(x: 2, label: "prediction flips at step 2")).render()
    #expect(svg.contains("<title>step 0: 2</title>"))
    #expect(svg.contains("<title>step 2: 1.25</title>"))
    #expect(svg.contains(">prediction flips at step 2</text>"))
    #expect(svg.contains("stroke-dasharray=\"4 3\""))
    #expect(svg.contains("<polyline class=\"figure-series\" points=\""))
    #expect(svg.components(separatedBy: "<circle ").count == 5)
    #expect(svg.contains(">loss</text>"))
    #expect(svg.contains(">step</text>"))
}

// MARK: - Escaping, well-formedness, determinism

@Test func labelsAreEscapedNeverRaw() {
    let heat = HeatmapSVG(id: "x", title: nasty, description: nasty, values: [[0.5]], rowLabels: [nasty],
                          columnLabels: [nasty], scale: .sequential(max: 1), showValues: true).render()
    #expect(heat.contains("<title id=\"x-title\">\(nastyEscaped)</title>"))
    #expect(heat.contains("<desc id=\"x-desc\">\(nastyEscaped)</desc>"))
    #expect(heat.contains("<title>\(nastyEscaped) → \(nastyEscaped): 0.5</title>"))
    #expect(heat.contains(">\(nastyEscaped)</text>"))
    let bars = BarChartSVG(id: "y", title: "t", description: "d", bars: [.init(label: nasty, value: 1, labelClass: nasty)],
                           valueAxisLabel: nasty, categoryAxisLabel: nasty).render()
    #expect(bars.contains("<title>\(nastyEscaped): 1</title>"))
    #expect(bars.contains("class=\"\(nastyEscaped)\""))
    for svg in allFigures() + [heat, bars] {
        #expect(!svg.contains("<b>"))
        #expect(!svg.contains("&\"'"))
        #expect(svg.contains(nastyEscaped) || !svg.contains("lt;b"))
    }
    let ids = HeatmapSVG(id: "a\"b", title: "t", description: "d", values: [[nil]], rowLabels: ["r"], columnLabels: ["c"],
                         scale: .sequential(max: 1)).render()
    #expect(ids.contains("aria-labelledby=\"a&quot;b-title a&quot;b-desc\""))
    #expect(ids.contains("url(#a&quot;b-hatch)"))
}

/// Values of the coordinate attributes, the viewBox numbers and polyline points.
private func numericAttributeValues(_ svg: String) -> [String] {
    var values: [String] = []
    let names = ["x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r", "font-size", "viewBox", "points"]
    for name in names {
        for piece in svg.components(separatedBy: " \(name)=\"").dropFirst() {
            let value = piece.prefix { $0 != "\"" }
            values += value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        }
    }
    return values
}

private func isPlainSVGNumber(_ text: String) -> Bool {
    if text == "-0" || text.isEmpty { return false }
    let body = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber) else { return false }
    if parts.count == 2 {
        let fraction = parts[1]
        return (1...3).contains(fraction.count) && fraction.allSatisfy(\.isASCII) && fraction.allSatisfy(\.isNumber) && !fraction.hasSuffix("0")
    }
    return true
}

@Test func everyFigureIsWellFormedXML() {
    let figures = allFigures() + allFigures(label: "plain") + [smallHeatmap().render(), smallBarChart().render()]
    for svg in figures {
        #expect(xmlError(svg) == nil, "\(svg.prefix(200))")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "))
        #expect(svg.hasSuffix("</svg>"))
        let root = svg.prefix { $0 != ">" }
        #expect(!root.contains(" width=") && !root.contains(" height="))
        #expect(!svg.contains("&nbsp;"))
        #expect(!numericAttributeValues(svg).isEmpty)
        for value in numericAttributeValues(svg) {
            #expect(isPlainSVGNumber(value), "bad coordinate \(value)")
        }
    }
}

@Test func titleAndDescComeFirst() {
    for svg in allFigures(label: "plain") {
        let afterRoot = svg.drop { $0 != ">" }.dropFirst()
        #expect(afterRoot.hasPrefix("<title id="))
        #expect(afterRoot.contains("</title><desc id="))
    }
}

@Test func renderingIsDeterministic() {
    #expect(allFigures() == allFigures())
    #expect(smallHeatmap().render() == smallHeatmap().render())
    #expect(smallBarChart().render() == smallBarChart().render())
}
