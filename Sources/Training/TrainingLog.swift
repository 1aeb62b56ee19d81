import FoundationEssentials
import Diagnostics
import Glibc

/// One logged step of a run.
public struct LoggedStep: Sendable, Equatable {
    public var step: Int
    public var trainLoss: Double
    /// The mean loss of the fixed validation windows; nil when nothing is held out.
    public var validationLoss: Double?
    public var learningRate: Double
    public var tokensPerSecond: Double
}

/// `training.json`: who wrote the folder, the options, the split, and the curve.
struct TrainingLog {
    static let fileName = "training.json"
    /// The marker that lets `sitegen train` reuse an output folder.
    static let madeBy = "sitegen train"

    var corpus: String
    var options: TrainingOptions
    var trainTokens: Int
    var validationTokens: Int
    var vocabularySize: Int
    /// −Σ p ln p of the held-out tokens' own frequencies (nats): the loss of the best model
    /// that ignores context.
    var validationUnigramEntropy: Double?
    var steps: [LoggedStep] = []
    var stepsDone = 0
    var stopped = false

    var json: String {
        func number(_ x: Double?) -> String { x.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
        let entries = steps.map { s in
            "{\"step\": \(s.step), \"train_loss\": \(number(s.trainLoss)), \"val_loss\": \(number(s.validationLoss)), \"learning_rate\": \(number(s.learningRate)), \"tokens_per_second\": \(number(s.tokensPerSecond.rounded()))}"
        }
        let options = "{" + self.options.json.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        return """
        {
          "made_by": "\(Self.madeBy)",
          "corpus": \(jsonString(corpus)),
          "options": \(options),
          "vocab_size": \(vocabularySize),
          "train_tokens": \(trainTokens),
          "val_tokens": \(validationTokens),
          "val_unigram_entropy": \(number(validationUnigramEntropy)),
          "steps_done": \(stepsDone),
          "stopped_early": \(stopped),
          "log": [
        \(entries.map { "    " + $0 }.joined(separator: ",\n"))
          ]
        }

        """
    }

    /// Whether `folder/training.json` says sitegen train made the folder.
    /// The one field of training.json that says who wrote it.
    private struct Stamp: Decodable {
        var madeBy: String?
        enum CodingKeys: String, CodingKey { case madeBy = "made_by" }
    }

    static func isMadeBySitegen(_ folder: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: joinedPath(folder, fileName)),
              let stamp = try? JSONDecoder().decode(Stamp.self, from: data) else { return false }
        return stamp.madeBy == madeBy
    }

    static func unigramEntropy(_ ids: [Int]) -> Double? {
        guard !ids.isEmpty else { return nil }
        var counts: [Int: Int] = [:]
        for id in ids { counts[id, default: 0] += 1 }
        let n = Double(ids.count)
        return counts.keys.sorted().reduce(0) { h, id in let p = Double(counts[id]!) / n; return h - p * log(p) }
    }
}

/// A JSON string literal (quotes, backslashes and control characters escaped).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
