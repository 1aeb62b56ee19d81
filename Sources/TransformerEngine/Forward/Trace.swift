/// Every intermediate of one forward pass. The site renders this and nothing else.
public struct Trace: Sendable {
    public var tokens: [String]                 // [T]
    public var ids: [Int]                       // [T]
    public var tokEmb: Matrix                   // [T][d] rows of tok_emb
    public var posEmb: Matrix                   // [T][d] rows of pos_emb
    public var x: Matrix                        // [T][d] tok + pos
    public var layers: [LayerTrace]
    public var finalNorm: [LayerNorm.Row]?      // [T] when final_layer_norm
    public var final: Matrix                    // [T][d]
    public var logits: Matrix                   // [T][V]
    public var probs: Matrix                    // [T][V]
    public var predictionID: Int                // argmax at the last position
    public var prediction: String
    public var target: String?
    public var targetID: Int?
    public var loss: Double?                    // −ln p(target) at the last position

    public var count: Int { tokens.count }
}

public struct LayerTrace: Sendable {
    public var input: Matrix                    // [T][d] the residual stream entering the block
    public var ln1: [LayerNorm.Row]             // [T]
    public var q, k, v: Matrix                  // [T][d]
    public var scores: [[[Double?]]]            // [H][T][T]
    public var weights: [[[Double]]]            // [H][T][T]
    public var context: Matrix                  // [T][d]
    public var attnOut: Matrix                  // [T][d]
    public var residMid: Matrix                 // [T][d] h1
    public var ln2: [LayerNorm.Row]             // [T]
    public var mlpPre: Matrix                   // [T][d_ff]
    public var mlpAct: Matrix                   // [T][d_ff]
    public var mlpOut: Matrix                   // [T][d]
    public var residOut: Matrix                 // [T][d] h2

    public var ln1Out: Matrix { ln1.map(\.output) }
    public var ln2Out: Matrix { ln2.map(\.output) }
}
