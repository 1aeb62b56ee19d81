import Testing
@testable import TransformerEngine

@Suite struct NumericsTests {
    @Test func softmaxRowsSumToOne() throws {
        let trace = Transformer.forward(try ModelLoader.load(path: RepoPaths.seedModel).model)
        for row in trace.probs { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
        for head in trace.layers[0].weights {
            for row in head { #expect(abs(row.reduce(0, +) - 1) < 1e-12) }
        }
    }

    @Test func maskedWeightsAreExactlyZero() throws {
        let trace = Transformer.forward(try ModelLoader.load(path: RepoPaths.seedModel).model)
        let layer = trace.layers[0]
        for (i, row) in layer.weights[0].enumerated() {
            for j in row.indices where j > i {
                #expect(row[j] == 0, "weight[\(i)][\(j)] = \(row[j])")
                #expect(layer.scores[0][i][j] == nil)
            }
            for j in 0...i { #expect(row[j] > 0) }
        }
    }

    @Test func layerNormHasMeanZeroAndUnitVariance() {
        let ln = LayerNorm(LayerNormParameters(), eps: 1e-5)
        let row = ln.apply([3.0, -1.5, 0.25, 8.0, 2.0])
        let mean = row.output.reduce(0, +) / 5
        let variance = row.output.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 5
        #expect(abs(mean) < 1e-12)
        #expect(abs(variance - 1) < 1e-5)
        #expect(abs(row.mean - 2.35) < 1e-12)
    }

    @Test func layerNormAppliesGammaAndBeta() {
        let ln = LayerNorm(LayerNormParameters(gamma: [2, 2], beta: [1, -1]), eps: 0)
        #expect(ln.apply([1.0, 3.0]).output == [-1.0, 1.0])
    }

    @Test func softmaxStaysFiniteForHugeLogits() {
        let p = Softmax.apply([1000.0, -1000.0, 999.0])
        #expect(p.allSatisfy { $0.isFinite })
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(p[1] == 0)
        let q = Softmax.apply([-1000.0, -1000.0])
        #expect(q == [0.5, 0.5])
        #expect(Softmax.logSumExp([1000, 1000]).isFinite)
    }

    @Test func geluMatchesTheTanhApproximation() {
        #expect(Activation.gelu.apply(0) == 0)
        #expect(abs(Activation.gelu.apply(1) - 0.8411919906082768) < 1e-12)
        #expect(abs(Activation.gelu.apply(-1) - (-0.15880800939172324)) < 1e-12)
        #expect(Activation.relu.apply(-0.3) == 0)
    }
}
