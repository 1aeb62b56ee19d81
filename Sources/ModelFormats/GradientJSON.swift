import TransformerEngine

/// The gradients and the training run as JSON (trace keys `grads` and `training`).
///
/// `grads` uses the model file's `weights` keys for the weight gradients (every optional
/// parameter included), the trace's keys for the intermediates, and 0 for masked entries.
extension Gradients {
    public func gradientsJSON() -> JSONOut { gradientsJSON(weightMatrix: { .matrix($1.dense) }, weightVector: JSONOut.numbers) }

    /// The gradients with every weight matrix written by `weightMatrix` (given its key, `W_q`,
    /// and its gradient) and every weight vector by `weightVector` (in full, or summarised for
    /// a split trace); `layers` replaces the layers' part (a split trace names their files
    /// there). `split` leaves out the logits' gradient: with the loss at the last position
    /// alone it is 0 in every other row, and its last row is `last_probs` with 1 subtracted at
    /// `target_id` (one subtraction).
    public func gradientsJSON(weightMatrix: (_ name: String, WeightGradient) -> JSONOut, weightVector: ([Double]) -> JSONOut,
                              layers layerValues: JSONOut? = nil, split: Bool = false) -> JSONOut {
        let layerValues = layerValues ?? .array(layers.map {
            Gradients.layerJSON($0, weightMatrix: weightMatrix, weightVector: weightVector)
        })
        let members: [(String, JSONOut)] = [
            ("loss", .number(loss)),
            ("tok_emb", weightMatrix("tok_emb", tokEmb)),
            ("pos_emb", weightMatrix("pos_emb", posEmb)),
            ("layers", layerValues),
            ("W_lm", weightMatrix("W_lm", wLM)),
            ("b_lm", weightVector(bLM)),
            ("lnf_gamma", weightVector(lnfGamma)),
            ("lnf_beta", weightVector(lnfBeta)),
            ("x", .matrix(x)),
            ("final", .matrix(final)),
        ]
        return .object(split ? members : members + [("logits", .matrix(logits))])
    }

    /// One layer's gradients: its weights' (written by `weightMatrix` and `weightVector`),
    /// then its intermediates' in full.
    public static func layerJSON(_ l: LayerGradients, weightMatrix: (_ name: String, WeightGradient) -> JSONOut,
                                 weightVector: ([Double]) -> JSONOut) -> JSONOut {
        .object(weightMembers(l, weightMatrix: weightMatrix, weightVector: weightVector) + [
            ("input", .matrix(l.input)),
            ("ln1", .matrix(l.ln1Out)),
            ("q", .matrix(l.q)), ("k", .matrix(l.k)), ("v", .matrix(l.v)),
            ("scores", .array(l.scores.map(JSONOut.matrix))),
            ("attn_weights", .array(l.attnWeights.map(JSONOut.matrix))),
            ("context", .matrix(l.context)),
            ("attn_out", .matrix(l.attnOut)),
            ("resid_mid", .matrix(l.residMid)),
            ("ln2", .matrix(l.ln2Out)),
            ("mlp_pre", .matrix(l.mlpPre)),
            ("mlp_act", .matrix(l.mlpAct)),
            ("mlp_out", .matrix(l.mlpOut)),
            ("resid_out", .matrix(l.residOut)),
        ])
    }
}

extension Gradients {
    /// One layer's gradients as a split trace's layer file writes them: the weights' by
    /// `weightMatrix` and `weightVector`, the attention's per-head [T][T] ones in full and the
    /// other intermediates' by `intermediate` (summarised). Each number once: `resid_mid`'s
    /// is `attn_out`'s and `resid_out`'s `mlp_out`'s (a residual passes its gradient on
    /// unchanged), so neither is written; `mlp_out`'s is also the next layer's `input`'s.
    public static func splitLayerJSON(_ l: LayerGradients, weightMatrix: (_ name: String, WeightGradient) -> JSONOut,
                                      weightVector: ([Double]) -> JSONOut, intermediate: (Tensor) -> JSONOut) -> JSONOut {
        .object(weightMembers(l, weightMatrix: weightMatrix, weightVector: weightVector) + [
            ("input", intermediate(l.input)),
            ("ln1", intermediate(l.ln1Out)),
            ("q", intermediate(l.q)), ("k", intermediate(l.k)), ("v", intermediate(l.v)),
            ("scores", .array(l.scores.map(JSONOut.matrix))),
            ("attn_weights", .array(l.attnWeights.map(JSONOut.matrix))),
            ("context", intermediate(l.context)),
            ("attn_out", intermediate(l.attnOut)),
            ("ln2", intermediate(l.ln2Out)),
            ("mlp_pre", intermediate(l.mlpPre)),
            ("mlp_act", intermediate(l.mlpAct)),
            ("mlp_out", intermediate(l.mlpOut)),
        ])
    }

    /// One layer's weight gradients, in the order both layouts write them.
    static func weightMembers(_ l: LayerGradients, weightMatrix: (_ name: String, WeightGradient) -> JSONOut,
                              weightVector: ([Double]) -> JSONOut) -> [(String, JSONOut)] {
        [
            ("W_q", weightMatrix("W_q", l.wQ)), ("W_k", weightMatrix("W_k", l.wK)), ("W_v", weightMatrix("W_v", l.wV)), ("W_o", weightMatrix("W_o", l.wO)),
            ("W_1", weightMatrix("W_1", l.w1)), ("W_2", weightMatrix("W_2", l.w2)),
            ("b_q", weightVector(l.bQ)), ("b_k", weightVector(l.bK)), ("b_v", weightVector(l.bV)), ("b_o", weightVector(l.bO)),
            ("b_1", weightVector(l.b1)), ("b_2", weightVector(l.b2)),
            ("ln1_gamma", weightVector(l.ln1Gamma)), ("ln1_beta", weightVector(l.ln1Beta)),
            ("ln2_gamma", weightVector(l.ln2Gamma)), ("ln2_beta", weightVector(l.ln2Beta)),
        ]
    }
}

extension TrainingRun {
    public func json() -> JSONOut {
        .object([
            ("learning_rate", .number(learningRate)),
            ("steps", .int(steps)),
            ("losses", .numbers(losses)),
            ("p_target", .numbers(pTarget)),
            ("predictions", .array(predictions.map(JSONOut.string))),
            ("flip_step", flipStep.map(JSONOut.int) ?? .null),
        ])
    }
}
