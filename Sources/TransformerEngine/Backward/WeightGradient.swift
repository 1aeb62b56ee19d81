/// ∂L/∂W of one weight matrix W [n][m], kept in the form the chain rule gives it rather than
/// as its n·m numbers (at GPT-2 small those would be 1.24 GB, almost all of them formed only
/// to be summarised):
///
/// - a weight used as y = x·W has ∂L/∂W = xᵀ·∂L/∂y, a sum over the positions of outer
///   products (rank ≤ T), kept as its two factors;
/// - an embedding table read as rows tok_emb[ids] has ∂L/∂tok_emb[v] = Σ_{t: ids[t] = v} ∂L/∂x[t],
///   kept as the ids and ∂L/∂x (every other row is +0);
/// - any other gradient as its numbers.
///
/// Any block of rows or columns, or one entry, is formed on demand, with the bits of the same
/// entries of the whole matrix: each entry is its own sum, taken in the same order (t = 0, 1, …
/// from +0) whichever block it is formed in.
public struct WeightGradient: Sendable {
    public let rows: Int
    public let cols: Int
    private let form: Form

    private enum Form: Sendable {
        case numbers(Tensor)
        case product(x: Tensor, dy: Tensor)         // xᵀ·dy: x [T][n], dy [T][m]
        case embedding(ids: [Int], dX: Tensor)      // row v = Σ_{t: ids[t] = v} dX[t]
    }

    /// A gradient as its numbers.
    public init(_ numbers: Tensor) {
        (rows, cols, form) = (numbers.rows, numbers.cols, .numbers(numbers))
    }

    /// xᵀ·dy, the gradient of W in y = x·W (x [T][n], dy [T][m]).
    public init(transposed x: Tensor, times dy: Tensor) {
        precondition(x.rows == dy.rows, "xᵀ·dy of [\(x.rows)][\(x.cols)] and [\(dy.rows)][\(dy.cols)]")
        (rows, cols, form) = (x.cols, dy.cols, .product(x: x, dy: dy))
    }

    /// The gradient of an embedding table of `rows` rows read as table[ids], from ∂L/∂x [T][d]:
    /// a repeated id accumulates its positions' rows, in order.
    public init(embeddingRows rows: Int, ids: [Int], dX: Tensor) {
        precondition(ids.count == dX.rows, "\(ids.count) ids for \(dX.rows) rows of ∂L/∂x")
        (self.rows, cols, form) = (rows, dX.cols, .embedding(ids: ids, dX: dX))
    }

    public var shape: [Int] { [rows, cols] }

    /// The rows `range` of the gradient, [range.count][m].
    public func block(rows range: Range<Int>) -> Tensor {
        switch form {
        case .numbers(let g):
            return g[rows: range]
        case .product(let x, let dy):
            return matmul(transposed: x[columns: range], dy)
        case .embedding(let ids, let dX):
            var g = Tensor(zeros: [range.count, cols])
            for (t, id) in ids.enumerated() where range.contains(id) {
                for j in 0..<cols { g[id - range.lowerBound, j] += dX[t, j] }
            }
            return g
        }
    }

    /// The columns `range` of the gradient, [n][range.count].
    public func block(columns range: Range<Int>) -> Tensor {
        switch form {
        case .product(let x, let dy): matmul(transposed: x, dy[columns: range])
        default: block(rows: 0..<rows)[columns: range]
        }
    }

    /// The given rows, in the given order (tok_emb's gradient at the prompt's ids).
    public subscript(rows indices: some Sequence<Int>) -> Tensor {
        var values: [Double] = []
        for i in indices { values += block(rows: i..<i + 1).values }
        return Tensor(shape: [values.count / max(cols, 1), cols], values: values)
    }

    /// One entry.
    public subscript(i: Int, j: Int) -> Double {
        switch form {
        case .numbers(let g):
            return g[i, j]
        case .product(let x, let dy):
            var sum = 0.0
            for t in 0..<x.rows { sum += x[t, i] * dy[t, j] }
            return sum
        case .embedding(let ids, let dX):
            var sum = 0.0
            for (t, id) in ids.enumerated() where id == i { sum += dX[t, j] }
            return sum
        }
    }

    /// The rows that can hold a non-zero entry: an embedding table's at the ids (ascending),
    /// every row otherwise.
    public var rowsThatMayMove: [Int] {
        switch form {
        case .embedding(let ids, _): Array(Set(ids)).sorted()
        default: Array(0..<rows)
        }
    }

    /// ∂L/∂Wᵀ [m][n], for a weight held as its transpose: dyᵀ·x, each entry the same products
    /// (a·b is b·a, exactly) added in the same order.
    public var transposed: WeightGradient {
        switch form {
        case .product(let x, let dy): WeightGradient(transposed: dy, times: x)
        default: WeightGradient(dense.T)
        }
    }

    /// All n·m numbers (for a small model's trace, or a whole-model step).
    public var dense: Tensor {
        switch form {
        case .numbers(let g): g
        default: block(rows: 0..<rows)
        }
    }
}
