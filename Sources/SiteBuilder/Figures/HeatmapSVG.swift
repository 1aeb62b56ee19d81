import FoundationEssentials
import TransformerEngine
import Glibc

/// A matrix drawn as coloured cells (attention weights, embedding matrices, …).
///
/// Layout: row labels on the left (right-aligned), column labels above the grid (horizontal
/// when they fit in a cell, otherwise rotated −45°), optional axis captions (`rowHeader` rotated
/// on the far left, `columnHeader` centred on top), a gradient legend under the grid.
/// Labels longer than 10 characters are cut with "…" and carry the full word in a `<title>`.
///
/// Every cell is a `<g>` whose `<title>` reads `"ROW → COLUMN: value"` (6 significant digits) (separator configurable
/// with `cellTitleSeparator`), e.g. `on → the: 0.38680257`; masked (nil) cells read
/// `"ROW → COLUMN: masked (future token)"` (text configurable with `maskedText`) and are drawn
/// with a grey hatch pattern and no value.
///
/// Matrices with more than `maxSize` (64) rows or columns are average-pooled into blocks
/// (see `pooled(_:maxSize:)`); the block labels become `"first…last"` and a caption inside the
/// figure says what was pooled. Values are not written in pooled cells.
///
/// Grids of more than `titledCellLimit` cells (512) are drawn compactly, so a 64×64 matrix
/// stays near 100 KB instead of 500: colours are quantised to 64 steps per side of the scale
/// and every run of cells of one colour in a row is a stroke in that colour's one `<path>`; each row gets one `<title>`
/// (on a transparent band over the row) naming its smallest and largest value, and the
/// figure's caption says that exact values are in the tables and `trace.json`.
public struct HeatmapSVG: Sendable {
    public var id: String
    public var title: String
    public var description: String
    public var values: [[Double?]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var scale: ColorScale
    public var showValues: Bool
    public var highlightRow: Int?
    public var rowHeader: String?
    public var columnHeader: String?
    public var rowLabelClasses: [String]?
    public var columnLabelClasses: [String]?
    /// Caption above the legend bar, e.g. "attention weight".
    public var legendLabel: String?
    public var maskedText: String
    public var cellTitleSeparator: String
    public var maxSize: Int
    public var titledCellLimit: Int
    /// The shape of the matrix a figure was made from when it was pooled as it was read
    /// (`init(matrix:)`): `values` then holds the block means, not the cells.
    var pooledFrom: (rows: Int, columns: Int)? = nil
    /// The colour scale spans the block means rather than the cells (`init(matrix:)`).
    var scaleFitsBlockMeans = false
    /// A small multiple that links to a full drawing of the same matrix (a long prompt's heads
    /// at a glance, shown a quarter of their natural size): only the cells, drawn compactly,
    /// the masked cells and the highlighted row. The labels, legend and tooltips, which would
    /// be too small to read, are left to the full drawing.
    var isThumbnail = false

    public init(
        id: String,
        title: String,
        description: String,
        values: [[Double?]],
        rowLabels: [String],
        columnLabels: [String],
        scale: ColorScale,
        showValues: Bool = false,
        highlightRow: Int? = nil,
        rowHeader: String? = nil,
        columnHeader: String? = nil,
        rowLabelClasses: [String]? = nil,
        columnLabelClasses: [String]? = nil,
        legendLabel: String? = nil,
        maskedText: String = "masked (future token)",
        cellTitleSeparator: String = " → ",
        maxSize: Int = 64,
        titledCellLimit: Int = 512
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.scale = scale
        self.showValues = showValues
        self.highlightRow = highlightRow
        self.rowHeader = rowHeader
        self.columnHeader = columnHeader
        self.rowLabelClasses = rowLabelClasses
        self.columnLabelClasses = columnLabelClasses
        self.legendLabel = legendLabel
        self.maskedText = maskedText
        self.cellTitleSeparator = cellTitleSeparator
        self.maxSize = maxSize
        self.titledCellLimit = titledCellLimit
    }

    /// A heatmap of a matrix as the engine holds it, pooled as it is read when it is bigger
    /// than `maxSize` (no nested copy of a 768 × 50,257 W_lm); the other parameters as above.
    /// Without a `scale` the colours are diverging and fitted to what is drawn: the cells'
    /// largest magnitude (`ColorScale.diverging(for:)`), or a pooled figure's block means'
    /// (means of hundreds of weights are far smaller than the largest weight, so on the cells'
    /// scale every block would be near white); its legend shows that scale, and
    /// `scaleFitsBlockMeans` tells the page to say so.
    init(id: String, title: String, description: String, matrix: Tensor, rowLabels: [String], columnLabels: [String],
         scale: ColorScale? = nil, showValues: Bool = false, rowHeader: String? = nil, columnHeader: String? = nil,
         rowLabelClasses: [String]? = nil, legendLabel: String? = nil, maxSize: Int = 64, titledCellLimit: Int = 512) {
        let isPooled = matrix.rows > maxSize || matrix.cols > maxSize
        let values = isPooled ? matrix.pooledBlocks(maxSize: maxSize) : matrix.nested.map { $0.map { Optional($0) } }
        let fitted = scale ?? (isPooled ? ColorScale.diverging(forMasked: values) : ColorScale.diverging(for: matrix))
        self.init(id: id, title: title, description: description, values: values,
                  rowLabels: rowLabels, columnLabels: columnLabels,
                  scale: fitted, showValues: showValues, rowHeader: rowHeader, columnHeader: columnHeader,
                  rowLabelClasses: rowLabelClasses, legendLabel: legendLabel, maxSize: maxSize, titledCellLimit: titledCellLimit)
        if isPooled { pooledFrom = (matrix.rows, matrix.cols) }
        scaleFitsBlockMeans = isPooled && scale == nil
    }

    /// A heatmap of W_lm as the engine holds it (its transpose, one row per word), pooled in
    /// place when it is bigger than `maxSize` (`TransposedMatrix.pooledBlocks`); otherwise of
    /// its numbers. The other parameters as `init(matrix:)`'s.
    init(id: String, title: String, description: String, matrix: TransposedMatrix, rowLabels: [String], columnLabels: [String],
         showValues: Bool = false, rowHeader: String? = nil, columnHeader: String? = nil,
         legendLabel: String? = nil, maxSize: Int = 64) {
        guard matrix.rows > maxSize || matrix.cols > maxSize else {
            self.init(id: id, title: title, description: description, matrix: matrix.matrix, rowLabels: rowLabels,
                      columnLabels: columnLabels, showValues: showValues, rowHeader: rowHeader,
                      columnHeader: columnHeader, legendLabel: legendLabel, maxSize: maxSize)
            return
        }
        let values = matrix.pooledBlocks(maxSize: maxSize)
        self.init(id: id, title: title, description: description, values: values,
                  rowLabels: rowLabels, columnLabels: columnLabels,
                  scale: ColorScale.diverging(forMasked: values), showValues: showValues, rowHeader: rowHeader,
                  columnHeader: columnHeader, legendLabel: legendLabel, maxSize: maxSize)
        pooledFrom = (matrix.rows, matrix.cols)
        scaleFitsBlockMeans = true
    }

    /// A heatmap of a weight's gradient: its digest's block means when it is bigger than
    /// `maxSize` (the digest's one pass made them; no 768 × 50,257 ∂L/∂W_lm is held), otherwise
    /// its numbers. The other parameters as `init(matrix:)`'s.
    init(id: String, title: String, description: String, gradient digest: GradientDigest, rowLabels: [String], columnLabels: [String],
         scale: ColorScale? = nil, showValues: Bool = false, rowHeader: String? = nil, columnHeader: String? = nil,
         legendLabel: String? = nil, maxSize: Int = 64, titledCellLimit: Int = 512) {
        guard digest.rows > maxSize || digest.cols > maxSize else {
            self.init(id: id, title: title, description: description, matrix: digest.gradient.dense, rowLabels: rowLabels,
                      columnLabels: columnLabels, scale: scale, showValues: showValues, rowHeader: rowHeader,
                      columnHeader: columnHeader, legendLabel: legendLabel, maxSize: maxSize, titledCellLimit: titledCellLimit)
            return
        }
        let values = digest.pooled(maxSize: maxSize).map { $0.map { Optional($0) } }
        self.init(id: id, title: title, description: description, values: values,
                  rowLabels: rowLabels, columnLabels: columnLabels,
                  scale: scale ?? ColorScale.diverging(forMasked: values), showValues: showValues, rowHeader: rowHeader,
                  columnHeader: columnHeader, legendLabel: legendLabel, maxSize: maxSize, titledCellLimit: titledCellLimit)
        pooledFrom = (digest.rows, digest.cols)
        scaleFitsBlockMeans = scale == nil
    }

    // MARK: - Pooling

    /// Splits `count` indices into consecutive blocks of `ceil(count / maxSize)` (the last one
    /// may be shorter), so there are at most `maxSize` blocks. `count <= maxSize` → one index each.
    public static func poolRanges(count: Int, maxSize: Int = 64) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let limit = Swift.max(1, maxSize)
        let size = (count - 1) / limit + 1
        return stride(from: 0, to: count, by: size).map { $0..<Swift.min(count, $0 + size) }
    }

    /// Average-pools `values` so neither dimension exceeds `maxSize`. Each block is the mean of
    /// its non-nil cells; a block whose cells are all nil (or missing, for ragged rows) is nil.
    public static func pooled(_ values: [[Double?]], maxSize: Int = 64) -> [[Double?]] {
        let columns = values.map(\.count).max() ?? 0
        let rowRanges = poolRanges(count: values.count, maxSize: maxSize)
        let columnRanges = poolRanges(count: columns, maxSize: maxSize)
        return rowRanges.map { rows in
            columnRanges.map { cols in
                var sum = 0.0
                var n = 0
                for r in rows {
                    for c in cols where c < values[r].count {
                        if let v = values[r][c] { sum += v; n += 1 }
                    }
                }
                return n == 0 ? nil : sum / Double(n)
            }
        }
    }

    // MARK: - Rendering

    private static func blockLabel(_ labels: [String], _ range: Range<Int>) -> String {
        func label(_ i: Int) -> String { i < labels.count ? labels[i] : "#\(i)" }
        if range.count == 1 { return label(range.lowerBound) }
        return label(range.lowerBound) + "…" + label(range.upperBound - 1)
    }

    /// The cells as drawn (the values, or the block means of a pooled figure, every row as
    /// long as the longest) and the rows and columns of the matrix each drawn row and column covers.
    private func drawnCells() -> (grid: [[Double?]], rowRanges: [Range<Int>], columnRanges: [Range<Int>], isPooled: Bool) {
        let rowCount = pooledFrom?.rows ?? values.count
        let columnCount = pooledFrom?.columns ?? values.map(\.count).max() ?? 0
        let isPooled = rowCount > maxSize || columnCount > maxSize
        let rowRanges = HeatmapSVG.poolRanges(count: rowCount, maxSize: isPooled ? maxSize : Int.max)
        let columnRanges = HeatmapSVG.poolRanges(count: columnCount, maxSize: isPooled ? maxSize : Int.max)
        let grid: [[Double?]] = pooledFrom != nil ? values
            : isPooled ? HeatmapSVG.pooled(values, maxSize: maxSize)
            : values.map { row in (0..<columnCount).map { $0 < row.count ? row[$0] : nil } }
        return (grid, rowRanges, columnRanges, isPooled)
    }

    /// A cell's side when it shows no number: smaller past 32 rows or columns.
    private static func cellSize(rows: Int, columns: Int) -> Double { columns > 32 || rows > 32 ? 14 : 26 }

    /// The pattern masked cells are filled with.
    private static func hatchPattern(_ eid: String) -> String {
        "<pattern id=\"\(eid)-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            + "<rect width=\"6\" height=\"6\" fill=\"#e6e6e6\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#a0a0a0\" stroke-width=\"2\"/></pattern>"
    }

    public func render() -> String {
        if isThumbnail { return renderThumbnail() }
        let (grid, rowRanges, columnRanges, isPooled) = drawnCells()
        let rowCount = rowRanges.last?.upperBound ?? 0, columnCount = columnRanges.last?.upperBound ?? 0
        let rowsFull = rowRanges.map { HeatmapSVG.blockLabel(rowLabels, $0) }
        let columnsFull = columnRanges.map { HeatmapSVG.blockLabel(columnLabels, $0) }
        let rowsShown = rowsFull.map { FigureText.truncated($0, maxCharacters: 10) }
        let columnsShown = columnsFull.map { FigureText.truncated($0, maxCharacters: 10) }
        let rows = grid.count
        let cols = columnRanges.count
        let rowClasses = (isPooled && rowRanges.contains { $0.count > 1 }) ? nil : rowLabelClasses
        let columnClasses = (isPooled && columnRanges.contains { $0.count > 1 }) ? nil : columnLabelClasses
        let highlight: Int? = highlightRow.flatMap { h in rowRanges.firstIndex { $0.contains(h) } }

        let writeValues = showValues && !isPooled
        let cellW: Double = writeValues ? 46 : HeatmapSVG.cellSize(rows: rows, columns: cols)
        let cellH: Double = writeValues ? 30 : cellW
        let labelFont: Double = cellH < 20 ? 11 : 12
        let pad = 8.0

        // Which labels to print when cells are too small for every one.
        let rowStep = Swift.max(1, Int((13 / cellH).rounded(.up)))
        let columnStep = Swift.max(1, Int((13 / cellW).rounded(.up)))
        let rotatedColumnStep = Swift.max(1, Int((13 / (cellW * 0.7071)).rounded(.up)))

        let rowLabelWidth = rowsShown.enumerated().map { i, s in
            FigureText.width(s, fontSize: labelFont, bold: i == highlight)
        }.max() ?? 0
        let columnLabelWidths = columnsShown.map { FigureText.width($0, fontSize: labelFont) }
        let rotateColumns = (columnLabelWidths.max() ?? 0) > cellW - 4
        let labelledColumnStep = rotateColumns ? rotatedColumnStep : columnStep
        let diagonal = 0.7071

        let rowHeaderWidth = rowHeader == nil ? 0.0 : 20.0
        let gridX = pad + rowHeaderWidth + (rows > 0 ? rowLabelWidth + 8 : 0)
        let columnHeaderHeight = columnHeader == nil ? 0.0 : 20.0
        let columnLabelHeight = cols == 0 ? 0 : (rotateColumns ? (columnLabelWidths.max() ?? 0) * diagonal + labelFont * 0.5 + 8 : labelFont + 8)
        let gridY = pad + columnHeaderHeight + columnLabelHeight
        let gridW = Double(cols) * cellW
        let gridH = Double(rows) * cellH

        var right = gridX + gridW
        if rotateColumns {
            for (j, w) in columnLabelWidths.enumerated() where j % labelledColumnStep == 0 {
                right = Swift.max(right, gridX + (Double(j) + 0.5) * cellW + w * diagonal + 4)
            }
        } else {
            for (j, w) in columnLabelWidths.enumerated() where j % labelledColumnStep == 0 {
                right = Swift.max(right, gridX + (Double(j) + 0.5) * cellW + w / 2)
            }
        }
        var bottom = gridY + gridH

        // Legend geometry.
        let legendWidth = 160.0
        let legendX = gridX
        var legendY = bottom + 18
        var legendLabelY: Double? = nil
        if legendLabel != nil {
            legendLabelY = legendY + 4
            legendY += 12
        }
        let legendTicks: [Double] = scale.kind == .diverging ? [scale.minimum, 0, scale.maximum] : [0, scale.maximum]
        right = Swift.max(right, legendX + legendWidth + 14)
        if let legendLabel { right = Swift.max(right, legendX + FigureText.width(legendLabel, fontSize: 11)) }
        bottom = legendY + 10 + 16

        let isCompact = rows * cols > titledCellLimit
        var caption: String? = nil
        if isPooled {
            let rb = rowRanges.first?.count ?? 1, cb = columnRanges.first?.count ?? 1
            caption = "pooled: \(rowCount)×\(columnCount) shown as \(rows)×\(cols) (mean of \(rb)×\(cb) blocks)"
        }
        if isCompact {
            caption = (caption.map { $0 + "; " } ?? "") + "row tooltips give the ranges; " + "exact values are in trace.json"
        }
        // A caption wider than the drawing takes several lines rather than widen it (and so
        // shrink its labels): 16 pooled blocks of a 768 × 768 gradient are 416 units, the caption 700.
        var captionLines: [String] = []
        var captionY = 0.0
        if let caption {
            captionLines = HeatmapSVG.lines(caption, maxWidth: right - gridX, fontSize: 11)
            captionY = bottom + 14
            bottom = captionY + 4 + Double(captionLines.count - 1) * 14
            right = Swift.max(right, gridX + (captionLines.map { FigureText.width($0, fontSize: 11) }.max() ?? 0))
        }

        // Axis captions.
        var columnHeaderX = gridX + gridW / 2
        if let columnHeader {
            let w = FigureText.width(columnHeader, fontSize: 12)
            columnHeaderX = Swift.max(columnHeaderX, pad + w / 2)
            right = Swift.max(right, columnHeaderX + w / 2)
        }
        var rowHeaderY = gridY + gridH / 2
        if let rowHeader {
            let w = FigureText.width(rowHeader, fontSize: 12)
            rowHeaderY = Swift.max(rowHeaderY, pad + w / 2)
            bottom = Swift.max(bottom, rowHeaderY + w / 2)
        }

        let width = right + pad
        let height = bottom + pad
        let eid = Escape.html(id)
        let hasMasked = grid.contains { $0.contains { $0 == nil } }

        var svg = SVGWriter(capacity: 8_192 + rows * cols * (isCompact ? 24 : 120))
        svg.open(id: id, classes: "figure figure-heatmap", width: width, height: height,
                 title: title, description: description, keepsWidthOnPhones: true)

        // Definitions: legend gradient and the hatch for masked cells.
        svg.raw("<defs><linearGradient id=\"\(eid)-legend\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\">")
        let stopCount = 9
        for k in 0..<stopCount {
            let t = Double(k) / Double(stopCount - 1)
            let v = scale.minimum + t * (scale.maximum - scale.minimum)
            svg.raw("<stop offset=\"\(SVGNumber.format(t, decimals: 3))\" stop-color=\"\(scale.color(v))\"/>")
        }
        svg.raw("</linearGradient>")
        if hasMasked { svg.raw(HeatmapSVG.hatchPattern(eid)) }
        svg.raw("</defs>")

        if let columnHeader {
            svg.text(columnHeader, x: columnHeaderX, y: pad + 13, fontSize: 12, anchor: "middle",
                     attributes: "class=\"figure-axis-label\" fill=\"currentColor\"")
        }
        if let rowHeader {
            let x = pad + 13
            svg.raw("<text x=\"0\" y=\"0\" font-size=\"12\" text-anchor=\"middle\" class=\"figure-axis-label\" fill=\"currentColor\" transform=\"translate(\(SVGWriter.n(x)) \(SVGWriter.n(rowHeaderY))) rotate(-90)\">\(Escape.html(rowHeader))</text>")
        }

        // Token colour marks beside the labels: one path per colour class (CSS fills
        // `.figure-mark` with the class's colour).
        var marks: [(cls: String, d: String)] = []
        func mark(_ cls: String, x: Double, y: Double, width: Double, height: Double) {
            let d = "M\(SVGWriter.n(x)) \(SVGWriter.n(y))h\(SVGWriter.n(width))v\(SVGWriter.n(height))h\(SVGWriter.n(-width))z"
            if let k = marks.firstIndex(where: { $0.cls == cls }) { marks[k].d += d } else { marks.append((cls, d)) }
        }

        // Column labels. Rotated ones sit in one group turned by −45°, each at its anchor
        // turned back by 45° (so it lands where `rotate(-45 x y)` would put it).
        svg.raw("<g class=\"figure-column-labels\" fill=\"currentColor\" font-size=\"\(SVGWriter.n(labelFont))\"\(rotateColumns ? " transform=\"rotate(-45)\"" : " text-anchor=\"middle\"")>")
        for j in 0..<cols where j % labelledColumnStep == 0 {
            let x = gridX + (Double(j) + 0.5) * cellW
            let y = gridY - 6
            var attributes = ""
            if let c = columnClasses, j < c.count, !c[j].isEmpty {
                attributes = "class=\"\(Escape.html(c[j]))\""
                mark(c[j], x: gridX + Double(j) * cellW, y: gridY - 4, width: cellW - 1, height: 3)
            }
            if rotateColumns {
                svg.label(columnsShown[j], x: (x - y) * diagonal, y: (x + y) * diagonal, attributes: attributes, fullText: columnsFull[j])
            } else {
                svg.label(columnsShown[j], x: x, y: y, attributes: attributes, fullText: columnsFull[j])
            }
        }
        svg.raw("</g>")

        // Row labels.
        svg.raw("<g class=\"figure-row-labels\" fill=\"currentColor\" font-size=\"\(SVGWriter.n(labelFont))\" text-anchor=\"end\">")
        for i in 0..<rows where i % rowStep == 0 || i == highlight {
            let y = gridY + (Double(i) + 0.5) * cellH + labelFont * 0.35
            var attributes: [String] = []
            if let c = rowClasses, i < c.count, !c[i].isEmpty {
                attributes.append("class=\"\(Escape.html(c[i]))\"")
                mark(c[i], x: gridX - 4, y: gridY + Double(i) * cellH, width: 3, height: cellH - 1)
            }
            if i == highlight { attributes.append("font-weight=\"700\"") }
            svg.label(rowsShown[i], x: gridX - 6, y: y, attributes: attributes.joined(separator: " "), fullText: rowsFull[i])
        }
        svg.raw("</g>")
        for m in marks {
            svg.raw("<path class=\"figure-mark \(Escape.html(m.cls))\" fill=\"none\" d=\"\(m.d)\"/>")
        }

        // Cells.
        if isCompact {
            svg.raw("<g class=\"figure-cells\" transform=\"translate(\(SVGWriter.n(gridX)) \(SVGWriter.n(gridY)))\">")
            drawCompactCells(&svg, grid: grid, rowsFull: rowsFull, columnsFull: columnsFull, isPooled: isPooled,
                             cellW: cellW, cellH: cellH, eid: eid, titlesRowRanges: true)
        } else {
            svg.raw("<g class=\"figure-cells\">")
            for i in 0..<rows {
                var j = 0
                while j < cols {
                    let x = gridX + Double(j) * cellW
                    let y = gridY + Double(i) * cellH
                    if let v = grid[i][j] {
                        // The title: "ROW → COLUMN: value", escaped piece by piece.
                        func cellTitle() {
                            svg.raw("<title>")
                            svg.escaped(rowsFull[i])
                            svg.escaped(cellTitleSeparator)
                            svg.escaped(columnsFull[j])
                            svg.raw(isPooled && (rowRanges[i].count > 1 || columnRanges[j].count > 1) ? ": mean " : ": ")
                            svg.escaped(NumberFormat.tooltip(v))
                            svg.raw("</title>")
                        }
                        if writeValues {
                            svg.raw("<g>")
                            cellTitle()
                            svg.rect(x: x, y: y, width: cellW - 1, height: cellH - 1, attributes: "fill=\"\(scale.color(v))\"")
                            svg.text(NumberFormat.short(v), x: x + (cellW - 1) / 2, y: y + (cellH - 1) / 2 + 11 * 0.35,
                                     fontSize: 11, anchor: "middle",
                                     attributes: "class=\"figure-num\" fill=\"\(scale.textColor(v))\"")
                            svg.raw("</g>")
                        } else {
                            svg.openRect(x: x, y: y, width: cellW - 1, height: cellH - 1)
                            svg.raw(" fill=\"")
                            svg.raw(scale.color(v))
                            svg.raw("\">")
                            cellTitle()
                            svg.raw("</rect>")
                        }
                        j += 1
                    } else {
                        j = drawMaskedRun(&svg, grid: grid, row: i, from: j, rowsFull: rowsFull, columnsFull: columnsFull,
                                          x: x, y: y, cellW: cellW, cellH: cellH, eid: eid)
                    }
                }
            }
        }
        svg.raw("</g>")

        if let highlight {
            svg.rect(x: gridX - 2, y: gridY + Double(highlight) * cellH - 2, width: gridW + 3, height: cellH + 3,
                     attributes: "class=\"figure-highlight\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2.5\"")
        }

        // Legend.
        svg.raw("<g class=\"figure-legend\" fill=\"currentColor\">")
        if let legendLabel, let legendLabelY {
            svg.text(legendLabel, x: legendX, y: legendLabelY, fontSize: 11)
        }
        svg.rect(x: legendX, y: legendY, width: legendWidth, height: 10,
                 attributes: "fill=\"url(#\(eid)-legend)\" stroke=\"currentColor\" stroke-width=\"0.5\"")
        // The ends show the scale's two significant digits (±0.0074, not ±0.01), as captions state it.
        let legendDecimals = scale.maximum > 0 && scale.maximum < 0.1 ? 1 - Int(log10(scale.maximum).rounded(.down)) : 2
        for (k, v) in legendTicks.enumerated() {
            let x = legendX + (scale.fraction(v) ?? 0) * legendWidth
            let anchor = k == 0 ? "start" : (k == legendTicks.count - 1 ? "end" : "middle")
            svg.line(x1: x, y1: legendY + 10, x2: x, y2: legendY + 13, attributes: "stroke=\"currentColor\"")
            svg.text(v == 0 && legendDecimals > 2 ? "0" : NumberFormat.short(v, decimals: legendDecimals), x: x, y: legendY + 24, fontSize: 11, anchor: anchor,
                     attributes: "class=\"figure-num\"")
        }
        svg.raw("</g>")

        for (k, line) in captionLines.enumerated() {
            svg.text(line, x: gridX, y: captionY + Double(k) * 14, fontSize: 11, attributes: "class=\"figure-caption\" fill=\"currentColor\"")
        }
        svg.close()
        return svg.output
    }

    /// The drawing of `isThumbnail`: the grid, its masked cells and the highlighted row's frame.
    private func renderThumbnail() -> String {
        let (grid, rowRanges, columnRanges, isPooled) = drawnCells()
        let rows = grid.count, cols = columnRanges.count
        let cell = HeatmapSVG.cellSize(rows: rows, columns: cols)
        let pad = 4.0
        let eid = Escape.html(id)
        var svg = SVGWriter(capacity: 2_048 + rows * cols * 12)
        svg.open(id: id, classes: "figure figure-heatmap", width: Double(cols) * cell + 2 * pad,
                 height: Double(rows) * cell + 2 * pad, title: title, description: description)
        if grid.contains(where: { $0.contains { $0 == nil } }) {
            svg.raw("<defs>" + HeatmapSVG.hatchPattern(eid) + "</defs>")
        }
        // The 1-px gaps between cells are white in either colour scheme: on the dark page's
        // background they drew a grid over the (light) cells of a map this small.
        svg.rect(x: pad, y: pad, width: Double(cols) * cell - 1, height: Double(rows) * cell - 1,
                 attributes: "class=\"figure-backdrop\" fill=\"#fff\"")
        svg.raw("<g class=\"figure-cells\" transform=\"translate(\(SVGWriter.n(pad)) \(SVGWriter.n(pad)))\">")
        drawCompactCells(&svg, grid: grid, rowsFull: [], columnsFull: [], isPooled: isPooled,
                         cellW: cell, cellH: cell, eid: eid, titlesRowRanges: false)
        svg.raw("</g>")
        if let highlight = highlightRow.flatMap({ h in rowRanges.firstIndex { $0.contains(h) } }) {
            svg.rect(x: pad - 2, y: pad + Double(highlight) * cell - 2, width: Double(cols) * cell + 3, height: cell + 3,
                     attributes: "class=\"figure-highlight\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2.5\"")
        }
        svg.close()
        return svg.output
    }

    /// `text` in lines no wider than `maxWidth`, broken only after a "; " (which keeps its ";");
    /// a piece wider than that has a line of its own. Text that fits is one line, unchanged.
    static func lines(_ text: String, maxWidth: Double, fontSize: Double) -> [String] {
        let pieces = text.components(separatedBy: "; ")
        var lines: [String] = []
        for (k, piece) in pieces.enumerated() {
            let piece = k < pieces.count - 1 ? piece + ";" : piece
            if let last = lines.last, FigureText.width(last + " " + piece, fontSize: fontSize) <= maxWidth {
                lines[lines.count - 1] = last + " " + piece
            } else {
                lines.append(piece)
            }
        }
        return lines
    }

    /// A run of masked cells in a row is one hatched rectangle with one title; returns the
    /// column after the run.
    private func drawMaskedRun(_ svg: inout SVGWriter, grid: [[Double?]], row i: Int, from j: Int,
                               rowsFull: [String], columnsFull: [String],
                               x: Double, y: Double, cellW: Double, cellH: Double, eid: String) -> Int {
        let cols = grid[i].count
        var end = j
        while end + 1 < cols && grid[i][end + 1] == nil { end += 1 }
        let span = end > j ? columnsFull[j] + " … " + columnsFull[end] : columnsFull[j]
        svg.rect(x: x, y: y, width: Double(end - j + 1) * cellW - 1, height: cellH - 1,
                 attributes: "class=\"figure-masked\" fill=\"url(#\(eid)-hatch)\"",
                 title: rowsFull[i] + cellTitleSeparator + span + ": " + maskedText)
        return end + 1
    }

    /// Colour steps per side of the scale in the compact drawing (a diverging scale gets
    /// 2 × 64 + 1 colours): finer than the eye can tell apart in a cell.
    static let compactLevels = 64

    /// The compact drawing of a big grid, in the grid's own coordinates (the cells' group is
    /// moved to the grid's corner, so a cell's corner is a multiple of the cell size):
    /// - one `<path>` per quantised colour, in order of first appearance: each run of cells of
    ///   that colour side by side in a row is one horizontal stroke as thick as a cell is tall
    ///   (butt caps), dashed "a cell less 1 px, then 1 px" so the gaps between its cells stay
    ///   (a dash pattern restarts with each run);
    /// - every masked run in one hatched path with one title;
    /// - with `titlesRowRanges`, one transparent band per row whose `<title>` gives the row's range.
    private func drawCompactCells(_ svg: inout SVGWriter, grid: [[Double?]], rowsFull: [String], columnsFull: [String],
                                  isPooled: Bool, cellW: Double, cellH: Double, eid: String, titlesRowRanges: Bool) {
        let levels = Double(HeatmapSVG.compactLevels)
        let side = scale.kind == .diverging ? levels * 2 : levels
        // A value's slot: its quantised level + 1 (slot 0: NaN, which keeps its own grey).
        func slot(_ v: Double) -> Int {
            scale.fraction(v).map { Int(($0 * side).rounded(.toNearestOrAwayFromZero)) + 1 } ?? 0
        }
        // Paths by slot, in order of first appearance.
        var paths = [MarkupBuffer?](repeating: nil, count: Int(side) + 2)
        var order: [Int] = []
        for (i, row) in grid.enumerated() {
            var j = 0
            while j < row.count {
                guard let v = row[j] else { j += 1; continue }
                let colour = slot(v)
                var end = j + 1
                while end < row.count, let next = row[end], slot(next) == colour { end += 1 }
                if paths[colour] == nil {
                    order.append(colour)
                    paths[colour] = MarkupBuffer(capacity: 256)
                }
                paths[colour]!.append("M")
                paths[colour]!.append(svgNumber: Double(j) * cellW)
                paths[colour]!.append(" ")
                paths[colour]!.append(svgNumber: Double(i) * cellH)
                paths[colour]!.append("h")
                paths[colour]!.append(svgNumber: Double(end - j) * cellW)
                j = end
            }
        }
        // The strokes' centre line is half a cell (less the gap) below a row's top.
        svg.raw("<g fill=\"none\" stroke-width=\"\(SVGWriter.n(cellH - 1))\" stroke-dasharray=\"\(SVGWriter.n(cellW - 1)) 1\" transform=\"translate(0 \(SVGWriter.n((cellH - 1) / 2)))\">")
        for colour in order {
            let color = colour == 0 ? ColorScale.nanColor
                : scale.color(scale.minimum + Double(colour - 1) / side * (scale.maximum - scale.minimum))
            svg.raw("<path stroke=\"\(color)\" d=\"")
            svg.raw(paths[colour]!)
            svg.raw("\"/>")
        }
        svg.raw("</g>")
        // Every masked run in one hatched path with one title.
        var masked = ""
        for (i, row) in grid.enumerated() {
            var j = 0
            while j < row.count {
                guard row[j] == nil else { j += 1; continue }
                var end = j
                while end + 1 < row.count && row[end + 1] == nil { end += 1 }
                masked += "M\(SVGWriter.n(Double(j) * cellW)) \(SVGWriter.n(Double(i) * cellH))"
                    + "h\(SVGWriter.n(Double(end - j + 1) * cellW - 1))v\(SVGWriter.n(cellH - 1))H\(SVGWriter.n(Double(j) * cellW))z"
                j = end + 1
            }
        }
        if !masked.isEmpty {
            svg.raw("<path class=\"figure-masked\" fill=\"url(#\(eid)-hatch)\" d=\"\(masked)\"><title>hatched cells: \(Escape.html(maskedText))</title></path>")
        }
        for (i, row) in grid.enumerated() where titlesRowRanges {
            let present = row.indices.filter { row[$0] != nil }
            guard let lo = present.min(by: { row[$0]! < row[$1]! }), let hi = present.max(by: { row[$0]! < row[$1]! }) else { continue }
            let mean = isPooled ? "block means " : ""
            let range = "\(rowsFull[i]): \(mean)from \(NumberFormat.short(row[lo]!, decimals: 4)) (\(columnsFull[lo])) to \(NumberFormat.short(row[hi]!, decimals: 4)) (\(columnsFull[hi]))"
            let last = present.last!
            svg.rect(x: 0, y: Double(i) * cellH, width: Double(last + 1) * cellW - 1, height: cellH - 1,
                     attributes: "class=\"figure-row-band\" fill=\"transparent\"", title: range)
        }
    }
}
