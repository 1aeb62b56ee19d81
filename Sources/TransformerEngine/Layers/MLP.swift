import Foundation

/// The position-wise feed-forward network: act(x·W_1 + b_1)·W_2 + b_2.
struct MLP {
    let weights: LayerWeights
    let activation: Activation

    struct Output {
        var pre: Matrix   // [T][d_ff]
        var act: Matrix   // [T][d_ff]
        var out: Matrix   // [T][d_model]
    }

    func callAsFunction(_ x: Matrix) -> Output {
        let pre = Linear.apply(x, weights.w1, bias: weights.b1)          // [T][d_ff]
        let act = pre.map { $0.map(activation.apply) }                   // [T][d_ff]
        let out = Linear.apply(act, weights.w2, bias: weights.b2)        // [T][d_model]
        return Output(pre: pre, act: act, out: out)
    }
}

extension Activation {
    public func apply(_ x: Double) -> Double {
        switch self {
        case .relu:
            return max(0, x)
        case .gelu:
            // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
            return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        }
    }
}
