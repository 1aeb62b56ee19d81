import Checkpoints
import Foundation
import Testing
import TransformerEngine
@testable import Training

/// The batch loss (cross-entropy at every position, averaged over positions and windows) and
/// its gradient from the engine's exact backward pass.
@Suite struct BatchGradientTests {
    /// Every entry of every tensor (tied wte included) against central finite differences.
    @Test func gradientsMatchFiniteDifferences() {
        let p = tinyParameters()
        let windows: [ArraySlice<Int>] = [[3, 1, 4, 1, 5, 9, 2][...], [2, 7, 1, 8, 2, 8, 1][...]]
        let (_, gradients) = SequenceLoss.batch(p, windows: windows)
        let h = 1e-5
        var worst = 0.0, checked = 0
        for k in p.tensors.indices {
            // Every entry of small tensors, a stride through the large ones.
            let count = p.tensors[k].values.count
            for j in stride(from: k % 3, to: count, by: max(1, count / 24)) {
                var plus = p, minus = p
                plus.tensors[k].values[j] += h
                minus.tensors[k].values[j] -= h
                let numeric = (SequenceLoss.loss(plus, windows: windows) - SequenceLoss.loss(minus, windows: windows)) / (2 * h)
                let error = abs(numeric - gradients[k][j]) / max(1e-3, abs(numeric))
                worst = max(worst, error)
                checked += 1
                #expect(error < 1e-5, "\(p.tensors[k].name)[\(j)]: numeric \(numeric), backward \(gradients[k][j])")
            }
        }
        #expect(checked > 400)
        print("batch gradients vs finite differences: \(checked) entries, max relative difference \(worst)")
    }

    struct Fixture: Decodable {
        struct Tensor: Decodable { let name: String; let shape: [Int]; let values: [Double] }
        struct Config: Decodable { let n_embd, n_layer, n_head, n_positions, vocab_size: Int; let layer_norm_epsilon: Double }
        let config: Config
        let tensors: [Tensor]
        let windows: [[Int]]
        let window_losses: [Double]
        let batch_loss: Double
    }

    /// The loss of a batch against the NumPy reference (Tests/Reference/training.py).
    @Test func batchLossMatchesNumPy() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.root + "/Tests/Reference/fixtures/training-loss.json"))
        let f = try JSONDecoder().decode(Fixture.self, from: data)
        let config = GPT2Config(nEmbd: f.config.n_embd, nLayer: f.config.n_layer, nHead: f.config.n_head,
                                nPositions: f.config.n_positions, vocabSize: f.config.vocab_size,
                                layerNormEpsilon: f.config.layer_norm_epsilon, activation: .geluTanh)
        let p = GPT2Parameters(config: config, tensors: f.tensors.map { Parameter(name: $0.name, shape: $0.shape, values: $0.values) })
        var worst = 0.0
        for (window, expected) in zip(f.windows, f.window_losses) {
            let loss = SequenceLoss.loss(p, windows: [window[...]])
            worst = max(worst, abs(loss - expected))
        }
        let batch = SequenceLoss.batch(p, windows: f.windows.map { $0[...] }).loss
        worst = max(worst, abs(batch - f.batch_loss))
        #expect(worst < 1e-12)
        print("batch loss vs NumPy: \(batch) vs \(f.batch_loss), max difference \(worst)")
    }

    @Test func clippingScalesToNormOne() {
        var g: [[Double]] = [[3, 0], [4]]
        #expect(clipGradients(&g) == 5)
        #expect(abs(g[0][0] - 0.6) < 1e-15 && g[0][1] == 0 && abs(g[1][0] - 0.8) < 1e-15)
        var small: [[Double]] = [[0.3], [0.4]]
        #expect(clipGradients(&small) == 0.5)
        #expect(small == [[0.3], [0.4]])
    }
}

@Suite struct ParallelBatchTests {
    /// The batch pass against the engine run window by window (`Transformer.forward`, then
    /// `Backward.gradients` from ∂L/∂logits = (p − onehot)/(B·T)): every row's probabilities
    /// and every window's loss are the engine's up to the few units in the last place between
    /// training's vector exp and tanh and the engine's scalar ones (a row's sums never see the
    /// other rows); the gradient is the sum of the windows' gradients up to rounding, since the
    /// batch also sums each weight's gradient over all B·T rows in one product instead of
    /// window by window.
    @Test func theBatchIsTheEngineWindowByWindow() {
        let p = tinyParameters()
        let windows: [ArraySlice<Int>] = (0..<5).map { k in (0..<7).map { ($0 * 3 + k * 5) % 11 }[...] }
        let (b, t, v) = (windows.count, 6, p.config.vocabSize)
        let pass = BatchForward(p, windows: windows)
        let model = p.model()
        var losses: [Double] = []
        var sum: [[Double]] = p.tensors.map { [Double](repeating: 0, count: $0.values.count) }
        var worstProbability = 0.0
        for (w, window) in windows.enumerated() {
            let trace = Transformer.forward(model, prompt: Prompt(ids: Array(window.dropLast())))
            let rows = pass.probs.block(rows: (w * t)..<((w + 1) * t), columns: 0..<v)
            #expect(rows.shape == trace.probs.shape)
            for (x, y) in zip(rows.values, trace.probs.values) { worstProbability = max(worstProbability, abs(x - y) / y) }
            var dLogits = trace.probs, loss = 0.0
            for (i, target) in window.dropFirst().enumerated() {
                loss -= log(trace.probs[i, target])
                dLogits[i, target] -= 1
            }
            losses.append(loss / Double(t))
            let g = Backward.gradients(model, trace: trace, dLogits: dLogits * (1 / Double(b) / Double(t)), loss: loss)
            for (k, gradient) in p.layoutGradients(g).enumerated() {
                for j in gradient.indices { sum[k][j] += gradient[j] }
            }
        }
        #expect(worstProbability < 1e-14)
        let worstLoss = zip(pass.windowLosses, losses).map { abs($0 - $1) / $1 }.max()!
        #expect(worstLoss < 1e-14)
        let (loss, gradients) = SequenceLoss.batch(p, windows: windows)
        #expect(abs(loss - losses.reduce(0, +) / Double(b)) < 1e-14 * loss)
        var worst = 0.0
        for (batch, byWindow) in zip(gradients, sum) {
            for (x, y) in zip(batch, byWindow) { worst = max(worst, abs(x - y) / max(1e-6, abs(y))) }
        }
        #expect(worst < 1e-11)
        print("batch vs the engine window by window: max relative difference of probabilities \(worstProbability), of window losses \(worstLoss), of gradients \(worst)")
        // The same bits however the batch is cut between the cores.
        for parts in [1, 2, 3, 5] {
            let cut = SequenceLoss.batch(p, windows: windows, parts: parts)
            #expect(cut.loss == loss && cut.gradients == gradients, "\(parts) parts")
        }
    }
}
