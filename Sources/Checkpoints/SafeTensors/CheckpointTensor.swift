/// A tensor read from a checkpoint: its values in C (row-major) order and its shape. An F32
/// tensor keeps its binary32 numbers as stored (`binary32`, which the engine's products read
/// as they are); `values` gives every tensor's numbers as `Double`, exactly.
public struct CheckpointTensor: Sendable, Equatable {
    /// The name in the file (`h.0.attn.c_attn.weight`), or a description of a part of it
    /// (`h.0.attn.c_attn.weight[:, 8..<16]`).
    public let name: String
    public let shape: [Int]
    /// The dtype it was stored in.
    public let dtype: DType
    /// An F32 tensor's numbers as stored (else empty).
    public let binary32: [Float]
    /// The other dtypes' numbers, converted (else empty); a part cut out of an F32 tensor by
    /// `columns(_:)` keeps its numbers here too.
    private let converted: [Double]

    public init(name: String, shape: [Int], values: [Double], dtype: DType) {
        precondition(values.count == shape.reduce(1, *), "values do not fill the shape")
        (self.name, self.shape, self.dtype, self.binary32, self.converted) = (name, shape, dtype, [], values)
    }

    /// An F32 tensor, its numbers as stored.
    public init(name: String, shape: [Int], binary32: [Float]) {
        precondition(binary32.count == shape.reduce(1, *), "values do not fill the shape")
        (self.name, self.shape, self.dtype, self.binary32, self.converted) = (name, shape, .F32, binary32, [])
    }

    /// The numbers as `Double` (an F32 tensor's widened, exactly: a copy).
    public var values: [Double] { binary32.isEmpty ? converted : binary32.map(Double.init) }

    /// Tensors are equal when their names, shapes, dtypes and numbers are.
    public static func == (a: CheckpointTensor, b: CheckpointTensor) -> Bool {
        a.name == b.name && a.shape == b.shape && a.dtype == b.dtype && a.binary32 == b.binary32 && a.converted == b.converted
    }

    /// Rows of a matrix (the first dimension).
    public var rows: Int { shape.first ?? 1 }
    /// Columns of a matrix (the last dimension).
    public var columns: Int { shape.count < 2 ? shape.first ?? 1 : shape[shape.count - 1] }

    /// The value at `row`, `column` of a matrix.
    public subscript(row: Int, column: Int) -> Double {
        binary32.isEmpty ? converted[row * columns + column] : Double(binary32[row * columns + column])
    }

    /// The matrix's rows as nested arrays.
    public var matrixRows: [[Double]] {
        let values = self.values
        return (0..<rows).map { row in Array(values[(row * columns)..<((row + 1) * columns)]) }
    }

    /// Columns `range` of a matrix, or elements `range` of a vector.
    public func columns(_ range: Range<Int>) -> CheckpointTensor {
        let values = self.values
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
