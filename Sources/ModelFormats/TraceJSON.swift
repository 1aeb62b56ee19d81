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

    /// One layer's intermediates as a split trace's layer file writes them: only what cannot
    /// be recomputed exactly from what is kept (the README's "The trace at scale" gives every
    /// recipe). Kept: `ln1_stats`, `scores`, `weights`, `attn_out`, `ln2_stats`, `mlp_out`.
    /// Dropped, with the layer's input h (embeddings.x, then the previous layer's resid_out):
    /// `resid_mid` = h + attn_out and `resid_out` = resid_mid + mlp_out (one addition each),
    /// `ln1`/`ln2` = (h − mean) / std · γ + β from the stats, `q`, `k`, `v`, `context`,
    /// `mlp_pre` (the engine's products, summed in order) and `mlp_act` = act(mlp_pre).
    public static func splitLayerJSON(_ l: LayerTrace) -> JSONOut {
        .object([
            ("ln1_stats", stats(l.ln1)),
            ("scores", .array(l.scores.map(JSONOut.matrix))),          // masked −∞ is written as null
            ("weights", .array(l.weights.map(JSONOut.matrix))),
            ("attn_out", .matrix(l.attnOut)),
            ("ln2_stats", stats(l.ln2)),
            ("mlp_out", .matrix(l.mlpOut)),
        ])
    }

    /// The keys of `layerJSON` a split layer file leaves out, in its order.
    public static let splitDroppedKeys = ["ln1", "q", "k", "v", "context", "resid_mid", "ln2", "mlp_pre", "mlp_act", "resid_out"]

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
