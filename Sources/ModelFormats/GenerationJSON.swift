import TransformerEngine

/// trace.json's `"generation"` object:
///
///     {"greedy": {"ids", "tokens"},
///      "sampled": {"temperature", "top_k", "top_p", "seed", "ids", "tokens",
///                  "steps": [{"kept": [ids, descending], "probs": [same order], "u", "id", "window"}]},
///      "window": {"positions", "starts", "first_cropped_step", "note"}}
///
/// `window` in a step and `starts[i]` are the index of the first token step i conditions on.
///
/// With `keptLimit` (a split trace), a step that kept more tokens than that writes only the
/// first `keptLimit` of `kept` and `probs`, and beside them `kept_count` (how many were kept),
/// `chosen_rank` (the chosen id's index j in the whole kept list) and `interval`, the [cⱼ₋₁, cⱼ)
/// that held u (each c the sum of the probabilities up to it, in order).
extension Generation {
    public func json(vocab: [String], keptLimit: Int? = nil) -> JSONOut {
        func tokens(_ ids: [Int]) -> JSONOut { .array(ids.map { .string(vocab[$0]) }) }
        let steps: [JSONOut] = zip(sampled, windowStarts).map { step, start in
            guard let limit = keptLimit, step.kept.count > limit else {
                return .object([
                    ("kept", .array(step.kept.map(JSONOut.int))),
                    ("probs", .numbers(step.probs)),
                    ("u", .number(step.u)),
                    ("id", .int(step.id)),
                    ("window", .int(start)),
                ])
            }
            let rank = Sampling.interval(holding: step.u, probs: step.probs)
            var below = 0.0
            for q in step.probs[..<rank] { below += q }
            return .object([
                ("kept", .array(step.kept.prefix(limit).map(JSONOut.int))),
                ("probs", .numbers(Array(step.probs.prefix(limit)))),
                ("kept_count", .int(step.kept.count)),
                ("chosen_rank", .int(rank)),
                ("interval", .numbers([below, below + step.probs[rank]])),
                ("u", .number(step.u)),
                ("id", .int(step.id)),
                ("window", .int(start)),
            ])
        }
        return .object([
            ("greedy", .object([("ids", .array(greedyIDs.map(JSONOut.int))), ("tokens", tokens(greedyIDs))])),
            ("sampled", .object([
                ("temperature", .number(settings.temperature)),
                ("top_k", .int(settings.topK)),
                ("top_p", .number(settings.topP)),
                ("seed", .int(Int(settings.seed))),
                ("ids", .array(sampledIDs.map(JSONOut.int))),
                ("tokens", tokens(sampledIDs)),
                ("steps", .array(steps)),
            ])),
            ("window", .object([
                ("positions", .int(positions)),
                ("starts", .array(windowStarts.map(JSONOut.int))),
                ("first_cropped_step", firstCroppedStep.map(JSONOut.int) ?? .null),
                ("note", .string(Generation.windowNote)),
            ])),
        ])
    }
}

extension Generation {
    /// What trace.json says about the window.
    public static let windowNote = "Each step conditions on the last `positions` tokens of the text so far (all of it while it fits), at positions 0, 1, …: starts[i] is the index of the first token step i (from 0) sees and first_cropped_step the first step whose window leaves tokens out, as nanoGPT's generate crops idx[:, -block_size:]."
}
