import TransformerEngine

/// embeddings.html: tok_emb, the prompt's rows highlighted, and its heatmap.
enum EmbeddingsPage {
    static let kind = PageKind(template: "embeddings", label: "Embeddings", builtIn: PackageResources.embeddings_html) { s, v in context(s) }

    /// "an" before a number said with a vowel first (8, 11, 18, 80–89, 800–899, 8,000, 11,000 …), else "a".
    static func article(for n: Int) -> String {
        var lead = n
        while lead >= 1000 { lead /= 1000 }  // the group said first: 11 of 11,000
        let digits = String(lead)
        return digits.hasPrefix("8") || lead == 11 || lead == 18 ? "an" : "a"
    }

    struct Context: PageContext {
        var tokEmbTable: TableContext
        /// tok_emb is small enough to list (else only the prompt's rows are shown).
        var hasTable: Bool
        var promptStrip: String
        var stripNote: String
        var dModel: Int
        /// "a 4-dimensional", "an 8-dimensional".
        var dimensional: String
        var vocabSize: String
        var vocabSizeText: String
        var tokenCount: Int
        var exampleWord: String
        var exampleId: Int
        var exampleRow: String
        var exampleCls: String
    }

    /// tok_emb is listed as a table up to this many rows (a vocabulary the tokens page lists
    /// in full); beyond, only the prompt's rows are drawn.
    static let tableRowLimit = 64

    static func context(_ s: SiteData) -> Context {
        let t = s.trace, w = s.model.weights, d = s.model.config.dModel
        let hasTable = w.tokEmb.rows <= Self.tableRowLimit
        var tableHTML = TableContext()
        if hasTable {
            let vocabLabels = s.model.vocab.enumerated().map { "\($0) · \($1)" }
            var table = MatrixTable(caption: "tok_emb: one row of \(d) numbers per vocabulary word (rows the prompt uses are highlighted)",
                                    matrix: w.tokEmb, rowLabels: vocabLabels, columnLabels: s.dimensionLabels(d))
            table.corner = "id · word"
            table.highlightRows = Set(t.ids)
            tableHTML = table.render()
        }
        // The rows the prompt reads, in prompt order: the numbers are in the table (or, for a
        // big vocabulary, in the tooltips and trace.json); the strip shows their pattern.
        // A pooled strip's colours span its block means (see `HeatmapSVG.init(matrix:)`).
        let pooled = d > 64
        var strip = HeatmapSVG(
            id: "tok-emb-strip", title: "The prompt's rows of tok_emb", description: "",
            matrix: t.tokEmb, rowLabels: t.tokens, columnLabels: s.dimensionLabels(d),
            showValues: !hasTable && s.count <= 16 && d <= 16, rowHeader: "token", columnHeader: "dimension",
            rowLabelClasses: s.tokenClasses, legendLabel: "value")
        strip.description = "One row per prompt token (\(s.count)), in prompt order, and one column per dimension (\(d))\(pooled ? ", pooled into blocks" : ""); blue is negative, red is positive, up to ±\(NumberFormat.short(strip.scale.maximum))\(pooled ? " (block means)" : "")."
        let f = s.lastToken
        return Context(
            tokEmbTable: tableHTML,
            hasTable: hasTable,
            promptStrip: strip.render(),
            stripNote: pooled ? "Each block is the mean of \(HeatmapSVG.poolRanges(count: d).first?.count ?? 1) dimensions; the exact values are in trace.json." : "Each cell's tooltip gives its value.",
            dModel: d,
            dimensional: "\(Self.article(for: d)) \(d)-dimensional",
            vocabSize: NumberFormat.grouped(s.model.vocab.count),
            vocabSizeText: NumberFormat.grouped(s.model.vocab.count),
            tokenCount: s.count,
            exampleWord: t.tokens[f],
            exampleId: t.ids[f],
            exampleRow: WorkedSum.vector(t.tokEmb.row(f)),
            exampleCls: s.tokenClass(f)
        )
    }
}

extension Stage {
    static let embeddings = Stage(EmbeddingsPage.kind)
}
