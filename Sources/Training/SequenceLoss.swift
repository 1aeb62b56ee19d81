import FoundationEssentials
import TransformerEngine

/// The language-modelling loss of token windows: a window of T + 1 ids is read as the input
/// ids[0..<T] and the targets ids[1...T], and the loss is the cross-entropy at every position,
///
///     L = (1/T) Σₜ −ln p(ids[t+1] | ids[0...t]),
///
/// averaged again over the windows of a batch. The windows run as [W·T][d] tensors
/// (`BatchForward`): the batch is cut into one part of whole windows per core, each part's
/// forward pass and chain rule run side by side (each row's numbers depend on its window
/// only), and then each weight's gradient is one product over all B·T rows (`RowGradients`).
/// So the bits do not depend on the number of cores.
public enum SequenceLoss {
    /// The mean loss of `windows` (all of one length) and its gradient in the GPT-2 layout.
    public static func batch(_ parameters: GPT2Parameters, windows: [ArraySlice<Int>]) -> (loss: Double, gradients: [[Double]]) {
        batch(parameters, windows: windows, parts: cores)
    }

    /// `batch` with the windows cut into `parts` parts (the same bits for any number).
    static func batch(_ parameters: GPT2Parameters, windows: [ArraySlice<Int>], parts: Int) -> (loss: Double, gradients: [[Double]]) {
        let parts = inParallel(windows.count, parts: parts) { range in
            let pass = BatchForward(parameters, windows: Array(windows[range]))
            return (losses: pass.windowLosses, rows: pass.rowGradients(batchSize: windows.count))
        }
        let losses = parts.flatMap(\.losses)
        let gradients = RowGradients.weightGradients(parts.map(\.rows), layout: parameters.tensors.map(\.name),
                                                     positionCount: parameters.config.nPositions)
        return (losses.reduce(0, +) / Double(windows.count), gradients)
    }

    /// The mean loss of `windows` (all of one length), without gradients.
    public static func loss(_ parameters: GPT2Parameters, windows: [ArraySlice<Int>]) -> Double {
        let losses = inParallel(windows.count, parts: cores) { BatchForward(parameters, windows: Array(windows[$0])).windowLosses }
        return losses.flatMap { $0 }.reduce(0, +) / Double(windows.count)
    }

    /// The cores a batch is shared between.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
}
