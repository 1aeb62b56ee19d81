import Diagnostics
import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// The model file's optional `"training"` object: defaults, values, and one clear error each.
@Suite struct TrainingFileTests {
    static let seedText = String(decoding: FileManager.default.contents(atPath: RepoPaths.seedModel)!, as: UTF8.self)

    /// The seed with `"training": <value>` on a new line 48 after the prompt (value at column 15).
    func parse(training value: String) throws(Diagnostic) -> Model {
        let anchor = "\"target\": \"mat\" }"
        #expect(Self.seedText.contains(anchor))
        let text = Self.seedText.replacingOccurrences(of: anchor, with: anchor + ",\n  \"training\": " + value)
        return try ModelLoader.parse(Array(text.utf8), file: "Models/x.json")
    }

    func error(training value: String) -> String? {
        do {
            _ = try parse(training: value)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func absentNullAndPartialObjects() throws {
        #expect(try ModelLoader.parse(Array(Self.seedText.utf8), file: "Models/x.json").training == nil)
        #expect(try parse(training: "null").training == nil)
        #expect(try parse(training: "{}").training == TrainingConfig.default)
        #expect(try parse(training: "{\"learning_rate\": 0.5}").training == TrainingConfig(learningRate: 0.5, steps: TrainingConfig.default.steps))
        #expect(try parse(training: "{\"steps\": 7}").training == TrainingConfig(learningRate: TrainingConfig.default.learningRate, steps: 7))
        #expect(try parse(training: "{\"learning_rate\": 1e-3, \"steps\": 10000}").training == TrainingConfig(learningRate: 0.001, steps: 10000))
    }

    static let cases: [(String, String)] = [
        ("{\"learning_rate\": 0, \"steps\": 30}", "Models/x.json:48:33: training.learning_rate is 0.0, expected a number > 0"),
        ("{\"learning_rate\": -0.5}", "Models/x.json:48:33: training.learning_rate is -0.5, expected a number > 0"),
        ("{\"learning_rate\": \"0.5\"}", "Models/x.json:48:33: training.learning_rate is a string, expected a number"),
        ("{\"learning_rate\": 1e999}", "Models/x.json:48:33: training.learning_rate is too large to be a finite number, expected a finite number"),
        ("{\"steps\": 0}", "Models/x.json:48:25: training.steps is 0.0, expected a whole number from 1 to 10000"),
        ("{\"steps\": 2.5}", "Models/x.json:48:25: training.steps is 2.5, expected a whole number from 1 to 10000"),
        ("{\"steps\": 10001}", "Models/x.json:48:25: training.steps is 10001.0, expected a whole number from 1 to 10000"),
        ("{\"steps\": \"30\"}", "Models/x.json:48:25: training.steps is a string, expected a whole number from 1 to 10000"),
        ("{\"steps\": 30, \"epochs\": 2}", "Models/x.json:48:39: training.epochs is not a known key; expected one of: learning_rate, steps"),
        ("{\"steps\": 30, \"steps\": 31}", "Models/x.json:48:38: training.steps appears twice, expected each key once"),
        ("30", "Models/x.json:48:15: training is a number, expected an object"),
    ]

    @Test(arguments: cases.indices)
    func badTrainingObjectGivesOneClearError(_ index: Int) {
        let (value, expected) = Self.cases[index]
        #expect(error(training: value) == expected, "\(value)")
    }
}
