import Checkpoints
import Foundation
import Testing
import TransformerEngine
@testable import Training

/// Models/tiny, trained by `sitegen train` on Corpus/cats-and-dogs.txt, against what Hugging
/// Face transformers computes from the same folder (Tests/Reference/transformers_check.py).
@Suite struct ShippedModelTests {
    struct Fixture: Decodable {
        struct Result: Decodable { let prompt: String; let ids: [Int]; let next_id: Int; let next_token: String; let logits: [[Double]] }
        let results: [Result]
    }

    @Test func transformersAgreesWithSitegen() throws {
        let folder = Paths.root + "/Models/tiny"
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: Paths.root + "/Tests/Reference/fixtures/tiny.transformers.json")))
        let checkpoint = try GPT2Checkpoint.read(folder)
        let model = try GPT2Parameters.read(folder: folder).model()
        var worst = 0.0
        for result in fixture.results {
            let ids = checkpoint.tokenizer.encode(result.prompt)
            #expect(ids == result.ids, "\(result.prompt)")
            let trace = Transformer.forward(model, prompt: Prompt(ids: ids))
            for (row, expected) in zip(0..<trace.logits.rows, result.logits) {
                for (a, b) in zip(trace.logits.row(row), expected) { worst = max(worst, abs(a - b)) }
            }
            #expect(trace.predictionID == result.next_id, "\(result.prompt)")
        }
        // transformers computes in float32, sitegen in Double from the same float32 weights.
        #expect(worst < 1e-4)
        print("Models/tiny logits vs transformers: max difference \(worst)")
    }

    @Test func theCatSatOnTheMat() throws {
        let folder = Paths.root + "/Models/tiny"
        let checkpoint = try GPT2Checkpoint.read(folder)
        let model = try GPT2Parameters.read(folder: folder).model()
        for (prompt, expected) in [("the cat sat on the", "␣mat"), ("the dog sat on the", "␣rug"), ("the bird sat on the", "␣fence")] {
            let trace = Transformer.forward(model, prompt: Prompt(ids: checkpoint.tokenizer.encode(prompt)))
            #expect(checkpoint.tokenizer.display(id: trace.predictionID) == expected, "\(prompt)")
        }
    }
}
