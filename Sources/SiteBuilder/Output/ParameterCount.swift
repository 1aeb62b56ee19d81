import TransformerEngine

/// How many numbers a model's parameters hold, from its shape: the one count behind the
/// overview's "numbers in the matrices", the size guard of a checkpoint's model.js, and
/// trace.json's estimate of its weight gradients.
struct ParameterCount {
    /// The matrices: token and position embeddings, each block's W_q, W_k, W_v, W_o, W_1, W_2, and W_lm.
    let matrices: Int
    /// The vectors the model has: biases, LayerNorm γ and β (each one optional in a model file).
    let vectors: Int
    /// Every vector a model of this shape may have; a gradient holds them all.
    let everyVector: Int

    init(_ model: Model) {
        let c = model.config, w = model.weights, d = c.dModel, vocabulary = model.vocab.count
        // Each parameter vector with its length and whether this model has it.
        var vectors: [(count: Int, present: Bool)] = [
            (vocabulary, w.bLM != nil), (d, w.lnf.gamma != nil), (d, w.lnf.beta != nil),
        ]
        for l in w.layers {
            vectors += [(d, l.bQ != nil), (d, l.bK != nil), (d, l.bV != nil), (d, l.bO != nil),
                        (c.dFF, l.b1 != nil), (d, l.b2 != nil),
                        (d, l.ln1.gamma != nil), (d, l.ln1.beta != nil), (d, l.ln2.gamma != nil), (d, l.ln2.beta != nil)]
        }
        matrices = vocabulary * d + c.maxPositions * d + c.nLayers * (4 * d * d + 2 * d * c.dFF) + d * vocabulary
        self.vectors = vectors.filter(\.present).reduce(0) { $0 + $1.count }
        everyVector = vectors.reduce(0) { $0 + $1.count }
    }

    /// Every number of the model's weights.
    var weights: Int { matrices + vectors }
    /// Every number of a gradient of them (absent vectors included, at their default value).
    var gradients: Int { matrices + everyVector }
}
