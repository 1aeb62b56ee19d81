import TransformerEngine

/// What the pages and the trace read of one weight's gradient, all found in one pass over its
/// entries: its sum of squares (the norm), its largest magnitude, its `largestCount` largest
/// entries and its pooled block means at the sizes asked for. At GPT-2 small the gradients
/// are 124M numbers; each block of rows is formed once (`WeightGradient.block(rows:)`, the
/// whole matrix's bits) and dropped after the pass has read it, rather than once per figure.
///
/// Every number is the one the direct read gives, bit for bit: the entries are visited in
/// row-major order, and each sum adds its terms in that order from +0 (`Tensor.pooledBlocks`,
/// `Tensor.largestMagnitude` and the trace's summaries read them so).
struct GradientDigest: Sendable {
    /// The gradient itself, for the entries a table or a small figure reads one by one.
    let gradient: WeightGradient
    var rows: Int { gradient.rows }
    var cols: Int { gradient.cols }
    /// Σ g², over the entries in row-major order.
    let sumOfSquares: Double
    var norm: Double { sumOfSquares.squareRoot() }
    /// The largest |entry| as `Tensor.largestMagnitude` gives it: a NaN wins only when first.
    let largestMagnitude: Double
    /// The `largestCount` entries of greatest magnitude, greatest first, ties to the earlier
    /// entry in row-major order (NaNs left out).
    let largest: [Entry]
    /// The block means of the pooled grids made in the pass, by their most blocks a side.
    private let pooledMeans: [Int: [[Double]]]

    static let largestCount = 20

    struct Entry: Equatable {
        var row: Int
        var column: Int
        var value: Double
    }

    /// The means of the blocks of at most `maxSize` × `maxSize` blocks (`HeatmapSVG.poolRanges`),
    /// each block summed row by row, left to right, as `Tensor.pooledBlocks(maxSize:)` does. A
    /// size the pass did not make is formed now, with the same numbers.
    func pooled(maxSize: Int) -> [[Double]] {
        pooledMeans[maxSize] ?? Self(gradient, pooledSizes: [maxSize]).pooledMeans[maxSize] ?? []
    }

    /// One pass over `gradient`, making the pooled grids of `pooledSizes` blocks a side.
    init(_ gradient: WeightGradient, pooledSizes: [Int]) {
        var pass = Pass(rows: gradient.rows, cols: gradient.cols, pooledSizes: pooledSizes)
        for rows in Self.rowBlocks(rows: gradient.rows, cols: gradient.cols) {
            pass.read(rows: rows, gradient.block(rows: rows).values)
        }
        self.gradient = gradient
        (sumOfSquares, largestMagnitude, largest, pooledMeans) = pass.results
    }

    /// The same of a matrix the pass reads as it is (an intermediate's gradient, a vector as one row).
    init(_ matrix: Tensor, pooledSizes: [Int]) {
        self.init(WeightGradient(matrix), pooledSizes: pooledSizes)
    }

    /// The blocks of rows formed at a time: about a megabyte each, a multiple of 4 rows (the
    /// product kernel's rows a step) where the matrix is narrow enough.
    static func rowBlocks(rows: Int, cols: Int) -> [Range<Int>] {
        let fit = (1 << 17) / Swift.max(cols, 1)
        let size = fit >= 4 ? fit / 4 * 4 : Swift.max(fit, 1)
        return stride(from: 0, to: rows, by: size).map { $0..<Swift.min(rows, $0 + size) }
    }

    /// The running sums of one pass, fed blocks of rows in order.
    private struct Pass {
        let cols: Int
        var sumOfSquares = 0.0
        var largestMagnitude: Double? = nil
        var largest = LargestEntries()
        var grids: [PooledSums]

        init(rows: Int, cols: Int, pooledSizes: [Int]) {
            self.cols = cols
            grids = Array(Set(pooledSizes)).sorted().map { PooledSums(rows: rows, cols: cols, maxSize: $0) }
        }

        /// The rows `rows` of the matrix, row-major.
        mutating func read(rows: Range<Int>, _ values: [Double]) {
            for i in rows {
                let start = (i - rows.lowerBound) * cols
                let row = values[start..<start + cols]
                for (j, g) in zip(0..., row) {
                    sumOfSquares += g * g
                    let size = Swift.abs(g)
                    if let current = largestMagnitude { if current < size { largestMagnitude = size } } else { largestMagnitude = size }
                    if largest.admits(g) { largest.offer(i * cols + j, g) }
                }
                for k in grids.indices { grids[k].add(row: i, row) }
            }
        }

        var results: (Double, Double, [Entry], [Int: [[Double]]]) {
            let entries = zip(largest.indices, largest.values).map { k, value in
                Entry(row: k / Swift.max(cols, 1), column: k % Swift.max(cols, 1), value: value)
            }
            return (sumOfSquares, largestMagnitude ?? 0, entries,
                    Dictionary(uniqueKeysWithValues: grids.map { ($0.maxSize, $0.means) }))
        }
    }

    /// The sums of the blocks of one pooled grid, [block row][block column], each block's
    /// entries added row by row, left to right, from +0.
    private struct PooledSums {
        let maxSize: Int
        let rowRanges: [Range<Int>]
        let columnRanges: [Range<Int>]
        /// Rows per block row (the last block row may have fewer).
        let blockRows: Int
        var sums: [[Double]]

        init(rows: Int, cols: Int, maxSize: Int) {
            self.maxSize = maxSize
            rowRanges = HeatmapSVG.poolRanges(count: rows, maxSize: maxSize)
            columnRanges = HeatmapSVG.poolRanges(count: cols, maxSize: maxSize)
            blockRows = rowRanges.first?.count ?? 1
            sums = Array(repeating: Array(repeating: 0, count: columnRanges.count), count: rowRanges.count)
        }

        /// Row i of the matrix.
        mutating func add(row i: Int, _ row: ArraySlice<Double>) {
            let b = i / blockRows, first = row.startIndex
            for (k, columns) in columnRanges.enumerated() {
                var sum = sums[b][k]
                for j in columns { sum += row[first + j] }
                sums[b][k] = sum
            }
        }

        var means: [[Double]] {
            rowRanges.indices.map { b in
                columnRanges.indices.map { k in sums[b][k] / Double(rowRanges[b].count * columnRanges[k].count) }
            }
        }
    }

    /// The `largestCount` entries of greatest magnitude among those offered in increasing index
    /// order (NaNs left out): a short list kept sorted, greatest first; an entry no larger than
    /// the last kept one of a full list comes after it (its index is higher) and is passed over.
    struct LargestEntries {
        private(set) var indices: [Int] = []
        private(set) var values: [Double] = []
        private var magnitudes: [Double] = []

        /// Whether `offer` might keep `value` (false for most entries once the list is full).
        func admits(_ value: Double) -> Bool {
            indices.count < largestCount || Swift.abs(value) > magnitudes[largestCount - 1]
        }

        mutating func offer(_ index: Int, _ value: Double) {
            let size = Swift.abs(value)
            if value.isNaN || (indices.count == largestCount && size <= magnitudes[largestCount - 1]) { return }
            let place = magnitudes.firstIndex { size > $0 } ?? magnitudes.count
            indices.insert(index, at: place)
            values.insert(value, at: place)
            magnitudes.insert(size, at: place)
            if indices.count > largestCount {
                indices.removeLast()
                values.removeLast()
                magnitudes.removeLast()
            }
        }
    }
}
