import FoundationEssentials
import TransformerEngine

/// attention.html (per layer): Q, K, V; scaled scores; the causal mask; softmax weights as a
/// heatmap per head; the context vectors.
enum AttentionPage {
    static let kind = PageKind(template: "attention", label: "Attention", repeats: .perLayer, followsFocus: true, builtIn: PackageResources.attention_html) { s, v in context(s, layer: v.layer, focus: v.focus) }

    struct Context: PageContext {
        var isStrip: Bool
        var stripHeatmap: String
        var fullHref: String
        var lastWord: String
        /// Each weight matrix beside what it makes: W_q with Q, W_k with K, W_v with V.
        var projections: [Projection]
        /// Whether each weight table sits beside its output (W_q | Q, then W_k | K, W_v | V)
        /// rather than over it in three columns: at 1280 px three columns fit up to
        /// `columnsForThreeAcross` dimensions (the seed's 4); wider tables come in pairs.
        var weightBesideOutput: Bool
        /// " + b_q", " + b_k", " + b_v" when the model has these biases.
        var qBias: String
        var kBias: String
        var vBias: String
        /// The same in words for the sentence under the tables: " plus its bias" when the model
        /// has all three, " (plus b_q)" and the like when only some, else "".
        var projectionBiases: String
        /// One entry of Q by hand: the followed token's LN1 row times W_q's first column.
        var workedQ: WorkedSum
        var workedQProducts: String
        var qEntry: String
        var lnRowName: String
        /// "x", or "h2 (layer 1)" in the second block: what LN1 normalises here.
        var streamName: String
        /// "Both heads" or "All 4 heads" (the small multiples' heading).
        var headsAtAGlance: String
        /// The heads as small multiples (several heads, full views): each links to its section.
        var hasGrid: Bool
        var grid: [GridCell]
        /// "head-grid" (table and heatmap beside the worked sums) for short prompts, "head-stack" for long ones.
        var headLayout: String
        /// W_o's mixing, with this model's numbers (the first output number of the followed token).
        var woMixing: String
        /// What √d_head does here: head 1's weight of the followed token on the key it weighs most, without the division and with it.
        var unscaledWeight: String
        var scaledWeight: String
        /// “the”, or “itself” when the followed token weighs itself most.
        var favouriteKey: String
        var attnOutFirst: String
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
    struct Projection: Encodable {
        var weightTable: TableContext
        var outputTable: TableContext
    }
    struct GridCell: Encodable {
        var number: Int
        var anchor: String
        var heatmap: String
    }
    struct Head: Encodable {
        var number: Int
        var anchor: String
        /// Folded into a closed <details> (many heads: the small multiples above show every
        /// pattern; a link from one of them opens its head's section).
        var collapsed: Bool
        /// The section's id: the anchor, unless a folded section's content has it (so a link
        /// to the head opens the <details>).
        var sectionID: String
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

    /// The widest d_model whose W_q, W_k and W_v tables (each over its Q, K or V) fit three
    /// across the 1280-px page (d = 4: 359 px each; d = 8 would need 581).
    static let columnsForThreeAcross = 4

    /// With more heads than this, every head's section after the first starts folded: twelve
    /// full sections were 19,000 px at 1280 and 28,000 at 390 (GPT-2 small).
    static let collapseHeadsAbove = 2

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
            let exps = WorkedSum.shortened(f + 1, separator: " + ") { j in "e^\(WorkedSum.signed(layer.scores[h][f, j]))" }
            let softmaxText = "e^\(WorkedSum.signed(score)) / (" + exps + ") = \(NumberFormat.short(weights[f, 0], decimals: 4))"
            let contextTerms = WorkedSum.shortened(f + 1, gap: { WorkedSum.Term(left: "… \($0) more") }) { j in
                WorkedSum.Term(left: WorkedSum.signed(weights[f, j]), right: WorkedSum.signed(layer.v[j, cols.lowerBound]))
            }
            let collapsed = h > 0 && c.nHeads > collapseHeadsAbove && !isStrip
            return Head(
                number: h + 1,
                anchor: "head-\(h + 1)",
                collapsed: collapsed,
                sectionID: collapsed ? "head-\(h + 1)-section" : "head-\(h + 1)",
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
        // Every weight matrix the page uses, beside what it makes.
        let w = s.model.weights.layers[l], dims = s.dimensionLabels(d)
        // The stream this block reads: x in the first block, the previous block's h2 after it
        // (named as the residual page names it).
        let streamName = l == 0 ? "x" : "h2 (layer \(l))"
        func weightTable(_ name: String, _ m: Tensor) -> TableContext {
            func table() -> MatrixTable {
                var table = MatrixTable(caption: "\(name) (\(d) × \(d))", matrix: m, rowLabels: dims, columnLabels: dims)
                table.corner = "in \\ out"
                if name == "W_q" { table.highlightColumns = [0] }  // the column worked by hand
                return table
            }
            return s.sharedTable(table(), name: name, focus: f, stage: .attention(l))
        }
        let projections = [("W_q", w.wQ, "Q", w.bQ, "b_q", layer.q), ("W_k", w.wK, "K", w.bK, "b_k", layer.k), ("W_v", w.wV, "V", w.bV, "b_v", layer.v)]
            .map { name, weight, output, bias, biasName, values in
                Projection(weightTable: weightTable(name, weight),
                           outputTable: perToken("\(output) = LN1(\(streamName))·\(name)\(bias == nil ? "" : " + " + biasName)", values.nested))
            }
        let lnRow = layer.ln1Out.row(f), wqColumn = (0..<d).map { w.wQ[$0, 0] }
        // The heads side by side as small multiples, each linking to its own section below.
        // A long prompt's small maps are thumbnails: their labels would be too small to read,
        // and the head's section has them.
        let grid: [GridCell] = c.nHeads == 1 || isStrip ? [] : (0..<c.nHeads).map { h in
            var small = HeatmapSVG(
                id: "attn-l\(l)-grid-h\(h)", title: "Head \(h + 1)",
                description: "Head \(h + 1)'s attention weights, rows query tokens and columns key tokens; its section below has the numbers.",
                values: layer.weights[h].nested.enumerated().map { i, row in row.enumerated().map { j, v in j <= i ? v : nil } },
                rowLabels: t.tokens, columnLabels: t.tokens, scale: .sequential(max: 1), highlightRow: f,
                rowLabelClasses: s.tokenClasses, columnLabelClasses: s.tokenClasses)
            small.isThumbnail = s.count > MatrixTable.limit
            return GridCell(number: h + 1, anchor: "head-\(h + 1)", heatmap: small.render())
        }
        // √d_head, with this model's numbers: the same softmax of head 1's unscaled dot products,
        // read at the key the followed token weighs most.
        let unscaled = softmax((0...f).map { j in layer.scores[0][f, j] * Double(dh).squareRoot() })
        let favourite = (0...f).max { layer.weights[0][f, $0] < layer.weights[0][f, $1] } ?? 0
        // W_o mixes across the heads: the first output number is one share per head (plus b_o).
        let shares = (0..<c.nHeads).map { h in (h * dh..<(h + 1) * dh).reduce(0.0) { $0 + layer.context[f, $1] * w.wO[$1, 0] } }
        let shareTerms = shares.enumerated().map { h, share in "\(WorkedSum.signed(share, decimals: 4)) (head \(h + 1))" }
            + (w.bO.map { ["\(WorkedSum.signed($0[0], decimals: 4)) (b_o)"] } ?? [])
        let woMixing = WorkedSum.shortened(shareTerms.count, separator: " + ") { shareTerms[$0] }
            + " = " + NumberFormat.short(layer.attnOut[f, 0], decimals: 4)
        return Context(
            isStrip: isStrip, stripHeatmap: stripHeatmap, fullHref: s.file(.attention(l)),
            lastWord: t.tokens[s.lastToken],
            projections: projections, weightBesideOutput: d > AttentionPage.columnsForThreeAcross,
            qBias: FormulaTerms.bias(w.bQ, "b_q"), kBias: FormulaTerms.bias(w.bK, "b_k"), vBias: FormulaTerms.bias(w.bV, "b_v"),
            projectionBiases: FormulaTerms.biasWords([("b_q", w.bQ), ("b_k", w.bK), ("b_v", w.bV)]),
            workedQ: WorkedSum.dot(lnRow, wqColumn, bias: w.bQ?[0], result: layer.q[f, 0]),
            workedQProducts: WorkedSum.joinedSum(zip(lnRow, wqColumn).map { $0 * $1 } + (w.bQ.map { [$0[0]] } ?? []))
                + " = " + NumberFormat.short(layer.q[f, 0], decimals: 4),
            qEntry: NumberFormat.short(layer.q[f, 0], decimals: 4),
            lnRowName: "LN1(\(streamName)) of “\(t.tokens[f])”",
            streamName: streamName,
            headsAtAGlance: c.nHeads == 2 ? "Both heads" : "All \(c.nHeads) heads",
            hasGrid: !grid.isEmpty, grid: grid,
            headLayout: s.count <= 10 ? "head-grid" : "head-stack",
            woMixing: woMixing,
            unscaledWeight: NumberFormat.short(unscaled[favourite]),
            scaledWeight: NumberFormat.short(layer.weights[0][f, favourite]),
            favouriteKey: favourite == f ? "itself" : s.quoted(favourite),
            attnOutFirst: NumberFormat.short(layer.attnOut[f, 0], decimals: 4),
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

}

extension Stage {
    static func attention(_ layer: Int) -> Stage { Stage(AttentionPage.kind, layer: layer) }
}
