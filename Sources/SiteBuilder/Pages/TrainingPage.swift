import TransformerEngine

/// training.html: N steps of gradient descent on the prompt: the loss and p(target) over the
/// steps, the step where the prediction flips, and the predictions after training.
enum TrainingPage {
    static let kind = PageKind(template: "training", label: "Training", chapter: .learning, builtIn: PackageResources.training_html) { s, v in context(s) }

    /// Without a target: the chapter's note, and the checkpoint's own training run if it has one.
    struct NoTargetContext: PageContext {
        @PagePart var common: LearningPages.Common
        @PagePart var recorded: RecordedRun
    }

    struct Context: PageContext {
        @PagePart var common: LearningPages.Common
        @PagePart var recorded: RecordedRun
        var lossChart: String
        var pChart: String
        var finalChart: String
        var steps: Int
        /// "1 step", "40 steps".
        var stepsWords: String
        var stepsShown: String
        var stepRows: [StepRow]
        var flips: Bool
        var alreadyRight: Bool
        var neverFlips: Bool
        var flipStep: String
        var target: String
        var startP: String
        var finalP: String
        var finalLoss: String
        var finalPrediction: String
    }
    struct StepRow: Encodable {
        var step: Int
        var loss: String
        var p: String
        var prediction: String
        var rowClass: String
        var right: Bool
    }

    static func context(_ s: SiteData) -> any PageContext {
        guard let learning = s.learning, let targetID = s.trace.targetID else {
            return NoTargetContext(common: LearningPages.common(s), recorded: RecordedRun(s.training))
        }
        let run = learning.run, vocab = s.model.vocab, last = s.lastToken
        let stepsWords = run.steps == 1 ? "1 step" : "\(run.steps) steps"
        let marker = run.flipStep.flatMap { $0 > 0 ? LineChartSVG.Marker(x: $0, label: "prediction flips at step \($0)") : nil }
        let lossChart = LineChartSVG(
            id: "train-loss", title: "Loss over \(run.steps) steps",
            description: "The loss goes from \(NumberFormat.short(run.losses.first ?? 0, decimals: 4)) to \(NumberFormat.short(run.losses.last ?? 0, decimals: 4)) in \(run.steps) steps with η = \(NumberFormat.exact(run.learningRate)).",
            values: run.losses, xAxisLabel: "step", yAxisLabel: "loss", marker: marker).render()
        let pChart = LineChartSVG(
            id: "train-p", title: "p(“\(vocab[targetID])”) over \(run.steps) steps",
            description: "The probability of the target goes from \(NumberFormat.percent((run.pTarget.first ?? 0))) to \(NumberFormat.percent((run.pTarget.last ?? 0))).",
            values: run.pTarget, xAxisLabel: "step", yAxisLabel: "p(target)", marker: marker, valueFormat: .percent).render()
        let final = run.trace
        let bars = ProbabilityBars.top(values: final.probs.row(last), words: vocab, argmax: final.predictionID, target: targetID)
        let finalChart = BarChartSVG(
            id: "train-final", title: "Next-token probabilities after training",
            description: "After \(stepsWords) the model predicts “\(final.prediction)” with \(NumberFormat.percent(final.probs[last, final.predictionID])).\(bars.note)",
            bars: bars.bars, valueAxisLabel: "probability", categoryAxisLabel: "word", valueFormat: .percent).render()
        // Every step for short runs; otherwise every k-th step plus the flip and the last.
        let stride = max(1, run.steps / 40)
        let shownSteps = Set(Swift.stride(from: 0, through: run.steps, by: stride)).union([run.steps]).union(run.flipStep.map { [$0] } ?? [])
        let stepRows = shownSteps.sorted().map { i -> StepRow in
            StepRow(step: i, loss: NumberFormat.short(run.losses[i], decimals: 4), p: NumberFormat.percent(run.pTarget[i]),
             prediction: run.predictions[i], rowClass: i == run.flipStep ? "focus" : "", right: run.predictions[i] == vocab[targetID])
        }
        return Context(common: LearningPages.common(s), recorded: RecordedRun(s.training),
            lossChart: lossChart, pChart: pChart, finalChart: finalChart,
            steps: run.steps,
            stepsWords: stepsWords,
            stepsShown: stride == 1 ? "every step" : "every \(stride)th step",
            stepRows: stepRows,
            flips: (run.flipStep ?? 0) > 0,
            alreadyRight: run.flipStep == 0,
            neverFlips: run.flipStep == nil,
            flipStep: run.flipStep.map(String.init) ?? "",
            target: vocab[targetID],
            startP: NumberFormat.percent((run.pTarget.first ?? 0)),
            finalP: NumberFormat.percent((run.pTarget.last ?? 0)),
            finalLoss: NumberFormat.short(run.losses.last ?? 0, decimals: 4),
            finalPrediction: final.prediction
        )
    }
}

extension Stage {
    static let training = Stage(TrainingPage.kind)
}
