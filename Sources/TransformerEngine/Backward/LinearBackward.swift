/// The matrix products a backward pass needs. For y = x·W + b with x [T][n], W [n][m]:
/// ∂L/∂x = ∂L/∂y · Wᵀ, ∂L/∂W = xᵀ · ∂L/∂y, ∂L/∂b = Σ_t ∂L/∂y[t].
enum LinearBackward {
    struct Output {
        var dx: Matrix      // [T][n]
        var dW: Matrix      // [n][m]
        var db: Vector      // [m]
    }

    static func backward(dy: Matrix, x: Matrix, w: Matrix) -> Output {
        Output(dx: timesTransposed(dy, w), dW: transposedTimes(x, dy), db: columnSums(dy))
    }

    /// a·bᵀ: [T][m] · ([n][m])ᵀ → [T][n]
    static func timesTransposed(_ a: Matrix, _ b: Matrix) -> Matrix {
        a.map { row in b.map { Linear.dot(row, $0) } }
    }

    /// aᵀ·b: ([T][n])ᵀ · [T][m] → [n][m]
    static func transposedTimes(_ a: Matrix, _ b: Matrix) -> Matrix {
        let n = a.first?.count ?? 0, m = b.first?.count ?? 0
        var out = zeros(n, m)
        for t in a.indices {
            for i in 0..<n {
                for j in 0..<m { out[i][j] += a[t][i] * b[t][j] }
            }
        }
        return out
    }

    /// Σ over rows: [T][m] → [m]
    static func columnSums(_ a: Matrix) -> Vector {
        var out = Vector(repeating: 0, count: a.first?.count ?? 0)
        for row in a { for j in row.indices { out[j] += row[j] } }
        return out
    }

    static func zeros(_ rows: Int, _ cols: Int) -> Matrix {
        Matrix(repeating: Vector(repeating: 0, count: cols), count: rows)
    }
}
