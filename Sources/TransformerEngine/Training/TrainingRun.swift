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
    /// The model after the last step, and its forward pass.
    public var model: Model
    public var trace: Trace

    /// Runs `steps` steps of W ← W − η·∇W. nil when the prompt has no target.
    public static func train(_ model: Model, learningRate: Double, steps: Int) -> TrainingRun? {
        guard let target = model.prompt.targetID else { return nil }
        var current = model
        var trace = Transformer.forward(current)
        var losses: [Double] = [], pTarget: [Double] = [], predictions: [String] = []
        func record() {
            losses.append(trace.loss ?? .nan)
            pTarget.append(trace.probs[trace.count - 1][target])
            predictions.append(trace.prediction)
        }
        record()
        for _ in 0..<max(0, steps) {
            guard let g = Backward.gradients(current, trace: trace) else { return nil }
            current = current.applying(g, learningRate: learningRate)
            trace = Transformer.forward(current)
            record()
        }
        let flipStep = predictions.firstIndex(of: model.vocab[target])
        return TrainingRun(learningRate: learningRate, steps: max(0, steps), losses: losses, pTarget: pTarget,
                           predictions: predictions, flipStep: flipStep, model: current, trace: trace)
    }

    /// The run the model file asks for (`"training"`), or `TrainingConfig.default`.
    public static func train(_ model: Model) -> TrainingRun? {
        let config = model.training ?? .default
        return train(model, learningRate: config.learningRate, steps: config.steps)
    }
}
