import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// Compares every gradient tensor with the NumPy reference's hand-derived backward pass
/// (`Tests/Reference/reference.py` → `fixtures/<name>.grads.json`), and the default training
/// run with the reference's (`fixtures/<name>.training.json`).
@Suite struct GradientReferenceTests {
    static let fixtures = ["seed", "multi", "deep", "hostile"]
    static let tolerance = 1e-9

    static func load(_ name: String) throws -> Model {
        try ModelLoader.load(path: "\(RepoPaths.fixtures)/\(name).model.json").model
    }

    static func reference(_ file: String) throws -> JSONNode {
        let bytes = try #require(FileManager.default.contents(atPath: "\(RepoPaths.fixtures)/\(file)"))
        return try JSONParser.parse([UInt8](bytes))
    }

    static func keys(_ node: JSONNode?) -> [String] {
        guard case let .object(members)? = node?.value else { return [] }
        return members.map(\.key)
    }

    @Test(arguments: fixtures)
    func gradientsMatchReference(_ name: String) throws {
        let model = try Self.load(name)
        let g = try #require(Backward.gradients(model, trace: Transformer.forward(model)))
        let ours = try JSONParser.parse(Array(g.gradientsJSON().rendered().utf8))
        let reference = try Self.reference("\(name).grads.json")

        #expect(Set(Self.keys(ours)) == Set(Self.keys(reference)), "\(name): top-level keys")
        var compared: [(String, Double)] = []
        func compare(_ path: String, _ mine: JSONNode?, _ theirs: JSONNode?) {
            guard let mine, let theirs else {
                Issue.record("\(name): \(path) missing (ours: \(mine != nil), reference: \(theirs != nil))")
                return
            }
            guard let diff = ReferenceFixtureTests.maxDifference(mine.value, theirs.value) else {
                Issue.record("\(name): \(path) has a different shape from the reference")
                return
            }
            compared.append((path, diff))
            #expect(diff <= Self.tolerance, "\(name): \(path) differs by \(diff)")
        }
        for key in Self.keys(reference) where key != "layers" { compare(key, ours[key], reference[key]) }
        guard case let .array(refLayers)? = reference["layers"]?.value,
              case let .array(ourLayers)? = ours["layers"]?.value else {
            Issue.record("\(name): layers missing")
            return
        }
        #expect(ourLayers.count == refLayers.count && ourLayers.count == model.config.nLayers)
        for (i, (mine, theirs)) in zip(ourLayers, refLayers).enumerated() {
            #expect(Self.keys(mine) == Self.keys(theirs), "\(name): layers[\(i)] keys")
            for key in Self.keys(theirs) { compare("layers[\(i)].\(key)", mine[key], theirs[key]) }
        }
        // 10 top-level entries (loss, 6 weights, x, final, logits), 16 weights + 15 intermediates per layer.
        #expect(compared.count == 10 + 31 * model.config.nLayers)
        let worst = compared.max { $0.1 < $1.1 }
        print("reference gradients \(name): \(compared.count) tensors compared, max difference \(worst.map { "\($0.1) (\($0.0))" } ?? "n/a")")
    }

    @Test(arguments: fixtures)
    func defaultTrainingRunMatchesReference(_ name: String) throws {
        let model = try Self.load(name)
        #expect(model.training == nil)
        let run = try #require(TrainingRun.train(model))
        let ours = try JSONParser.parse(Array(run.json().rendered().utf8))
        let reference = try Self.reference("\(name).training.json")

        #expect(Self.keys(ours) == Self.keys(reference))
        for key in ["learning_rate", "steps", "predictions", "flip_step"] {
            #expect(ours[key] == reference[key], "\(name): training.\(key)")
        }
        var worst = 0.0
        for key in ["losses", "p_target"] {
            let mine = try #require(ours[key]), theirs = try #require(reference[key])
            let diff = try #require(ReferenceFixtureTests.maxDifference(mine.value, theirs.value),
                                    "\(name): training.\(key) has a different length")
            #expect(diff <= Self.tolerance, "\(name): training.\(key) differs by \(diff)")
            worst = max(worst, diff)
        }
        print("reference training \(name): \(run.steps) steps at η = \(run.learningRate), flip step \(run.flipStep.map(String.init) ?? "none"), max difference \(worst)")
    }
}
