import TransformerEngine

/// lm-head.html: logits = h2 · W_lm (+ b_lm), one score per vocabulary word.
enum LMHeadPage {
    static let kind = PageKind(template: "lm-head", label: "LM head", followsFocus: true, builtIn: PackageResources.lm_head_html) { s, v in context(s, focus: v.focus) }

    struct Context: PageContext {
        var finalTable: TableContext
        var wlmTable: TableContext
        var logitTable: TableContext
        var heatmap: String
        var hasHeatmap: Bool
        var figureHref: String
        var chart: String
        var finalName: String
        var hasFinalNorm: Bool
        var focusWord: String
        var focusCls: String
        var topWord: String
        var topLogit: String
        var workedLogit: WorkedSum
        var vocabSize: Int
        var dModel: Int
    }

    static func context(_ s: SiteData, focus f: Int) -> Context {
        let t = s.trace, c = s.model.config, w = s.model.weights
        let dims = s.dimensionLabels(c.dModel)
        let finalName = c.finalLayerNorm ? "LNf(h2)" : "h2"
        let finalTable = s.tokenTable("\(finalName): the last block's output\(c.finalLayerNorm ? ", after the final LayerNorm" : "")",
                                      t.final.nested, columns: dims, focus: f, stage: .lmHead)
        let predicted = argmax(t.logits.row(f))
        var wlm = MatrixTable(caption: "W_lm (\(c.dModel) × \(s.model.vocab.count)): each column is a word's signature",
                              values: w.wLM.nested, rowLabels: dims.map { "r" + $0.dropFirst() }, columnLabels: s.model.vocab)
        wlm.corner = "row \\ word"
        wlm.highlightColumns = [predicted]
        let logits = s.tokenTable("logits = \(finalName) · W_lm\(w.bLM == nil ? "" : " + b_lm") (one row per position)",
                                  t.logits.nested, columns: s.model.vocab, focus: f, stage: .lmHead)
        let hasHeatmap = s.drawsSharedFigure(cells: c.dModel * s.model.vocab.count, focus: f)
        let heatmap = !hasHeatmap ? "" : HeatmapSVG(
                id: "wlm-heatmap", title: "Heatmap of W_lm",
                description: "Rows are the \(c.dModel) dimensions, columns the \(s.model.vocab.count) vocabulary words; a word scores high when the token's vector is large where its column is large.",
                values: w.wLM.nested.map { $0.map { Optional($0) } }, rowLabels: dims, columnLabels: s.model.vocab, scale: ColorScale.diverging(for: w.wLM.nested),
                showValues: c.dModel <= 16 && s.model.vocab.count <= 16, rowHeader: "dimension", columnHeader: "word",
                legendLabel: "weight").render()
        let target = f == s.lastToken ? t.targetID : t.ids[f + 1]
        let bars = ProbabilityBars.top(values: t.logits.row(f), words: s.model.vocab, argmax: predicted, target: target)
        let chart = BarChartSVG(
            id: "logit-bars", title: "Logits after “\(t.tokens[f])”",
            description: "The highest logit is “\(s.model.vocab[predicted])” (\(NumberFormat.short(t.logits[f, predicted]))).\(bars.note)",
            bars: bars.bars, valueAxisLabel: "logit", categoryAxisLabel: "word").render()
        let column = w.wLM.nested.map { $0[predicted] }
        return Context(
            finalTable: finalTable.render(),
            wlmTable: s.sharedTable(wlm, name: "W_lm", focus: f, stage: .lmHead),
            logitTable: logits.render(),
            heatmap: heatmap, hasHeatmap: hasHeatmap, figureHref: s.file(.lmHead),
            chart: chart,
            finalName: finalName,
            hasFinalNorm: c.finalLayerNorm,
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            topWord: s.model.vocab[predicted],
            topLogit: NumberFormat.short(t.logits[f, predicted]),
            workedLogit: WorkedSum.dot(t.final.row(f), column, bias: w.bLM?[predicted], result: t.logits[f, predicted]),
            vocabSize: s.model.vocab.count, dModel: c.dModel
        )
    }
}

/// Bars for a vocabulary-sized vector: all of them when the vocabulary is small, otherwise the
/// top 20 plus the target.
enum ProbabilityBars {
    static func top(values: [Double], words: [String], argmax: Int, target: Int?, limit: Int = 20) -> (bars: [BarChartSVG.Bar], note: String) {
        var order = Array(values.indices)
        var note = ""
        if values.count > limit {
            order = order.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
            var kept = Array(order.prefix(limit))
            if let target, !kept.contains(target) { kept.append(target) }
            order = kept
            note = " Showing the top \(limit) of \(values.count) words\(target.map { kept.contains($0) && !order.prefix(limit).contains($0) ? " plus the target" : "" } ?? "")."
        }
        let bars = order.map { i in
            BarChartSVG.Bar(label: words[i], value: values[i], isArgmax: i == argmax, isTarget: i == target)
        }
        return (bars, note)
    }
}

extension Stage {
    static let lmHead = Stage(LMHeadPage.kind)
}
