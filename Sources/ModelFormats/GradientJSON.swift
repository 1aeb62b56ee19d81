import TransformerEngine

/// The gradients and the training run as JSON (trace keys `grads` and `training`).
///
/// `grads` uses the model file's `weights` keys for the weight gradients (every optional
/// parameter included), the trace's keys for the intermediates, and 0 for masked entries.
extension Gradients {
    public func gradientsJSON() -> JSONOut {
        let layerValues: [JSONOut] = layers.map { l in
            .object([
                ("W_q", .matrix(l.wQ)), ("W_k", .matrix(l.wK)), ("W_v", .matrix(l.wV)), ("W_o", .matrix(l.wO)),
                ("W_1", .matrix(l.w1)), ("W_2", .matrix(l.w2)),
                ("b_q", .numbers(l.bQ)), ("b_k", .numbers(l.bK)), ("b_v", .numbers(l.bV)), ("b_o", .numbers(l.bO)),
                ("b_1", .numbers(l.b1)), ("b_2", .numbers(l.b2)),
                ("ln1_gamma", .numbers(l.ln1Gamma)), ("ln1_beta", .numbers(l.ln1Beta)),
                ("ln2_gamma", .numbers(l.ln2Gamma)), ("ln2_beta", .numbers(l.ln2Beta)),
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
        return .object([
            ("loss", .number(loss)),
            ("tok_emb", .matrix(tokEmb)),
            ("pos_emb", .matrix(posEmb)),
            ("layers", .array(layerValues)),
            ("W_lm", .matrix(wLM)),
            ("b_lm", .numbers(bLM)),
            ("lnf_gamma", .numbers(lnfGamma)),
            ("lnf_beta", .numbers(lnfBeta)),
            ("x", .matrix(x)),
            ("final", .matrix(final)),
            ("logits", .matrix(logits)),
        ])
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
