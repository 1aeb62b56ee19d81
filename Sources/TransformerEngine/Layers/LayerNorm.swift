import Foundation

/// LayerNorm over one token's vector: (x − mean) / sqrt(var + eps) · gamma + beta,
/// with the population variance.
public struct LayerNorm: Sendable {
    public var parameters: LayerNormParameters
    public var eps: Double

    public init(_ parameters: LayerNormParameters, eps: Double) {
        self.parameters = parameters
        self.eps = eps
    }

    /// The statistics the site shows for each token.
    public struct Row: Sendable {
        public var mean: Double
        public var variance: Double
        /// sqrt(var + eps), the divisor.
        public var std: Double
        public var output: Vector
    }

    public func apply(_ x: Vector) -> Row {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let std = (variance + eps).squareRoot()
        var out = Vector(repeating: 0, count: x.count)
        for i in x.indices {
            out[i] = (x[i] - mean) / std * (parameters.gamma?[i] ?? 1) + (parameters.beta?[i] ?? 0)
        }
        return Row(mean: mean, variance: variance, std: std, output: out)
    }

    public func apply(_ x: Matrix) -> [Row] { x.map { apply($0) } }
}
