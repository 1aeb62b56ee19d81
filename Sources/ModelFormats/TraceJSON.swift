import TransformerEngine

/// The trace as JSON (`Site/trace.json`), with the keys of the engine's documented format.
extension Trace {
    static func stats(_ norm: LayerNormOutput) -> JSONOut {
        .object([("mean", .numbers(norm.mean)), ("variance", .numbers(norm.variance)), ("std", .numbers(norm.std))])
    }

    /// One layer's intermediates (`layers[n]` of trace.json, or a split trace's layer file).
    public static func layerJSON(_ l: LayerTrace) -> JSONOut {
        .object([
            ("ln1", .matrix(l.ln1Out)),
            ("ln1_stats", stats(l.ln1)),
            ("q", .matrix(l.q)), ("k", .matrix(l.k)), ("v", .matrix(l.v)),
            ("scores", .array(l.scores.map(JSONOut.matrix))),          // masked −∞ is written as null
            ("weights", .array(l.weights.map(JSONOut.matrix))),
            ("context", .matrix(l.context)),
            ("attn_out", .matrix(l.attnOut)),
            ("resid_mid", .matrix(l.residMid)),
            ("ln2", .matrix(l.ln2Out)),
            ("ln2_stats", stats(l.ln2)),
            ("mlp_pre", .matrix(l.mlpPre)),
            ("mlp_act", .matrix(l.mlpAct)),
            ("mlp_out", .matrix(l.mlpOut)),
            ("resid_out", .matrix(l.residOut)),
        ])
    }

    /// The whole trace inline; `layers` replaces the layers' intermediates (a split trace
    /// names their files there), `logits` and `probs` their rows (a split trace keeps the
    /// last position's).
    public func json(model: Model, layers layerValues: JSONOut? = nil, lastPositionOnly: Bool = false) -> JSONOut {
        let stats = Trace.stats
        let layerValues = layerValues ?? .array(layers.map(Trace.layerJSON))
        var members: [(String, JSONOut)] = [
            ("model", .string(model.name ?? "")),
            ("tokens", .array(tokens.map(JSONOut.string))),
            ("ids", .array(ids.map(JSONOut.int))),
            ("embeddings", .object([("tok", .matrix(tokEmb)), ("pos", .matrix(posEmb)), ("x", .matrix(x))])),
            ("layers", layerValues),
        ]
        if let finalNorm { members.append(("final_ln_stats", stats(finalNorm))) }
        members += [
            ("final", .matrix(final)),
            lastPositionOnly ? ("last_logits", .numbers(logits.row(count - 1))) : ("logits", .matrix(logits)),
            lastPositionOnly ? ("last_probs", .numbers(probs.row(count - 1))) : ("probs", .matrix(probs)),
            ("prediction", .string(prediction)),
            ("prediction_id", .int(predictionID)),
            ("target", target.map(JSONOut.string) ?? .null),
            ("loss", loss.map(JSONOut.number) ?? .null),
        ]
        return .object(members)
    }
}
