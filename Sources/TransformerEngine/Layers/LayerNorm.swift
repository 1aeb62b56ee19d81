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
        let rows = apply(Mat(row: x))
        return Row(mean: rows.mean[0], variance: rows.variance[0], std: rows.std[0], output: rows.output.values)
    }

    public func apply(_ x: Matrix) -> [Row] { x.map { apply($0) } }

    /// Every row of x [T][n] normalised: the statistics per row and the outputs [T][n].
    struct Rows: Sendable {
        var mean, variance, std: Vector     // [T]
        var output: Mat                     // [T][n]

        /// As the trace keeps them.
        var traceRows: [Row] {
            (0..<output.rows).map { Row(mean: mean[$0], variance: variance[$0], std: std[$0], output: output.row($0)) }
        }
    }

    /// Only the rows in `rows`; the others get output 0, mean 0, variance 0 and σ 1.
    func apply(_ x: Mat, rows: Range<Int>) -> Rows {
        if rows.count == x.rows { return apply(x) }
        let some = apply(x.rows(rows))
        func place(_ v: Vector, _ other: Double) -> Vector {
            var out = Vector(repeating: other, count: x.rows)
            out.replaceSubrange(rows, with: v)
            return out
        }
        return Rows(mean: place(some.mean, 0), variance: place(some.variance, 0), std: place(some.std, 1),
                    output: some.output.placed(at: rows.lowerBound, rows: x.rows))
    }

    func apply(_ x: Mat) -> Rows {
        let t = x.rows, n = x.cols
        let count = Double(n)
        let gamma = parameters.gamma ?? Vector(repeating: 1, count: n)
        let beta = parameters.beta ?? Vector(repeating: 0, count: n)
        var means = Vector(), variances = Vector(), stds = Vector()
        means.reserveCapacity(t); variances.reserveCapacity(t); stds.reserveCapacity(t)
        var output = Mat(rows: t, cols: n)
        x.values.withUnsafeBufferPointer { xv in
            output.values.withUnsafeMutableBufferPointer { ov in
                for r in 0..<t {
                    let row = UnsafeBufferPointer(rebasing: xv[r * n..<(r + 1) * n])
                    var sum = 0.0
                    for value in row { sum += value }
                    let mean = sum / count
                    var squares = 0.0
                    for value in row { squares += (value - mean) * (value - mean) }
                    let variance = squares / count
                    let std = (variance + eps).squareRoot()
                    for i in 0..<n {
                        ov[r * n + i] = (row[i] - mean) / std * gamma[i] + beta[i]
                    }
                    means.append(mean)
                    variances.append(variance)
                    stds.append(std)
                }
            }
        }
        return Rows(mean: means, variance: variances, std: stds, output: output)
    }
}
