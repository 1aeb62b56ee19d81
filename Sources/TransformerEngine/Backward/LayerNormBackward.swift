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
    /// each J[k][c] computed by `jacobian`'s expression. `j` is room for the [n][n] J.
    ///
    /// J is symmetric bit for bit, not only in exact arithmetic: J[k][c] and J[c][k] differ only
    /// in the order of the factors of x̂ₖ·x̂꜀, and IEEE multiplication is commutative. So each
    /// entry on and above the diagonal is computed once, two side by side, and copied below it;
    /// the sums are then the row-times-matrix product ∂L/∂x̂·J, in the same order.
    static func inputGradient(xHat: UnsafePointer<Double>, dXHat g: UnsafePointer<Double>, count: Int, std: Double,
                              jacobian j: UnsafeMutablePointer<Double>, into dx: UnsafeMutablePointer<Double>) {
        // p / n is exactly p · (1/n) when n is a power of two: both round the same real number.
        if count & (count - 1) == 0 {
            symmetricJacobian(xHat: xHat, count: count, std: std, reciprocal: 1 / Double(count), into: j)
        } else {
            symmetricJacobian(xHat: xHat, count: count, std: std, reciprocal: nil, into: j)
        }
        Product.rowTimesMatrix(dx, g, j, inner: count, cols: count)
    }

    /// J [n][n] into `j`: each entry on and above the diagonal by `jacobian`'s expression (with
    /// x̂ₖ·x̂꜀/n as x̂ₖ·x̂꜀·reciprocal when given), and its copy below.
    @inline(__always)
    private static func symmetricJacobian(xHat: UnsafePointer<Double>, count: Int, std: Double, reciprocal: Double?,
                                          into j: UnsafeMutablePointer<Double>) {
        typealias D2 = SIMD2<Double>
        let n = Double(count)
        let diagonal = 1 - 1 / n, offDiagonal = 0 - 1 / n
        for k in 0..<count {
            let xk = xHat[k], row = j + k * count
            row[k] = (diagonal - xk * xk / n) / std
            // J[k][c] for c > k, two at a time: (offDiagonal − x̂ₖ·x̂꜀/n) / σ in each lane, copied
            // down column k as J[c][k].
            @inline(__always) func pair(_ c: Int, _ below: UnsafeMutablePointer<Double>) {
                let products = D2(repeating: xk) * UnsafeRawPointer(xHat + c).loadUnaligned(as: D2.self)
                let scaled = reciprocal.map { products * $0 } ?? products / n
                let entries = (D2(repeating: offDiagonal) - scaled) / std
                UnsafeMutableRawPointer(row + c).storeBytes(of: entries, as: D2.self)
                below[0] = entries[0]
                below[count] = entries[1]
            }
            var c = k &+ 1, below = j + c * count + k
            while c &+ 4 <= count {                                        // (two pairs a turn: less loop overhead)
                pair(c, below)
                pair(c &+ 2, below + 2 &* count)
                c &+= 4
                below += 4 &* count
            }
            if c &+ 2 <= count {
                pair(c, below)
                c &+= 2
                below += 2 &* count
            }
            if c < count {
                let entry = (offDiagonal - (reciprocal.map { xk * xHat[c] * $0 } ?? xk * xHat[c] / n)) / std
                row[c] = entry
                below[0] = entry
            }
        }
    }

    /// dy [T][n] is ∂L/∂y; `input` [T][n] is x and `rows` the forward pass's statistics.
    static func backward(dy: Mat, input: Mat, rows: LayerNorm.Rows, gamma: Vector) -> Output {
        let t = input.rows, n = input.cols
        // x̂ = (x − μ) / σ, row by row, from the input and the statistics of the forward pass.
        let xHat = Mat.filled(rows: t, cols: n) { out in
            input.values.withUnsafeBufferPointer { x in
                for r in 0..<t {
                    let mean = rows.mean[r], std = rows.std[r]
                    for i in 0..<n { out[r * n + i] = (x[r * n + i] - mean) / std }
                }
            }
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
            let g = UnsafeMutablePointer<Double>.allocate(capacity: n)                 // ∂L/∂x̂ [n]
            let jacobian = UnsafeMutablePointer<Double>.allocate(capacity: n * n)      // J [n][n]
            defer { g.deallocate(); jacobian.deallocate() }
            gamma.withUnsafeBufferPointer { gamma in
                precondition(gamma.count == n, "gamma of another width")
                for r in live {
                    for i in 0..<n { g[i] = dy[r * n + i] * gamma[i] }
                    inputGradient(xHat: xHat.baseAddress! + r * n, dXHat: g, count: n, std: rows.std[r],
                                  jacobian: jacobian, into: dx.baseAddress! + r * n)
                }
            }
        }}}
        return Output(dx: dx, dGamma: dGamma, dBeta: dBeta)
    }
}
