import TransformerEngine
import Foundation

/// prediction.html: softmax probabilities, the prediction, the target and the loss.
enum PredictionPage {
    static let kind = PageKind(template: "prediction", label: "Prediction", followsFocus: true, builtIn: PackageResources.prediction_html) { s, v in context(s, focus: v.focus) }

    struct Context: PageContext {
        var chart: String
        var probTable: TableContext
        var focusWord: String
        var focusCls: String
        var isLast: Bool
        var prediction: String
        var pPrediction: String
        var hasTarget: Bool
        var target: String
        var pTarget: String
        var correct: Bool
        var explainedWord: String
        var workedSoftmax: String
        var uniform: String
        var vocabSize: Int
        var hasLoss: Bool
        var loss: String
        var lossExact: String
        var worseThanUniform: Bool
        var workedLoss: String
        var uniformLoss: String
        var nextWord: String
        var nextCls: String
    }

    static func context(_ s: SiteData, focus f: Int) -> Context {
        let t = s.trace, vocab = s.model.vocab
        let isLast = f == s.lastToken
        let probs = t.probs.row(f), logits = t.logits.row(f)
        let predicted = argmax(probs)
        // At the last position the target is the model file's; earlier, the prompt's next token.
        let target: Int? = isLast ? t.targetID : t.ids[f + 1]
        let bars = ProbabilityBars.top(values: probs, words: vocab, argmax: predicted, target: target)
        let targetText = target.map { " The target “\(vocab[$0])” gets \(NumberFormat.short(probs[$0] * 100, decimals: 1))%." } ?? ""
        let chart = BarChartSVG(
            id: "prob-bars", title: "Next-token probabilities after “\(t.tokens[f])”",
            description: "The model's prediction is “\(vocab[predicted])” with \(NumberFormat.short(probs[predicted] * 100, decimals: 1))%.\(targetText)\(bars.note)",
            bars: bars.bars, valueAxisLabel: "probability", categoryAxisLabel: "word", valueFormat: .percent).render()
        let table = s.tokenTable("softmax(logits) for every position: each row sums to 1", t.probs.nested,
                                 columns: vocab, focus: f, stage: .prediction)
        let expTerms = logits.map { "e^\(WorkedSum.signed($0))" }
        let shownTerms = expTerms.count <= 10 ? expTerms : Array(expTerms.prefix(6)) + ["… \(expTerms.count - 8) more"] + Array(expTerms.suffix(2))
        let explained = target ?? predicted
        var context = Context(
            chart: chart,
            probTable: table.render(),
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            isLast: isLast,
            prediction: vocab[predicted],
            pPrediction: NumberFormat.short(probs[predicted] * 100, decimals: 1) + "%",
            hasTarget: target != nil,
            target: target.map { vocab[$0] } ?? "",
            pTarget: target.map { NumberFormat.short(probs[$0] * 100, decimals: 1) + "%" } ?? "",
            correct: target != nil && target == predicted,
            explainedWord: vocab[explained],
            workedSoftmax: "e^\(WorkedSum.signed(logits[explained])) / (" + shownTerms.joined(separator: " + ") + ") = \(NumberFormat.short(probs[explained], decimals: 4))",
            uniform: NumberFormat.short(100 / Double(vocab.count), decimals: 1) + "%",
            vocabSize: vocab.count,
            hasLoss: isLast && t.loss != nil,
            loss: "", lossExact: "", worseThanUniform: false, workedLoss: "", uniformLoss: "",
            nextWord: isLast ? "" : t.tokens[f + 1],
            nextCls: isLast ? "" : s.tokenClass(f + 1)
        )
        if isLast, let loss = t.loss, let targetID = t.targetID {
            context.loss = NumberFormat.short(loss, decimals: 4)
            context.lossExact = NumberFormat.tooltip(loss)
            context.workedLoss = "−ln(\(NumberFormat.short(probs[targetID], decimals: 4))) = \(NumberFormat.short(loss, decimals: 4))"
            context.uniformLoss = NumberFormat.short(log(Double(vocab.count)), decimals: 4)
            context.worseThanUniform = loss > log(Double(vocab.count))
        }
        return context
    }
}

extension Stage {
    static let prediction = Stage(PredictionPage.kind)
}
