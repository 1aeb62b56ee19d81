import TransformerEngine

/// step.html: one gradient-descent step W ← W − η·∇W, and what it does to the prediction.
enum StepPage {
    static let kind = PageKind(template: "step", label: "One step", chapter: .learning, builtIn: PackageResources.step_html) { s, v in context(s) }

    struct Context: PageContext {
        @PagePart var common: LearningPages.Common
        var beforeTable: TableContext
        var gradTable: TableContext
        var afterTable: TableContext
        var probChart: String
        var newLoss: String
        var newPrediction: String
        var stepCorrect: Bool
        var lossDown: Bool
        var target: String
        var lastWord: String
        var pTarget: String
        var pAfter: String
        var trainedNote: String
        var workedStep: String
    }

    static func context(_ s: SiteData) -> any PageContext {
        guard let learning = s.learning, let targetID = s.trace.targetID else { return LearningPages.noTarget(s) }
        let t = s.trace, after = learning.steppedTrace, vocab = s.model.vocab, last = s.lastToken
        let dims = s.dimensionLabels(s.model.config.dModel)
        let before = s.model.weights.wLM, grad = learning.gradients.wLM, eta = learning.learningRate
        func table(_ table: MatrixTable) -> TableContext {
            var table = table
            table.corner = "dimension \\ word"
            table.highlightColumns = [targetID]
            return table.render()
        }
        let indices = ProbabilityBars.top(values: t.probs.row(last), words: vocab, argmax: t.predictionID, target: targetID).ids
        let chart = GroupedBarChartSVG(
            id: "step-probs", title: "Probabilities before and after one step",
            description: "p(“\(vocab[targetID])”) goes from \(NumberFormat.percent(t.probs[last, targetID])) to \(NumberFormat.percent(after.probs[last, targetID])) after one step with η = \(NumberFormat.exact(learning.learningRate)).",
            categories: indices.map { vocab[$0] },
            series: [.init(name: "before", values: indices.map { t.probs[last, $0] }),
                     .init(name: "after one step", values: indices.map { after.probs[last, $0] })],
            valueAxisLabel: "probability", categoryAxisLabel: "word", valueFormat: .percent).render()
        return Context(common: LearningPages.common(s), 
            beforeTable: table(MatrixTable(caption: "W_lm before the step", matrix: before, rowLabels: dims, columnLabels: vocab)),
            gradTable: table(MatrixTable(caption: "dL/dW_lm, the gradient", gradient: grad, rowLabels: dims, columnLabels: vocab)),
            afterTable: table(MatrixTable(caption: "W_lm after the step: W_lm − η · dL/dW_lm", stepping: before, gradient: grad,
                                          learningRate: eta, rowLabels: dims, columnLabels: vocab)),
            probChart: chart,
            newLoss: after.loss.map { NumberFormat.short($0, decimals: 4) } ?? "",
            newPrediction: after.prediction,
            stepCorrect: after.prediction == vocab[targetID],
            lossDown: (after.loss ?? 0) < (t.loss ?? 0),
            target: vocab[targetID],
            lastWord: t.tokens[last],
            pTarget: NumberFormat.percent(t.probs[last, targetID]),
            pAfter: NumberFormat.percent(after.probs[last, targetID]),
            trainedNote: trainedNote(s.model.weights),
            workedStep: "\(WorkedSum.signed(before[0, targetID], decimals: 4)) − \(NumberFormat.exact(eta)) × \(WorkedSum.signed(grad[0, targetID], decimals: 4)) = \(NumberFormat.short(before[0, targetID] - eta * grad[0, targetID], decimals: 4))"
        )
    }

    /// Which parameters the step moves: only those the model file holds. An absent bias or
    /// LayerNorm γ/β is not a parameter; it stays at its fixed 0 or 1.
    static func trainedNote(_ w: Weights) -> String {
        var optionals: [[Double]?] = [w.bLM, w.lnf.gamma, w.lnf.beta]
        for l in w.layers {
            optionals += [l.bQ, l.bK, l.bV, l.bO, l.b1, l.b2, l.ln1.gamma, l.ln1.beta, l.ln2.gamma, l.ln2.beta]
        }
        let held = optionals.filter { $0 != nil }.count
        if held == optionals.count { return "Every other parameter, biases and LayerNorm γ and β included, moves the same way." }
        if held == 0 {
            return "Every other matrix moves the same way. This model file holds no biases and no LayerNorm γ or β, so they are not parameters here: they stay at 0 and 1 and do not move."
        }
        return "Every other parameter the model file holds moves the same way. The biases and LayerNorm γ and β it leaves out are not parameters: they stay at 0 and 1 and do not move."
    }
}

extension Stage {
    static let step = Stage(StepPage.kind)
}
