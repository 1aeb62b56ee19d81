import TransformerEngine

/// A model in the model file's format (`vocab`, `tokenizer`, `config`, `weights`; no prompt):
/// what the playground's engine.js reads for a site built from a checkpoint, which has no
/// model file of its own. Absent optional parameters are left out, as in a model file.
extension Model {
    public func modelFileJSON() -> JSONOut {
        let c = config, w = weights
        func optional(_ key: String, _ values: [Double]?) -> [(String, JSONOut)] { values.map { [(key, .numbers($0))] } ?? [] }
        let layers: [JSONOut] = w.layers.map { l in
            .object([("W_q", .matrix(l.wQ)), ("W_k", .matrix(l.wK)), ("W_v", .matrix(l.wV)), ("W_o", .matrix(l.wO)),
                     ("W_1", .matrix(l.w1)), ("W_2", .matrix(l.w2))]
                    + optional("b_q", l.bQ) + optional("b_k", l.bK) + optional("b_v", l.bV) + optional("b_o", l.bO)
                    + optional("b_1", l.b1) + optional("b_2", l.b2)
                    + optional("ln1_gamma", l.ln1.gamma) + optional("ln1_beta", l.ln1.beta)
                    + optional("ln2_gamma", l.ln2.gamma) + optional("ln2_beta", l.ln2.beta))
        }
        let weightsJSON: JSONOut = .object(
            [("tok_emb", .matrix(w.tokEmb)), ("pos_emb", .matrix(w.posEmb)), ("layers", .array(layers)), ("W_lm", .matrix(w.wLM.matrix))]
            + optional("b_lm", w.bLM) + optional("lnf_gamma", w.lnf.gamma) + optional("lnf_beta", w.lnf.beta))
        return .object([
            ("name", name.map(JSONOut.string) ?? .null),
            ("vocab", .array(vocab.map(JSONOut.string))),
            ("tokenizer", .string(tokenizer.rawValue)),
            ("config", .object([
                ("d_model", .int(c.dModel)), ("n_heads", .int(c.nHeads)), ("n_layers", .int(c.nLayers)), ("d_ff", .int(c.dFF)),
                ("max_positions", .int(c.maxPositions)), ("activation", .string(c.activation.rawValue)),
                ("layer_norm_eps", .number(c.layerNormEps)), ("final_layer_norm", .bool(c.finalLayerNorm)),
            ])),
            ("weights", weightsJSON),
        ])
    }
}
