import TransformerEngine

/// Every weight matrix's `GradientDigest`, by the matrix's name in the model file (`W_lm`,
/// `tok_emb`, `layers.0.W_q`), made once for the learning pages and the trace before either
/// starts, the matrices spread over every core (biggest first, so the two vocabulary-sized
/// ones do not end up on one core).
struct GradientDigests: Sendable {
    private let byName: [String: GradientDigest]

    /// The digest of the matrix `name`, whose gradient is `gradient`: the one made, or for a
    /// name without one, one made now (its pooled grids formed when read).
    func digest(_ name: String, of gradient: WeightGradient) -> GradientDigest {
        byName[name] ?? GradientDigest(gradient, pooledSizes: [])
    }

    static func name(layer l: Int, _ matrix: String) -> String { "layers.\(l).\(matrix)" }

    /// None made: each digest is made when asked for.
    init() { byName = [:] }

    /// The digests of every weight matrix of `g`, each with the pooled grids `pooledSizes`
    /// gives for its name.
    init(_ g: Gradients, pooledSizes: (String) -> [Int]) {
        var matrices: [(name: String, gradient: WeightGradient)] = [("tok_emb", g.tokEmb), ("pos_emb", g.posEmb), ("W_lm", g.wLM)]
        for (l, lg) in g.layers.enumerated() {
            matrices += lg.weightMatrices.map { (Self.name(layer: l, $0.name), $0.gradient) }
        }
        matrices.sort { a, b in a.gradient.rows * a.gradient.cols > b.gradient.rows * b.gradient.cols }
        let sizes = matrices.map { pooledSizes($0.name) }
        let digests = Parallel.map(matrices.count) { [matrices] k in GradientDigest(matrices[k].gradient, pooledSizes: sizes[k]) }
        byName = Dictionary(zip(matrices.map(\.name), digests)) { first, _ in first }
    }

    /// The digests the site reads: every matrix's trace summary; the backprop page's
    /// heatmaps of the layers it draws and of W_lm; the gradient page's heatmap of W_lm.
    init(forSite g: Gradients) {
        let drawn = Set(BackpropPage.drawnLayers(g.layers.count).map { "layers.\($0)." })
        self.init(g) { name in
            var sizes = [GradientSummary.pooledSize]
            if name == "W_lm" || drawn.contains(where: name.hasPrefix) { sizes.append(BackpropPage.overviewSize) }
            if name == "W_lm" { sizes.append(GradientPage.heatmapSize) }
            return sizes
        }
    }
}

extension LayerGradients {
    /// The block's weight matrices' gradients by their names in the model file, in its order.
    var weightMatrices: [(name: String, gradient: WeightGradient)] {
        [("W_q", wQ), ("W_k", wK), ("W_v", wV), ("W_o", wO), ("W_1", w1), ("W_2", w2)]
    }
}
