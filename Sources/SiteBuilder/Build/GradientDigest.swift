import TransformerEngine

/// What the pages and the trace read of one weight's gradient, all found in one pass over its
/// entries: its sum of squares (the norm), its largest magnitude, its `largestCount` largest
/// entries and its pooled block means at the sizes asked for. At GPT-2 small the weight
/// gradients are 163M numbers; each block of rows is formed once (`WeightGradient.block(rows:)`,
/// the whole matrix's bits) and dropped after the pass has read it, rather than once per figure.
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

    /// One pass over `gradient`, making the pooled grids of `pooledSizes` blocks a side (a
    /// pass keeps three grids' sums beside Σg²: more sizes take a further pass each three).
    init(_ gradient: WeightGradient, pooledSizes: [Int]) {
        let sizes = Array(Set(pooledSizes)).sorted()
        let pass = Pass.over(gradient, pooledSizes: Array(sizes.prefix(Pass.gridLimit)))
        var means = pass.means
        for first in stride(from: Pass.gridLimit, to: sizes.count, by: Pass.gridLimit) {
            let more = Pass.over(gradient, pooledSizes: Array(sizes[first..<min(sizes.count, first + Pass.gridLimit)]))
            means.merge(more.means) { kept, _ in kept }
        }
        self.gradient = gradient
        (sumOfSquares, largestMagnitude, pooledMeans) = (pass.sumOfSquares, pass.largestMagnitude, means)
        largest = zip(pass.largest.indices, pass.largest.values).map { k, value in
            Entry(row: k / Swift.max(gradient.cols, 1), column: k % Swift.max(gradient.cols, 1), value: value)
        }
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

    /// The running sums of one pass over the entries in row-major order. Each row is cut into
    /// segments at every grid's block boundaries; in a segment each grid adds to one block,
    /// so Σg² and up to three blocks' sums run side by side in the lanes of one SIMD4 (a lane
    /// adds its own terms in order, as a scalar sum does: the same bits).
    private struct Pass {
        static let gridLimit = 3
        let cols: Int
        var sumOfSquares = 0.0
        var largest = LargestEntries()
        /// |the first entry| when it is a NaN.
        var leadingNaN: Double? = nil
        var grids: [PooledSums]
        /// The columns of each segment, and the block column it falls in of each grid.
        let segments: [(columns: Range<Int>, blockColumns: [Int])]

        init(rows: Int, cols: Int, pooledSizes: [Int]) {
            self.cols = cols
            let grids = pooledSizes.map { PooledSums(rows: rows, cols: cols, maxSize: $0) }
            let cuts = Set(grids.flatMap { $0.columnRanges.map(\.lowerBound) } + [0, cols]).sorted()
            segments = zip(cuts, cuts.dropFirst()).map { start, end in
                (start..<end, grids.map { $0.blockColumn(start) })
            }
            self.grids = grids
        }

        /// A pass over every row of `gradient`, in order; of an embedding table's only the rows
        /// that may move, when that gives the same numbers: every other entry is +0, which
        /// changes no sum (a sum from +0 is never −0) and which the largest entries pass over
        /// once they hold 20 of greater magnitude.
        static func over(_ gradient: WeightGradient, pooledSizes: [Int]) -> Pass {
            let moving = gradient.rowsThatMayMove
            if moving.count < gradient.rows {
                var pass = Pass(rows: gradient.rows, cols: gradient.cols, pooledSizes: pooledSizes)
                for r in moving { pass.read(rows: r..<r + 1, gradient.block(rows: r..<r + 1).values) }
                if pass.largest.floor > 0 { return pass }
            }
            var pass = Pass(rows: gradient.rows, cols: gradient.cols, pooledSizes: pooledSizes)
            for rows in GradientDigest.rowBlocks(rows: gradient.rows, cols: gradient.cols) {
                pass.read(rows: rows, gradient.block(rows: rows).values)
            }
            return pass
        }

        /// The rows `rows` of the matrix, row-major.
        mutating func read(rows: Range<Int>, _ values: [Double]) {
            if rows.lowerBound == 0, let first = values.first, first.isNaN { leadingNaN = Swift.abs(first) }
            var floor = largest.floor
            for i in rows {
                let start = (i - rows.lowerBound) * cols
                for segment in segments {
                    // Lane 0: Σg²; lane 1 + k: the sum of grid k's block holding row i and these columns.
                    var sums = SIMD4(sumOfSquares, 0, 0, 0)
                    for k in grids.indices { sums[1 + k] = grids[k].sum(row: i, blockColumn: segment.blockColumns[k]) }
                    var index = i * cols + segment.columns.lowerBound
                    for g in values[start + segment.columns.lowerBound..<start + segment.columns.upperBound] {
                        sums += SIMD4(g * g, g, g, g)
                        if Swift.abs(g) > floor {
                            largest.offer(index, g)
                            floor = largest.floor
                        }
                        index += 1
                    }
                    sumOfSquares = sums[0]
                    for k in grids.indices { grids[k].setSum(sums[1 + k], row: i, blockColumn: segment.blockColumns[k]) }
                }
            }
        }

        /// `Tensor.largestMagnitude`: the first entry starts it and a NaN never compares larger,
        /// so it is a leading NaN, or the largest magnitude of the others (the first one kept).
        var largestMagnitude: Double { leadingNaN ?? largest.magnitudes.first ?? 0 }

        var means: [Int: [[Double]]] { Dictionary(uniqueKeysWithValues: grids.map { ($0.maxSize, $0.means) }) }
    }

    /// The sums of the blocks of one pooled grid, each block's entries added row by row, left
    /// to right, from +0.
    private struct PooledSums {
        let maxSize: Int
        let rowRanges: [Range<Int>]
        let columnRanges: [Range<Int>]
        /// Rows and columns per block (the last block row or column may have fewer).
        let blockRows: Int
        let blockColumns: Int
        var sums: [Double]                  // [block row][block column]

        init(rows: Int, cols: Int, maxSize: Int) {
            self.maxSize = maxSize
            rowRanges = HeatmapSVG.poolRanges(count: rows, maxSize: maxSize)
            columnRanges = HeatmapSVG.poolRanges(count: cols, maxSize: maxSize)
            blockRows = rowRanges.first?.count ?? 1
            blockColumns = columnRanges.first?.count ?? 1
            sums = Array(repeating: 0, count: rowRanges.count * columnRanges.count)
        }

        func blockColumn(_ column: Int) -> Int { column / blockColumns }

        func sum(row i: Int, blockColumn k: Int) -> Double { sums[(i / blockRows) * columnRanges.count + k] }

        mutating func setSum(_ sum: Double, row i: Int, blockColumn k: Int) { sums[(i / blockRows) * columnRanges.count + k] = sum }

        var means: [[Double]] {
            rowRanges.indices.map { b in
                columnRanges.indices.map { k in sums[b * columnRanges.count + k] / Double(rowRanges[b].count * columnRanges[k].count) }
            }
        }
    }

    /// The `largestCount` entries of greatest magnitude among those offered in increasing index
    /// order (NaNs left out): a short list kept sorted, greatest first; an entry no larger than
    /// the last kept one of a full list comes after it (its index is higher) and is passed over.
    struct LargestEntries {
        private(set) var indices: [Int] = []
        private(set) var values: [Double] = []
        private(set) var magnitudes: [Double] = []

        /// `offer` keeps only a magnitude above this: the last kept one's once the list is full
        /// (a tie comes later, so loses), −1 before (every entry but a NaN).
        var floor: Double { indices.count < largestCount ? -1 : magnitudes[largestCount - 1] }

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
