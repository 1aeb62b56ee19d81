import TransformerEngine

/// trace.json's `"generation"` object:
///
///     {"greedy": {"ids", "tokens"},
///      "sampled": {"temperature", "top_k", "top_p", "seed", "ids", "tokens",
///                  "steps": [{"kept": [ids, descending], "probs": [same order], "u", "id", "window"}]},
///      "window": {"positions", "starts", "first_cropped_step", "note"}}
///
/// `window` in a step and `starts[i]` are the index of the first token step i conditions on.
extension Generation {
    public func json(vocab: [String]) -> JSONOut {
        func tokens(_ ids: [Int]) -> JSONOut { .array(ids.map { .string(vocab[$0]) }) }
        let steps: [JSONOut] = zip(sampled, windowStarts).map { step, start in
            .object([
                ("kept", .array(step.kept.map(JSONOut.int))),
                ("probs", .numbers(step.probs)),
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
