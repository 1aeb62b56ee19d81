import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// Structural facts about the gradients that hold whatever the weights.
@Suite struct GradientPropertyTests {
    static func load(_ name: String) throws -> Model {
        try ModelLoader.load(path: name == "seed" ? RepoPaths.seedModel : "\(RepoPaths.fixtures)/\(name).model.json").model
    }

    static func gradients(_ name: String) throws -> (Model, Trace, Gradients) {
        let model = try load(name)
        let trace = Transformer.forward(model)
        return (model, trace, try #require(Backward.gradients(model, trace: trace)))
    }

    @Test func noTargetNoGradients() throws {
        let model = try Self.load("chars")
        #expect(model.prompt.targetID == nil)
        #expect(Backward.gradients(model, trace: Transformer.forward(model)) == nil)
    }

    @Test(arguments: ["seed", "multi", "deep", "hostile"])
    func logitGradientIsPMinusOneHotOnTheLastRowOnly(_ name: String) throws {
        let (_, trace, g) = try Self.gradients(name)
        let t = trace.count, target = try #require(trace.targetID)
        for i in 0..<(t - 1) { #expect(g.logits.row(i).allSatisfy { $0 == 0 }, "row \(i)") }
        for (v, value) in g.logits.row(t - 1).enumerated() {
            #expect(value == trace.probs[t - 1, v] - (v == target ? 1 : 0))
        }
        #expect(abs(g.logits.row(t - 1).reduce(0, +)) < 1e-15)
        #expect(g.loss == trace.loss)
    }

    @Test(arguments: ["seed", "multi", "deep", "hostile"])
    func maskedAttentionCellsHaveZeroGradient(_ name: String) throws {
        let (_, _, g) = try Self.gradients(name)
        for layer in g.layers {
            for (scores, weights) in zip(layer.scores, layer.attnWeights) {
                for i in 0..<scores.rows {
                    for j in 0..<scores.cols where j > i {
                        #expect(scores[i, j] == 0 && weights[i, j] == 0)
                    }
                }
                // Row 0 attends only to itself: its softmax is constant 1, so its score has no gradient.
                #expect(scores[0, 0] == 0)
            }
        }
    }

    /// Adding b_k adds q[i]·b_k to every score of row i, which the softmax ignores: ∂L/∂b_k = 0.
    @Test(arguments: ["seed", "multi", "deep", "hostile"])
    func keyBiasGradientIsZero(_ name: String) throws {
        let (_, _, g) = try Self.gradients(name)
        for layer in g.layers {
            #expect(layer.bK.allSatisfy { abs($0) < 1e-15 }, "\(layer.bK)")
            #expect(layer.wK.dense.values.contains { abs($0) > 1e-6 })   // W_k itself does matter
        }
    }

    @Test func embeddingGradientsFollowThePrompt() throws {
        // deep: "one two three two one", max_positions 5, vocab of 7 words.
        let (model, trace, g) = try Self.gradients("deep")
        #expect(trace.ids == [0, 1, 2, 1, 0])
        for j in 0..<model.config.dModel {
            #expect(g.tokEmb[0, j] == g.x[0, j] + g.x[4, j])       // "one" twice accumulates
            #expect(g.tokEmb[1, j] == g.x[1, j] + g.x[3, j])       // "two" twice
            #expect(g.tokEmb[2, j] == g.x[2, j])
        }
        for unused in 3..<model.vocab.count { #expect(g.tokEmb.dense.row(unused).allSatisfy { $0 == 0 }) }
        #expect(g.posEmb[rows: 0..<5] == g.x)
        #expect(g.x == g.layers[0].input)

        // seed: 4 of 6 words, 4 of 4 positions.
        let (seed, _, sg) = try Self.gradients("seed")
        #expect(sg.tokEmb.rows == seed.vocab.count && sg.posEmb.rows == seed.config.maxPositions)
        #expect(sg.tokEmb.dense.row(4).allSatisfy { $0 == 0 } && sg.tokEmb.dense.row(5).allSatisfy { $0 == 0 })
        #expect(sg.tokEmb.dense.row(0).contains { $0 != 0 })
    }

    @Test func unusedFinalLayerNormHasZeroGradient() throws {
        let (seed, _, g) = try Self.gradients("seed")
        #expect(!seed.config.finalLayerNorm)
        #expect(g.lnfGamma == [0, 0, 0, 0] && g.lnfBeta == [0, 0, 0, 0])
        #expect(g.final == g.layers[0].residOut)
        let (_, _, multi) = try Self.gradients("multi")
        #expect(multi.lnfGamma.contains { $0 != 0 } && multi.lnfBeta.contains { $0 != 0 })
    }

    @Test func absentOptionalsStillGetGradients() throws {
        // The seed has no biases and no LayerNorm parameters; they still have the right shapes and move.
        let (seed, _, g) = try Self.gradients("seed")
        let layer = g.layers[0], d = seed.config.dModel
        #expect(seed.weights.layers[0].bQ == nil && seed.weights.layers[0].ln1.gamma == nil)
        for v in [layer.bQ, layer.bV, layer.bO, layer.b2, layer.ln1Gamma, layer.ln1Beta, layer.ln2Gamma, layer.ln2Beta] {
            #expect(v.count == d)
            #expect(v.contains { abs($0) > 1e-6 })
        }
        #expect(layer.b1.count == seed.config.dFF && g.bLM.count == seed.vocab.count)
        #expect(layer.w1.shape == [d, seed.config.dFF])
        #expect(layer.w2.shape == [seed.config.dFF, d])
        #expect(g.wLM.shape == [d, seed.vocab.count])
        // ∂L/∂b_lm = ∂L/∂logits[T−1], since b_lm is added to every row and only the last counts.
        #expect(g.bLM == g.logits.row(3))
    }

    @Test func gradientJSONHasTheModelFilesWeightKeys() throws {
        let (_, _, g) = try Self.gradients("multi")   // every optional present in the file
        let json = try JSONParser.parse(Array(g.gradientsJSON().rendered().utf8))
        let modelBytes = try #require(FileManager.default.contents(atPath: "\(RepoPaths.fixtures)/multi.model.json"))
        let weights = try #require(try JSONParser.parse([UInt8](modelBytes))["weights"])
        guard case let .object(top) = json.value, case let .object(weightMembers) = weights.value,
              case let .array(layers)? = json["layers"]?.value, case let .array(fileLayers) = weights["layers"]?.value else {
            Issue.record("not objects")
            return
        }
        let keys = top.map(\.key)
        for key in weightMembers.map(\.key) { #expect(keys.contains(key), "\(key)") }
        #expect(keys.contains("logits") && keys.contains("final"))
        for (layer, fileLayer) in zip(layers, fileLayers) {
            guard case let .object(members) = layer.value, case let .object(fileMembers) = fileLayer.value else { continue }
            let layerKeys = members.map(\.key)
            for key in fileMembers.map(\.key) + ["resid_mid", "resid_out", "attn_weights"] {
                #expect(layerKeys.contains(key), "\(key)")
            }
        }
    }

    // MARK: - The pieces

    /// The closed-form LayerNorm backward against central differences of L = Σ dy ⊙ LN(x), for
    /// ∂L/∂x and ∂L/∂γ (every output depends on every input, so a diagonal formula would fail).
    @Test func layerNormBackwardMatchesFiniteDifferences() {
        let x = Tensor([[0.3, -1.2, 0.8, 2.0, -0.1], [1.5, 0.2, -0.7, 0.1, 0.4]])
        let dy = Tensor([[0.5, -0.3, 0.9, 0.2, -1.1], [0.1, 0.7, -0.4, 0.3, 0.6]])
        let gamma = [1.2, 0.8, -0.5, 1.0, 2.0], beta = [0.1, 0, 0, -0.2, 0.3]
        func loss(_ x: Tensor, _ gamma: [Double]) -> Double {
            let y = layerNorm(x, LayerNormParameters(gamma: gamma, beta: beta), eps: 1e-5).output
            return zip(y.values, dy.values).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let g = layerNormBackward(dy: dy, x: x, norm: layerNorm(x, LayerNormParameters(gamma: gamma, beta: beta), eps: 1e-5),
                                  gamma: gamma)
        let h = 1e-6
        var worst = 0.0
        for i in 0..<x.rows {
            for j in 0..<x.cols {
                var plus = x, minus = x
                plus[i, j] += h
                minus[i, j] -= h
                let numeric = (loss(plus, gamma) - loss(minus, gamma)) / (2 * h)
                worst = max(worst, abs(g.dx[i, j] - numeric))
            }
            // Shifting a row by a constant leaves x̂ unchanged: each row of ∂L/∂x sums to 0.
            #expect(abs(g.dx.row(i).reduce(0, +)) < 1e-12)
        }
        for j in gamma.indices {
            var plus = gamma, minus = gamma
            plus[j] += h
            minus[j] -= h
            worst = max(worst, abs(g.dGamma[j] - (loss(x, plus) - loss(x, minus)) / (2 * h)))
        }
        #expect(worst < 1e-8, "max difference \(worst)")
        #expect(g.dBeta == [0.6, 0.4, 0.5, 0.5, -0.5].indices.map { dy[0, $0] + dy[1, $0] })
    }

    /// The softmax backward, p ⊙ (∂L/∂p − rowsum(p ⊙ ∂L/∂p)), against central differences of
    /// L = Σ dp ⊙ softmax(z).
    @Test func softmaxBackwardMatchesFiniteDifferences() {
        let z = Tensor([[0.5, -0.3, 1.2], [2.0, 0.1, -1.0]]), dp = Tensor([[0.3, -0.7, 0.2], [1.0, 0.5, -0.4]])
        func loss(_ z: Tensor) -> Double { zip(softmaxRows(z).values, dp.values).reduce(0) { $0 + $1.0 * $1.1 } }
        let dz = softmaxRowsBackward(dp, softmax: softmaxRows(z))
        let h = 1e-6
        for i in 0..<z.rows {
            for j in 0..<z.cols {
                var plus = z, minus = z
                plus[i, j] += h
                minus[i, j] -= h
                #expect(abs(dz[i, j] - (loss(plus) - loss(minus)) / (2 * h)) < 1e-9, "[\(i)][\(j)]")
            }
            // Adding a constant to a row leaves its softmax unchanged: the row's gradient sums to 0.
            #expect(abs(dz.row(i).reduce(0, +)) < 1e-15)
        }
    }

    @Test func activationDerivatives() {
        let h = 1e-6
        for activation in [Activation.gelu, .geluExact] {
            for x in [-3.0, -1.0, -0.2, 0.0, 0.3, 1.0, 2.5] {
                let numeric = (activation.apply(x + h) - activation.apply(x - h)) / (2 * h)
                #expect(abs(activation.derivative(x) - numeric) < 1e-9, "\(activation)'(\(x))")
            }
            #expect(activation.derivative(0) == 0.5)
        }
        #expect(Activation.relu.derivative(0.7) == 1 && Activation.relu.derivative(-0.7) == 0)
        #expect(Activation.relu.derivative(0) == 0)   // the convention at the kink
    }
}
