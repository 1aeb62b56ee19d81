import Checkpoints
import Foundation
import Testing
@testable import Training

@Suite struct TrainerTests {
    static let corpus = String(repeating: "the cat sat on the mat. the dog sat on the rug.\n", count: 12)

    static func options() -> TrainingOptions {
        var o = TrainingOptions()
        (o.tokenizer, o.dModel, o.layers, o.heads, o.context, o.steps, o.batch, o.checkpointEvery) = (.words, 8, 1, 2, 8, 6, 2, 3)
        return o
    }

    static func writeCorpus(_ text: String) throws -> String {
        let path = Paths.temporary("corpus.txt")
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func sameInputsGiveTheSameBytesAndTheFolderReadsBack() throws {
        let corpus = try Self.writeCorpus(Self.corpus)
        let (a, b) = (Paths.temporary(), Paths.temporary())
        let summary = try Trainer(corpus: corpus, options: Self.options(), output: a).run(output: a)
        _ = try Trainer(corpus: corpus, options: Self.options(), output: b).run(output: b)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a + "/model.safetensors"))
        #expect(bytesA == (try Data(contentsOf: URL(fileURLWithPath: b + "/model.safetensors"))))
        #expect(summary.stepsDone == 6)
        #expect(summary.log.map(\.step) == [1, 2, 3, 4, 5, 6])

        // Read back by sitegen's checkpoint reader: the trained weights, rounded to F32, bit for bit.
        let checkpoint = try GPT2Checkpoint.read(a)
        let file = try SafeTensorsFile.read(path: a + "/model.safetensors")
        for tensor in summary.parameters.tensors {
            let read = try file.tensor("transformer." + tensor.name)
            #expect(read.values.map { Float($0).bitPattern } == tensor.values.map { Float($0).bitPattern }, "\(tensor.name)")
        }
        #expect(checkpoint.config == summary.parameters.config)
        #expect(checkpoint.tokenizer.encode("the cat sat") == [1, 5, 4])
        // Another seed trains another model.
        var other = Self.options()
        other.seed = 1
        let c = Paths.temporary()
        _ = try Trainer(corpus: corpus, options: other, output: c).run(output: c)
        #expect(bytesA != (try Data(contentsOf: URL(fileURLWithPath: c + "/model.safetensors"))))
        // The folder may be trained into again: sitegen train made it.
        #expect(throws: Never.self) { _ = try Trainer(corpus: corpus, options: Self.options(), output: a) }
    }

    @Test func stoppingLeavesAWholeCheckpoint() throws {
        let corpus = try Self.writeCorpus(Self.corpus)
        let out = Paths.temporary()
        var calls = 0
        let summary = try Trainer(corpus: corpus, options: Self.options(), output: out)
            .run(output: out, shouldStop: { calls += 1; return calls > 2 })
        #expect(summary.stopped)
        #expect(summary.stepsDone == 2)
        let checkpoint = try GPT2Checkpoint.read(out)
        #expect(checkpoint.weights.tokenEmbedding.values.map { Float($0) }
                == summary.parameters.tensors[0].values.map { Float($0) })
        let log = try String(contentsOfFile: out + "/training.json", encoding: .utf8)
        #expect(log.contains("\"stopped_early\": true"))
        #expect(log.contains("\"steps_done\": 2"))
    }

    @Test func trainingLearnsTheToyCorpus() throws {
        let corpus = try Self.writeCorpus(Self.corpus)
        var o = Self.options()
        (o.steps, o.learningRate, o.valFraction) = (60, 1e-2, 0.2)
        let out = Paths.temporary()
        let summary = try Trainer(corpus: corpus, options: o, output: out).run(output: out)
        let first = summary.log.first!.validationLoss!, last = summary.log.last!.validationLoss!
        #expect(last < first / 2)
        #expect(last < summary.validationUnigramEntropy!)
    }

    func failure(_ corpusText: String?, output: String? = nil, _ change: (inout TrainingOptions) -> Void = { _ in }) throws -> String? {
        let corpus = try corpusText.map(Self.writeCorpus) ?? "/nonexistent/corpus.txt"
        var o = Self.options()
        change(&o)
        let out = output ?? Paths.temporary()
        do {
            _ = try Trainer(corpus: corpus, options: o, output: out)
            return nil
        } catch {
            #expect(!FileManager.default.fileExists(atPath: out + "/model.safetensors"), "nothing written")
            return error.description.replacingOccurrences(of: corpus, with: "CORPUS")
        }
    }

    @Test func badInputIsOneMessage() throws {
        #expect(try failure("") == "CORPUS: is empty, expected text to train on")
        #expect(try failure("the cat sat") == "CORPUS: has 3 tokens (words), 3 of them for training after holding out --val-fraction 0.1; expected at least --context + 1 = 9 training tokens")
        let notUTF8 = try Self.writeCorpus("x")
        try Data("the cat\nsat \u{FF}".utf8.map { $0 == 0xC3 ? 0xFF : $0 }).write(to: URL(fileURLWithPath: notUTF8))
        var o = Self.options()
        o.steps = 1
        #expect(throws: (any Error).self) { _ = try Trainer(corpus: notUTF8, options: o, output: Paths.temporary()) }
        do { _ = try Trainer(corpus: notUTF8, options: o, output: Paths.temporary()) } catch {
            #expect(error.description == "\(notUTF8):2:5: is not UTF-8: byte 5 of line 2 (offset 12 in the file) is 0xFF, which does not start a valid UTF-8 character; expected a UTF-8 text file")
        }
        #expect(try failure(Self.corpus) { $0.heads = 3 } == "sitegen train: --heads is 3, which does not divide --d-model 8; expected a divisor of it (each head is d-model / heads wide)")
        #expect(try failure(Self.corpus) { ($0.tokenizer, $0.vocabSize) = (.bpe, 200) } == "sitegen train: --vocab-size is 200, expected at least 256: a byte-level BPE has one token for each of the 256 bytes before any merge")
        #expect(try failure(nil) == "CORPUS: does not exist, expected a UTF-8 text file to train on")

        let busy = Paths.temporary()
        try FileManager.default.createDirectory(atPath: busy, withIntermediateDirectories: true)
        try "mine".write(toFile: busy + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(try failure(Self.corpus, output: busy) == "\(busy): is not empty and was not made by sitegen train (no training.json from it); expected a new or empty folder, or one sitegen train wrote")
        #expect(try FileManager.default.contentsOfDirectory(atPath: busy) == ["notes.txt"])
    }
}
