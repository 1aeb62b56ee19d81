/// A short run of plain gradient descent on the model's own prompt and target: the loss of
/// the one next-word prediction, stepped `steps` times with `applying(_:learningRate:)`.
/// Arrays have steps + 1 entries; index 0 is the model before any step.
public struct TrainingRun: Sendable {
    public var learningRate: Double
    public var steps: Int
    public var losses: [Double]             // [N+1]  −ln p(target) after each step
    public var pTarget: [Double]            // [N+1]  p(target) at the last position
    public var predictions: [String]        // [N+1]  the argmax word
    /// The first step index at which the prediction is the target (0 if it already was), nil if never.
    public var flipStep: Int?
    /// The forward pass after the last step (the model itself is not kept: its last step is
    /// taken block by block inside that pass, `Transformer.forward(_:afterStep:learningRate:)`).
    public var trace: Trace
    /// The forward pass after the first step, `model.applying(gradients, learningRate:)`; nil
    /// when the run takes no step.
    public var firstStepTrace: Trace?

    /// Runs `steps` steps of W ← W − η·∇W. nil when the prompt has no target.
    ///
    /// `trace` and `gradients`, when given, must be `Transformer.forward(model)` and
    /// `Backward.gradients(model, trace:)` (a caller that has them already saves computing
    /// them again); the run is the same either way. Every step but the last builds the stepped
    /// model (the next step's gradient needs it); the last one only runs it.
    public static func train(_ model: Model, learningRate: Double, steps: Int,
                             trace: Trace? = nil, gradients: Gradients? = nil) -> TrainingRun? {
        guard let target = model.prompt.targetID else { return nil }
        var model = model, trace = trace ?? Transformer.forward(model), given = gradients
        var losses: [Double] = [], pTarget: [Double] = [], predictions: [String] = []
        func record(_ trace: Trace) {
            losses.append(trace.loss ?? .nan)
            pTarget.append(trace.probs[trace.count - 1, target])
            predictions.append(trace.prediction)
        }
        record(trace)
        var firstStepTrace: Trace? = nil
        for step in stride(from: 1, through: steps, by: 1) {
            guard let g = given ?? Backward.gradients(model, trace: trace) else { break }
            given = nil
            if step < steps {
                model = model.applying(g, learningRate: learningRate)
                trace = Transformer.forward(model)
            } else {
                trace = Transformer.forward(model, afterStep: g, learningRate: learningRate)
            }
            record(trace)
            if step == 1 { firstStepTrace = trace }
        }
        return TrainingRun(learningRate: learningRate, steps: max(0, steps), losses: losses, pTarget: pTarget,
                           predictions: predictions, flipStep: predictions.firstIndex(of: model.vocab[target]),
                           trace: trace, firstStepTrace: firstStepTrace)
    }

    /// The run the model file asks for (`"training"`), or `TrainingConfig.default`.
    public static func train(_ model: Model) -> TrainingRun? {
        let config = model.training ?? .default
        return train(model, learningRate: config.learningRate, steps: config.steps)
    }
}
