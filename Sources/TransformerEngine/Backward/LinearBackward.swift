/// The matrix products a backward pass needs. For y = x·W + b with x [T][n], W [n][m]:
/// ∂L/∂x = ∂L/∂y · Wᵀ, ∂L/∂W = xᵀ · ∂L/∂y, ∂L/∂b = Σ_t ∂L/∂y[t].
///
/// Rows of ∂L/∂y that are all zero are common (only the last position has a loss) and are
/// skipped where that provably changes no bit: a sum that starts at +0 and adds ±0 stays +0,
/// and any other sum is unchanged by adding ±0 — but 0·∞ is NaN, so a zero row is skipped
/// only when what it multiplies is finite.
enum LinearBackward {
    struct Output {
        var dx: Mat         // [T][n]
        var dW: Mat         // [n][m]
        var db: Vector      // [m]
    }

    static func backward(dy: Mat, x: Mat, w: Mat) -> Output {
        Output(dx: timesTransposed(dy, w), dW: transposedTimes(x, dy), db: columnSums(dy))
    }

    /// a·bᵀ: [T][m] · ([n][m])ᵀ → [T][n]. A zero row of a gives a row of +0 when b is finite.
    static func timesTransposed(_ a: Mat, _ b: Mat) -> Mat {
        let live = (0..<a.rows).filter { !a.rowIsZero($0) }
        if live.count == a.rows || !b.isFinite { return Mat.timesTransposed(a, b) }
        if let range = contiguous(live) { return Mat.timesTransposed(a, b, rows: range) }
        var out = Mat(rows: a.rows, cols: b.rows)
        let product = Mat.timesTransposed(a.rows(live), b)
        for (r, t) in live.enumerated() {
            out.values.replaceSubrange(t * out.cols..<(t + 1) * out.cols, with: product.values[r * out.cols..<(r + 1) * out.cols])
        }
        return out
    }

    /// aᵀ·b: ([T][n])ᵀ · [T][m] → [n][m], summed over t in order. A term t whose row of b is
    /// zero adds only ±0 when row t of a is finite.
    static func transposedTimes(_ a: Mat, _ b: Mat) -> Mat {
        let live = (0..<a.rows).filter { !(b.rowIsZero($0) && a.rowIsFinite($0)) }
        if live.count == a.rows { return Mat.transposedTimes(a, b) }
        if let range = contiguous(live) { return Mat.transposedTimes(a, b, rows: range) }
        return Mat.transposedTimes(a.rows(live), b.rows(live))
    }

    /// The rows as one range, when they are one (and not empty).
    private static func contiguous(_ rows: [Int]) -> Range<Int>? {
        guard let first = rows.first, let last = rows.last, last - first + 1 == rows.count else { return nil }
        return first..<last + 1
    }

    /// Σ over rows: [T][m] → [m]. A zero row adds only ±0.
    static func columnSums(_ a: Mat) -> Vector {
        var out = Vector(repeating: 0, count: a.cols)
        for t in 0..<a.rows where !a.rowIsZero(t) {
            for j in 0..<a.cols { out[j] += a[t, j] }
        }
        return out
    }
}
