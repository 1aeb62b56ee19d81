import TransformerEngine

/// gradient.html: the gradient of the loss at the output, dL/dlogits = p − onehot(target).
enum GradientPage {
    static let kind = PageKind(template: "gradient", label: "Gradient", chapter: .learning, builtIn: PackageResources.gradient_html) { s, v in context(s) }

    struct Context: PageContext {
        @PagePart var common: LearningPages.Common
        var chart: String
        var rows: [Row]
        var truncatedVocab: Bool
        var heatmap: String
        var target: String
        var pTarget: String
        var gTarget: String
        var otherWord: String
        var pOther: String
        var gOther: String
        var lastWord: String
        var lastCls: String
        var finalVector: String
        /// The LM head's input: h2, or LNf(h2) after a final LayerNorm.
        var finalName: String
        var workedDW: String
    }
    struct Row: Encodable {
        var word: String
        var p: String
        var onehot: String
        var grad: String
        var gradExact: String
        var rowClass: String
    }

    /// The most blocks a side of dL/dW_lm's heatmap (a bigger one is pooled).
    static let heatmapSize = 64

    static func context(_ s: SiteData) -> any PageContext {
        guard let learning = s.learning, let targetID = s.trace.targetID else { return LearningPages.noTarget(s) }
        let t = s.trace, vocab = s.model.vocab, last = s.lastToken
        let g = learning.gradients.logits.row(last), p = t.probs.row(last)
        // The words shown, by id: all of a small vocabulary; for a big one the largest
        // |gradient| first, the target always among them (labels can repeat, ids cannot).
        let limit = 20
        var shownIDs = Array(vocab.indices)
        if vocab.count > limit {
            shownIDs = Ranking.top(limit, of: vocab.count) { abs(g[$0]) != abs(g[$1]) ? abs(g[$0]) > abs(g[$1]) : $0 < $1 }
            if !shownIDs.contains(targetID) { shownIDs.append(targetID) }
        }
        let note = vocab.count > limit ? " Showing the \(limit) words with the largest gradient of \(vocab.count)\(shownIDs.count > limit ? " plus the target" : "")." : ""
        // A gradient has no prediction: only the target is marked.
        let shown = shownIDs.map { BarChartSVG.Bar(label: vocab[$0], value: g[$0], isTarget: $0 == targetID) }
        let chart = BarChartSVG(
            id: "grad-logits", title: "dL/dlogits after “\(t.tokens[last])”",
            description: "Every word but the target gets a positive gradient (its logit is pushed down); the target “\(vocab[targetID])” gets \(NumberFormat.short(g[targetID])) (pulled up).\(note)",
            bars: shown, valueAxisLabel: "dL/dlogit", categoryAxisLabel: "word").render()
        let rows = shownIDs.map { i -> Row in
            Row(word: vocab[i], p: NumberFormat.atLeastTwoDigits(p[i]), onehot: i == targetID ? "1" : "0",
             grad: NumberFormat.atLeastTwoDigits(g[i]), gradExact: NumberFormat.tooltip(g[i]), rowClass: i == targetID ? "focus" : "")
        }
        let other = t.predictionID == targetID ? (targetID == 0 ? 1 : 0) : t.predictionID
        let dW = learning.gradients.wLM
        let heatmap = HeatmapSVG(
            id: "grad-wlm", title: "dL/dW_lm",
            description: "The gradient of W_lm is the outer product of the last token's vector and dL/dlogits: the target's column is pushed one way, every other column the other way.\(dW.rows > Self.heatmapSize || dW.cols > Self.heatmapSize ? " Each cell is the mean of a block, on the means' own colour scale." : "")",
            gradient: learning.digests.digest("W_lm", of: dW), rowLabels: s.dimensionLabels(s.model.config.dModel), columnLabels: vocab,
            showValues: s.model.config.dModel <= 16 && vocab.count <= 16, rowHeader: "dimension", columnHeader: "word",
            legendLabel: "dL/dW", maxSize: Self.heatmapSize).render()
        return Context(common: LearningPages.common(s), 
            chart: chart,
            rows: rows,
            truncatedVocab: vocab.count > limit,
            heatmap: heatmap,
            target: vocab[targetID],
            pTarget: NumberFormat.atLeastTwoDigits(p[targetID]),
            gTarget: NumberFormat.atLeastTwoDigits(g[targetID]),
            otherWord: vocab[other],
            pOther: NumberFormat.atLeastTwoDigits(p[other]),
            gOther: NumberFormat.atLeastTwoDigits(g[other]),
            lastWord: t.tokens[last], lastCls: s.tokenClass(last),
            finalVector: WorkedSum.vector(t.final.row(last)),
            finalName: LMHeadPage.inputName(s.model.config),
            workedDW: "\(WorkedSum.signed(t.final[last, 0], decimals: 4)) × \(WorkedSum.signed(g[targetID], decimals: 4)) = \(NumberFormat.short(dW[0, targetID], decimals: 4))"
        )
    }
}

/// What every page of the learning chapter shares.
/// What every page of the learning chapter shows, with a target or without.
enum LearningPages {
    struct Common: PageContext {
        var hasTarget: Bool
        var loss: String
        var prediction: String
        var targetWord: String
        var learningRate: String
        /// " + b_lm" when the model has the LM head's bias (for the formulas).
        var lmBias: String
        /// "the block", or "the 2 blocks".
        var theBlocks: String
    }

    static func common(_ s: SiteData) -> Common {
        Common(hasTarget: s.learning != nil,
               loss: s.trace.loss.map { NumberFormat.short($0, decimals: 4) } ?? "",
               prediction: s.trace.prediction,
               targetWord: s.trace.target ?? "",
               learningRate: s.learning.map { NumberFormat.exact($0.learningRate) } ?? "",
               lmBias: FormulaTerms.bias(s.model.weights.bLM, "b_lm"),
               theBlocks: s.multiLayer ? "the \(s.model.config.nLayers) blocks" : "the block")
    }

    /// Without a target the pages show only their note (`learning-no-target.html`).
    static func noTarget(_ s: SiteData) -> any PageContext { common(s) }
}

extension Stage {
    static let gradient = Stage(GradientPage.kind)
}
