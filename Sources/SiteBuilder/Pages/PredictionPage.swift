import TransformerEngine
import FoundationEssentials
import Glibc

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
        var workedExponentials: String
        var workedExpSum: String
        var workedSoftmax: String
        var uniform: String
        var vocabSize: String
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
        let targetText = target.map { " The target “\(vocab[$0])” gets \(NumberFormat.percent(probs[$0]))." } ?? ""
        let chart = BarChartSVG(
            id: "prob-bars", title: "Next-token probabilities after “\(t.tokens[f])”",
            description: "The model's prediction is “\(vocab[predicted])” with \(NumberFormat.percent(probs[predicted])).\(targetText)\(bars.note)",
            bars: bars.bars, valueAxisLabel: "probability", categoryAxisLabel: "word", valueFormat: .percent).render()
        let table = s.tokenTable("softmax(logits) for every position: each row sums to 1", t.probs,
                                 columns: vocab, focus: f, stage: .prediction)
        let explained = target ?? predicted
        let softmax = WorkedSoftmax(logits: logits, word: explained, probability: probs[explained])
        var context = Context(
            chart: chart,
            probTable: table.render(),
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            isLast: isLast,
            prediction: vocab[predicted],
            pPrediction: NumberFormat.percent(probs[predicted]),
            hasTarget: target != nil,
            target: target.map { vocab[$0] } ?? "",
            pTarget: target.map { NumberFormat.percent(probs[$0]) } ?? "",
            correct: target != nil && target == predicted,
            explainedWord: vocab[explained],
            workedExponentials: softmax.exponentials,
            workedExpSum: softmax.sum,
            workedSoftmax: softmax.division,
            uniform: NumberFormat.short(100 / Double(vocab.count), decimals: 1) + "%",
            vocabSize: NumberFormat.grouped(vocab.count),
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

/// The softmax of one row of logits, worked in three lines: every exponential with its value,
/// their sum, and one word's share of it.
struct WorkedSoftmax {
    let exponentials: String
    let sum: String
    let division: String

    init(logits: [Double], word: Int, probability: Double) {
        // Shifting every logit by the largest leaves the softmax unchanged and keeps e^z finite;
        // the lines show the logits as they are unless that would overflow.
        let largest = logits.max() ?? 0
        let shift = largest > 50 ? largest : 0
        let values = logits.map { exp($0 - shift) }
        let total = values.reduce(0, +)
        func power(_ z: Double) -> String { shift == 0 ? "e^\(WorkedSum.signed(z, decimals: 4))" : "e^(\(WorkedSum.signed(z, decimals: 4)) − \(NumberFormat.short(shift, decimals: 4)))" }
        exponentials = WorkedSum.shortened(logits.count, separator: ", ") { "\(power(logits[$0])) = \(NumberFormat.short(values[$0], decimals: 4))" }
        sum = WorkedSum.joinedSum(values, decimals: 4) + " = " + NumberFormat.short(total, decimals: 4)
        division = "\(power(logits[word])) / \(NumberFormat.short(total, decimals: 4)) = \(NumberFormat.short(values[word], decimals: 4)) / \(NumberFormat.short(total, decimals: 4)) = \(NumberFormat.short(probability, decimals: 4))"
    }
}

extension Stage {
    static let prediction = Stage(PredictionPage.kind)
}
