import Checkpoints
import Foundation
@testable import Training

enum Paths {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A path in a fresh temporary folder (the folder itself is not created).
    static func temporary(_ name: String = "out") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("train-" + UUID().uuidString).appendingPathComponent(name).path
    }
}

/// A tiny GPT-2 with random weights (not GPT-2's small initialisation, so every part of the
/// backward pass carries weight).
func tinyParameters(vocab: Int = 11, d: Int = 8, layers: Int = 2, heads: Int = 2, context: Int = 6, seed: UInt64 = 7) -> GPT2Parameters {
    let config = GPT2Config(nEmbd: d, nLayer: layers, nHead: heads, nPositions: context, vocabSize: vocab,
                            layerNormEpsilon: 1e-5, activation: .geluTanh)
    var generator = SeededGenerator(seed: seed)
    var p = GPT2Parameters.initialised(config, seed: seed)
    for k in p.tensors.indices {
        for j in p.tensors[k].values.indices { p.tensors[k].values[j] += 0.3 * generator.normal() }
    }
    return p
}
