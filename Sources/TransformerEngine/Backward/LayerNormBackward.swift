/// The backward pass of LayerNorm, row by row:
///
///     y = x̂ ⊙ γ + β,   x̂ = (x − μ) / σ,   μ = mean(x),   σ = √(var(x) + ε)   (population variance)
///
/// Every output depends on every input through μ and σ, so ∂L/∂x goes through the full
/// n×n Jacobian of x̂, not an elementwise factor 1/σ.
public enum LayerNormBackward {
    struct Output {
        var dx: Matrix      // [T][n]
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

    /// x̂ of one row, from the row's input and the mean and σ the forward pass recorded.
    static func normalized(_ x: Vector, _ row: LayerNorm.Row) -> Vector {
        x.map { ($0 - row.mean) / row.std }
    }

    /// dy [T][n] is ∂L/∂y; `input` [T][n] is x and `rows` the forward pass's statistics.
    static func backward(dy: Matrix, input: Matrix, rows: [LayerNorm.Row], parameters: LayerNormParameters) -> Output {
        let n = input.first?.count ?? 0
        let gamma = parameters.gamma ?? Vector(repeating: 1, count: n)
        var dx = Matrix()
        var dGamma = Vector(repeating: 0, count: n)
        var dBeta = Vector(repeating: 0, count: n)
        for t in input.indices {
            let xHat = normalized(input[t], rows[t])
            for i in 0..<n {
                dGamma[i] += dy[t][i] * xHat[i]                            // ∂yᵢ/∂γᵢ = x̂ᵢ
                dBeta[i] += dy[t][i]                                       // ∂yᵢ/∂βᵢ = 1
            }
            let dXHat = (0..<n).map { dy[t][$0] * gamma[$0] }              // ∂L/∂x̂ = ∂L/∂y ⊙ γ
            let j = jacobian(xHat: xHat, std: rows[t].std)
            dx.append((0..<n).map { col in (0..<n).reduce(0) { $0 + dXHat[$1] * j[$1][col] } })  // ∂L/∂x = Jᵀ·∂L/∂x̂
        }
        return Output(dx: dx, dGamma: dGamma, dBeta: dBeta)
    }
}
