/// positions.html: pos_emb, and x = tok_emb[id] + pos_emb[pos] for every token.
enum PositionsPage {
    static let kind = PageKind(template: "positions", label: "Positions", followsFocus: true, builtIn: PackageResources.positions_html) { s, v in context(s, focus: v.focus) }

    struct Context: PageContext {
        var posTable: TableContext
        var xTable: TableContext
        var sums: [Sum]
        /// The sums folded into a closed <details> below the open ones (many tokens).
        var foldedSums: [Sum]
        var hasFold: Bool
        var foldedCount: Int
        var heatmap: String
        var hasHeatmap: Bool
        var figureHref: String
        var focusWord: String
        var focusPosition: Int
        var focusCls: String
        var workedX0: String
        var maxPositions: Int
    }
    struct Sum: Encodable {
        var word: String
        var cls: String
        var position: Int
        var id: Int
        var tok: String
        var pos: String
        var x: String
        var focus: Bool
    }

    /// With more tokens than this, only the followed token's sum is written out open; the
    /// others fold below it (24 sums were 7,000 px on a phone, and the x table repeats them).
    static let foldSumsAbove = 8

    static func context(_ s: SiteData, focus f: Int) -> Context {
        let t = s.trace, w = s.model.weights, d = s.model.config.dModel
        var posTable = MatrixTable(caption: "pos_emb: one row per position (rows the prompt uses are highlighted)",
                                   matrix: w.posEmb, rowLabels: (0..<w.posEmb.rows).map { "pos \($0)" },
                                   columnLabels: s.dimensionLabels(d))
        posTable.corner = "position"
        posTable.highlightRows = Set(0..<s.count)
        let xTable = s.tokenTable("x = tok_emb[id] + pos_emb[position], the input of the first block", t.x,
                                  columns: s.dimensionLabels(d), focus: f, stage: .positions)
        // A lean view writes out its own token's sum only.
        let summed = s.isLeanView(focus: f) ? [f]
            : s.count > foldSumsAbove ? [f] + (0..<s.count).filter { $0 != f }
            : Array(0..<s.count)
        let allSums = summed.map { i -> Sum in
            Sum(word: t.tokens[i], cls: s.tokenClass(i), position: i, id: t.ids[i],
             tok: WorkedSum.vector(t.tokEmb.row(i)), pos: WorkedSum.vector(t.posEmb.row(i)), x: WorkedSum.vector(t.x.row(i)),
             focus: i == f)
        }
        let openCount = allSums.count > foldSumsAbove ? 1 : allSums.count
        let sums = Array(allSums.prefix(openCount)), foldedSums = Array(allSums.dropFirst(openCount))
        let hasHeatmap = s.drawsSharedFigure(cells: s.count * d, focus: f)
        // A pooled map's colours span its block means, as the embeddings' strip's do (on the
        // cells' scale every block mean of a wide model would be near white).
        func heatmapOfX() -> String {
            var map = HeatmapSVG(
                id: "x-heatmap", title: "Heatmap of x, the embeddings plus positions",
                description: "One row per prompt token (\(s.count)) and one column per dimension (\(d)); the row of “\(t.tokens[f])” is outlined.",
                matrix: t.x, rowLabels: t.tokens, columnLabels: s.dimensionLabels(d),
                scale: d > 64 || s.count > 64 ? nil : ColorScale.diverging(for: t.x.nested), showValues: s.count <= 16 && d <= 16,
                rowHeader: "token", columnHeader: "dimension", rowLabelClasses: s.tokenClasses, legendLabel: "value")
            map.highlightRow = f
            return map.render()
        }
        let heatmap = hasHeatmap ? heatmapOfX() : ""
        return Context(
            posTable: s.sharedTable(posTable, name: "pos_emb", focus: f, stage: .positions),
            xTable: xTable.render(),
            sums: sums, foldedSums: foldedSums, hasFold: !foldedSums.isEmpty, foldedCount: foldedSums.count,
            heatmap: heatmap, hasHeatmap: hasHeatmap, figureHref: s.file(.positions),
            focusWord: t.tokens[f],
            focusPosition: f,
            focusCls: s.tokenClass(f),
            workedX0: "\(WorkedSum.signed(t.tokEmb[f, 0])) + \(WorkedSum.signed(t.posEmb[f, 0])) = \(NumberFormat.short(t.x[f, 0]))",
            maxPositions: s.model.config.maxPositions
        )
    }
}

extension Stage {
    static let positions = Stage(PositionsPage.kind)
}
