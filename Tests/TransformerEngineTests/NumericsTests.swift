import Testing
import ModelFormats
@testable import TransformerEngine

@Suite struct NumericsTests {
    @Test func softmaxRowsSumToOne() throws {
        let trace = Transformer.forward(try ModelLoader.load(path: RepoPaths.seedModel).model)
        for row in trace.probs.nested { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
        for row in trace.layers[0].weights[0].nested { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
    }

    @Test func maskedWeightsAreExactlyZero() throws {
        let trace = Transformer.forward(try ModelLoader.load(path: RepoPaths.seedModel).model)
        let layer = trace.layers[0], t = trace.count
        for i in 0..<t {
            for j in 0..<t where j > i {
                #expect(layer.weights[0][i, j] == 0, "weight[\(i)][\(j)] = \(layer.weights[0][i, j])")
                #expect(layer.scores[0][i, j] == -.infinity)
            }
            for j in 0...i { #expect(layer.weights[0][i, j] > 0 && layer.scores[0][i, j].isFinite) }
        }
    }

    @Test func layerNormHasMeanZeroAndUnitVariance() {
        let norm = layerNorm(Tensor(row: [3.0, -1.5, 0.25, 8.0, 2.0]), LayerNormParameters(), eps: 1e-5)
        let out = norm.output.row(0)
        let mean = out.reduce(0, +) / 5
        let variance = out.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 5
        #expect(abs(mean) < 1e-12)
        #expect(abs(variance - 1) < 1e-5)
        #expect(abs(norm.mean[0] - 2.35) < 1e-12)
        #expect(abs(norm.variance[0] - 10.34) < 1e-12)
        #expect(abs(norm.std[0] - (10.34 + 1e-5).squareRoot()) < 1e-12)
    }

    @Test func layerNormAppliesGammaAndBeta() {
        let norm = layerNorm(Tensor(row: [1.0, 3.0]), LayerNormParameters(gamma: [2, 2], beta: [1, -1]), eps: 0)
        #expect(norm.output.values == [-1.0, 1.0])
    }

    @Test func softmaxStaysFiniteForHugeLogits() {
        let p = softmax([1000.0, -1000.0, 999.0])
        #expect(p.allSatisfy { $0.isFinite })
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(p[1] == 0)
        #expect(softmax([-1000.0, -1000.0]) == [0.5, 0.5])
        #expect(softmax([0.3, -.infinity, -.infinity])[1...] == [0, 0])
        #expect(logSumExp([1000, 1000]).isFinite)
    }

    @Test func geluMatchesTheTanhApproximation() {
        #expect(Activation.gelu.apply(0) == 0)
        #expect(abs(Activation.gelu.apply(1) - 0.8411919906082768) < 1e-12)
        #expect(abs(Activation.gelu.apply(-1) - (-0.15880800939172324)) < 1e-12)
        // x·Φ(x) from Python: x * 0.5 * (1 + math.erf(x / math.sqrt(2))): 1·Φ(1) = 0.8413447460685429, −1·Φ(−1) = −0.15865525393145707.
        #expect(Activation.geluExact.apply(0) == 0)
        #expect(abs(Activation.geluExact.apply(1) - 0.8413447460685429) < 1e-15)
        #expect(abs(Activation.geluExact.apply(-1) - (-0.15865525393145707)) < 1e-15)
        #expect(Activation.relu.apply(-0.3) == 0)
    }

    @Test func headsSplitAndMergeBack() {
        let x = Tensor(shape: [2, 6], values: (0..<12).map(Double.init))
        let heads = splitHeads(x, count: 3)
        #expect(heads.count == 3 && heads[1].shape == [2, 2])
        #expect(heads[1].values == [2, 3, 8, 9])
        #expect(mergeHeads(heads) == x)
        #expect(x.T.shape == [6, 2] && x.T[4, 1] == x[1, 4])
        #expect(x[rows: [1, 0, 1]] == Tensor([x.row(1), x.row(0), x.row(1)]))
        #expect(x[rows: [1]].values == [6, 7, 8, 9, 10, 11])
    }

    /// A tensor held as binary32 (a checkpoint's weight) reads as the Doubles it widens to,
    /// entry by entry, by row, by rows and columns, transposed and mapped; written to, it holds
    /// Doubles from then on.
    @Test func aBinary32TensorReadsAsItsDoubles() {
        let stored: [Float] = [0.1, -2.5, 3e-8, 1e30, -0.0, 7]
        var x = Tensor(shape: [2, 3], binary32: stored)
        let doubles = Tensor(shape: [2, 3], values: stored.map(Double.init))
        #expect(x.isBinary32 && x.values.isEmpty && x == doubles && x.widened.values == doubles.values)
        #expect(x[0, 0] == Double(Float(0.1)) && x[0, 0] != 0.1 && x.entry(4).sign == .minus)
        #expect(x.row(1) == doubles.row(1) && x.nested == doubles.nested)
        #expect(x[rows: [1, 0]] == doubles[rows: [1, 0]] && x[columns: 1..<3] == doubles[columns: 1..<3])
        #expect(x.T == doubles.T && x.map { $0 * 2 } == doubles.map { $0 * 2 } && x + x == doubles + doubles)
        x[1, 2] = 0.3
        #expect(!x.isBinary32 && x.values == stored.prefix(5).map(Double.init) + [0.3])
    }

    /// The transpose is copied in 32 × 32 tiles: shapes that end inside a tile, and ones with a
    /// single row or column, move every entry to its place.
    @Test func transposeMovesEveryEntryAcrossTileEdges() {
        for (rows, cols) in [(70, 45), (1, 33), (33, 1), (32, 64), (0, 5)] {
            let x = Tensor(shape: [rows, cols], values: (0..<(rows * cols)).map { Double($0) * 0.5 - 7 })
            let t = x.T
            #expect(t.shape == [cols, rows])
            let misplaced = (0..<rows).flatMap { i in (0..<cols).filter { j in t[j, i] != x[i, j] } }
            #expect(misplaced.isEmpty, "\(rows) × \(cols): \(misplaced.count) entries misplaced")
            #expect(t.T == x)
        }
    }
}
