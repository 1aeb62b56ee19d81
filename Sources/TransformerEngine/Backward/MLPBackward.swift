import Foundation

/// The backward pass of the MLP, out = act(x·W₁ + b₁)·W₂ + b₂:
///
///     ∂L/∂W₂ = actᵀ·∂L/∂out     ∂L/∂b₂ = Σₜ ∂L/∂out     ∂L/∂act = ∂L/∂out·W₂ᵀ
///     ∂L/∂pre = ∂L/∂act ⊙ act′(pre)
///     ∂L/∂W₁ = xᵀ·∂L/∂pre       ∂L/∂b₁ = Σₜ ∂L/∂pre     ∂L/∂x = ∂L/∂pre·W₁ᵀ
enum MLPBackward {
    struct Output {
        var dx: Matrix      // [T][d]     the MLP's input, LN2's output
        var dPre: Matrix    // [T][d_ff]
        var dAct: Matrix    // [T][d_ff]
        var dW1: Matrix     // [d][d_ff]
        var dB1: Vector     // [d_ff]
        var dW2: Matrix     // [d_ff][d]
        var dB2: Vector     // [d]
    }

    /// dOut [T][d] is ∂L/∂out; x [T][d], pre and act [T][d_ff] come from the forward pass.
    static func backward(dOut: Matrix, x: Matrix, pre: Matrix, act: Matrix,
                         weights: LayerWeights, activation: Activation) -> Output {
        let second = LinearBackward.backward(dy: dOut, x: act, w: weights.w2)
        let dAct = second.dx                                                        // [T][d_ff]
        let dPre = zip(dAct, pre).map { da, p in zip(da, p).map { $0 * activation.derivative($1) } }
        let first = LinearBackward.backward(dy: dPre, x: x, w: weights.w1)
        return Output(dx: first.dx, dPre: dPre, dAct: dAct, dW1: first.dW, dB1: first.db, dW2: second.dW, dB2: second.db)
    }
}

extension Activation {
    /// act′(x).
    ///
    /// ReLU: 1 for x > 0 and 0 for x ≤ 0 (at the kink x = 0 this takes the left derivative, 0,
    /// as PyTorch does).
    ///
    /// GELU (tanh approximation), g(x) = ½·x·(1 + tanh u), u = √(2/π)·(x + 0.044715·x³):
    /// g′(x) = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²).
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .relu:
            return x > 0 ? 1 : 0
        case .gelu:
            let c = (2 / Double.pi).squareRoot()
            let th = tanh(c * (x + 0.044715 * x * x * x))
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x)
        }
    }
}
