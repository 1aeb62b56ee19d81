/// The prompt continued token by token, greedily and by sampling (the generation chapter).
public struct Generation: Sendable {
    public var settings: GenerationSettings
    /// The greedy continuation: at each step the argmax (ties: the lower id), as
    /// Hugging Face `generate(do_sample=False)`.
    public var greedy: [GreedyStep]
    /// The sampled continuation, one SplitMix64 draw per step.
    public var sampled: [SamplingStep]
    /// The model's positions (config.max_positions): the longest window a step conditions on.
    public var positions: Int
    /// Per step, the index in the text so far of the first token the step sees: 0 while the
    /// text fits the positions, then `length − positions` (the window is cropped). The same for
    /// both continuations, whose texts grow alike.
    public var windowStarts: [Int]

    public var greedyIDs: [Int] { greedy.map(\.id) }
    public var sampledIDs: [Int] { sampled.map(\.id) }
    /// The first step (0-based) whose window leaves tokens out, nil when every step sees the whole text.
    public var firstCroppedStep: Int? { windowStarts.firstIndex { $0 > 0 } }
}

/// One greedy step: the last position's distribution and its argmax.
public struct GreedyStep: Sendable, Equatable {
    public var probs: [Double]
    public var id: Int
}

extension Transformer {
    /// Where the window of a text of `length` tokens starts: a step conditions on the last
    /// max_positions tokens (positions restart at 0 in the window), as nanoGPT's generate
    /// crops `idx[:, -block_size:]`. Within the positions the window is the whole text.
    public static func windowStart(_ model: Model, length: Int) -> Int {
        max(0, length - model.config.maxPositions)
    }

    /// Both continuations of `prompt`, `settings.count` tokens each, stepped side by side.
    /// While the text fits the positions each step continues the forward pass by one position
    /// (`Continuation`, whose cache starts from `trace`, which when given must be
    /// `forward(model, prompt: prompt)`); past them a step is a full forward pass over its window.
    public static func generate(_ model: Model, prompt: Prompt, settings: GenerationSettings, trace: Trace? = nil) -> Generation {
        let n = max(0, settings.count)
        let windowStarts = (0..<n).map { windowStart(model, length: prompt.ids.count + $0) }
        var greedy: [GreedyStep] = []
        var sampled: [SamplingStep] = []
        if n > 0 {
            let trace = trace ?? forward(model, prompt: prompt)
            var generator = SplitMix64(seed: settings.seed)
            continuations(model, prompt: prompt, trace: trace, windowStarts: windowStarts, texts: 2) { logits in
                let id = argmax(logits[0])                                           // first index of the largest
                greedy.append(GreedyStep(probs: softmax(logits[0]), id: id))
                let chosen = Sampling.step(logits: logits[1], u: generator.nextUnit(), settings: settings)
                sampled.append(chosen)
                return [id, chosen.id]
            }
        }
        return Generation(settings: settings, greedy: greedy, sampled: sampled,
                          positions: model.config.maxPositions, windowStarts: windowStarts)
    }

    /// `texts` continuations of the prompt, side by side: at each step `choose` takes every
    /// text's last-position logits and names each text's next token. Inside the positions the
    /// logits come from the cache (bit for bit a whole forward pass over each text so far, its
    /// weights read once for all the texts), past them from a whole pass over each window.
    static func continuations(_ model: Model, prompt: Prompt, trace: Trace, windowStarts: [Int], texts count: Int,
                              choose: ([[Double]]) -> [Int]) {
        var texts = Array(repeating: prompt.ids, count: count)
        var cache = Continuation(model: model, after: trace, texts: count)
        for (step, start) in windowStarts.enumerated() {
            let logits: [[Double]]
            if start > 0 {
                logits = texts.map { lastLogits(model, ids: Array($0[start...])) }
            } else if step == 0 {
                logits = Array(repeating: trace.logits.row(trace.count - 1), count: count)
            } else {
                logits = cache.logits(appending: texts.map { $0[$0.count - 1] }).nested
            }
            for (text, id) in choose(logits).enumerated() { texts[text].append(id) }
        }
    }

    /// The logits of the last position for these ids (at most max_positions of them), by a
    /// whole forward pass.
    public static func lastLogits(_ model: Model, ids: [Int]) -> [Double] {
        let trace = forward(model, prompt: Prompt(text: "", tokens: ids.map { model.vocab[$0] }, ids: ids, target: nil, targetID: nil))
        return trace.logits.row(trace.count - 1)
    }
}
