/// LayerNorm of every row x of [T][n], with the population variance:
///
///     μ = mean(x),  var = mean((x − μ)²),  σ = √(var + ε),  y = (x − μ) / σ ⊙ γ + β
///
/// (γ = 1 and β = 0 when the model file leaves them out).
public func layerNorm(_ x: Tensor, _ p: LayerNormParameters, eps: Double) -> LayerNormOutput {
    let n = x.cols
    let gamma = p.gamma ?? [Double](repeating: 1, count: n), beta = p.beta ?? [Double](repeating: 0, count: n)
    var out = LayerNormOutput(output: Tensor(zeros: x.shape), mean: [], variance: [], std: [])
    for t in 0..<x.rows {
        let row = x.row(t)
        let mean = row.reduce(0, +) / Double(n)
        let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let std = (variance + eps).squareRoot()
        for i in 0..<n { out.output[t, i] = (row[i] - mean) / std * gamma[i] + beta[i] }
        out.mean.append(mean)
        out.variance.append(variance)
        out.std.append(std)
    }
    return out
}

/// A LayerNorm's output and the statistics of each row (what the site shows of it).
public struct LayerNormOutput: Sendable, Equatable {
    public var output: Tensor                  // [T][n]
    public var mean: [Double]                  // [T]
    public var variance: [Double]              // [T]
    /// √(var + ε), the divisor.
    public var std: [Double]                   // [T]
}

/// gamma and beta of one LayerNorm; nil means the default (1 and 0).
public struct LayerNormParameters: Sendable {
    public var gamma: [Double]?
    public var beta: [Double]?
    public init(gamma: [Double]? = nil, beta: [Double]? = nil) { self.gamma = gamma; self.beta = beta }
}
