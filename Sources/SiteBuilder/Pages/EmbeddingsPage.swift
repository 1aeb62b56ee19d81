/// embeddings.html: tok_emb, the prompt's rows highlighted, and its heatmap.
enum EmbeddingsPage {
    static let kind = PageKind(template: "embeddings", label: "Embeddings", builtIn: PackageResources.embeddings_html) { s, v in context(s) }

    struct Context: PageContext {
        var tokEmbTable: TableContext
        var heatmap: String
        var promptTable: TableContext
        var dModel: Int
        var vocabSize: Int
        var exampleWord: String
        var exampleId: Int
        var exampleRow: String
        var exampleCls: String
    }

    static func context(_ s: SiteData) -> Context {
        let t = s.trace, w = s.model.weights, d = s.model.config.dModel
        let vocabLabels = s.model.vocab.enumerated().map { "\($0) · \($1)" }
        var table = MatrixTable(caption: "tok_emb: one row of \(d) numbers per vocabulary word (rows the prompt uses are highlighted)",
                                values: w.tokEmb.nested, rowLabels: vocabLabels, columnLabels: s.dimensionLabels(d))
        table.corner = "id · word"
        table.highlightRows = Set(t.ids)
        let scale = ColorScale.diverging(for: w.tokEmb.nested)
        let heatmap = HeatmapSVG(
            id: "tok-emb-heatmap", title: "Heatmap of tok_emb",
            description: "Each row is a vocabulary word's \(d)-number embedding; blue is negative, red is positive, up to ±\(NumberFormat.short(scale.maximum)).",
            values: w.tokEmb.nested.map { $0.map { Optional($0) } }, rowLabels: s.model.vocab, columnLabels: s.dimensionLabels(d),
            scale: scale, showValues: w.tokEmb.rows <= 16 && d <= 16, rowHeader: "word", columnHeader: "dimension",
            legendLabel: "value").render()
        var promptTable = MatrixTable(caption: "The prompt's rows, in prompt order", values: t.tokEmb.nested,
                                      rowLabels: s.tokenLabels, columnLabels: s.dimensionLabels(d))
        promptTable.corner = "position · token"
        promptTable.rowClasses = s.tokenClasses
        let f = s.lastToken
        return Context(
            tokEmbTable: table.render(),
            heatmap: heatmap,
            promptTable: promptTable.render(),
            dModel: d,
            vocabSize: s.model.vocab.count,
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
