import TransformerEngine

/// trace.json's `"generation"` object:
///
///     {"greedy": {"ids", "tokens"},
///      "sampled": {"temperature", "top_k", "top_p", "seed", "ids", "tokens",
///                  "steps": [{"kept": [ids, descending], "probs": [same order], "u", "id"}]}}
extension Generation {
    public func json(vocab: [String]) -> JSONOut {
        func tokens(_ ids: [Int]) -> JSONOut { .array(ids.map { .string(vocab[$0]) }) }
        let steps: [JSONOut] = sampled.map { step in
            .object([
                ("kept", .array(step.kept.map(JSONOut.int))),
                ("probs", .numbers(step.probs)),
                ("u", .number(step.u)),
                ("id", .int(step.id)),
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
        ])
    }
}
