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
