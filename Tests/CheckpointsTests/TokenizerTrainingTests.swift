import Foundation
import Testing
@testable import Checkpoints

/// The tokenizers `sitegen train` learns. `Tests/Reference/trained_tokenizers.py` loads the
/// committed `tokenizer.json` files with Hugging Face `tokenizers` and writes the ids it gives
/// the corpus; these tests hold sitegen to both.
@Suite struct TokenizerTrainingTests {
    static let corpusPath = Fixtures.root + "/Corpus/cats-and-dogs.txt"
    static let folder = Fixtures.root + "/Tests/Reference/fixtures/trained-tokenizers"

    static func train(_ kind: TrainedTokenizer.Kind) throws -> TrainedTokenizer {
        try TrainedTokenizer.train(kind, on: String(contentsOfFile: corpusPath, encoding: .utf8), vocabSize: 512)
    }

    struct Ids: Decodable { let ids: [Int] }

    /// Set SITEGEN_WRITE_TOKENIZER_FIXTURES=1 to rewrite the tokenizer.json fixtures (then run
    /// trained_tokenizers.py for the ids).
    @Test(arguments: TrainedTokenizer.Kind.allCases)
    func trainedTokenizerIsTheFixtureAndGivesTokenizersIds(kind: TrainedTokenizer.Kind) throws {
        let trained = try Self.train(kind)
        let path = "\(Self.folder)/\(kind.rawValue).tokenizer.json"
        if ProcessInfo.processInfo.environment["SITEGEN_WRITE_TOKENIZER_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(atPath: Self.folder, withIntermediateDirectories: true)
            try trained.json.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == trained.json, "trained tokenizer differs from the fixture")
        let corpus = try String(contentsOfFile: Self.corpusPath, encoding: .utf8)
        let reference = try JSONDecoder().decode(Ids.self, from: Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/\(kind.rawValue).ids.json")))
        let ids = trained.tokenizer.encode(corpus)
        #expect(ids.count == reference.ids.count)
        #expect(ids == reference.ids, "first difference at \(Array(zip(ids, reference.ids)).firstIndex { $0.0 != $0.1 } ?? -1)")
    }

    @Test func bpeLearnsTheCorpusWords() throws {
        let bpe = try Self.train(.bpe)
        // The corpus has few distinct words: merging stops when every word is one token.
        #expect(bpe.vocabularySize == 406)
        let corpus = try String(contentsOfFile: Self.corpusPath, encoding: .utf8)
        #expect(GPT2PreTokenizer.split(Array(corpus.unicodeScalars)).allSatisfy { bpe.tokenizer.encode(String(String.UnicodeScalarView($0))).count == 1 })
        #expect(try TrainedTokenizer.train(.bpe, on: corpus, vocabSize: 300).vocabularySize == 300)
        let tokens = bpe.tokenizer.tokens("the cat sat on the mat.").map(\.display)
        #expect(tokens == ["the", "␣cat", "␣sat", "␣on", "␣the", "␣mat", "."])
        let words = try Self.train(.words)
        #expect(words.tokenizer.tokens("the cat sat on the zebra.").map(\.raw) == ["the", "cat", "sat", "on", "the", "[UNK]", "."])
        #expect(words.tokenizer.raw(id: 0) == "[UNK]")
        #expect(words.tokenizer.raw(id: 1) == "the")  // most frequent first
        let chars = try Self.train(.chars)
        #expect(chars.tokenizer.tokens("cat!").map(\.raw) == ["c", "a", "t", "[UNK]"])
    }

    /// "aaab": (a, a) occurs twice, so it merges first; then (aa, a) and (a, b) tie once each and
    /// the pair with the smaller ids, (a, b) = (97, 98), wins over (256, 97).
    @Test func mostFrequentPairFirstThenSmallerIds() {
        let result = BytePairTrainer.train("aaab", vocabSize: 258)
        #expect(result.merges.map { [$0.0, $0.1] } == [["a", "a"], ["a", "b"]])
        #expect(result.tokens.suffix(2) == ["aa", "ab"])
        #expect(BytePairTrainer.train("aaab", vocabSize: 900).tokens.count == 259)  // stops when nothing is left to merge
        #expect(BytePairTrainer.train(" the the", vocabSize: 300).tokens[256] == "Ġ" + "t")
    }

    @Test func vocabularyTooSmallForTheBytes() {
        #expect(checkpointError { _ = try TrainedTokenizer.train(.bpe, on: "abc", vocabSize: 255) }
                == "--vocab-size: is 255, expected at least 256: a byte-level BPE has one token for each of the 256 bytes before any merge")
    }

    @Test func trainingIsDeterministic() throws {
        let text = "who sat on the mat? the cat sat on the mat. the dog sat on the rug.\n"
        let a = try TrainedTokenizer.train(.bpe, on: text, vocabSize: 300).json
        let b = try TrainedTokenizer.train(.bpe, on: text, vocabSize: 300).json
        #expect(a == b)
    }
}
