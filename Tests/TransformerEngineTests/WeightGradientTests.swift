import Testing
@testable import TransformerEngine

/// A gradient kept in its factored forms, and W_lm held as its transpose, read a block at a
/// time: the same bits as the whole matrix formed at once.
@Suite struct WeightGradientTests {
    /// tok_emb's gradient from the ids and ∂L/∂x: every block of rows, every entry and the
    /// prompt's rows are the whole table's, whose rows accumulate a repeated id's positions in
    /// order from +0 (−0 in ∂L/∂x included), and are +0 elsewhere.
    @Test func embeddingRowsFormAnyBlockWithTheSameBits() {
        var rng = KernelTestRandom(seed: 0x656D62)
        for _ in 0..<50 {
            let v = rng.int(1...9), d = rng.int(1...6), t = rng.int(1...8)
            let ids = (0..<t).map { _ in rng.int(0...v - 1) }
            let dX = Tensor(shape: [t, d], values: (0..<t * d).map { _ in rng.int(0...5) == 0 ? -0.0 : Double(rng.int(-999...999)) / 37 })
            var whole = Tensor(zeros: [v, d])
            for (i, id) in ids.enumerated() { for j in 0..<d { whole[id, j] += dX[i, j] } }
            let g = WeightGradient(embeddingRows: v, ids: ids, dX: dX)
            #expect(Self.bits(g.dense) == Self.bits(whole))
            let lower = rng.int(0...v - 1), rows = lower..<rng.int(lower + 1...v)
            #expect(Self.bits(g.block(rows: rows)) == Self.bits(whole[rows: rows]), "rows \(rows)")
            #expect(Self.bits(g[rows: ids]) == Self.bits(whole[rows: ids]))
            #expect(Self.bits(g.block(columns: 0..<1)) == Self.bits(whole[columns: 0..<1]))
            for i in 0..<v { for j in 0..<d { #expect(g[i, j].bitPattern == whole[i, j].bitPattern) } }
            #expect(g.rowsThatMayMove == Array(Set(ids)).sorted())
        }
    }

    /// xᵀ·dy transposed is dyᵀ·x: the same products (a·b is b·a) in the same order.
    @Test func transposedProductHasTheSameBits() {
        var rng = KernelTestRandom(seed: 0x7472)
        for _ in 0..<50 {
            let t = rng.int(1...5), n = rng.int(1...11), m = rng.int(1...13)
            func finite() -> Double { let v = rng.value(); return v.isFinite && abs(v) < 1e200 ? v : 1 }
            let x = Tensor(shape: [t, n], values: (0..<t * n).map { _ in finite() })
            let dy = Tensor(shape: [t, m], values: (0..<t * m).map { _ in finite() })
            let g = WeightGradient(transposed: x, times: dy)
            #expect(Self.bits(g.transposed.dense) == Self.bits(matmul(transposed: x, dy).T))
        }
    }

    /// W_lm held as its transpose: entries and the matrix are the matrix's.
    @Test func transposedMatrixReadsTheMatrix() {
        var rng = KernelTestRandom(seed: 0x776C6D)
        let rows = 7, cols = 19
        let m = Tensor(shape: [rows, cols], values: (0..<rows * cols).map { _ in rng.value() })
        let held = TransposedMatrix(m)
        #expect(held.shape == [rows, cols] && Self.bits(held.transpose) == Self.bits(m.T))
        #expect(Self.bits(held.matrix) == Self.bits(m))
        for i in 0..<rows { for j in 0..<cols { #expect(held[i, j].bitPattern == m[i, j].bitPattern) } }
    }

    static func bits(_ t: Tensor) -> [UInt64] { t.values.map(\.bitPattern) + t.shape.map { UInt64($0) } }
}
