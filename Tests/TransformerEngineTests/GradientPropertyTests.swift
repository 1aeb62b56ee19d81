import Foundation
import Testing
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
        for i in 0..<(t - 1) { #expect(g.logits[i].allSatisfy { $0 == 0 }, "row \(i)") }
        for (v, value) in g.logits[t - 1].enumerated() {
            #expect(value == trace.probs[t - 1][v] - (v == target ? 1 : 0))
        }
        #expect(abs(g.logits[t - 1].reduce(0, +)) < 1e-15)
        #expect(g.loss == trace.loss)
    }

    @Test(arguments: ["seed", "multi", "deep", "hostile"])
    func maskedAttentionCellsHaveZeroGradient(_ name: String) throws {
        let (_, _, g) = try Self.gradients(name)
        for layer in g.layers {
            for (scores, weights) in zip(layer.scores, layer.attnWeights) {
                for i in scores.indices {
                    for j in scores[i].indices where j > i {
                        #expect(scores[i][j] == 0 && weights[i][j] == 0)
                    }
                }
                // Row 0 attends only to itself: its softmax is constant 1, so its score has no gradient.
                #expect(scores[0][0] == 0)
            }
        }
    }

    /// Adding b_k adds q[i]·b_k to every score of row i, which the softmax ignores: ∂L/∂b_k = 0.
    @Test(arguments: ["seed", "multi", "deep", "hostile"])
    func keyBiasGradientIsZero(_ name: String) throws {
        let (_, _, g) = try Self.gradients(name)
        for layer in g.layers {
            #expect(layer.bK.allSatisfy { abs($0) < 1e-15 }, "\(layer.bK)")
            #expect(layer.wK.joined().contains { abs($0) > 1e-6 })   // W_k itself does matter
        }
    }

    @Test func embeddingGradientsFollowThePrompt() throws {
        // deep: "one two three two one", max_positions 5, vocab of 7 words.
        let (model, trace, g) = try Self.gradients("deep")
        #expect(trace.ids == [0, 1, 2, 1, 0])
        for j in 0..<model.config.dModel {
            #expect(g.tokEmb[0][j] == g.x[0][j] + g.x[4][j])       // "one" twice accumulates
            #expect(g.tokEmb[1][j] == g.x[1][j] + g.x[3][j])       // "two" twice
            #expect(g.tokEmb[2][j] == g.x[2][j])
        }
        for unused in 3..<model.vocab.count { #expect(g.tokEmb[unused].allSatisfy { $0 == 0 }) }
        #expect(g.posEmb == g.x)
        #expect(g.x == g.layers[0].input)

        // seed: 4 of 6 words, 4 of 4 positions.
        let (seed, _, sg) = try Self.gradients("seed")
        #expect(sg.tokEmb.count == seed.vocab.count && sg.posEmb.count == seed.config.maxPositions)
        #expect(sg.tokEmb[4].allSatisfy { $0 == 0 } && sg.tokEmb[5].allSatisfy { $0 == 0 })
        #expect(sg.tokEmb[0].contains { $0 != 0 })
    }

    @Test func unusedFinalLayerNormHasZeroGradient() throws {
        let (seed, _, g) = try Self.gradients("seed")
        #expect(!seed.config.finalLayerNorm)
        #expect(g.lnfGamma == Vector(repeating: 0, count: 4) && g.lnfBeta == Vector(repeating: 0, count: 4))
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
        #expect(layer.w1.count == d && layer.w1[0].count == seed.config.dFF)
        #expect(layer.w2.count == seed.config.dFF && layer.w2[0].count == d)
        #expect(g.wLM.count == d && g.wLM[0].count == seed.vocab.count)
        // ∂L/∂b_lm = ∂L/∂logits[T−1], since b_lm is added to every row and only the last counts.
        #expect(g.bLM == g.logits[3])
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

    @Test func layerNormJacobianMatchesFiniteDifferences() {
        let x: Vector = [0.3, -1.2, 0.8, 2.0, -0.1]
        let ln = LayerNorm(LayerNormParameters(), eps: 1e-5)
        let row = ln.apply(x)
        let jac = LayerNormBackward.jacobian(xHat: row.output, std: row.std)
        let h = 1e-6
        for j in x.indices {
            var plus = x, minus = x
            plus[j] += h
            minus[j] -= h
            let (a, b) = (ln.apply(plus).output, ln.apply(minus).output)
            for i in x.indices {
                #expect(abs(jac[i][j] - (a[i] - b[i]) / (2 * h)) < 1e-8, "J[\(i)][\(j)]")
            }
        }
        // Shifting x by a constant leaves x̂ unchanged: every row sums to 0. And it is not diagonal.
        for r in jac { #expect(abs(r.reduce(0, +)) < 1e-12) }
        #expect(abs(jac[0][1]) > 0.01)
    }

    @Test func softmaxJacobianMatchesFiniteDifferences() {
        let z: Vector = [0.5, -0.3, 1.2]
        let jac = AttentionBackward.softmaxJacobian(Softmax.apply(z))
        let h = 1e-6
        for j in z.indices {
            var plus = z, minus = z
            plus[j] += h
            minus[j] -= h
            let (a, b) = (Softmax.apply(plus), Softmax.apply(minus))
            for i in z.indices { #expect(abs(jac[i][j] - (a[i] - b[i]) / (2 * h)) < 1e-9) }
        }
    }

    @Test func activationDerivatives() {
        let h = 1e-6
        for x in [-3.0, -1.0, -0.2, 0.0, 0.3, 1.0, 2.5] {
            let numeric = (Activation.gelu.apply(x + h) - Activation.gelu.apply(x - h)) / (2 * h)
            #expect(abs(Activation.gelu.derivative(x) - numeric) < 1e-9, "gelu'(\(x))")
        }
        #expect(Activation.gelu.derivative(0) == 0.5)
        #expect(Activation.relu.derivative(0.7) == 1 && Activation.relu.derivative(-0.7) == 0)
        #expect(Activation.relu.derivative(0) == 0)   // the convention at the kink
    }
}
