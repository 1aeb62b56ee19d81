import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// Compares every tensor of the engine's trace with the NumPy reference's
/// (`Tests/Reference/reference.py`), reporting the max difference per fixture.
@Suite struct ReferenceFixtureTests {
    static let fixtures = ["seed", "multi", "chars", "deep", "hostile"]
    static let tolerance = 1e-9

    /// The largest |a − b| over two nested arrays of numbers; nil when their shapes differ.
    static func maxDifference(_ a: JSONValue, _ b: JSONValue) -> Double? {
        switch (a, b) {
        case let (.number(x), .number(y)): return abs(x - y)
        case (.null, .null): return 0
        case let (.array(xs), .array(ys)):
            guard xs.count == ys.count else { return nil }
            var worst = 0.0
            for (x, y) in zip(xs, ys) {
                guard let d = maxDifference(x.value, y.value) else { return nil }
                worst = max(worst, d)
            }
            return worst
        default: return nil
        }
    }

    @Test(arguments: fixtures)
    func traceMatchesReference(_ name: String) throws {
        let loaded = try ModelLoader.load(path: "\(RepoPaths.fixtures)/\(name).model.json")
        let trace = Transformer.forward(loaded.model)
        let ours = try JSONParser.parse(Array(trace.json(model: loaded.model).rendered().utf8))
        let referenceBytes = try #require(FileManager.default.contents(atPath: "\(RepoPaths.fixtures)/\(name).trace.json"))
        let reference = try JSONParser.parse([UInt8](referenceBytes))

        #expect(ours["tokens"] == reference["tokens"])
        #expect(ours["ids"]?.value == reference["ids"]?.value)
        #expect(ours["prediction"] == reference["prediction"])
        #expect(ours["target"] == reference["target"])

        var compared: [(String, Double)] = []
        func compare(_ path: String, _ mine: JSONNode?, _ theirs: JSONNode?) {
            guard let mine, let theirs else {
                Issue.record("\(name): \(path) missing (ours: \(mine != nil), reference: \(theirs != nil))")
                return
            }
            guard let diff = Self.maxDifference(mine.value, theirs.value) else {
                Issue.record("\(name): \(path) has a different shape from the reference")
                return
            }
            compared.append((path, diff))
            #expect(diff <= Self.tolerance, "\(name): \(path) differs by \(diff)")
        }
        for key in ["tok", "pos", "x"] {
            compare("embeddings.\(key)", ours["embeddings"]?[key], reference["embeddings"]?[key])
        }
        guard case let .array(refLayers)? = reference["layers"]?.value,
              case let .array(ourLayers)? = ours["layers"]?.value else {
            Issue.record("\(name): layers missing")
            return
        }
        #expect(ourLayers.count == refLayers.count)
        let layerKeys = ["ln1", "q", "k", "v", "scores", "weights", "context", "attn_out", "resid_mid",
                         "ln2", "mlp_pre", "mlp_act", "mlp_out", "resid_out"]
        // LayerNorm's statistics, which the LayerNorm page shows.
        let statKeys = ["mean", "variance", "std"]
        for (i, (mine, theirs)) in zip(ourLayers, refLayers).enumerated() {
            for key in layerKeys { compare("layers[\(i)].\(key)", mine[key], theirs[key]) }
            for norm in ["ln1_stats", "ln2_stats"] {
                for stat in statKeys { compare("layers[\(i)].\(norm).\(stat)", mine[norm]?[stat], theirs[norm]?[stat]) }
            }
        }
        let hasFinalNorm = reference["final_ln_stats"] != nil
        #expect((ours["final_ln_stats"] != nil) == hasFinalNorm, "\(name): final_ln_stats")
        if hasFinalNorm {
            for stat in statKeys { compare("final_ln_stats.\(stat)", ours["final_ln_stats"]?[stat], reference["final_ln_stats"]?[stat]) }
        }
        for key in ["final", "logits", "probs", "loss"] { compare(key, ours[key], reference[key]) }

        let worst = compared.max { $0.1 < $1.1 }
        print("reference \(name): \(compared.count) tensors compared, max difference \(worst.map { "\($0.1) (\($0.0))" } ?? "n/a")")
        #expect(compared.count == 3 + (14 + 6) * refLayers.count + (hasFinalNorm ? 3 : 0) + 4)
    }
}
