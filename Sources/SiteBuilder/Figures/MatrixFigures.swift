import TransformerEngine

/// The figures' reads of a big matrix as the engine holds it (a 768 × 50,257 W_lm; a weight
/// gradient's are in its `GradientDigest`): its largest magnitude and its pooled blocks, straight from the tensor, with no
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

    /// The means of blocks of rows × columns, at most `maxSize` of each (`HeatmapSVG.poolBlockMeans`).
    func pooledBlocks(maxSize: Int) -> [[Double?]] {
        HeatmapSVG.poolBlockMeans(rows: rows, cols: cols, maxSize: maxSize) { self[$0, $1] }
    }
}

extension TransposedMatrix {
    /// The means of blocks of rows × columns of M (not of its stored transpose), as `Tensor`'s.
    func pooledBlocks(maxSize: Int) -> [[Double?]] {
        HeatmapSVG.poolBlockMeans(rows: rows, cols: cols, maxSize: maxSize) { self[$0, $1] }
    }
}

extension HeatmapSVG {
    /// The means of blocks of rows × columns of a rows × cols matrix whose entry [i, j] is
    /// `entry(i, j)`, at most `maxSize` blocks a side (`poolRanges`), each block summed row by
    /// row, left to right, as `HeatmapSVG.pooled` does. One block at a time: a block's entries
    /// stay in the cache whichever way the matrix is stored (W_lm's transpose included).
    static func poolBlockMeans(rows: Int, cols: Int, maxSize: Int, _ entry: (Int, Int) -> Double) -> [[Double?]] {
        let columnRanges = poolRanges(count: cols, maxSize: maxSize)
        return poolRanges(count: rows, maxSize: maxSize).map { rowRange in
            columnRanges.map { columnRange -> Double? in
                guard !rowRange.isEmpty, !columnRange.isEmpty else { return nil }
                var sum = 0.0
                for i in rowRange {
                    for j in columnRange { sum += entry(i, j) }
                }
                return sum / Double(rowRange.count * columnRange.count)
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
