import Foundation

/// The position-wise feed-forward network: act(x·W_1 + b_1)·W_2 + b_2.
struct MLP {
    let weights: FlatLayer
    let activation: Activation

    struct Output {
        var pre: Mat        // [T][d_ff]
        var act: Mat        // [T][d_ff]
        var out: Mat        // [T][d_model]
        /// GELU's tanh u for every entry of pre, kept for act′ in the backward pass; nil for ReLU
        /// (or when the pass comes from a trace).
        var geluTanh: Mat?  // [T][d_ff]
    }

    /// Only the rows in `rows`; the others are left at 0 (and tanh u at 0, as for pre = 0).
    func callAsFunction(_ x: Mat, rows: Range<Int>) -> Output {
        if rows.count == x.rows { return self(x) }
        let some = self(x.rows(rows))
        func place(_ m: Mat) -> Mat { m.placed(at: rows.lowerBound, rows: x.rows) }
        return Output(pre: place(some.pre), act: place(some.act), out: place(some.out), geluTanh: some.geluTanh.map(place))
    }

    func callAsFunction(_ x: Mat) -> Output {
        let pre = Mat.linear(x, weights.w1, bias: weights.b1)          // [T][d_ff]
        let act: Mat, geluTanh: Mat?                                    // [T][d_ff]
        switch activation {
        case .relu:
            (act, geluTanh) = (pre.map(activation.apply), nil)
        case .gelu:
            let th = pre.map(Activation.geluTanh)                       // tanh u, kept for act′
            act = Mat(rows: pre.rows, cols: pre.cols, values: zip(pre.values, th.values).map(Activation.gelu))
            geluTanh = th
        }
        let out = Mat.linear(act, weights.w2, bias: weights.b2)        // [T][d_model]
        return Output(pre: pre, act: act, out: out, geluTanh: geluTanh)
    }
}

extension Activation {
    public func apply(_ x: Double) -> Double {
        switch self {
        case .relu:
            return max(0, x)
        case .gelu:
            return Activation.gelu(x, tanh: Activation.geluTanh(x))
        }
    }

    /// GELU (tanh approximation) in two parts, so that the backward pass can reuse tanh u:
    /// 0.5·x·(1 + tanh u) with u = √(2/π)·(x + 0.044715·x³).
    static func geluTanh(_ x: Double) -> Double {
        tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))
    }

    static func gelu(_ x: Double, tanh th: Double) -> Double {
        0.5 * x * (1 + th)
    }
}
