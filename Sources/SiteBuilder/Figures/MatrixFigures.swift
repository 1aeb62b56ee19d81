import TransformerEngine

/// The figures' reads of a big matrix as the engine holds it (a 768 × 50,257 W_lm; a weight
/// gradient's are in its `GradientDigest`): its largest magnitude and its pooled blocks, straight from the tensor, with no
/// nested copy. Each gives the same numbers, bit for bit, as the nested-array versions
/// (`ColorScale.diverging(for:)`, `HeatmapSVG.pooled(_:maxSize:)`) on `matrix.nested`.
extension Tensor {
    /// The largest |entry| among the finite ones; 0 when there are none.
    var largestFiniteMagnitude: Double {
        var largest: Double? = nil
        for k in 0..<count {
            let size = Swift.abs(entry(k))
            if size.isFinite, largest.map({ size > $0 }) ?? true { largest = size }
        }
        return largest ?? 0
    }

    /// The largest |entry| (0 for no entries) as `nested.flatMap { $0 }.map(abs).max()` gives
    /// it: a NaN compares false, so it wins only when it comes first.
    var largestMagnitude: Double {
        var largest: Double? = nil
        for k in 0..<count {
            let size = Swift.abs(entry(k))
            if let current = largest { if current < size { largest = size } } else { largest = size }
        }
        return largest ?? 0
    }

    /// The means of blocks of rows × columns, at most `maxSize` of each (`HeatmapSVG.poolBlockMeans`).
    func pooledBlocks(maxSize: Int) -> [[Double?]] {
        HeatmapSVG.poolBlockMeans(self, rows: rows, cols: cols, strides: (cols, 1), maxSize: maxSize)
    }
}

extension TransposedMatrix {
    /// The means of blocks of rows × columns of M (not of its stored transpose), as `Tensor`'s.
    func pooledBlocks(maxSize: Int) -> [[Double?]] {
        HeatmapSVG.poolBlockMeans(transpose, rows: rows, cols: cols, strides: (1, rows), maxSize: maxSize)
    }
}

extension HeatmapSVG {
    /// The means of blocks of rows × columns of a rows × cols matrix whose entry [i, j] is
    /// `stored.entry(i·strides.row + j·strides.col)`, at most `maxSize` blocks a side
    /// (`poolRanges`), each block summed row by row, left to right, as `HeatmapSVG.pooled`
    /// does. The blocks are
    /// visited along the stored rows: for W_lm's transpose, a column of blocks (786 words of
    /// GPT-2's) at a time, whose entries stay in the cache while each block of it sums them in
    /// its own order (block by block across the matrix, every block's 786 words came from
    /// memory again, and GPT-2's pooled W_lm took a third of a second).
    static func poolBlockMeans(_ stored: Tensor, rows: Int, cols: Int, strides: (row: Int, col: Int), maxSize: Int) -> [[Double?]] {
        let rowRanges = poolRanges(count: rows, maxSize: maxSize), columnRanges = poolRanges(count: cols, maxSize: maxSize)
        var means = [[Double?]](repeating: [Double?](repeating: nil, count: columnRanges.count), count: rowRanges.count)
        func block(_ b: Int, _ k: Int) {
            let (rowRange, columnRange) = (rowRanges[b], columnRanges[k])
            guard !rowRange.isEmpty, !columnRange.isEmpty else { return }
            var sum = 0.0
            for i in rowRange {
                for j in columnRange { sum += stored.entry(i * strides.row + j * strides.col) }
            }
            means[b][k] = sum / Double(rowRange.count * columnRange.count)
        }
        if strides.row <= strides.col {
            for k in columnRanges.indices { for b in rowRanges.indices { block(b, k) } }
        } else {
            for b in rowRanges.indices { for k in columnRanges.indices { block(b, k) } }
        }
        return means
    }
}

extension ColorScale {
    /// `diverging(for: matrix.nested)`, read in place.
    static func diverging(for matrix: Tensor) -> ColorScale {
        diverging(maxAbs: roundedUp(matrix.largestFiniteMagnitude))
    }
}
