import Foundation
import Testing
@testable import Checkpoints

/// The weights as read, put through a plain GPT-2 forward pass written here, give the NumPy
/// reference's logits and attention weights: the layout (Conv1D in × out, q | k | v column
/// blocks, heads as contiguous columns, lm_head as wteᵀ) is the one the checkpoint means.
@Suite struct ForwardPassTests {
    typealias Matrix = [[Double]]

    struct Forward: Decodable {
        let ids: [Int]
        let logits: Matrix
        let attn_weights: [[Matrix]]
    }

    static func times(_ x: Matrix, _ w: CheckpointTensor, plus b: CheckpointTensor) -> Matrix {
        x.map { row in
            (0..<w.columns).map { j in
                var sum = b.values[j]
                for (i, value) in row.enumerated() { sum += value * w[i, j] }
                return sum
            }
        }
    }

    static func layerNorm(_ x: Matrix, _ gamma: CheckpointTensor, _ beta: CheckpointTensor, _ eps: Double) -> Matrix {
        x.map { row in
            let mean = row.reduce(0, +) / Double(row.count)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(row.count)
            return row.indices.map { (row[$0] - mean) / (variance + eps).squareRoot() * gamma.values[$0] + beta.values[$0] }
        }
    }

    static func softmax(_ row: [Double]) -> [Double] {
        let top = row.max() ?? 0
        let e = row.map { exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    static func activation(_ x: Double, _ kind: GPT2Config.Activation) -> Double {
        switch kind {
        case .geluTanh: 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .geluExact: 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
        case .relu: max(x, 0)
        }
    }

    /// (logits, attention weights [layer][head][query][key]) of `ids`.
    static func forward(_ checkpoint: GPT2Checkpoint, _ ids: [Int]) -> (Matrix, [[Matrix]]) {
        let c = checkpoint.config, w = checkpoint.weights
        let T = ids.count, d = c.headSize
        var x: Matrix = ids.enumerated().map { t, id in
            (0..<c.nEmbd).map { w.tokenEmbedding[id, $0] + w.positionEmbedding[t, $0] }
        }
        var attention: [[Matrix]] = []
        for block in w.blocks {
            let h = layerNorm(x, block.ln1Weight, block.ln1Bias, c.layerNormEpsilon)
            let q = times(h, block.query, plus: block.queryBias)
            let k = times(h, block.key, plus: block.keyBias)
            let v = times(h, block.value, plus: block.valueBias)
            var context = Matrix(repeating: [Double](repeating: 0, count: c.nEmbd), count: T)
            var heads: [Matrix] = []
            for head in 0..<c.nHead {
                let columns = (head * d)..<((head + 1) * d)
                var weights: Matrix = []
                for i in 0..<T {
                    let scores = (0...i).map { j in columns.map { q[i][$0] * k[j][$0] }.reduce(0, +) / Double(d).squareRoot() }
                    let a = softmax(scores) + [Double](repeating: 0, count: T - i - 1)
                    weights.append(a)
                    for column in columns {
                        context[i][column] = (0...i).map { a[$0] * v[$0][column] }.reduce(0, +)
                    }
                }
                heads.append(weights)
            }
            attention.append(heads)
            let attnOut = times(context, block.attnProj, plus: block.attnProjBias)
            x = zip(x, attnOut).map { zip($0, $1).map(+) }
            let h2 = layerNorm(x, block.ln2Weight, block.ln2Bias, c.layerNormEpsilon)
            let hidden = times(h2, block.fc, plus: block.fcBias).map { $0.map { activation($0, c.activation) } }
            let mlpOut = times(hidden, block.mlpProj, plus: block.mlpProjBias)
            x = zip(x, mlpOut).map { zip($0, $1).map(+) }
        }
        let final = layerNorm(x, w.lnFWeight, w.lnFBias, c.layerNormEpsilon)
        let logits = final.map { row in
            (0..<w.lmHead.rows).map { token in row.indices.map { row[$0] * w.lmHead[token, $0] }.reduce(0, +) }
        }
        return (logits, attention)
    }

    @Test(arguments: Fixtures.checkpointNames)
    func logitsAndAttentionMatchTheReference(_ name: String) throws {
        let checkpoint = try GPT2Checkpoint.read(Fixtures.path(name))
        let expected = try Fixtures.decode(Forward.self, name + ".forward.json")
        #expect(checkpoint.tokenizer.encode("The cat sat on the mat.") == expected.ids)
        let (logits, attention) = Self.forward(checkpoint, expected.ids)
        var worst = 0.0
        for (row, expectedRow) in zip(logits, expected.logits) {
            #expect(row.count == expectedRow.count)
            for (a, b) in zip(row, expectedRow) { worst = max(worst, abs(a - b)) }
        }
        for (layer, expectedLayer) in zip(attention, expected.attn_weights) {
            for (head, expectedHead) in zip(layer, expectedLayer) {
                for (row, expectedRow) in zip(head, expectedHead) {
                    for (a, b) in zip(row, expectedRow) { worst = max(worst, abs(a - b)) }
                }
            }
        }
        #expect(logits.count == expected.logits.count && attention.count == expected.attn_weights.count)
        #expect(worst < 1e-9, "\(name): max difference \(worst)")
        print("\(name): logits and attention weights within \(worst) of the NumPy reference")
    }
}
