@testable import TransformerEngine

/// Row-of-rows helpers for the tests' own forward pass (`GradientTestSupport`).
enum Linear {
    /// x·W (+ b): rows of `x` times `W`. [T][n] · [n][m] → [T][m]
    static func apply(_ x: [[Double]], _ w: Tensor, bias: [Double]? = nil) -> [[Double]] {
        matmul(Tensor(x), w, bias: bias).nested
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    static func add(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        zip(a, b).map { ra, rb in zip(ra, rb).map(+) }
    }
}
