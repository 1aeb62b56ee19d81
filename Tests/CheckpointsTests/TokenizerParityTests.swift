import Foundation
import Testing
@testable import Checkpoints

/// The tokenizer gives Hugging Face `tokenizers`' ids on every one of the fixture's strings.
@Suite struct TokenizerParityTests {
    struct Strings: Decodable {
        let strings: [String]
        let ids: [[Int]]
        let extras_ids: [[Int]]
        let words_ids: [[Int]]?
        let words_split_ids: [[Int]]?
        let chars_ids: [[Int]]?
    }

    static let fixture = try! Fixtures.decode(Strings.self, "tokenizer/strings.json")

    /// Every mismatch, at most `limit` of them spelled out.
    func mismatches(_ tokenizer: any TextTokenizer, _ expected: [[Int]], limit: Int = 5) -> [String] {
        var out: [String] = []
        for (text, ids) in zip(Self.fixture.strings, expected) {
            let got = tokenizer.encode(text)
            if got != ids {
                out.append("\(quoted(text)): got \(got), expected \(ids)")
            }
        }
        return out
    }

    @Test func theFixtureCoversWhatTheIssueAsks() {
        let strings = Self.fixture.strings
        #expect(strings.count >= 1000)
        #expect(strings.contains(""))
        #expect(strings.contains { $0.contains("<|endoftext|>") && !$0.hasPrefix("<|endoftext|>") })
        #expect(strings.contains { $0.unicodeScalars.contains { $0.properties.isEmojiPresentation } })
        #expect(strings.contains { $0.unicodeScalars.contains { $0.properties.generalCategory == .nonspacingMark } })
        #expect(strings.contains("they've"))
        #expect(strings.contains { $0.contains("\n\n") })
    }

    @Test(arguments: ["tokenizer.json", "legacy.tokenizer.json"])
    func tokenizerJSON(_ name: String) throws {
        let tokenizer = try ByteLevelBPE.read(tokenizerJSON: Fixtures.path("tokenizer/" + name))
        let bad = mismatches(tokenizer, Self.fixture.ids)
        #expect(bad.isEmpty, "\(bad.count) of \(Self.fixture.strings.count) strings differ: \(bad.prefix(5).joined(separator: "; "))")
    }

    @Test func vocabAndMerges() throws {
        let tokenizer = try ByteLevelBPE.read(vocabJSON: Fixtures.path("tokenizer/vocab.json"),
                                              mergesText: Fixtures.path("tokenizer/merges.txt"))
        let bad = mismatches(tokenizer, Self.fixture.ids)
        #expect(bad.isEmpty, "\(bad.count) of \(Self.fixture.strings.count) strings differ: \(bad.prefix(5).joined(separator: "; "))")
    }

    /// add_prefix_space, and added tokens with lstrip, rstrip, single_word and normalized.
    @Test func addedTokenOptions() throws {
        let tokenizer = try ByteLevelBPE.read(tokenizerJSON: Fixtures.path("tokenizer/extras.tokenizer.json"))
        let bad = mismatches(tokenizer, Self.fixture.extras_ids)
        #expect(bad.isEmpty, "\(bad.count) of \(Self.fixture.strings.count) strings differ: \(bad.prefix(5).joined(separator: "; "))")
    }

    /// WordLevel (Whitespace and WhitespaceSplit) and one-token-per-character BPE, as issue 15 writes them.
    @Test(arguments: ["words", "words-split", "chars"])
    func plainTokenizers(_ name: String) throws {
        let tokenizer = try TokenizerFiles.read(tokenizerJSON: Fixtures.path("tokenizer/\(name).tokenizer.json"))
        let expected = try #require([
            "words": Self.fixture.words_ids, "words-split": Self.fixture.words_split_ids, "chars": Self.fixture.chars_ids,
        ][name] ?? nil)
        #expect(expected.count == Self.fixture.strings.count)
        let bad = mismatches(tokenizer, expected)
        #expect(bad.isEmpty, "\(bad.count) of \(Self.fixture.strings.count) strings differ: \(bad.prefix(5).joined(separator: "; "))")
    }
}
