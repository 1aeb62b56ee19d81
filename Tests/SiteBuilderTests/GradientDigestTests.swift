import Testing
import ModelFormats
import TransformerEngine
@testable import SiteBuilder

/// A weight gradient's digest (one pass over its entries) holds the numbers each read of the
/// dense gradient gives on its own: the same entries, the same bits.
@Suite struct GradientDigestTests {
    /// Deterministic numbers with negatives, repeats and exact ties.
    static func tensor(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
        var state = seed
        let values = (0..<rows * columns).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(Int64(bitPattern: state >> 40) % 2001 - 1000) / 997
        }
        return Tensor(shape: [rows, columns], values: values)
    }

    /// Σg² over the entries in row-major order, from +0.
    static func sumOfSquares(_ m: Tensor) -> Double { m.values.reduce(0) { $0 + $1 * $1 } }

    /// Each block's mean, its entries added row by row, left to right, from +0.
    static func blockMeans(_ m: Tensor, maxSize: Int) -> [[Double]] {
        let rowRanges = HeatmapSVG.poolRanges(count: m.rows, maxSize: maxSize)
        let columnRanges = HeatmapSVG.poolRanges(count: m.cols, maxSize: maxSize)
        return rowRanges.map { rows in
            columnRanges.map { columns in
                var sum = 0.0
                for i in rows { for j in columns { sum += m[i, j] } }
                return sum / Double(rows.count * columns.count)
            }
        }
    }

    /// The `count` entries of greatest magnitude, greatest first, ties to the earlier one, NaNs left out.
    static func largest(_ m: Tensor, count: Int = GradientDigest.largestCount) -> [GradientDigest.Entry] {
        let order = m.values.indices.filter { !m.values[$0].isNaN }.sorted { a, b in
            abs(m.values[a]) != abs(m.values[b]) ? abs(m.values[a]) > abs(m.values[b]) : a < b
        }
        return order.prefix(count).map { GradientDigest.Entry(row: $0 / m.cols, column: $0 % m.cols, value: m.values[$0]) }
    }

    static func bits(_ grid: [[Double]]) -> [[UInt64]] { grid.map { $0.map(\.bitPattern) } }

    /// The worst difference of the digest from the dense gradient's own numbers (every one is
    /// expected to be exactly equal, so this is 0); the entries and the bits must match.
    static func check(_ digest: GradientDigest, against dense: Tensor, sizes: [Int]) -> Double {
        #expect(digest.rows == dense.rows && digest.cols == dense.cols)
        #expect(digest.sumOfSquares.bitPattern == sumOfSquares(dense).bitPattern)
        #expect(digest.largestMagnitude.bitPattern == dense.largestMagnitude.bitPattern)
        #expect(digest.largest == largest(dense))
        var worst = abs(digest.sumOfSquares - sumOfSquares(dense))
        for size in sizes {
            let (ours, theirs) = (digest.pooled(maxSize: size), blockMeans(dense, maxSize: size))
            #expect(bits(ours) == bits(theirs), "pooled at \(size)")
            // The heatmaps' own pooling of the tensor gives the same grid.
            #expect(ours.map { $0.map { Optional($0) } } == dense.pooledBlocks(maxSize: size), "pooled at \(size)")
            for (a, b) in zip(ours.joined(), theirs.joined()) { worst = max(worst, abs(a - b)) }
        }
        return worst
    }

    /// xᵀ·dy, the form a linear layer's gradient takes, of several shapes: fewer entries than
    /// are kept, ragged pooled blocks, and rows wide enough to be formed three at a time (a
    /// pooled block of 6 rows then spans two of them).
    @Test(arguments: [(3, 2, 4), (37, 70, 5), (100, 33, 24), (11, 33_000, 2)])
    func aProductsDigestIsItsDenseNumbers(rows: Int, columns: Int, positions: Int) {
        let x = Self.tensor(positions, rows, seed: 11), dy = Self.tensor(positions, columns, seed: 12)
        let g = WeightGradient(transposed: x, times: dy)
        let sizes = [2, 4, 16, 32, 64]                  // 4 and 64 not made in the pass: formed when read
        let digest = GradientDigest(g, pooledSizes: [2, 16, 32])
        // All five made in the passes (three grids a pass, then the other two).
        let worst = max(Self.check(digest, against: g.dense, sizes: sizes),
                        Self.check(GradientDigest(g, pooledSizes: sizes), against: g.dense, sizes: sizes))
        print("digest of a [\(rows)][\(columns)] product over \(positions) positions: max difference \(worst)")
        #expect(worst == 0)
        #expect(digest.norm == Self.sumOfSquares(g.dense).squareRoot())
    }

    /// An embedding table's gradient, whose rows are the prompt's ids (a repeat accumulates)
    /// and +0 everywhere else.
    @Test func anEmbeddingsDigestIsItsDenseNumbers() {
        let dX = Self.tensor(6, 7, seed: 5)
        let g = WeightGradient(embeddingRows: 50, ids: [3, 9, 3, 0, 49, 9], dX: dX)
        let worst = Self.check(GradientDigest(g, pooledSizes: [16]), against: g.dense, sizes: [16, 32])
        #expect(worst == 0)
        // Fewer non-zero entries than are kept: the zeros fill the list, earliest first (rows
        // the prompt does not use among them).
        let sparse = WeightGradient(embeddingRows: 10, ids: [4], dX: Self.tensor(1, 3, seed: 6))
        #expect(Self.check(GradientDigest(sparse, pooledSizes: []), against: sparse.dense, sizes: [4]) == 0)
        var mostlyZero = Tensor(zeros: [8, 4])
        for (t, j) in [(1, 2), (3, 0), (5, 3), (6, 1), (7, 2)] { mostlyZero[t, j] = Double(t - j) - 0.5 }
        let fewMoving = WeightGradient(embeddingRows: 30, ids: [2, 5, 7, 11, 13, 17, 19, 23], dX: mostlyZero)
        #expect(Self.check(GradientDigest(fewMoving, pooledSizes: [4]), against: fewMoving.dense, sizes: [4]) == 0)
    }

    /// A NaN is left out of the largest entries and wins the largest magnitude only when it
    /// comes first, as the dense reads do; an infinity is an entry like any other.
    @Test func nonFiniteEntriesAreReadAsTheDenseReadsDo() {
        for place in [0, 17] {
            var m = Self.tensor(12, 9, seed: 3)
            m.values[place] = .nan
            m.values[40] = -.infinity
            let digest = GradientDigest(m, pooledSizes: [4])
            #expect(digest.largestMagnitude.bitPattern == m.largestMagnitude.bitPattern)
            #expect(digest.largest == Self.largest(m))
            #expect(digest.largest.first?.value == -.infinity)
            #expect(digest.sumOfSquares.isNaN)
        }
    }

    /// The rows formed at a time: about a megabyte, a multiple of 4 rows when the row is short
    /// enough, every row once, in order.
    @Test func rowBlocksCoverTheRowsInOrder() {
        for (rows, cols) in [(768, 768), (768, 50_257), (50_257, 768), (5, 0), (0, 4), (3, 200_000)] {
            let blocks = GradientDigest.rowBlocks(rows: rows, cols: cols)
            #expect(blocks.flatMap { Array($0) } == Array(0..<rows))
            if let first = blocks.first, blocks.count > 1 {
                #expect(first.count * cols <= 1 << 17 || first.count == 1)
                if (1 << 17) / max(cols, 1) >= 4 { #expect(first.count % 4 == 0) }
            }
        }
    }

    /// The site's digests of a model's gradients: every weight matrix's, named as in the model
    /// file, each the dense gradient's own numbers at the sizes the pages and the trace read;
    /// the trace's summary of each is the one the dense matrix gives.
    @Test func theSitesDigestsAreTheDenseGradientsNumbers() throws {
        let model = try ModelLoader.load(path: RepoPaths.fixture("multi")).model
        let g = try #require(Backward.gradients(model, trace: Transformer.forward(model)))
        let digests = GradientDigests(forSite: g)
        var named: [(String, WeightGradient)] = [("tok_emb", g.tokEmb), ("pos_emb", g.posEmb), ("W_lm", g.wLM)]
        for (l, layer) in g.layers.enumerated() {
            named += layer.weightMatrices.map { (GradientDigests.name(layer: l, $0.name), $0.gradient) }
        }
        #expect(named.count == 3 + 6 * model.config.nLayers)
        var worst = 0.0
        for (name, gradient) in named {
            let digest = digests.digest(name, of: gradient)
            worst = max(worst, Self.check(digest, against: gradient.dense,
                                          sizes: [GradientSummary.pooledSize, BackpropPage.overviewSize, GradientPage.heatmapSize]))
            #expect(GradientSummary.json(digest).renderedBytes() == GradientSummary.matrix(gradient.dense).renderedBytes(), "\(name)")
        }
        print("site digests of the multi fixture's \(named.count) weight gradients: max difference \(worst)")
        #expect(worst == 0)
    }
}
