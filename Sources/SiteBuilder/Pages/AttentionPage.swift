import Foundation

/// attention.html (per layer): Q, K, V; scaled scores; the causal mask; softmax weights as a
/// heatmap per head; the context vectors.
enum AttentionPage {
    static let kind = PageKind(template: "attention", label: "Attention", repeats: .perLayer, followsFocus: true, builtIn: PackageResources.attention_html) { s, v in context(s, layer: v.layer, focus: v.focus) }

    struct Context: PageContext {
        var isStrip: Bool
        var stripHeatmap: String
        var fullHref: String
        var lastWord: String
        var qTable: TableContext
        var kTable: TableContext
        var vTable: TableContext
        var contextTable: TableContext
        var heads: [Head]
        var nHeads: Int
        var dHead: Int
        var dModel: Int
        var multiHead: Bool
        var sqrtDHead: String
        var focusWord: String
        var focusCls: String
        var focusPosition: Int
        var visibleTokens: String
        var isFirstToken: Bool
        var layerNumber: Int
        var multiLayer: Bool
    }
    struct Head {
        var number: Int
        var columns: String
        var scoreTable: TableContext
        var heatmap: String
        var hasHeatmap: Bool
        var strongestWord: String
        var strongestCls: String
        var strongestWeight: String
        var workedDot: WorkedSum
        var workedScale: String
        var workedSoftmax: String
        var workedContext: WorkedSum
        var contextColumn: String
        var firstWord: String
        var firstCls: String
    }

    static func context(_ s: SiteData, layer l: Int, focus f: Int) -> Context {
        let t = s.trace, c = s.model.config, layer = t.layers[l], d = c.dModel, dh = c.dHead
        func perToken(_ caption: String, _ m: [[Double]]) -> TableContext {
            s.tokenTable(caption, m, columns: s.dimensionLabels(d), focus: f, stage: .attention(l)).render()
        }
        let heads = (0..<c.nHeads).map { h -> Head in
            // "Head 2: …" only when there is more than one head.
            let headPrefix = c.nHeads > 1 ? "Head \(h + 1): " : ""
            let cols = h * dh..<(h + 1) * dh
            var scoreTable = s.tokenTable((headPrefix.isEmpty ? "Scores" : headPrefix + "scores") + " qᵢ·kⱼ / √\(dh) (rows: query token, columns: key token; −∞: masked)",
                                          layer.scores[h].nested.map { $0.map { $0 == -.infinity ? nil : $0 } }, columns: t.tokens, focus: f, stage: .attention(l))
            scoreTable.corner = "query \\ key"
            scoreTable.columnClasses = s.tokenClasses
            if s.count > MatrixTable.limit {
                // The heatmap below shows every row; the table keeps the focus row's exact scores.
                scoreTable.onlyRows = [f]
                scoreTable.rowsNote = Note(text: "the row of \(s.quoted(f)); every score is in trace.json")
            }
            let weights = layer.weights[h]
            let strongest = weights.row(f).indices.max { weights[f, $0] < weights[f, $1] } ?? 0
            // Long prompts: the views that follow another token draw only that token's rows, one
            // per head in one figure (below), so the site does not repeat T full heatmaps per
            // head; the last token's page has them all.
            let isStrip = s.isLeanView(focus: f)
            let heatmap = isStrip ? "" : HeatmapSVG(
                id: "attn-l\(l)-h\(h)", title: headPrefix.isEmpty ? "Attention weights" : headPrefix + "attention weights",
                description: "Rows are query tokens, columns key tokens; each row sums to 1 and cells above the diagonal are masked. "
                    + "“\(t.tokens[f])” attends most to “\(t.tokens[strongest])” (\(NumberFormat.short(weights[f, strongest]))).",
                values: weights.nested.enumerated().map { i, row in row.enumerated().map { j, v in j <= i ? v : nil } },
                rowLabels: t.tokens, columnLabels: t.tokens,
                scale: .sequential(max: 1), showValues: s.count <= 16, highlightRow: f,
                rowHeader: "query token", columnHeader: "key token",
                rowLabelClasses: s.tokenClasses, columnLabelClasses: s.tokenClasses,
                legendLabel: "attention weight").render()
            // Worked: the score of the focus token against the first token, and its softmax.
            let qf = Array(layer.q.row(f)[cols]), k0 = Array(layer.k.row(0)[cols])
            let raw = zip(qf, k0).reduce(0) { $0 + $1.0 * $1.1 }
            let score = layer.scores[h][f, 0]
            let exps = shortened(f + 1) { j in "e^\(WorkedSum.signed(layer.scores[h][f, j]))" }
            let softmaxText = "e^\(WorkedSum.signed(score)) / (" + exps.joined(separator: " + ") + ") = \(NumberFormat.short(weights[f, 0], decimals: 4))"
            let contextTerms = WorkedSum.shortened(f + 1, gap: { "… \($0) more" }) { j in
                WorkedSum.Term(left: WorkedSum.signed(weights[f, j]), right: WorkedSum.signed(layer.v[j, cols.lowerBound]))
            }
            return Head(
                number: h + 1,
                columns: "d\(cols.lowerBound)–d\(cols.upperBound - 1)",
                scoreTable: scoreTable.render(),
                heatmap: heatmap,
                hasHeatmap: !isStrip,
                strongestWord: t.tokens[strongest],
                strongestCls: s.tokenClass(strongest),
                strongestWeight: NumberFormat.short(weights[f, strongest]),
                workedDot: WorkedSum.dot(qf, k0, result: raw),
                workedScale: "\(NumberFormat.short(raw, decimals: 4)) / √\(dh) = \(NumberFormat.short(score, decimals: 4))",
                workedSoftmax: softmaxText,
                workedContext: WorkedSum(terms: contextTerms, result: NumberFormat.short(layer.context[f, cols.lowerBound], decimals: 4)),
                contextColumn: "d\(cols.lowerBound)",
                firstWord: t.tokens[0],
                firstCls: s.tokenClass(0)
            )
        }
        // A lean view's one figure: the focus token's weights, one row per head.
        let isStrip = s.isLeanView(focus: f)
        let stripHeatmap = !isStrip ? "" : HeatmapSVG(
            id: "attn-l\(l)-strip", title: "Attention weights of “\(t.tokens[f])”" + (c.nHeads > 1 ? ", head by head" : ""),
            description: "What “\(t.tokens[f])” attends to over the \(s.count) tokens" + (c.nHeads > 1 ? ", one row per head" : "") + "; later tokens are masked.",
            values: layer.weights.map { w in w.row(f).enumerated().map { j, v in j <= f ? v : nil } },
            rowLabels: (0..<c.nHeads).map { "head \($0 + 1)" }, columnLabels: t.tokens,
            scale: .sequential(max: 1), rowHeader: c.nHeads > 1 ? "head" : nil, columnHeader: "key token",
            columnLabelClasses: s.tokenClasses, legendLabel: "attention weight").render()
        return Context(
            isStrip: isStrip, stripHeatmap: stripHeatmap, fullHref: s.file(.attention(l)),
            lastWord: t.tokens[s.lastToken],
            qTable: perToken("Q = LN1(x)·W_q\(s.model.weights.layers[l].bQ == nil ? "" : " + b_q")", layer.q.nested),
            kTable: perToken("K = LN1(x)·W_k\(s.model.weights.layers[l].bK == nil ? "" : " + b_k")", layer.k.nested),
            vTable: perToken("V = LN1(x)·W_v\(s.model.weights.layers[l].bV == nil ? "" : " + b_v")", layer.v.nested),
            contextTable: perToken("Context vectors cᵢ = Σⱼ weightᵢⱼ · vⱼ" + (c.nHeads > 1 ? " (heads side by side)" : ""), layer.context.nested),
            heads: heads,
            nHeads: c.nHeads, dHead: dh, dModel: d,
            multiHead: c.nHeads > 1,
            sqrtDHead: NumberFormat.short(Double(dh).squareRoot(), decimals: 3),
            focusWord: t.tokens[f], focusCls: s.tokenClass(f), focusPosition: f,
            visibleTokens: f == 0 ? "only token" : "\(f + 1) tokens",
            isFirstToken: f == 0,
            layerNumber: l + 1, multiLayer: s.multiLayer
        )
    }

    /// The terms 0..<count of a long sum as written out: all of up to 10, else the first 6,
    /// "… N more" and the last 2 (only the shown ones are formatted).
    static func shortened(_ count: Int, _ term: (Int) -> String) -> [String] {
        count <= 10 ? (0..<count).map(term) : (0..<6).map(term) + ["… \(count - 8) more"] + (count - 2..<count).map(term)
    }
}

extension Stage {
    static func attention(_ layer: Int) -> Stage { Stage(AttentionPage.kind, layer: layer) }
}
