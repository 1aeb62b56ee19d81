/// The prompt continued token by token, greedily and by sampling (the generation chapter).
public struct Generation: Sendable {
    public var settings: GenerationSettings
    /// The greedy continuation: at each step the argmax (ties: the lower id), as
    /// Hugging Face `generate(do_sample=False)`.
    public var greedy: [GreedyStep]
    /// The sampled continuation, one SplitMix64 draw per step.
    public var sampled: [SamplingStep]

    public var greedyIDs: [Int] { greedy.map(\.id) }
    public var sampledIDs: [Int] { sampled.map(\.id) }
}

/// One greedy step: the last position's distribution and its argmax.
public struct GreedyStep: Sendable, Equatable {
    public var probs: [Double]
    public var id: Int
}

extension Transformer {
    /// How many tokens a continuation of `prompt` can have: `count`, capped by max_positions.
    public static func generationLength(_ model: Model, prompt: Prompt, count: Int) -> Int {
        max(0, min(count, model.config.maxPositions - prompt.ids.count))
    }

    /// Both continuations of `prompt`. `trace`, when given, must be `forward(model, prompt:
    /// prompt)`: its last logits start both, and its keys and values are the `Continuation`'s
    /// cache (each new token then costs one position's work, not a forward pass over the text).
    public static func generate(_ model: Model, prompt: Prompt, settings: GenerationSettings, trace: Trace? = nil) -> Generation {
        let n = generationLength(model, prompt: prompt, count: settings.count)
        guard n > 0 else { return Generation(settings: settings, greedy: [], sampled: []) }
        let trace = trace ?? forward(model, prompt: prompt)
        let first = trace.logits.row(trace.count - 1)
        var greedy: [GreedyStep] = []
        var continuation = Continuation(model: model, after: trace)
        var logits = first
        for step in 0..<n {
            let id = argmax(logits)                                                  // first index of the largest
            greedy.append(GreedyStep(probs: softmax(logits), id: id))
            if step + 1 < n { logits = continuation.logits(appending: id) }
        }
        var generator = SplitMix64(seed: settings.seed)
        var sampled: [SamplingStep] = []
        continuation = Continuation(model: model, after: trace)
        logits = first
        for step in 0..<n {
            let chosen = Sampling.step(logits: logits, u: generator.nextUnit(), settings: settings)
            sampled.append(chosen)
            if step + 1 < n { logits = continuation.logits(appending: chosen.id) }
        }
        return Generation(settings: settings, greedy: greedy, sampled: sampled)
    }

    /// The logits of the last position for these ids, by a whole forward pass.
    public static func lastLogits(_ model: Model, ids: [Int]) -> [Double] {
        let trace = forward(model, prompt: Prompt(text: "", tokens: ids.map { model.vocab[$0] }, ids: ids, target: nil, targetID: nil))
        return trace.logits.row(trace.count - 1)
    }
}
