import Foundation

/// The backward pass of the MLP, out = act(x·W₁ + b₁)·W₂ + b₂:
///
///     ∂L/∂W₂ = actᵀ·∂L/∂out     ∂L/∂b₂ = Σₜ ∂L/∂out     ∂L/∂act = ∂L/∂out·W₂ᵀ
///     ∂L/∂pre = ∂L/∂act ⊙ act′(pre)
///     ∂L/∂W₁ = xᵀ·∂L/∂pre       ∂L/∂b₁ = Σₜ ∂L/∂pre     ∂L/∂x = ∂L/∂pre·W₁ᵀ
enum MLPBackward {
    struct Output {
        var dx: Mat         // [T][d]     the MLP's input, LN2's output
        var dPre: Mat       // [T][d_ff]
        var dAct: Mat       // [T][d_ff]
        var dW1: Mat        // [d][d_ff]
        var dB1: Vector     // [d_ff]
        var dW2: Mat        // [d_ff][d]
        var dB2: Vector     // [d]
    }

    /// dOut [T][d] is ∂L/∂out; x [T][d] and `mlp` (pre, act [T][d_ff]) come from the forward pass.
    static func backward(dOut: Mat, x: Mat, mlp: MLP.Output, weights: FlatLayer, activation: Activation) -> Output {
        let second = LinearBackward.backward(dy: dOut, x: mlp.act, w: weights.w2)
        let dAct = second.dx                                                        // [T][d_ff]
        let dPre = Mat.filled(rows: dAct.rows, cols: dAct.cols) { dPre in          // ∂L/∂act ⊙ act′(pre)
            if let th = mlp.geluTanh, activation == .gelu {
                for i in dAct.values.indices {
                    dPre[i] = dAct.values[i] * Activation.geluDerivative(mlp.pre.values[i], tanh: th.values[i])
                }
            } else {
                for i in dAct.values.indices {
                    dPre[i] = dAct.values[i] * activation.derivative(mlp.pre.values[i])
                }
            }
        }
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
            return Activation.geluDerivative(x, tanh: Activation.geluTanh(x))
        }
    }

    /// GELU′ from x and tanh u (the `geluTanh` of the forward pass).
    static func geluDerivative(_ x: Double, tanh th: Double) -> Double {
        let c = (2 / Double.pi).squareRoot()
        return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x)
    }
}
