import Foundation
import Testing
@testable import Checkpoints

/// tokenizer.json is read as the kind it declares, and its tokens read as text.
@Suite struct TokenizerKindsTests {
    func read(_ name: String) throws -> any TextTokenizer {
        try TokenizerFiles.read(tokenizerJSON: Fixtures.path(name == "tokenizer" ? "tokenizer/tokenizer.json" : "tokenizer/\(name).tokenizer.json"))
    }

    @Test func eachKindIsRecognised() throws {
        #expect(try read("tokenizer") is ByteLevelBPE)
        #expect(try read("words") is WordLevelTokenizer)
        #expect(try read("words-split") is WordLevelTokenizer)
        #expect(try read("chars") is CharacterLevelBPE)
        let path = Fixtures.path("tokenizer/words.tokenizer.json")
        #expect(checkpointError { _ = try ByteLevelBPE.read(tokenizerJSON: path, shownAs: "words.json") }
                == "words.json: is a WordLevelTokenizer tokenizer, expected byte-level BPE (model BPE with a ByteLevel pre-tokenizer)")
    }

    @Test func wordsAndCharactersReadAsText() throws {
        let words = try read("words")
        let tokens = words.tokens("The cat zebra.")
        #expect(tokens.map(\.raw) == ["The", "cat", "[UNK]", "."])
        #expect(tokens.map(\.display) == ["The", "cat", "[UNK]", "."])
        let chars = try read("chars")
        #expect(chars.tokens("a b\n").map(\.display) == ["a", "␣", "b", "↵"])
        #expect(chars.tokens("e\u{301}").count == 2)  // one token per Unicode scalar, as Rust's chars
        #expect(chars.display(id: chars.idCount + 3) == "<id \(chars.idCount + 3)>")
    }

    @Test func unsupportedPreTokenizerIsNamed() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var text = try String(contentsOfFile: Fixtures.path("tokenizer/words.tokenizer.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"type\": \"Whitespace\"", with: "\"type\": \"Metaspace\"")
        try text.write(toFile: folder + "/t.json", atomically: true, encoding: .utf8)
        #expect(checkpointError { _ = try TokenizerFiles.read(tokenizerJSON: folder + "/t.json", shownAs: "t.json") }
                == "t.json: key pre_tokenizer is \"Metaspace\", expected ByteLevel, Whitespace, WhitespaceSplit or null")
    }

    /// A vocabulary with problems names the first by token, whatever order the file has them in
    /// (a good one is read in the object's own order, a bad one again sorted).
    @Test func theFirstBadVocabularyEntryByTokenIsNamed() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func message(_ vocab: String) throws -> String? {
            let text = "{\"model\": {\"type\": \"BPE\", \"vocab\": \(vocab), \"merges\": []}}"
            try text.write(toFile: folder + "/t.json", atomically: true, encoding: .utf8)
            return checkpointError { _ = try TokenizerFiles.read(tokenizerJSON: folder + "/t.json", shownAs: "t.json") }
        }
        #expect(try message("{\"c\": 1, \"b\": 0, \"a\": 1}") == "t.json: key model.vocab[\"c\"] has id 1, which \"a\" has too; expected one token an id")
        #expect(try message("{\"z\": -1, \"y\": \"x\", \"w\": 0}") == "t.json: key model.vocab[\"y\"] is a string, expected an id ≥ 0")
        #expect(try message("{\"z\": 2, \"y\": -3, \"w\": 0}") == "t.json: key model.vocab[\"y\"] is negative, expected an id ≥ 0")
    }
}
