import Foundation

/// attention.html (per layer): Q, K, V; scaled scores; the causal mask; softmax weights as a
/// heatmap per head; the context vectors.
enum AttentionPage {
    static func context(_ s: SiteData, layer l: Int, focus f: Int) -> [String: Any] {
        let t = s.trace, c = s.model.config, layer = t.layers[l], d = c.dModel, dh = c.dHead
        func perToken(_ caption: String, _ m: [[Double]], columns: [String]? = nil) -> String {
            var table = MatrixTable(caption: caption, values: m, rowLabels: s.tokenLabels, columnLabels: columns ?? s.dimensionLabels(d))
            table.corner = "position · token"
            table.rowClasses = s.tokenClasses
            table.highlightRows = [f]
            return table.render()
        }
        let heads = (0..<c.nHeads).map { h -> [String: Any] in
            let cols = h * dh..<(h + 1) * dh
            var scoreTable = MatrixTable(caption: "Head \(h + 1): scores qᵢ·kⱼ / √\(dh) (rows: query token, columns: key token; −∞: masked)",
                                         optionalValues: layer.scores[h], rowLabels: s.tokenLabels, columnLabels: t.tokens)
            scoreTable.corner = "query \\ key"
            scoreTable.rowClasses = s.tokenClasses
            scoreTable.columnClasses = s.tokenClasses
            scoreTable.highlightRows = [f]
            let weights = layer.weights[h]
            let strongest = weights[f].indices.max { weights[f][$0] < weights[f][$1] } ?? 0
            let masked: [[Double?]] = weights.enumerated().map { i, row in row.enumerated().map { j, v in j <= i ? v : nil } }
            // Long prompts: the views that follow another token draw only that token's row, so the
            // site does not repeat T full heatmaps per head; the last token's page has them all.
            let isStrip = s.count > 16 && f != s.lastToken
            let heatmap = HeatmapSVG(
                id: "attn-l\(l)-h\(h)", title: "Head \(h + 1): attention weights" + (isStrip ? " of “\(t.tokens[f])”" : ""),
                description: (isStrip ? "The attention row of “\(t.tokens[f])” over the \(s.count) tokens; later tokens are masked. " : "Rows are query tokens, columns key tokens; each row sums to 1 and cells above the diagonal are masked. ")
                    + "“\(t.tokens[f])” attends most to “\(t.tokens[strongest])” (\(NumberFormat.short(weights[f][strongest]))).",
                values: isStrip ? [masked[f]] : masked, rowLabels: isStrip ? [t.tokens[f]] : t.tokens, columnLabels: t.tokens,
                scale: .sequential(max: 1), showValues: s.count <= 16, highlightRow: isStrip ? nil : f,
                rowHeader: "query token", columnHeader: "key token",
                rowLabelClasses: isStrip ? [s.tokenClass(f)] : s.tokenClasses, columnLabelClasses: s.tokenClasses,
                legendLabel: "attention weight").render()
            // Worked: the score of the focus token against the first token, and its softmax.
            let qf = Array(layer.q[f][cols]), k0 = Array(layer.k[0][cols])
            let raw = zip(qf, k0).reduce(0) { $0 + $1.0 * $1.1 }
            let score = layer.scores[h][f][0] ?? 0
            let exps = (0...f).map { j in "e^\(WorkedSum.signed(layer.scores[h][f][j] ?? 0))" }
            let softmaxText = "e^\(WorkedSum.signed(score)) / (" + shortened(exps).joined(separator: " + ") + ") = \(NumberFormat.short(weights[f][0], decimals: 4))"
            let contextTerms = (0...f).map { j in "\(WorkedSum.signed(weights[f][j])) × \(WorkedSum.signed(layer.v[j][cols.lowerBound]))" }
            return [
                "number": h + 1,
                "columns": "d\(cols.lowerBound)–d\(cols.upperBound - 1)",
                "scoreTable": scoreTable.render(),
                "heatmap": heatmap,
                "isStrip": isStrip,
                "fullHref": s.file(.attention(l)),
                "strongestWord": t.tokens[strongest],
                "strongestCls": s.tokenClass(strongest),
                "strongestWeight": NumberFormat.short(weights[f][strongest]),
                "workedDot": WorkedSum.dot(qf, k0, result: raw),
                "workedScale": "\(NumberFormat.short(raw, decimals: 4)) / √\(dh) = \(NumberFormat.short(score, decimals: 4))",
                "workedSoftmax": softmaxText,
                "workedContext": shortened(contextTerms).joined(separator: " + ") + " = \(NumberFormat.short(layer.context[f][cols.lowerBound], decimals: 4))",
                "contextColumn": "d\(cols.lowerBound)",
                "firstWord": t.tokens[0],
                "firstCls": s.tokenClass(0),
            ]
        }
        return [
            "qTable": perToken("Q = LN1(x)·W_q\(s.model.weights.layers[l].bQ == nil ? "" : " + b_q")", layer.q),
            "kTable": perToken("K = LN1(x)·W_k\(s.model.weights.layers[l].bK == nil ? "" : " + b_k")", layer.k),
            "vTable": perToken("V = LN1(x)·W_v\(s.model.weights.layers[l].bV == nil ? "" : " + b_v")", layer.v),
            "contextTable": perToken("Context vectors cᵢ = Σⱼ weightᵢⱼ · vⱼ (heads side by side)", layer.context),
            "heads": heads,
            "nHeads": c.nHeads, "dHead": dh, "dModel": d,
            "multiHead": c.nHeads > 1,
            "sqrtDHead": NumberFormat.short(Double(dh).squareRoot(), decimals: 3),
            "focusWord": t.tokens[f], "focusCls": s.tokenClass(f), "focusPosition": f,
            "visibleTokens": f == 0 ? "1 token" : "\(f + 1) tokens",
            "isFirstToken": f == 0,
            "layerNumber": l + 1, "multiLayer": s.multiLayer,
        ]
    }

    static func shortened(_ terms: [String]) -> [String] {
        terms.count <= 10 ? terms : Array(terms.prefix(6)) + ["… \(terms.count - 8) more"] + Array(terms.suffix(2))
    }
}
