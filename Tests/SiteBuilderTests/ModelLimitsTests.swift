import Foundation
import Testing
@testable import SiteBuilder

/// A valid model file of any shape, every weight 0.1: the words are `w0 w1 …`.
func tinyModelJSON(layers: Int = 1, dModel: Int = 1, heads: Int = 1, dFF: Int = 1, vocab: [String] = ["a", "b"], positions: Int = 4,
                   prompt: String = "a b", target: String? = "a", name: String = "tiny") -> String {
    func matrix(_ rows: Int, _ cols: Int) -> String {
        "[" + Array(repeating: "[" + Array(repeating: "0.1", count: cols).joined(separator: ",") + "]", count: rows).joined(separator: ",") + "]"
    }
    func string(_ s: String) -> String { String(decoding: try! JSONEncoder().encode(s), as: UTF8.self) }
    let layer = "{\"W_q\":\(matrix(dModel, dModel)),\"W_k\":\(matrix(dModel, dModel)),\"W_v\":\(matrix(dModel, dModel)),"
        + "\"W_o\":\(matrix(dModel, dModel)),\"W_1\":\(matrix(dModel, dFF)),\"W_2\":\(matrix(dFF, dModel))}"
    return """
    {"name": \(string(name)), "vocab": [\(vocab.map(string).joined(separator: ","))], "tokenizer": "words",
     "config": {"d_model": \(dModel), "n_heads": \(heads), "n_layers": \(layers), "d_ff": \(dFF), "max_positions": \(positions),
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
        #expect(try buildProblems(tinyModelJSON(name: long)) == ["name is 1,001 characters long, over the limit of 1,000 (a shorter name fits; no page title holds more)"])
        let word = String(repeating: "w", count: ModelLimits.maxWordLength + 1)
        #expect(try buildProblems(tinyModelJSON(vocab: ["a", word], prompt: "a")) == ["vocab[1] is 257 characters long, over the limit of 256 (a shorter word fits; no table cell holds more)"])
    }

    @Test func hugeButValidModelsAreRefusedAtOnce() throws {
        // 3,000 layers of d_model 1 (a 355 KB file that once ran out of memory after 86 s).
        #expect(try buildProblems(tinyModelJSON(layers: 3_000)) == ["config.n_layers is 3,000, over the limit of 96 (--max-layers lifts it)"])
        // A 5,000-token prompt.
        let prompt = Array(repeating: "a", count: 5_000).joined(separator: " ")
        #expect(try buildProblems(tinyModelJSON(positions: 5_000, prompt: prompt)) == [
            "prompt.text is 5,000 tokens, over the limit of 256 tokens (--max-prompt-tokens lifts it; a shorter prompt fits)",
            "prompt.text is 9,999 characters long, over the limit of 4,096 (--max-prompt-tokens lifts it, 16 characters a token; or a shorter prompt)",
        ])
        // Layers × tokens, from --text too.
        let sixty = Array(repeating: "a", count: 60).joined(separator: " ")
        #expect(try buildProblems(tinyModelJSON(layers: 20, positions: 64), text: sixty) == [
            "config.n_layers × --text tokens is 20 × 60 = 1,200, over the limit of 1,024: the site has pages for every layer and token (--max-layer-tokens lifts it; a shorter prompt or fewer layers fit)",
        ])
    }

    /// Every size limit names the option that lifts it, and the option does.
    @Test func eachSizeLimitNamesTheOptionThatLiftsIt() throws {
        let over = ModelLimits.Shape(layers: 97, dModel: 2_049, dFF: 8_193, vocab: 65_537, positions: 8_193, promptTokens: 257)
        #expect(ModelLimits.sizeProblems(over).map { "\($0.field) \($0.message)" } == [
            "config.n_layers is 97, over the limit of 96 (--max-layers lifts it)",
            "config.d_model is 2,049, over the limit of 2,048 (--max-d-model lifts it)",
            "config.d_ff is 8,193, over the limit of 8,192 (--max-d-ff lifts it)",
            "config.max_positions is 8,193, over the limit of 8,192 (--max-positions lifts it)",
            "vocab is 65,537 words, over the limit of 65,536 words (--max-vocab lifts it)",
            "prompt.text is 257 tokens, over the limit of 256 tokens (--max-prompt-tokens lifts it; a shorter prompt fits)",
        ])
        var lifted = SizeLimits()
        (lifted.layers, lifted.dModel, lifted.dFF, lifted.vocab, lifted.positions, lifted.promptTokens) = (97, 2_049, 8_193, 65_537, 8_193, 257)
        lifted.layerTokens = 97 * 257
        #expect(ModelLimits.sizeProblems(over, limits: lifted).isEmpty)
        lifted.layerTokens = 97 * 257 - 1
        #expect(ModelLimits.sizeProblems(over, limits: lifted).map(\.message) == [
            "is 97 × 257 = 24,929, over the limit of 24,928: the site has pages for every layer and token (--max-layer-tokens lifts it; a shorter prompt or fewer layers fit)",
        ])
        // A lifted prompt limit lifts its characters too, 16 a token.
        lifted.promptTokens = 1_000
        #expect(lifted.promptLength == 16_000 && SizeLimits().promptLength == 4_096)
    }

    /// `--max-layers 3000` builds the model the default limit refuses.
    @Test func anOptionLiftsItsLimitForTheBuild() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let model = tmp.sub("model.json")
        try tinyModelJSON(layers: 100).write(toFile: model, atomically: false, encoding: .utf8)
        var lifted = options(model: model, output: tmp.sub("Site"))
        lifted.limits.layers = 100
        lifted.limits.layerTokens = 200
        let built = try SiteBuild.render(lifted).files
        #expect(built["layer100-attention.html"] != nil)
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
