import Diagnostics
import FoundationEssentials

/// A checkpoint folder's `training.json`, as `sitegen train` writes it: the run's options and
/// its logged train and validation losses. The training page draws the curve.
struct TrainingRecord: Sendable, Equatable, Decodable {
    struct Options: Sendable, Equatable, Decodable {
        var steps: Int
        var batch: Int
        var context: Int
        var learningRate: Double
        var tokenizer: String
    }
    struct Step: Sendable, Equatable, Decodable {
        var step: Int
        /// nil when it was not finite (the run diverged).
        var trainLoss: Double?
        /// nil when nothing was held out.
        var valLoss: Double?
    }

    var corpus: String
    var options: Options
    var trainTokens: Int
    var valTokens: Int
    /// The held-out text's unigram entropy (nats): the loss of the best model blind to context.
    var valUnigramEntropy: Double?
    var stepsDone: Int
    var stoppedEarly: Bool
    var log: [Step]

    static let fileName = "training.json"

    /// The tokens the run trained on: steps × batch × context.
    var tokensSeen: Int { stepsDone * options.batch * options.context }

    /// `folder/training.json` when there is one; nil when the folder has none (or `folder` is a file).
    static func read(folder: String) throws(Diagnostic) -> TrainingRecord? {
        let path = joinedPath(folder, fileName)
        var isFolder = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder,
              FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic(file: path, message: "cannot be read")
        }
        return try parse(data, file: path)
    }

    static func parse(_ data: Data, file: String) throws(Diagnostic) -> TrainingRecord {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let record: TrainingRecord
        do {
            record = try decoder.decode(TrainingRecord.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw Diagnostic(file: file, field: fieldName(context.codingPath + [key]), message: "is missing, expected the field sitegen train writes")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw Diagnostic(file: file, field: fieldName(context.codingPath), message: "has the wrong type, expected what sitegen train writes")
        } catch {
            throw Diagnostic(file: file, message: "is not valid JSON, expected the training log sitegen train writes")
        }
        guard !record.log.isEmpty else { throw Diagnostic(file: file, field: "log", message: "is empty, expected at least one logged step") }
        for (i, step) in record.log.enumerated() where step.step < 0 || (i > 0 && step.step <= record.log[i - 1].step) {
            throw Diagnostic(file: file, field: "log[\(i)].step", message: "is \(step.step), expected steps that increase from 0 or more")
        }
        return record
    }

    /// `log[3].train_loss` from a decoding path.
    static func fieldName(_ path: [any CodingKey]) -> String {
        path.reduce("") { name, key in
            if let index = key.intValue { return name + "[\(index)]" }
            let snake = key.stringValue.reduce("") { $0 + ($1.isUppercase ? "_" + $1.lowercased() : String($1)) }
            return name.isEmpty ? snake : name + "." + snake
        }
    }
}
