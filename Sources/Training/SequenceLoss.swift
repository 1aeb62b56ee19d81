import TransformerEngine

/// The language-modelling loss of token windows: a window of T + 1 ids is read as the input
/// ids[0..<T] and the targets ids[1...T], and the loss is the cross-entropy at every position,
///
///     L = (1/T) Σₜ −ln p(ids[t+1] | ids[0...t]),
///
/// averaged again over the windows of a batch. Its gradient comes from the engine's exact
/// backward pass, given ∂L/∂logits = (p − onehot(target)) / T row by row.
public enum SequenceLoss {
    /// The loss of one window, and its gradients scaled by `weight` (1/B in a batch of B).
    static func lossAndGradients(_ model: Model, window: ArraySlice<Int>, weight: Double) -> (loss: Double, gradients: Gradients) {
        let ids = Array(window.dropLast()), targets = Array(window.dropFirst())
        let t = ids.count
        let trace = Transformer.forward(model, prompt: Prompt(ids: ids))
        var dLogits = trace.probs                                          // [T][V] p
        var loss = 0.0
        for (i, target) in targets.enumerated() {
            loss -= log(trace.probs[i, target])
            dLogits[i, target] -= 1                                        // p − onehot(target)
        }
        dLogits = dLogits * (weight / Double(t))
        return (loss / Double(t), Backward.gradients(model, trace: trace, dLogits: dLogits, loss: loss / Double(t)))
    }

    /// The mean loss of `windows` and its gradient in the GPT-2 layout. The windows are worked
    /// on in parallel (one task each, on every core), and their gradients then summed in window
    /// order, so the result is the same bits however the tasks were scheduled.
    public static func batch(_ parameters: GPT2Parameters, windows: [ArraySlice<Int>]) -> (loss: Double, gradients: [[Double]]) {
        let model = parameters.model()
        let results = WindowResults(count: windows.count)
        DispatchQueue.concurrentPerform(iterations: windows.count) { w in
            let (loss, g) = lossAndGradients(model, window: windows[w], weight: 1 / Double(windows.count))
            results.store(w, loss: loss, gradients: parameters.layoutGradients(g))
        }
        var total = 0.0
        var sum: [[Double]] = parameters.tensors.map { [Double](repeating: 0, count: $0.values.count) }
        for (loss, gradients) in results.all {
            total += loss
            for (k, gradient) in gradients.enumerated() {
                for j in gradient.indices { sum[k][j] += gradient[j] }
            }
        }
        return (total / Double(windows.count), sum)
    }

    /// The mean loss of `windows`, without gradients.
    public static func loss(_ parameters: GPT2Parameters, windows: [ArraySlice<Int>]) -> Double {
        let model = parameters.model()
        var total = 0.0
        for window in windows {
            let ids = Array(window.dropLast())
            let trace = Transformer.forward(model, prompt: Prompt(ids: ids))
            var loss = 0.0
            for (i, target) in window.dropFirst().enumerated() { loss -= log(trace.probs[i, target]) }
            total += loss / Double(ids.count)
        }
        return total / Double(windows.count)
    }
}

/// Each window's loss and gradients, filled in by the parallel tasks, read in window order.
final class WindowResults: Sendable {
    private let slots: Mutex<[(loss: Double, gradients: [[Double]])?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func store(_ index: Int, loss: Double, gradients: [[Double]]) {
        slots.withLock { $0[index] = (loss, gradients) }
    }

    var all: [(loss: Double, gradients: [[Double]])] { slots.withLock { $0.map { $0! } } }
}

import Dispatch
import Foundation
import Synchronization
