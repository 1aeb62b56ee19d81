/// The forward pass continued one token at a time, for the generation chapter: each new token
/// runs through the blocks as one row, attending to the keys and values of every earlier
/// position, which are kept (a key–value cache) instead of recomputed.
///
/// Every row of the forward pass depends on the rows before it only through those keys and
/// values, and every operation on a row (the products, LayerNorm, softmax) takes its sums in
/// the same order whether the row is alone or among others; so the new row's logits are the
/// bits `Transformer.forward` gives for the last position of the longer text (the tests hold
/// the two to each other bit for bit), for the work of one position instead of all of them.
struct Continuation {
    let model: Model
    /// Per layer, the keys and values of every position so far: [n][d].
    private var keys: [Tensor]
    private var values: [Tensor]
    /// The positions so far.
    private(set) var count: Int

    /// Starts after the positions `trace` ran on (its keys and values are the cache).
    init(model: Model, after trace: Trace) {
        self.model = model
        keys = trace.layers.map(\.k)
        values = trace.layers.map(\.v)
        count = trace.count
    }

    /// Appends `id` at the next position and returns the logits there: [V].
    mutating func logits(appending id: Int) -> [Double] {
        let w = model.weights, c = model.config
        var x = w.tokEmb[rows: [id]] + w.posEmb[rows: [count]]          // [1][d]
        for (l, layer) in w.layers.enumerated() {
            x = x + attention(layerNorm(x, layer.ln1, eps: c.layerNormEps).output, layer: l, w: layer)  // h1
            let normed = layerNorm(x, layer.ln2, eps: c.layerNormEps).output
            let act = matmul(normed, layer.w1, bias: layer.b1).map(c.activation.apply)      // [1][d_ff]
            x = x + matmul(act, layer.w2, bias: layer.b2)                                    // h2
        }
        count += 1
        let final = c.finalLayerNorm ? layerNorm(x, w.lnf, eps: c.layerNormEps).output : x
        return matmul(final, w.wLM, bias: w.bLM).values                 // [V]
    }

    /// The new row's attention over every position so far, itself included (nothing is
    /// masked for the last row), as `Block.attention` computes its last row.
    private mutating func attention(_ x: Tensor, layer l: Int, w: LayerWeights) -> Tensor {
        let n = model.config.nHeads, scale = 1 / Double(model.config.dHead).squareRoot()
        let q = matmul(x, w.wQ, bias: w.bQ)                             // [1][d]
        keys[l] = Tensor(shape: [count + 1, q.cols], values: keys[l].values + matmul(x, w.wK, bias: w.bK).values)
        values[l] = Tensor(shape: [count + 1, q.cols], values: values[l].values + matmul(x, w.wV, bias: w.bV).values)
        let (qs, ks, vs) = (splitHeads(q, count: n), splitHeads(keys[l], count: n), splitHeads(values[l], count: n))
        let heads = (0..<n).map { h in
            matmul(softmaxRows(matmul(qs[h], ks[h].T) * scale), vs[h])  // [1][d_head]
        }
        return matmul(mergeHeads(heads), w.wO, bias: w.bO)              // [1][d]
    }
}
