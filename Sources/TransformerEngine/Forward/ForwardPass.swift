/// Every intermediate of one forward pass in the engine's flat form: what the backward pass
/// reads, and what `Trace` is made from.
struct ForwardPass {
    var tok, pos, x: Mat                        // [T][d]
    var layers: [LayerPass]
    var finalNorm: LayerNorm.Rows?              // when final_layer_norm
    var final: Mat                              // [T][d]
    var logits: Mat                             // [T][V], or only the last position's [1][V]
    var probs: Mat                              // as logits
    var predictionID: Int
    var loss: Double?

    /// p = softmax(logits) at the last position.
    var lastProbs: Vector { probs.row(probs.rows - 1) }
}

struct LayerPass {
    var input: Mat                              // [T][d]
    var ln1: LayerNorm.Rows
    var attention: Attention.Output
    var residMid: Mat                           // [T][d] h1
    var ln2: LayerNorm.Rows
    var mlp: MLP.Output
    var residOut: Mat                           // [T][d] h2
}

extension Trace {
    init(_ pass: ForwardPass, prompt: Prompt, vocab: [String]) {
        self.init(tokens: prompt.tokens, ids: prompt.ids, tokEmb: pass.tok.nested, posEmb: pass.pos.nested, x: pass.x.nested,
                  layers: pass.layers.map(LayerTrace.init), finalNorm: pass.finalNorm?.traceRows,
                  final: pass.final.nested, logits: pass.logits.nested, probs: pass.probs.nested,
                  predictionID: pass.predictionID, prediction: vocab[pass.predictionID],
                  target: prompt.target, targetID: prompt.targetID, loss: pass.loss)
    }
}

extension LayerTrace {
    init(_ l: LayerPass) {
        let t = l.input.rows
        let scores: [[[Double?]]] = l.attention.scores.map { s in
            (0..<t).map { i in (0..<t).map { j in j <= i ? s[i, j] : nil } }
        }
        self.init(input: l.input.nested, ln1: l.ln1.traceRows, q: l.attention.q.nested, k: l.attention.k.nested,
                  v: l.attention.v.nested, scores: scores, weights: l.attention.weights.map(\.nested),
                  context: l.attention.context.nested, attnOut: l.attention.out.nested, residMid: l.residMid.nested,
                  ln2: l.ln2.traceRows, mlpPre: l.mlp.pre.nested, mlpAct: l.mlp.act.nested, mlpOut: l.mlp.out.nested,
                  residOut: l.residOut.nested)
    }
}

extension ForwardPass {
    /// A trace back in flat form, for the backward pass of the public API.
    init(_ trace: Trace) {
        func rows(_ r: [LayerNorm.Row]) -> LayerNorm.Rows {
            LayerNorm.Rows(mean: r.map(\.mean), variance: r.map(\.variance), std: r.map(\.std), output: Mat(r.map(\.output)))
        }
        let t = trace.count
        self.init(tok: Mat(trace.tokEmb), pos: Mat(trace.posEmb), x: Mat(trace.x),
                  layers: trace.layers.map { l in
                      LayerPass(input: Mat(l.input), ln1: rows(l.ln1),
                                attention: Attention.Output(
                                    q: Mat(l.q), k: Mat(l.k), v: Mat(l.v),
                                    scores: l.scores.map { s in Mat(rows: t, cols: t, values: s.flatMap { $0.map { $0 ?? 0 } }) },
                                    weights: l.weights.map { Mat($0) }, context: Mat(l.context), out: Mat(l.attnOut)),
                                residMid: Mat(l.residMid), ln2: rows(l.ln2),
                                mlp: MLP.Output(pre: Mat(l.mlpPre), act: Mat(l.mlpAct), out: Mat(l.mlpOut), geluTanh: nil),
                                residOut: Mat(l.residOut))
                  },
                  finalNorm: trace.finalNorm.map(rows), final: Mat(trace.final), logits: Mat(trace.logits),
                  probs: Mat(trace.probs), predictionID: trace.predictionID, loss: trace.loss)
    }
}
