/// A tensor read from a checkpoint: its values as `Double` in C (row-major) order and its shape.
public struct CheckpointTensor: Sendable, Equatable {
    /// The name in the file (`h.0.attn.c_attn.weight`), or a description of a part of it
    /// (`h.0.attn.c_attn.weight[:, 8..<16]`).
    public let name: String
    public let shape: [Int]
    public let values: [Double]
    /// The dtype it was stored in.
    public let dtype: DType

    public init(name: String, shape: [Int], values: [Double], dtype: DType) {
        precondition(values.count == shape.reduce(1, *), "values do not fill the shape")
        self.name = name
        self.shape = shape
        self.values = values
        self.dtype = dtype
    }

    /// Rows of a matrix (the first dimension).
    public var rows: Int { shape.first ?? 1 }
    /// Columns of a matrix (the last dimension).
    public var columns: Int { shape.count < 2 ? shape.first ?? 1 : shape[shape.count - 1] }

    /// The value at `row`, `column` of a matrix.
    public subscript(row: Int, column: Int) -> Double {
        values[row * columns + column]
    }

    /// The matrix's rows as nested arrays.
    public var matrixRows: [[Double]] {
        (0..<rows).map { row in Array(values[(row * columns)..<((row + 1) * columns)]) }
    }

    /// Columns `range` of a matrix, or elements `range` of a vector.
    public func columns(_ range: Range<Int>) -> CheckpointTensor {
        if shape.count == 1 {
            return CheckpointTensor(name: "\(name)[\(range)]", shape: [range.count],
                                    values: Array(values[range]), dtype: dtype)
        }
        var part: [Double] = []
        part.reserveCapacity(rows * range.count)
        for row in 0..<rows {
            part.append(contentsOf: values[(row * columns + range.lowerBound)..<(row * columns + range.upperBound)])
        }
        return CheckpointTensor(name: "\(name)[:, \(range)]", shape: [rows, range.count], values: part, dtype: dtype)
    }
}

/// `[8, 24]`
func shapeText(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// The row-major index of flat position `flat` in `shape`: `[1, 5]`.
func multiIndex(_ flat: Int, in shape: [Int]) -> [Int] {
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for axis in shape.indices.reversed() where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}
