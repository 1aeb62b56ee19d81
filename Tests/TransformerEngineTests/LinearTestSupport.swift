@testable import TransformerEngine

/// Row-of-rows products for the tests' own forward pass (`GradientTestSupport`): the engine
/// itself works on flat matrices (`Mat`).
enum Linear {
    /// x·W (+ b): rows of `x` times `W`. [T][n] · [n][m] → [T][m]
    static func apply(_ x: Matrix, _ w: Matrix, bias: Vector? = nil) -> Matrix {
        Mat.linear(Mat(x), Mat(w), bias: bias).nested
    }

    /// A row vector times a matrix: [n] · [n][m] → [m]
    static func apply(_ x: Vector, _ w: Matrix, bias: Vector? = nil) -> Vector {
        Mat.linear(Mat(row: x), Mat(w), bias: bias).values
    }

    static func dot(_ a: Vector, _ b: Vector) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    static func add(_ a: Matrix, _ b: Matrix) -> Matrix {
        zip(a, b).map { ra, rb in zip(ra, rb).map(+) }
    }
}
