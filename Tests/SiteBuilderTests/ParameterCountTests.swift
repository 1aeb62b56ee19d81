import Foundation
import Testing
import TransformerEngine
@testable import SiteBuilder

/// `ParameterCount`, the one count of a model's parameters, against the numbers the model file
/// itself holds (read with Foundation's JSON reader) and those a gradient holds.
@Suite struct ParameterCountTests {
    /// Every number under `value`, however deeply nested.
    static func numbers(in value: Any) -> Int {
        switch value {
        case let list as [Any]: list.reduce(0) { $0 + numbers(in: $1) }
        case let object as [String: Any]: object.values.reduce(0) { $0 + numbers(in: $1) }
        case is NSNumber: 1
        default: 0
        }
    }

    static let matrixKeys: Set = ["tok_emb", "pos_emb", "W_lm", "W_q", "W_k", "W_v", "W_o", "W_1", "W_2"]

    /// The numbers of the matrices alone: the top-level ones and each layer's.
    static func matrixNumbers(in weights: [String: Any]) -> Int {
        var n = 0
        for (key, value) in weights where matrixKeys.contains(key) { n += numbers(in: value) }
        for layer in weights["layers"] as? [[String: Any]] ?? [] {
            for (key, value) in layer where matrixKeys.contains(key) { n += numbers(in: value) }
        }
        return n
    }

    @Test("counts what the model file holds, with and without biases and LayerNorm parameters",
          arguments: ["seed", "multi", "deep", "hostile"])
    func countsTheFile(_ name: String) throws {
        let path = RepoPaths.fixture(name)
        let file = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let weights = try #require(file["weights"] as? [String: Any])
        let model = try ModelInput.read(path).model
        let count = ParameterCount(model)
        #expect(count.weights == Self.numbers(in: weights))
        #expect(count.matrices == Self.matrixNumbers(in: weights))
        #expect(count.vectors < count.everyVector || name == "multi")
    }

    @Test("counts every number of a gradient, absent vectors included", arguments: ["seed", "multi", "hostile"])
    func countsTheGradient(_ name: String) throws {
        let model = try ModelInput.read(RepoPaths.fixture(name)).model
        let g = try #require(Backward.gradients(model, trace: Transformer.forward(model)))
        var n = g.tokEmb.dense.values.count + g.posEmb.dense.values.count + g.wLM.dense.values.count + g.bLM.count + g.lnfGamma.count + g.lnfBeta.count
        for l in g.layers {
            n += [l.wQ, l.wK, l.wV, l.wO, l.w1, l.w2].reduce(0) { $0 + $1.dense.values.count }
            n += [l.bQ, l.bK, l.bV, l.bO, l.b1, l.b2, l.ln1Gamma, l.ln1Beta, l.ln2Gamma, l.ln2Beta].reduce(0) { $0 + $1.count }
        }
        #expect(ParameterCount(model).gradients == n)
    }
}
