import TransformerEngine

/// Rectangular blocks of a matrix: one window's rows and one head's columns of a batch.
extension Tensor {
    /// The entries [rows][columns], as a matrix of their own.
    func block(rows: Range<Int>, columns: Range<Int>) -> Tensor {
        var out: [Double] = []
        out.reserveCapacity(rows.count * columns.count)
        for i in rows { out += values[(i * cols + columns.lowerBound)..<(i * cols + columns.upperBound)] }
        return Tensor(shape: [rows.count, columns.count], values: out)
    }

    /// Writes `block` at rows from `row`, columns from `column`.
    mutating func setBlock(_ block: Tensor, row: Int, column: Int) {
        let width = cols
        for i in 0..<block.rows {
            for j in 0..<block.cols { values[(row + i) * width + column + j] = block.values[i * block.cols + j] }
        }
    }
}
