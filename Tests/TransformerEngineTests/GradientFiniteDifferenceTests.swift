import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// Every analytic gradient — every weight, optional ones the file leaves out included, and every
/// intermediate — agrees with central finite differences of the loss (h = 1e-6), entry by entry.
@Suite struct GradientFiniteDifferenceTests {
    static let fixtures = ["seed", "multi", "deep", "hostile"]

    static func load(_ name: String) throws -> Model {
        try ModelLoader.load(path: name == "seed" ? RepoPaths.seedModel : "\(RepoPaths.fixtures)/\(name).model.json").model
    }

    @Test(arguments: fixtures)
    func tappedForwardIsTheEngineForward(_ name: String) throws {
        let model = try Self.load(name)
        let engine = try #require(Transformer.forward(model).loss)
        #expect(abs(TappedForward.loss(model) { _, _ in } - engine) < 1e-14)
        // A tap really moves the loss (so the intermediate checks below can fail).
        let moved = TappedForward.loss(model) { key, value in if key == "layers[0].q" { value[value.count - 1][0] += 0.1 } }
        #expect(moved != engine)
    }

    @Test(arguments: fixtures)
    func weightGradientsMatchFiniteDifferences(_ name: String) throws {
        let model = try Self.load(name)
        let g = try #require(Backward.gradients(model, trace: Transformer.forward(model)))
        let tensors = GradientCheck.parameters(model, g)
        #expect(tensors.count == 6 + 16 * model.config.nLayers)
        check(tensors, "\(name) weights")
    }

    @Test(arguments: fixtures)
    func intermediateGradientsMatchFiniteDifferences(_ name: String) throws {
        let model = try Self.load(name)
        let g = try #require(Backward.gradients(model, trace: Transformer.forward(model)))
        check(GradientCheck.intermediates(model, g), "\(name) intermediates")
    }

    func check(_ tensors: [GradientCheck.Probe], _ label: String) {
        var worst = GradientCheck.Comparison(name: "none")
        var entries = 0, maxRelative = 0.0, maxAbsolute = 0.0
        for tensor in tensors {
            let c = GradientCheck.compare(tensor)
            #expect(c.entries > 0, "\(label): \(c.name) is empty")
            #expect(c.failures.isEmpty, "\(label): \(c.name) differs from its finite differences at \(c.failures.prefix(3))")
            entries += c.entries
            maxRelative = max(maxRelative, c.maxRelative)
            maxAbsolute = max(maxAbsolute, c.maxAbsolute)
            if c.maxSignificantRelative >= worst.maxSignificantRelative { worst = c }
        }
        #expect(worst.maxSignificantRelative < GradientCheck.relativeTolerance)
        #expect(maxAbsolute < GradientCheck.noiseFloor)
        print("finite differences \(label): \(tensors.count) tensors, \(entries) entries; max relative difference \(worst.maxSignificantRelative) where |a|+|b| ≥ \(GradientCheck.significant) (\(worst.name) \(worst.worst)); max absolute difference \(maxAbsolute); max relative difference over all entries \(maxRelative) (rounding noise on gradients that are ~0)")
    }
}
