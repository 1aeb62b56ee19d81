/// The engine's one data type: numbers in one flat row-major array with a shape. A matrix of
/// shape [rows, cols] keeps entry [i, j] at `values[i * cols + j]`. Weights, activations,
/// gradients and the trace the site reads are all tensors; nested arrays appear only at the
/// edges (reading a model file, writing JSON).
///
/// A checkpoint's weight matrix keeps the binary32 numbers it was stored in (`binary32`; its
/// `values` are then empty): every read of an entry, and every product, widens them, exactly
/// (each binary32 is a binary64), so the engine computes with the same numbers as from
/// Doubles, bit for bit, with half the memory and half the bytes a product reads (GPT-2
/// small's weights: 0.5 GB, not 1 GB). Entries read one by one through `[i, j]`, `row`,
/// `rows:` or `widened` are Doubles either way; a tensor written to is Doubles from then on.
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    /// The numbers, row-major (empty when the tensor holds binary32).
    public var values: [Double]
    /// The numbers as stored, when the tensor holds binary32 (else empty).
    public private(set) var binary32: [Float] = []

    public init(shape: [Int], values: [Double]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for a tensor of shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// A tensor that keeps binary32 numbers as they are (a checkpoint's weight).
    public init(shape: [Int], binary32: [Float]) {
        precondition(binary32.count == shape.reduce(1, *), "\(binary32.count) values for a tensor of shape \(shape)")
        self.shape = shape
        self.values = []
        self.binary32 = binary32
    }

    /// Whether the numbers are held as binary32 (`binary32`, not `values`).
    @inlinable public var isBinary32: Bool { !binary32.isEmpty }

    /// The same numbers held as Doubles (the tensor itself when it already is).
    public var widened: Tensor {
        isBinary32 ? Tensor(shape: shape, values: binary32.map(Double.init)) : self
    }

    /// How many entries it has.
    public var count: Int { shape.reduce(1, *) }

    /// The entry at flat (row-major) index k, as a Double.
    @inlinable public func entry(_ k: Int) -> Double { isBinary32 ? Double(binary32[k]) : values[k] }

    /// The same shape and the same numbers, however each holds them.
    public static func == (a: Tensor, b: Tensor) -> Bool {
        guard a.shape == b.shape else { return false }
        if !a.isBinary32 && !b.isBinary32 { return a.values == b.values }
        return (0..<a.count).allSatisfy { a.entry($0) == b.entry($0) }
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: [Double](repeating: 0, count: shape.reduce(1, *)))
    }

    /// From rows of equal length.
    public init(_ rows: [[Double]]) {
        let cols = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == cols }, "rows of different lengths")
        self.init(shape: [rows.count, cols], values: rows.flatMap { $0 })
    }

    /// One row vector, [1][n].
    public init(row: [Double]) { self.init(shape: [1, row.count], values: row) }

    public static let empty = Tensor(zeros: [0, 0])

    @inlinable public var rows: Int { shape[0] }
    @inlinable public var cols: Int {
        precondition(shape.count == 2, "cols of a tensor of shape \(shape)")
        return shape[1]
    }

    /// (Inlinable: the pages read entries one by one from another module.)
    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { entry(i * cols + j) }
        set {
            if isBinary32 { self = widened }
            values[i * cols + j] = newValue
        }
    }

    public func row(_ i: Int) -> [Double] {
        isBinary32 ? binary32[i * cols..<(i + 1) * cols].map(Double.init) : Array(values[i * cols..<(i + 1) * cols])
    }

    /// Back to rows, for the edges.
    public var nested: [[Double]] { (0..<rows).map(row) }

    /// The given rows, in the given order: tok_emb[ids], pos_emb[0..<T].
    public subscript(rows indices: some Sequence<Int>) -> Tensor {
        var out: [Double] = []
        for i in indices { out += row(i) }
        return Tensor(shape: [out.count / max(cols, 1), cols], values: out)
    }

    /// The given columns of every row: one head's slice of q.
    public subscript(columns range: Range<Int>) -> Tensor {
        guard !isBinary32 else { return widened[columns: range] }
        var out: [Double] = []
        for i in 0..<rows { out += values[i * cols + range.lowerBound..<i * cols + range.upperBound] }
        return Tensor(shape: [rows, range.count], values: out)
    }

    /// The transpose, [cols][rows], copied in square tiles so that the rows read and the rows
    /// written both stay in the cache (column by column, a 50,257 × 768 wte missed it at every read).
    public var T: Tensor {
        guard !isBinary32 else { return widened.T }
        let tile = 32
        var out = [Double](repeating: 0, count: values.count)
        for i0 in stride(from: 0, to: rows, by: tile) {
            for j0 in stride(from: 0, to: cols, by: tile) {
                for i in i0..<min(i0 + tile, rows) {
                    for j in j0..<min(j0 + tile, cols) { out[j * rows + i] = values[i * cols + j] }
                }
            }
        }
        return Tensor(shape: [cols, rows], values: out)
    }

    /// Every entry through `f` (an activation, say).
    public func map(_ f: (Double) -> Double) -> Tensor {
        Tensor(shape: shape, values: isBinary32 ? binary32.map { f(Double($0)) } : values.map(f))
    }

    /// Every entry through `f`, which gives two numbers (an activation and its slope): the
    /// tensor of the first ones and the tensor of the second.
    public func map(_ f: (Double) -> (Double, Double)) -> (Tensor, Tensor) {
        guard !isBinary32 else { return widened.map(f) }
        var first: [Double] = [], second: [Double] = []
        first.reserveCapacity(values.count)
        second.reserveCapacity(values.count)
        for x in values {
            let (a, b) = f(x)
            first.append(a)
            second.append(b)
        }
        return (Tensor(shape: shape, values: first), Tensor(shape: shape, values: second))
    }

    /// Entry by entry: f(a[i], b[i]).
    public static func zipped(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Double) -> Tensor {
        precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
        guard !a.isBinary32 && !b.isBinary32 else { return zipped(a.widened, b.widened, f) }
        var values: [Double] = []
        values.reserveCapacity(a.values.count)
        for i in a.values.indices { values.append(f(a.values[i], b.values[i])) }
        return Tensor(shape: a.shape, values: values)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { zipped(a, b, +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { zipped(a, b, -) }
    /// The entrywise (Hadamard) product a ⊙ b.
    public static func * (a: Tensor, b: Tensor) -> Tensor { zipped(a, b, *) }
    public static func * (a: Tensor, s: Double) -> Tensor { a.map { $0 * s } }
    public static func * (s: Double, a: Tensor) -> Tensor { a.map { s * $0 } }
}
