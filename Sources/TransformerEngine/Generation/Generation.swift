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

    /// Both continuations of `prompt` (each step is a full forward pass over the text so far).
    public static func generate(_ model: Model, prompt: Prompt, settings: GenerationSettings) -> Generation {
        let n = generationLength(model, prompt: prompt, count: settings.count)
        var ids = prompt.ids
        var greedy: [GreedyStep] = []
        for _ in 0..<n {
            let logits = lastLogits(model, ids: ids)
            let id = argmax(logits)                                                  // first index of the largest
            greedy.append(GreedyStep(probs: softmax(logits), id: id))
            ids.append(id)
        }
        ids = prompt.ids
        var generator = SplitMix64(seed: settings.seed)
        var sampled: [SamplingStep] = []
        for _ in 0..<n {
            let step = Sampling.step(logits: lastLogits(model, ids: ids), u: generator.nextUnit(), settings: settings)
            sampled.append(step)
            ids.append(step.id)
        }
        return Generation(settings: settings, greedy: greedy, sampled: sampled)
    }

    /// The logits of the last position for these ids.
    public static func lastLogits(_ model: Model, ids: [Int]) -> [Double] {
        let trace = forward(model, prompt: Prompt(text: "", tokens: ids.map { model.vocab[$0] }, ids: ids, target: nil, targetID: nil))
        return trace.logits.row(trace.count - 1)
    }
}
