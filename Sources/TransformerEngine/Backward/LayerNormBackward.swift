/// The backward pass of LayerNorm, row by row:
///
///     y = x̂ ⊙ γ + β,   x̂ = (x − μ) / σ,   μ = mean(x),   σ = √(var(x) + ε)   (population variance)
///
/// Every output depends on every input through μ and σ, so ∂L/∂x goes through the full
/// n×n Jacobian of x̂, not an elementwise factor 1/σ.
public enum LayerNormBackward {
    struct Output {
        var dx: Mat         // [T][n]
        var dGamma: Vector  // [n]
        var dBeta: Vector   // [n]
    }

    /// ∂x̂ᵢ/∂xⱼ = (δᵢⱼ − 1/n − x̂ᵢ·x̂ⱼ/n) / σ   — [n][n], symmetric.
    ///
    /// From ∂μ/∂xⱼ = 1/n and ∂σ/∂xⱼ = (xⱼ − μ)/(n·σ):
    /// ∂x̂ᵢ/∂xⱼ = (δᵢⱼ − 1/n)/σ − (xᵢ − μ)(xⱼ − μ)/(n·σ³).
    public static func jacobian(xHat: Vector, std: Double) -> Matrix {
        let n = Double(xHat.count)
        return xHat.indices.map { i in
            xHat.indices.map { j in ((i == j ? 1 : 0) - 1 / n - xHat[i] * xHat[j] / n) / std }
        }
    }

    /// One row of ∂L/∂x = Jᵀ·∂L/∂x̂: dx[c] = Σ_k ∂L/∂x̂[k]·J[k][c], summed over k in order,
    /// each J[k][c] computed by `jacobian`'s expression, all c side by side for each k.
    static func inputGradient(xHat: UnsafePointer<Double>, dXHat g: UnsafePointer<Double>, count: Int, std: Double,
                              into dx: UnsafeMutablePointer<Double>) {
        let n = Double(count)
        let diagonal = 1 - 1 / n, offDiagonal = 0 - 1 / n
        // p / n is exactly p · (1/n) when n is a power of two: both round the same real number.
        let reciprocal = count & (count - 1) == 0 ? 1 / n : nil
        dx.update(repeating: 0, count: count)
        for k in 0..<count {
            let xk = xHat[k], gk = g[k]
            if let reciprocal {
                for c in 0..<k { dx[c] += gk * ((offDiagonal - xk * xHat[c] * reciprocal) / std) }
                dx[k] += gk * ((diagonal - xk * xk / n) / std)
                for c in k + 1..<count { dx[c] += gk * ((offDiagonal - xk * xHat[c] * reciprocal) / std) }
            } else {
                for c in 0..<k { dx[c] += gk * ((offDiagonal - xk * xHat[c] / n) / std) }
                dx[k] += gk * ((diagonal - xk * xk / n) / std)
                for c in k + 1..<count { dx[c] += gk * ((offDiagonal - xk * xHat[c] / n) / std) }
            }
        }
    }

    /// dy [T][n] is ∂L/∂y; `input` [T][n] is x and `rows` the forward pass's statistics.
    static func backward(dy: Mat, input: Mat, rows: LayerNorm.Rows, gamma: Vector) -> Output {
        let t = input.rows, n = input.cols
        // x̂ = (x − μ) / σ, row by row, from the input and the statistics of the forward pass.
        var xHat = input
        for r in 0..<t {
            for i in 0..<n { xHat[r, i] = (input[r, i] - rows.mean[r]) / rows.std[r] }
        }
        // A zero row of ∂L/∂y adds ±0 to ∂L/∂γ and ∂L/∂β and makes a row of +0 in ∂L/∂x, as
        // long as γ, x̂ and the Jacobian are finite (its entries are at most (2 + 2·max x̂²/n)/σ).
        let gammaIsFinite = gamma.allSatisfy(\.isFinite)
        let live = (0..<t).filter { r in
            guard dy.rowIsZero(r) && gammaIsFinite && xHat.rowIsFinite(r) else { return true }
            let largest = (0..<n).reduce(0) { max($0, abs(xHat[r, $1])) }
            return !((2 + 2 * (largest * largest / Double(n))) / rows.std[r]).isFinite
        }

        var dGamma = Vector(repeating: 0, count: n)
        var dBeta = Vector(repeating: 0, count: n)
        for r in live {
            for i in 0..<n {
                dGamma[i] += dy[r, i] * xHat[r, i]                             // ∂yᵢ/∂γᵢ = x̂ᵢ
                dBeta[i] += dy[r, i]                                           // ∂yᵢ/∂βᵢ = 1
            }
        }

        // ∂L/∂x = Jᵀ·∂L/∂x̂ with ∂L/∂x̂ = ∂L/∂y ⊙ γ, row by row.
        var dx = Mat(rows: t, cols: n)
        xHat.values.withUnsafeBufferPointer { xHat in
        dy.values.withUnsafeBufferPointer { dy in
        dx.values.withUnsafeMutableBufferPointer { dx in
            var dXHat = Vector(repeating: 0, count: n)
            dXHat.withUnsafeMutableBufferPointer { g in
                for r in live {
                    for i in 0..<n { g[i] = dy[r * n + i] * gamma[i] }
                    inputGradient(xHat: xHat.baseAddress! + r * n, dXHat: g.baseAddress!, count: n,
                                  std: rows.std[r], into: dx.baseAddress! + r * n)
                }
            }
        }}}
        return Output(dx: dx, dGamma: dGamma, dBeta: dBeta)
    }
}
