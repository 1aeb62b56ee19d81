import TransformerEngine

/// gradient.html: the gradient of the loss at the output, dL/dlogits = p − onehot(target).
enum GradientPage {
    static func context(_ s: SiteData) -> [String: Any] {
        guard let learning = s.learning, let targetID = s.trace.targetID else { return LearningPages.noTarget(s) }
        let t = s.trace, vocab = s.model.vocab, last = s.lastToken
        let g = learning.gradients.logits.row(last), p = t.probs.row(last)
        let bars = ProbabilityBars.top(values: g.map { -abs($0) }, words: vocab, argmax: t.predictionID, target: targetID)
        // Show the same words as the probability chart (largest |gradient| first for big vocabularies), signed.
        let shown = bars.bars.map { bar -> BarChartSVG.Bar in
            let i = vocab.firstIndex(of: bar.label) ?? 0
            return BarChartSVG.Bar(label: bar.label, value: g[i], isArgmax: bar.isArgmax, isTarget: bar.isTarget)
        }
        let chart = BarChartSVG(
            id: "grad-logits", title: "dL/dlogits after “\(t.tokens[last])”",
            description: "Every word but the target gets a positive gradient (its logit is pushed down); the target “\(vocab[targetID])” gets \(NumberFormat.short(g[targetID])) (pulled up).\(bars.note)",
            bars: shown, valueAxisLabel: "dL/dlogit", categoryAxisLabel: "word").render()
        let rows = vocab.indices.prefix(20).map { i -> [String: Any] in
            ["word": vocab[i], "p": NumberFormat.short(p[i], decimals: 4), "onehot": i == targetID ? "1" : "0",
             "grad": NumberFormat.short(g[i], decimals: 4), "gradExact": NumberFormat.exact(g[i]), "rowClass": i == targetID ? "focus" : ""]
        }
        let other = t.predictionID == targetID ? (targetID == 0 ? 1 : 0) : t.predictionID
        let dW = learning.gradients.wLM
        let scale = ColorScale.diverging(for: dW.nested)
        let heatmap = HeatmapSVG(
            id: "grad-wlm", title: "dL/dW_lm",
            description: "The gradient of W_lm is the outer product of the last token's vector and dL/dlogits: the target's column is pushed one way, every other column the other way.",
            values: dW.nested.map { $0.map { Optional($0) } }, rowLabels: s.dimensionLabels(s.model.config.dModel), columnLabels: vocab,
            scale: scale, showValues: s.model.config.dModel <= 16 && vocab.count <= 16, rowHeader: "dimension", columnHeader: "word",
            legendLabel: "dL/dW").render()
        return LearningPages.common(s) + [
            "chart": chart,
            "rows": rows,
            "truncatedVocab": vocab.count > 20,
            "heatmap": heatmap,
            "target": vocab[targetID],
            "pTarget": NumberFormat.short(p[targetID], decimals: 4),
            "gTarget": NumberFormat.short(g[targetID], decimals: 4),
            "otherWord": vocab[other],
            "pOther": NumberFormat.short(p[other], decimals: 4),
            "gOther": NumberFormat.short(g[other], decimals: 4),
            "lastWord": t.tokens[last], "lastCls": s.tokenClass(last),
            "finalVector": WorkedSum.vector(t.final.row(last)),
            "workedDW": "\(WorkedSum.signed(t.final[last, 0], decimals: 4)) × \(WorkedSum.signed(g[targetID], decimals: 4)) = \(NumberFormat.short(dW[0, targetID], decimals: 4))",
        ]
    }
}

/// What every page of the learning chapter shares.
enum LearningPages {
    static func common(_ s: SiteData) -> [String: Any] {
        [
            "hasTarget": s.learning != nil,
            "loss": s.trace.loss.map { NumberFormat.short($0, decimals: 4) } ?? "",
            "prediction": s.trace.prediction,
            "targetWord": s.trace.target ?? "",
            "learningRate": s.learning.map { NumberFormat.exact($0.learningRate) } ?? "",
        ]
    }

    /// The chapter without a target: there is no loss, so nothing to learn from. The
    /// templates name their other values only inside `{{#hasTarget}}`, which is then skipped.
    static func noTarget(_ s: SiteData) -> [String: Any] { common(s) }
}

extension Dictionary where Key == String, Value == Any {
    static func + (lhs: [String: Any], rhs: [String: Any]) -> [String: Any] {
        lhs.merging(rhs) { _, new in new }
    }
}
