/// A matrix in one contiguous row-major buffer: entry [i][j] is `values[i * cols + j]`.
///
/// The engine computes on these; `Matrix` ([[Double]]) stays the format of the API, the model
/// file and the trace. Converting costs one copy, far less than any product the pass makes.
struct Mat: Sendable {
    var rows: Int
    var cols: Int
    var values: [Double]

    init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols, "\(values.count) values for a \(rows)×\(cols) matrix")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    init(rows: Int, cols: Int, repeating value: Double = 0) {
        self.init(rows: rows, cols: cols, values: Vector(repeating: value, count: rows * cols))
    }

    /// From rows of equal length (the loader checks the model file's; the engine makes the rest).
    init(_ m: Matrix) {
        let cols = m.first?.count ?? 0
        var values = Vector()
        values.reserveCapacity(m.count * cols)
        for row in m {
            precondition(row.count == cols, "ragged matrix")
            values.append(contentsOf: row)
        }
        self.init(rows: m.count, cols: cols, values: values)
    }

    /// One row vector as a 1×n matrix.
    init(row: Vector) { self.init(rows: 1, cols: row.count, values: row) }

    /// Back to rows: [rows][cols].
    var nested: Matrix {
        (0..<rows).map { row($0) }
    }

    subscript(i: Int, j: Int) -> Double {
        get { values[i * cols + j] }
        set { values[i * cols + j] = newValue }
    }

    func row(_ i: Int) -> Vector { Vector(values[i * cols..<(i + 1) * cols]) }

    /// The given rows, in the given order (a gather: tok_emb[ids]).
    func rows(_ indices: some Sequence<Int>) -> Mat {
        var out = Vector()
        out.reserveCapacity(cols * indices.underestimatedCount)
        for i in indices { out.append(contentsOf: values[i * cols..<(i + 1) * cols]) }
        return Mat(rows: out.count / max(cols, 1), cols: cols, values: out)
    }

    /// This matrix as rows first..<first + rows of an otherwise zero [total][cols] matrix.
    func placed(at first: Int, rows total: Int) -> Mat {
        var out = Mat(rows: total, cols: cols)
        out.values.replaceSubrange(first * cols..<(first + rows) * cols, with: values)
        return out
    }

    /// Elementwise a + b.
    static func + (a: Mat, b: Mat) -> Mat {
        precondition(a.rows == b.rows && a.cols == b.cols, "shapes differ")
        return filled(rows: a.rows, cols: a.cols) { out in                   // (no copy of a to add into)
            a.values.withUnsafeBufferPointer { av in
                b.values.withUnsafeBufferPointer { bv in
                    for i in av.indices { out[i] = av[i] + bv[i] }
                }
            }
        }
    }

    /// Every entry maps through `f` (an activation, say).
    func map(_ f: (Double) -> Double) -> Mat {
        Mat(rows: rows, cols: cols, values: values.map(f))
    }

    // MARK: - Facts the backward pass uses to skip work without changing a bit

    /// True when no entry is infinite or NaN.
    var isFinite: Bool { Mat.allFinite(values[...]) }

    /// True when row i is all zeros (+0 or −0; NaN is not zero).
    func rowIsZero(_ i: Int) -> Bool {
        values[i * cols..<(i + 1) * cols].allSatisfy { $0 == 0 }
    }

    func rowIsFinite(_ i: Int) -> Bool { Mat.allFinite(values[i * cols..<(i + 1) * cols]) }

    /// Whether every value is finite, from Σ v·0: each term is ±0 for a finite v and NaN for an
    /// infinite or NaN one, so the sum is NaN exactly when some v is not finite, whatever the
    /// order of the additions (which lets it run in SIMD lanes, four values a turn).
    static func allFinite(_ values: ArraySlice<Double>) -> Bool {
        values.withUnsafeBufferPointer { v in
            guard let p = v.baseAddress else { return true }
            typealias D2 = SIMD2<Double>
            var lanes = D2(), more = D2(), tail = 0.0
            var i = 0
            while i + 4 <= v.count {                                         // four at a time, in two sums
                lanes += UnsafeRawPointer(p + i).loadUnaligned(as: D2.self) * 0
                more += UnsafeRawPointer(p + i + 2).loadUnaligned(as: D2.self) * 0
                i += 4
            }
            while i < v.count {
                tail += p[i] * 0
                i += 1
            }
            return !((lanes + more).sum() + tail).isNaN
        }
    }
}
