import Foundation
import Testing
@testable import SiteBuilder

/// A valid model file of any shape, every weight 0.1: the words are `w0 w1 …`.
func tinyModelJSON(layers: Int = 1, dModel: Int = 1, dFF: Int = 1, vocab: [String] = ["a", "b"], positions: Int = 4,
                   prompt: String = "a b", target: String? = "a", name: String = "tiny") -> String {
    func matrix(_ rows: Int, _ cols: Int) -> String {
        "[" + Array(repeating: "[" + Array(repeating: "0.1", count: cols).joined(separator: ",") + "]", count: rows).joined(separator: ",") + "]"
    }
    func string(_ s: String) -> String { String(decoding: try! JSONEncoder().encode(s), as: UTF8.self) }
    let layer = "{\"W_q\":\(matrix(dModel, dModel)),\"W_k\":\(matrix(dModel, dModel)),\"W_v\":\(matrix(dModel, dModel)),"
        + "\"W_o\":\(matrix(dModel, dModel)),\"W_1\":\(matrix(dModel, dFF)),\"W_2\":\(matrix(dFF, dModel))}"
    return """
    {"name": \(string(name)), "vocab": [\(vocab.map(string).joined(separator: ","))], "tokenizer": "words",
     "config": {"d_model": \(dModel), "n_heads": 1, "n_layers": \(layers), "d_ff": \(dFF), "max_positions": \(positions),
                "activation": "relu", "layer_norm_eps": 1e-5, "final_layer_norm": false},
     "weights": {"tok_emb": \(matrix(vocab.count, dModel)), "pos_emb": \(matrix(positions, dModel)),
                 "layers": [\(Array(repeating: layer, count: layers).joined(separator: ","))], "W_lm": \(matrix(dModel, vocab.count))},
     "prompt": {"text": \(string(prompt)), "target": \(target.map(string) ?? "null")}}
    """
}

@Suite struct ModelLimitsTests {
    /// Builds `json` into a fresh folder; the problems, or [] when it built.
    func buildProblems(_ json: String, text: String? = nil, target: String? = nil) throws -> [String] {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let model = tmp.sub("model.json")
        try json.write(toFile: model, atomically: false, encoding: .utf8)
        do {
            try SiteBuild.run(options(model: model, output: tmp.sub("Site"), text: text, target: target))
            return []
        } catch {
            #expect(!FileManager.default.fileExists(atPath: tmp.sub("Site")))
            return error.problems.map { $0.message }
        }
    }

    @Test func stringsNoPageCanHoldAreRefusedNamingTheField() throws {
        #expect(try buildProblems(tinyModelJSON(name: "bad \u{FFFE}")) == ["name holds U+FFFE at character 5, which no page can hold (XML 1.0 forbids it)"])
        #expect(try buildProblems(tinyModelJSON(vocab: ["a", "b", "c", "d\u{1}"])) == ["vocab[3] holds U+0001 at character 2, which no page can hold (XML 1.0 forbids it)"])
        #expect(try buildProblems(tinyModelJSON(vocab: ["a", "b\u{FFFF}"], prompt: "a", target: "b\u{FFFF}")) == [
            "vocab[1] holds U+FFFF at character 2, which no page can hold (XML 1.0 forbids it)",
            "prompt.target holds U+FFFF at character 2, which no page can hold (XML 1.0 forbids it)",
        ])
        // Tab, line feed and characters beyond the BMP are fine.
        #expect(try buildProblems(tinyModelJSON(name: "tab\there\nnew line 𝛼")) == [])
    }

    @Test func stringsOverTheirLengthLimitAreRefused() throws {
        let long = String(repeating: "x", count: ModelLimits.maxNameLength + 1)
        #expect(try buildProblems(tinyModelJSON(name: long)) == ["name is 1,001 characters long, over the limit of 1,000 (ModelLimits.maxNameLength lifts it)"])
        let word = String(repeating: "w", count: ModelLimits.maxWordLength + 1)
        #expect(try buildProblems(tinyModelJSON(vocab: ["a", word], prompt: "a")) == ["vocab[1] is 257 characters long, over the limit of 256 (ModelLimits.maxWordLength lifts it)"])
    }

    @Test func hugeButValidModelsAreRefusedAtOnce() throws {
        // 3,000 layers of d_model 1 (a 355 KB file that once ran out of memory after 86 s).
        #expect(try buildProblems(tinyModelJSON(layers: 3_000)) == ["config.n_layers is 3,000, over the limit of 96 (ModelLimits.maxLayers lifts it)"])
        // A 5,000-token prompt.
        let prompt = Array(repeating: "a", count: 5_000).joined(separator: " ")
        #expect(try buildProblems(tinyModelJSON(positions: 5_000, prompt: prompt)) == [
            "prompt.text is 5,000 tokens, over the limit of 256 tokens (ModelLimits.maxPromptTokens lifts it)",
            "prompt.text is 9,999 characters long, over the limit of 4,096 (ModelLimits.maxPromptLength lifts it)",
        ])
        // Layers × tokens, from --text too.
        let sixty = Array(repeating: "a", count: 60).joined(separator: " ")
        #expect(try buildProblems(tinyModelJSON(layers: 20, positions: 64), text: sixty) == [
            "config.n_layers × --text tokens is 20 × 60 = 1,200, over the limit of 1,024: the site has pages for every layer and token (ModelLimits.maxLayerTokens lifts it; a shorter prompt or fewer layers fit)",
        ])
    }

    @Test func gpt2SmallWithA64TokenPromptIsWithinEveryLimit() {
        let gpt2 = ModelLimits.Shape(layers: 12, dModel: 768, dFF: 3_072, vocab: 50_257, positions: 1_024, promptTokens: 64)
        #expect(ModelLimits.sizeProblems(gpt2).isEmpty)
        var over = gpt2
        over.dModel = 4_096
        over.vocab = 100_000
        #expect(ModelLimits.sizeProblems(over).map(\.field) == ["config.d_model", "vocab"])
    }
}
