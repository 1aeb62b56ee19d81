import Diagnostics
import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// Every kind of broken model file gets one clear error naming the file, the field and what
/// was expected; nothing traps.
@Suite struct BadModelFileTests {
    static let seedText = String(decoding: FileManager.default.contents(atPath: RepoPaths.seedModel)!, as: UTF8.self)

    /// The seed's text with one replacement (which must apply), parsed as `Models/x.json`.
    func error(replacing old: String, with new: String) -> Diagnostic? {
        #expect(Self.seedText.contains(old), "fixture edit does not apply: \(old)")
        return error(in: Self.seedText.replacingOccurrences(of: old, with: new))
    }

    func error(in text: String) -> Diagnostic? {
        do {
            _ = try ModelLoader.parse(Array(text.utf8), file: "Models/x.json")
            return nil
        } catch {
            return error
        }
    }

    static let vocabList = "\"the\", \"cat\", \"sat\", \"on\", \"mat\", \"dog\""

    static let cases: [(String, String, String)] = [
        // (what, replacement applied to the seed, expected message)
        ("wrong shape", "[[0.5, 0.2, -0.3, 0.1], [-0.2, 0.4, 0.1, 0.3], [0.1, -0.1, 0.5, 0.2], [0.3, 0.2, -0.1, 0.4]]|[[0.5, 0.2, -0.3], [-0.2, 0.4, 0.1], [0.1, -0.1, 0.5], [0.3, 0.2, -0.1]]",
         "Models/x.json:32:16: weights.layers[0].W_q is 4×3, expected 4×4 (d_model × d_model)"),
        ("ragged rows", "[0.1, 0.0, 0.1, 0.0],|[0.1, 0.0, 0.1],",
         "Models/x.json:26:7: weights.pos_emb[1] has 4 numbers but row 0 has 3: rows are ragged, expected 4 numbers (d_model) in every row"),
        ("too few rows", ",\n      [0.2, 0.3, -0.2, 0.4]|",
         "Models/x.json:16:16: weights.tok_emb is 5×4, expected 6×4 (vocab size × d_model)"),
        ("a non-number", "[0.1, 0.0, 0.1, 0.0],|[0.1, \"0.0\", 0.1, 0.0],",
         "Models/x.json:25:13: weights.pos_emb[0][1] is a string, expected a number"),
        ("not finite", "[0.1, 0.0, 0.1, 0.0],|[0.1, 1e999, 0.1, 0.0],",
         "Models/x.json:25:13: weights.pos_emb[0][1] is too large to be a finite number, expected a finite number"),
        ("missing key", "\"W_o\"|\"W_O\"",
         "Models/x.json:35:16: weights.layers[0].W_O is not a known key; expected one of: W_q, W_k, W_v, W_o, W_1, W_2, b_q, b_k, b_v, b_o, b_1, b_2, ln1_gamma, ln1_beta, ln2_gamma, ln2_beta"),
        ("missing section", "\"prompt\": { \"text\": \"the cat sat on\", \"target\": \"mat\" }|\"prompt_\": 1",
         "Models/x.json:47:14: prompt_ is not a known key; expected one of: name, description, vocab, tokenizer, config, weights, prompt, training"),
        ("empty vocab entry", "\"mat\", \"dog\"]|\"\", \"dog\"]",
         "Models/x.json:3:40: vocab[4] is an empty string, expected a word"),
        ("duplicate vocab entry", "\"mat\", \"dog\"]|\"mat\", \"cat\"]",
         "Models/x.json:3:47: vocab[5] \"cat\" is a duplicate of vocab[1], expected unique words"),
        ("heads do not divide d_model", "\"n_heads\": 1|\"n_heads\": 3",
         "Models/x.json:7:16: config.n_heads is 3, which does not divide d_model (4); expected a divisor of d_model"),
        ("n_layers differs", "\"n_layers\": 1|\"n_layers\": 2",
         "Models/x.json:30:15: weights.layers has 1 layer(s), expected 2 (config.n_layers)"),
        ("prompt word not in vocabulary", "\"text\": \"the cat sat on\"|\"text\": \"the cow sat on\"",
         "Models/x.json:47:23: prompt.text has \"cow\" (token 1), which is not in the vocabulary; expected one of: \(vocabList)"),
        ("prompt too long", "\"text\": \"the cat sat on\"|\"text\": \"the cat sat on the mat\"",
         "Models/x.json:47:23: prompt.text has 6 tokens, expected at most 4 (config.max_positions)"),
        ("empty prompt", "\"text\": \"the cat sat on\"|\"text\": \"  \"",
         "Models/x.json:47:23: prompt.text is empty, expected at least one token"),
        ("target not in vocabulary", "\"target\": \"mat\"|\"target\": \"rug\"",
         "Models/x.json:47:51: prompt.target is \"rug\", which is not in the vocabulary; expected one of: \(vocabList)"),
        ("unknown activation", "\"relu\"|\"swish\"",
         "Models/x.json:11:19: config.activation is \"swish\", expected \"relu\", \"gelu\" (tanh approximation) or \"gelu_exact\" (erf)"),
        ("unknown tokenizer", "\"tokenizer\": \"words\"|\"tokenizer\": \"bpe\"",
         "Models/x.json:4:16: tokenizer is \"bpe\", expected \"words\" or \"chars\""),
        ("eps zero", "\"layer_norm_eps\": 1e-5|\"layer_norm_eps\": 0",
         "Models/x.json:12:23: config.layer_norm_eps is 0.0, expected a number > 0"),
        ("eps negative", "\"layer_norm_eps\": 1e-5|\"layer_norm_eps\": -1e-5",
         "Models/x.json:12:23: config.layer_norm_eps is -1e-05, expected a number > 0"),
        ("fractional size", "\"d_ff\": 4|\"d_ff\": 4.5",
         "Models/x.json:9:13: config.d_ff is 4.5, expected a whole number from 1 to 1000000"),
        ("bias of wrong length", "\"W_q\":|\"b_q\": [0, 0], \"W_q\":",
         "Models/x.json:32:16: weights.layers[0].b_q has 2 numbers, expected 4 (d_model)"),
        ("not JSON", "\"d_model\": 4,|\"d_model\": 4,,",
         "Models/x.json:6:18: is not valid JSON: unexpected ',', expected a key in double quotes"),
        ("final_layer_norm not a boolean", "\"final_layer_norm\": false|\"final_layer_norm\": \"no\"",
         "Models/x.json:13:25: config.final_layer_norm is a string, expected true or false"),
    ]

    @Test(arguments: cases.indices)
    func brokenFileGivesOneClearError(_ index: Int) {
        let (what, edit, expected) = Self.cases[index]
        let parts = edit.components(separatedBy: "|")
        let got = error(replacing: parts[0], with: parts[1])
        #expect(got?.description == expected, "\(what)")
    }

    /// Every value knows its line and column, columns counting characters: the accented,
    /// three-byte and four-byte characters of a string before it on its line count one each.
    @Test func valuePositionsCountCharacters() throws {
        let text = "{\"a\": \"é€😀\", \"b\": [1, \"ü\", 2],\n \"c\": 2}"
        let root = try JSONParser.parse(Array(text.utf8))
        let a = try #require(root["a"]), b = try #require(root["b"]), c = try #require(root["c"])
        guard case .array(let items) = b.value else { Issue.record("b is not an array"); return }
        #expect([a, b, items[0], items[1], items[2], c].map { [$0.line, $0.column] }
                == [[1, 7], [1, 19], [1, 20], [1, 23], [1, 28], [2, 7]])
    }

    @Test func fileNotFound() {
        #expect(throws: Diagnostic(file: "Models/nope.json", message: "not found: no model file at this path")) {
            try ModelLoader.load(path: "Models/nope.json")
        }
    }

    @Test func folderInsteadOfFile() {
        #expect(throws: Diagnostic(file: RepoPaths.path("Models"), message: "is a folder, expected a model file (JSON)")) {
            try ModelLoader.load(path: RepoPaths.path("Models"))
        }
    }

    @Test func missingRequiredKey() {
        let text = Self.seedText.replacingOccurrences(of: "\"W_lm\"", with: "\"lnf_gamma\"")
        #expect(error(in: text)?.description == "Models/x.json:15:14: weights.W_lm is missing")
    }

    @Test func notUTF8() {
        #expect(error(in: "") != nil)
        do {
            _ = try ModelLoader.parse([0xFF, 0xFE, 0x00], file: "m.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "m.json: is not UTF-8 text, expected a JSON model file")
        }
    }

    @Test func emptyFileAndTruncatedFile() {
        #expect(error(in: "")?.description == "Models/x.json:1:1: is not valid JSON: unexpected end of file, expected a value")
        let truncated = String(Self.seedText.prefix(200))
        #expect(error(in: truncated)?.description.hasPrefix("Models/x.json:") == true)
        #expect(error(in: truncated)?.description.contains("is not valid JSON: unexpected end of file") == true)
    }

    @Test func wrongTypesAnywhereNeverTrap() {
        // Replace every value in turn by something of the wrong kind: each gives an error, none traps.
        let replacements = ["null", "true", "\"x\"", "[]", "{}", "-1", "[[1]]"]
        for value in ["4", "0.5", "\"relu\"", "false", "\"the cat sat on\"", "\"mat\""] {
            guard let range = Self.seedText.range(of: value) else { continue }
            for replacement in replacements {
                var text = Self.seedText
                text.replaceSubrange(range, with: replacement)
                _ = error(in: text)   // must return, not trap
            }
        }
        #expect(error(in: "[1, 2, 3]")?.description == "Models/x.json:1:1: is an array, expected an object")
        #expect(error(in: String(repeating: "[", count: 5000))?.description.contains("nesting deeper") == true)
    }

    @Test func vocabularyWithWhitespaceIsRefusedForWords() {
        let text = Self.seedText.replacingOccurrences(of: "\"dog\"]", with: "\"big dog\"]")
        #expect(error(in: text)?.description == "Models/x.json:3:47: vocab[5] \"big dog\" contains whitespace, which the words tokenizer splits on")
    }

    @Test func promptOverrideIsCheckedLikeTheFile() throws {
        let model = try ModelLoader.load(path: RepoPaths.seedModel).model
        let builder = PromptBuilder(model: model, file: "Models/seed.json")
        let prompt = try builder.make(text: "the dog", target: "sat", textSource: ("--text", nil, nil), targetSource: ("--target", nil, nil))
        #expect(prompt.ids == [0, 5])
        #expect(prompt.targetID == 2)
        #expect(throws: Diagnostic(file: "Models/seed.json", field: "--text", message: "has \"cow\" (token 0), which is not in the vocabulary; expected one of: \(Self.vocabList)")) {
            try builder.make(text: "cow", target: nil, textSource: ("--text", nil, nil))
        }
    }
}
