/// One pre-norm transformer block, recording every intermediate in `trace`:
///
///     h1 = x + attention(LN1(x))
///     h2 = h1 + mlp(LN2(h1))
struct Block {
    let w: LayerWeights
    let config: ModelConfig
    var trace = LayerTrace()

    mutating func callAsFunction(_ input: Tensor) -> Tensor {
        trace.input = input
        var x = input                                                   // [T][d]
        x = x + attention(ln1(x))                                       // [T][d] h1
        trace.residMid = x
        x = x + mlp(ln2(x))                                             // [T][d] h2
        trace.residOut = x
        return x
    }

    mutating func ln1(_ x: Tensor) -> Tensor {
        trace.ln1 = layerNorm(x, w.ln1, eps: config.layerNormEps)
        return trace.ln1.output                                         // [T][d]
    }

    mutating func ln2(_ x: Tensor) -> Tensor {
        trace.ln2 = layerNorm(x, w.ln2, eps: config.layerNormEps)
        return trace.ln2.output                                         // [T][d]
    }

    /// Causal multi-head self-attention; head h works on columns h·d_head ..< (h+1)·d_head.
    mutating func attention(_ x: Tensor) -> Tensor {
        let q = matmul(x, w.wQ, bias: w.bQ)                             // [T][d]
        let k = matmul(x, w.wK, bias: w.bK)                             // [T][d]
        let v = matmul(x, w.wV, bias: w.bV)                             // [T][d]
        let n = config.nHeads, scale = 1 / Double(config.dHead).squareRoot()
        let (qs, ks, vs) = (splitHeads(q, count: n), splitHeads(k, count: n), splitHeads(v, count: n))  // H × [T][d_head]
        var heads: [Tensor] = []
        for h in 0..<n {
            let scores = causalMask(matmul(qs[h], ks[h].T) * scale)     // [T][T] qᵢ·kⱼ/√d_head, −∞ for j > i
            let weights = softmaxRows(scores)                           // [T][T]
            heads.append(matmul(weights, vs[h]))                        // [T][d_head] Σⱼ weightsᵢⱼ·vⱼ
            trace.scores.append(scores)
            trace.weights.append(weights)
        }
        let context = mergeHeads(heads)                                 // [T][d]
        let out = matmul(context, w.wO, bias: w.bO)                     // [T][d]
        (trace.q, trace.k, trace.v, trace.context, trace.attnOut) = (q, k, v, context, out)
        return out
    }

    /// The position-wise feed-forward network: act(x·W₁ + b₁)·W₂ + b₂.
    mutating func mlp(_ x: Tensor) -> Tensor {
        let pre = matmul(x, w.w1, bias: w.b1)                           // [T][d_ff]
        let (act, slope) = pre.map(config.activation.applyAndDerivative) // [T][d_ff] act(pre), act′(pre)
        let out = matmul(act, w.w2, bias: w.b2)                         // [T][d]
        (trace.mlpPre, trace.mlpAct, trace.mlpSlope, trace.mlpOut) = (pre, act, slope, out)
        return out
    }
}
