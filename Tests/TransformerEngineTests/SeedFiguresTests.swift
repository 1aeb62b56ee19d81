import Testing
import ModelFormats
@testable import TransformerEngine

/// The seed model's figures, from an independent computation (the engine issue), to 1e-4
/// (the figures are quoted to 4 decimals); the NumPy fixtures check every tensor to 1e-9.
@Suite struct SeedFiguresTests {
    let trace: Trace

    init() throws {
        let loaded = try ModelLoader.load(path: RepoPaths.seedModel)
        trace = Transformer.forward(loaded.model)
    }

    func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double = 5e-5, _ name: String) {
        #expect(actual.count == expected.count, "\(name) has \(actual.count) entries")
        let diff = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(diff < tolerance, "\(name): max difference \(diff); got \(actual)")
    }

    @Test func embeddingOfOn() {
        expectClose(trace.x.row(3), [-0.2, 0.3, 0.5, 0.1], tolerance: 1e-12, "x_on")
    }

    @Test func attentionOfOn() {
        expectClose(trace.layers[0].weights[0].row(3), [0.3868, 0.1461, 0.2204, 0.2467], "weights of on")
        expectClose(trace.layers[0].attnOut.row(3), [-0.3321, 0.0475, 0.1666, -0.3077], "attn_out_on")
        expectClose(trace.layers[0].residMid.row(3), [-0.5321, 0.3475, 0.6666, -0.2077], "h1_on")
    }

    @Test func mlpOfOn() {
        expectClose(trace.layers[0].mlpOut.row(3), [0.0369, 0.1525, 0.0779, -0.0369], "mlp_out_on")
        expectClose(trace.layers[0].residOut.row(3), [-0.4951, 0.5000, 0.7445, -0.2446], "h2_on")
    }

    @Test func headAndLoss() throws {
        expectClose(trace.logits.row(3), [0.0505, 0.3509, 0.1009, 0.1754, 0.1005, 0.0255], "logits_on")
        expectClose(trace.probs.row(3), [0.1524, 0.2058, 0.1603, 0.1727, 0.1602, 0.1486], "probs_on")
        #expect(trace.prediction == "cat")
        #expect(trace.target == "mat")
        let loss = try #require(trace.loss)
        #expect(abs(loss - 1.831293) < 1e-6, "loss \(loss)")
    }
}
