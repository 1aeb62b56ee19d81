/// ∂L/∂(everything) for one forward pass, L = −ln p(target) at the last position.
///
/// The weight gradients mirror `Weights`, with the same shapes (each matrix's kept as its
/// factors, `WeightGradient`, and formed where it is read). Optional parameters that the
/// model file leaves out (biases, LayerNorm gamma/beta) still get a gradient: the derivative
/// with respect to that parameter at its default value (0 for biases and betas, 1 for gammas),
/// i.e. how it would move if the model had it. Parameters the pass never uses (the final
/// LayerNorm's when `final_layer_norm` is false, `pos_emb` rows ≥ T, `tok_emb` rows of words
/// not in the prompt) get exactly 0.
public struct Gradients: Sendable {
    // The weights
    public var tokEmb: WeightGradient           // [V][d]  rows of prompt tokens only; repeats accumulate
    public var posEmb: WeightGradient           // [max_positions][d]  rows 0..<T only
    public var layers: [LayerGradients]
    public var wLM: WeightGradient              // [d][V]
    public var bLM: [Double]                    // [V]
    public var lnfGamma: [Double]               // [d]  0 when final_layer_norm is false
    public var lnfBeta: [Double]                // [d]  0 when final_layer_norm is false

    // The intermediates of the forward pass
    public var loss: Double                     // L itself
    public var x: Tensor                        // [T][d]  the embedding sum tok + pos
    public var final: Tensor                    // [T][d]  the LM head's input (after the final LN if any)
    public var logits: Tensor                   // [T][V]  only the last row is non-zero: p − onehot(target)
}

/// ∂L/∂ of one transformer block's weights and intermediates.
public struct LayerGradients: Sendable {
    // The weights (absent optionals included, at their default value)
    public var wQ, wK, wV, wO: WeightGradient   // [d][d]
    public var w1: WeightGradient               // [d][d_ff]
    public var w2: WeightGradient               // [d_ff][d]
    public var bQ, bK, bV, bO: [Double]         // [d]
    public var b1: [Double]                     // [d_ff]
    public var b2: [Double]                     // [d]
    public var ln1Gamma, ln1Beta: [Double]      // [d]
    public var ln2Gamma, ln2Beta: [Double]      // [d]

    // The intermediates
    public var input: Tensor                    // [T][d]  the residual stream entering the block
    public var ln1Out: Tensor                   // [T][d]
    public var q, k, v: Tensor                  // [T][d]
    public var scores: [Tensor]                 // [H][T][T]  scaled scores q·k/√d_head; masked entries 0
    public var attnWeights: [Tensor]            // [H][T][T]  softmax outputs; masked entries 0
    public var context: Tensor                  // [T][d]
    public var attnOut: Tensor                  // [T][d]
    public var residMid: Tensor                 // [T][d]  h1
    public var ln2Out: Tensor                   // [T][d]
    public var mlpPre: Tensor                   // [T][d_ff]
    public var mlpAct: Tensor                   // [T][d_ff]
    public var mlpOut: Tensor                   // [T][d]
    public var residOut: Tensor                 // [T][d]  h2
}
