/// The training page's section on the run that trained a checkpoint (its training.json from
/// `sitegen train`): the train and validation loss against step, what the run was, and the
/// logged numbers. Every field is empty (and `hasRecord` false) without a training.json.
struct RecordedRun: PageContext {
    var hasRecord = false
    var recordChart = ""
    /// The same from the end of warm-up on, the y axis fitted to it (there the two curves part).
    var recordTailChart = ""
    var hasTailChart = false
    var tailFrom = 0
    var recordSummary = ""
    var recordRows: [Row] = []
    var recordHasValidation = false

    struct Row: Encodable {
        var step: Int
        var trainLoss: String
        var valLoss: String
    }

    init(_ record: TrainingRecord?) {
        guard let record else { return }
        func loss(_ x: Double?) -> String { x.map { NumberFormat.short($0, decimals: 4) } ?? "–" }
        let train = record.log.compactMap { s in s.trainLoss.map { LineChartSVG.Point(x: s.step, y: $0) } }
        let validation = record.log.compactMap { s in s.valLoss.map { LineChartSVG.Point(x: s.step, y: $0) } }
        let last = record.log.last!
        let steps = record.stoppedEarly
            ? "\(NumberFormat.grouped(record.stepsDone)) of \(NumberFormat.grouped(record.options.steps)) steps (stopped early)"
            : "\(NumberFormat.grouped(record.stepsDone)) steps"
        var summary = "sitegen train trained this checkpoint on \(record.corpus) for \(steps), each a batch of \(record.options.batch) windows of \(record.options.context) tokens (\(record.options.tokenizer) tokenizer): \(NumberFormat.grouped(record.tokensSeen)) tokens seen, drawn from a training split of \(NumberFormat.grouped(record.trainTokens)) tokens. At step \(last.step) the train loss is \(loss(last.trainLoss))"
        if let v = last.valLoss {
            summary += " and the validation loss, on the \(NumberFormat.grouped(record.valTokens)) held-out tokens it never trained on, is \(loss(v))"
            if let h = record.valUnigramEntropy {
                summary += ", against \(NumberFormat.short(h, decimals: 4)) for the best guess that ignores the context (the held-out text's unigram entropy)"
            }
        }
        summary += "."
        var series = [LineChartSVG.Series(name: "train", points: train)]
        if !validation.isEmpty { series.append(LineChartSVG.Series(name: "validation", points: validation)) }
        let description = "Train loss from \(loss(record.log.first?.trainLoss)) at step \(record.log.first?.step ?? 0) to \(loss(last.trainLoss)) at step \(last.step)"
            + (validation.isEmpty ? "." : "; validation loss from \(loss(validation.first?.y)) to \(loss(validation.last?.y)).")
        hasRecord = true
        recordChart = LineChartSVG(id: "training-run", title: "Loss against step, as sitegen train logged it", description: description,
                                   series: series, xAxisLabel: "step", yAxisLabel: "loss").render()
        // From the first logged step at or past a tenth of the run.
        if let from = record.log.first(where: { $0.step >= record.stepsDone / 10 && $0.step > record.log[0].step })?.step,
           train.filter({ $0.x >= from }).count > 1 {
            let tail = series.map { LineChartSVG.Series(name: $0.name, points: $0.points.filter { $0.x >= from }) }
            hasTailChart = true
            tailFrom = from
            recordTailChart = LineChartSVG(id: "training-run-tail", title: "Loss from step \(from) on", description: "The same losses from step \(from), on a y axis fitted to them.",
                                           series: tail, xAxisLabel: "step", yAxisLabel: "loss", yIncludesZero: false).render()
        }
        recordSummary = summary
        recordRows = record.log.map { Row(step: $0.step, trainLoss: loss($0.trainLoss), valLoss: loss($0.valLoss)) }
        recordHasValidation = !validation.isEmpty
    }
}
