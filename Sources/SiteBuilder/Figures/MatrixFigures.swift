import TransformerEngine

/// The figures' reads of a big matrix as the engine holds it (a 768 × 50,257 W_lm or its
/// gradient): its largest magnitude and its pooled blocks, straight from the tensor, with no
/// nested copy. Each gives the same numbers, bit for bit, as the nested-array versions
/// (`ColorScale.diverging(for:)`, `HeatmapSVG.pooled(_:maxSize:)`) on `matrix.nested`.
extension Tensor {
    /// The largest |entry| among the finite ones; 0 when there are none.
    var largestFiniteMagnitude: Double {
        var largest: Double? = nil
        for value in values where value.isFinite {
            let size = Swift.abs(value)
            if largest.map({ size > $0 }) ?? true { largest = size }
        }
        return largest ?? 0
    }

    /// The largest |entry| (0 for no entries) as `nested.flatMap { $0 }.map(abs).max()` gives
    /// it: a NaN compares false, so it wins only when it comes first.
    var largestMagnitude: Double {
        var largest: Double? = nil
        for value in values {
            let size = Swift.abs(value)
            if let current = largest { if current < size { largest = size } } else { largest = size }
        }
        return largest ?? 0
    }

    /// The means of blocks of rows × columns, at most `maxSize` of each (`HeatmapSVG.poolRanges`),
    /// each block summed row by row, left to right, as `HeatmapSVG.pooled` does.
    func pooledBlocks(maxSize: Int) -> [[Double?]] {
        pooledBlocks(rowRanges: HeatmapSVG.poolRanges(count: rows, maxSize: maxSize),
                     columnRanges: HeatmapSVG.poolRanges(count: cols, maxSize: maxSize))
    }

    /// The means of the blocks `rowRanges` × `columnRanges`, as above.
    func pooledBlocks(rowRanges: [Range<Int>], columnRanges: [Range<Int>]) -> [[Double?]] {
        rowRanges.map { block in
            var sums = [Double](repeating: 0, count: columnRanges.count)
            for r in block {
                for (k, columns) in columnRanges.enumerated() {
                    for c in columns { sums[k] += values[r * cols + c] }
                }
            }
            return columnRanges.indices.map { k in
                let n = block.count * columnRanges[k].count
                return n == 0 ? nil : sums[k] / Double(n)
            }
        }
    }
}

extension ColorScale {
    /// `diverging(for: matrix.nested)`, read in place.
    static func diverging(for matrix: Tensor) -> ColorScale {
        diverging(maxAbs: roundedUp(matrix.largestFiniteMagnitude))
    }
}

/// The same reads of a weight's gradient, formed a block of rows at a time
/// (`WeightGradient.block(rows:)`, the whole matrix's bits) and dropped after it, in the same
/// order as the tensor's: no 768 × 50,257 ∂L/∂W_lm is ever held.
extension WeightGradient {
    /// Blocks of rows of about a megabyte each, for the reads that go through every entry.
    var rowBlocks: [Range<Int>] {
        let size = Swift.max(1, (1 << 17) / Swift.max(cols, 1))
        return stride(from: 0, to: rows, by: size).map { $0..<Swift.min(rows, $0 + size) }
    }

    /// `Tensor.largestMagnitude` of the whole matrix (entry by entry in the same order).
    var largestMagnitude: Double {
        var largest: Double? = nil
        for rows in rowBlocks {
            for value in block(rows: rows).values {
                let size = Swift.abs(value)
                if let current = largest { if current < size { largest = size } } else { largest = size }
            }
        }
        return largest ?? 0
    }

    /// `Tensor.largestFiniteMagnitude` of the whole matrix.
    var largestFiniteMagnitude: Double {
        rowBlocks.reduce(0) { Swift.max($0, block(rows: $1).largestFiniteMagnitude) }
    }

    /// `Tensor.pooledBlocks(maxSize:)` of the whole matrix: each pooled block's rows formed together.
    func pooledBlocks(maxSize: Int) -> [[Double?]] {
        let rowRanges = HeatmapSVG.poolRanges(count: rows, maxSize: maxSize)
        let columnRanges = HeatmapSVG.poolRanges(count: cols, maxSize: maxSize)
        return rowRanges.map { rows in block(rows: rows).pooledBlocks(rowRanges: [0..<rows.count], columnRanges: columnRanges)[0] }
    }
}
