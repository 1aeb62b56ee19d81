/// Every intermediate of one forward pass. The site renders this and nothing else.
public struct Trace: Sendable {
    public var tokens: [String]                 // [T]
    public var ids: [Int]                       // [T]
    public var tokEmb: Tensor                   // [T][d] rows of tok_emb
    public var posEmb: Tensor                   // [T][d] rows of pos_emb
    public var x: Tensor                        // [T][d] tok + pos
    public var layers: [LayerTrace]
    public var finalNorm: LayerNormOutput?      // when final_layer_norm
    public var final: Tensor                    // [T][d]
    public var logits: Tensor                   // [T][V]
    public var probs: Tensor                    // [T][V]
    public var predictionID: Int                // argmax at the last position
    public var prediction: String
    public var target: String?
    public var targetID: Int?
    public var loss: Double?                    // −ln p(target) at the last position

    public var count: Int { tokens.count }
}

public struct LayerTrace: Sendable {
    public var input = Tensor.empty             // [T][d] the residual stream entering the block
    public var ln1 = LayerNormOutput.empty      // [T][d] and the row statistics
    public var q = Tensor.empty                 // [T][d]
    public var k = Tensor.empty                 // [T][d]
    public var v = Tensor.empty                 // [T][d]
    public var scores: [Tensor] = []            // [H][T][T] q·kᵀ/√d_head, −∞ above the diagonal (masked)
    public var weights: [Tensor] = []           // [H][T][T] softmax of the scores' rows, 0 where masked
    public var context = Tensor.empty           // [T][d] the heads side by side
    public var attnOut = Tensor.empty           // [T][d]
    public var residMid = Tensor.empty          // [T][d] h1
    public var ln2 = LayerNormOutput.empty      // [T][d] and the row statistics
    public var mlpPre = Tensor.empty            // [T][d_ff]
    public var mlpAct = Tensor.empty            // [T][d_ff]
    public var mlpSlope = Tensor.empty          // [T][d_ff] act′(mlpPre), for the backward pass
    public var mlpOut = Tensor.empty            // [T][d]
    public var residOut = Tensor.empty          // [T][d] h2

    public var ln1Out: Tensor { ln1.output }
    public var ln2Out: Tensor { ln2.output }
}

extension LayerNormOutput {
    static let empty = LayerNormOutput(output: .empty, mean: [], variance: [], std: [])
}
