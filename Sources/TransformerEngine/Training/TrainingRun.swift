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
    /// The model after the first step, `model.applying(gradients, learningRate:)`, and its
    /// forward pass; nil when the run takes no step.
    public var firstStep: (model: Model, trace: Trace)?

    /// Runs `steps` steps of W ← W − η·∇W. nil when the prompt has no target.
    ///
    /// `trace` and `gradients`, when given, must be `Transformer.forward(model)` and
    /// `Backward.gradients(model, trace:)` (a caller that has them already saves computing
    /// them again); the run is the same either way.
    public static func train(_ model: Model, learningRate: Double, steps: Int,
                             trace: Trace? = nil, gradients: Gradients? = nil) -> TrainingRun? {
        guard let target = model.prompt.targetID else { return nil }
        let c = model.config, ids = model.prompt.ids, steps = max(0, steps)
        var weights = FlatWeights(model.weights, config: c)
        var losses: [Double] = [], pTarget: [Double] = [], predictions: [String] = []
        func record(_ pass: ForwardPass) {
            losses.append(pass.loss ?? .nan)
            pTarget.append(pass.lastProbs[target])
            predictions.append(model.vocab[pass.predictionID])
        }
        func stepped(_ w: FlatWeights) -> Model {
            var m = model
            m.weights = w.weights
            return m
        }

        // Step 0 is the model as it is. The first and the last step keep their whole forward
        // pass (the run's `firstStep` and `trace`); those between are lean passes, which give
        // the loss, the prediction and the gradients and nothing else.
        var pass = trace.map(ForwardPass.init) ?? Transformer.run(weights, c, ids: ids, targetID: target)
        record(pass)
        var finalModel = model, finalTrace = trace ?? Trace(pass, prompt: model.prompt, vocab: model.vocab)
        var firstStep: (model: Model, trace: Trace)? = nil
        for step in stride(from: 1, through: steps, by: 1) {
            let g = step == 1 ? gradients.map(FlatWeights.init(gradients:)) : nil
            weights.step(by: g ?? Backward.run(weights, c, pass, ids: ids, target: target).weights,
                         learningRate: learningRate)
            let full = step == 1 || step == steps
            pass = Transformer.run(weights, c, ids: ids, targetID: target, lean: !full)
            record(pass)
            if full {
                (finalModel, finalTrace) = (stepped(weights), Trace(pass, prompt: model.prompt, vocab: model.vocab))
                if step == 1 { firstStep = (finalModel, finalTrace) }
            }
        }
        let flipStep = predictions.firstIndex(of: model.vocab[target])
        return TrainingRun(learningRate: learningRate, steps: steps, losses: losses, pTarget: pTarget,
                           predictions: predictions, flipStep: flipStep, model: finalModel, trace: finalTrace,
                           firstStep: firstStep)
    }

    /// The run the model file asks for (`"training"`), or `TrainingConfig.default`.
    public static func train(_ model: Model) -> TrainingRun? {
        let config = model.training ?? .default
        return train(model, learningRate: config.learningRate, steps: config.steps)
    }
}

extension FlatWeights {
    /// The weight gradients of `g`, in the weights' flat shape.
    init(gradients g: Gradients) {
        self.init(tokEmb: Mat(g.tokEmb), posEmb: Mat(g.posEmb),
                  layers: g.layers.map { l in
                      FlatLayer(wQ: Mat(l.wQ), wK: Mat(l.wK), wV: Mat(l.wV), wO: Mat(l.wO), w1: Mat(l.w1), w2: Mat(l.w2),
                                bQ: l.bQ, bK: l.bK, bV: l.bV, bO: l.bO, b1: l.b1, b2: l.b2,
                                ln1Gamma: l.ln1Gamma, ln1Beta: l.ln1Beta, ln2Gamma: l.ln2Gamma, ln2Beta: l.ln2Beta)
                  },
                  wLM: Mat(g.wLM), bLM: g.bLM, lnfGamma: g.lnfGamma, lnfBeta: g.lnfBeta)
    }
}
