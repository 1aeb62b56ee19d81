import TransformerEngine

/// Rectangular blocks of a matrix: one window's rows and one head's columns of a batch.
extension Tensor {
    /// The entries [rows][columns], as a matrix of their own.
    func block(rows: Range<Int>, columns: Range<Int>) -> Tensor {
        let (n, width) = (cols, columns.count)
        var out = [Double](repeating: 0, count: rows.count * width)
        for (r, i) in rows.enumerated() {
            for c in 0..<width { out[r * width + c] = values[i * n + columns.lowerBound + c] }
        }
        return Tensor(shape: [rows.count, width], values: out)
    }

    /// Writes `block` at rows from `row`, columns from `column`.
    mutating func setBlock(_ block: Tensor, row: Int, column: Int) {
        let (n, width) = (cols, block.cols)
        for i in 0..<block.rows {
            for j in 0..<width { values[(row + i) * n + column + j] = block.values[i * width + j] }
        }
    }
}
