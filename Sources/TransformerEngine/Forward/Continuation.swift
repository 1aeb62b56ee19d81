/// The forward pass continued one token at a time, for the generation chapter, for several
/// texts that start from the same prompt (the greedy and the sampled continuation). At each
/// step every text gains one token, and the new tokens run through the blocks together, one
/// row each of a [texts][d] input: each weight matrix is read once per step for all the texts.
/// Each row attends to the keys and values of its own text's earlier positions, which are kept
/// (a key–value cache) instead of recomputed.
///
/// Every row of the forward pass depends on the rows before it only through those keys and
/// values, and every operation on a row (the products, LayerNorm, softmax) takes its sums in
/// the same order whether the row is alone or among others; so each new row's logits are the
/// bits `Transformer.forward` gives for the last position of its text (the tests hold the two
/// to each other bit for bit), for the work of one position per text instead of all of them.
struct Continuation {
    let model: Model
    /// Per text, per layer, the keys and values of every position so far: [n][d].
    private var keys: [[Tensor]]
    private var values: [[Tensor]]
    /// The positions so far, the same for every text.
    private(set) var count: Int

    /// `texts` texts, each starting after the positions `trace` ran on (its keys and values
    /// are each text's cache).
    init(model: Model, after trace: Trace, texts: Int) {
        self.model = model
        keys = Array(repeating: trace.layers.map(\.k), count: texts)
        values = Array(repeating: trace.layers.map(\.v), count: texts)
        count = trace.count
    }

    /// Appends `ids[i]` to text i at the next position and returns the logits there, row i
    /// for text i: [texts][V].
    mutating func logits(appending ids: [Int]) -> Tensor {
        precondition(ids.count == keys.count, "\(ids.count) tokens for \(keys.count) texts")
        let w = model.weights, c = model.config
        var x = w.tokEmb[rows: ids] + w.posEmb[rows: repeatElement(count, count: ids.count)]   // [texts][d]
        for (l, layer) in w.layers.enumerated() {
            x = x + attention(layerNorm(x, layer.ln1, eps: c.layerNormEps).output, layer: l, w: layer)  // h1
            let normed = layerNorm(x, layer.ln2, eps: c.layerNormEps).output
            let act = matmul(normed, layer.w1, bias: layer.b1).map(c.activation.apply)      // [texts][d_ff]
            x = x + matmul(act, layer.w2, bias: layer.b2)                                    // h2
        }
        count += 1
        let final = c.finalLayerNorm ? layerNorm(x, w.lnf, eps: c.layerNormEps).output : x
        return matmul(final, transposed: w.wLM.transpose, bias: w.bLM)  // [texts][V] final·W_lm
    }

    /// Each new row's attention over every position of its text so far, itself included
    /// (nothing is masked for the last row), as `Block.attention` computes its last row.
    private mutating func attention(_ x: Tensor, layer l: Int, w: LayerWeights) -> Tensor {
        let n = model.config.nHeads, scale = 1 / Double(model.config.dHead).squareRoot()
        let q = matmul(x, w.wQ, bias: w.bQ)                             // [texts][d]
        let k = matmul(x, w.wK, bias: w.bK)                             // [texts][d]
        let v = matmul(x, w.wV, bias: w.bV)                             // [texts][d]
        let contexts = (0..<x.rows).map { text -> [Double] in
            keys[text][l] = Tensor(shape: [count + 1, q.cols], values: keys[text][l].values + k.row(text))
            values[text][l] = Tensor(shape: [count + 1, q.cols], values: values[text][l].values + v.row(text))
            let (qs, ks, vs) = (splitHeads(Tensor(row: q.row(text)), count: n), splitHeads(keys[text][l], count: n),
                                splitHeads(values[text][l], count: n))
            let heads = (0..<n).map { h in
                matmul(softmaxRows(matmul(qs[h], ks[h].T) * scale), vs[h])  // [1][d_head]
            }
            return mergeHeads(heads).values                             // [d]
        }
        return matmul(Tensor(contexts), w.wO, bias: w.bO)               // [texts][d]
    }
}
