import Foundation
import ModelFormats
import Testing
@testable import SiteBuilder

/// The playground of a site built from a checkpoint: model.js holds the weights in the model
/// file's form and the checkpoint's tokenizer.json, when engine.js can run both.
@Suite struct CheckpointPlaygroundTests {
    static let fixtures = CheckpointSiteTests.fixtures

    @Test func byteLevelBPECheckpointGetsAModelScript() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try CheckpointSiteTests.build(Self.fixtures + "/gpt2-f32", output: tmp.sub("Site"))
        let site = readTree(tmp.sub("Site"))
        let script = text(site["model.js"])
        #expect(script.contains("const sitegenModel = {"))
        #expect(script.contains("\"activation\": \"gelu\""))
        #expect(script.contains(";\nsitegenModel.bpe = {"), "the tokenizer.json follows the weights")
        let playground = text(site["playground.html"])
        #expect(playground.contains("<script src=\"model.js\"></script>"))
        #expect(playground.contains("from the checkpoint's weights and tokenizer, written into model.js. Type any text: the checkpoint&#39;s byte-level BPE tokenizer"))
        #expect(!playground.contains("href=\"model.json\""), "a checkpoint site has no model.json to link")
        #expect(playground.contains(">The cat sat on the mat.</textarea>"), "the text box holds the text, not ␣ tokens")
    }

    @Test func vocabAndMergesCheckpointGetsTheSameBPEData() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try CheckpointSiteTests.build(Self.fixtures + "/gpt2-f16", output: tmp.sub("Site"))
        let site = readTree(tmp.sub("Site"))
        let script = text(site["model.js"])
        #expect(script.contains(";\nsitegenModel.bpe = {\"model\": {\"type\": \"BPE\", \"vocab\": {"))
        let merges = try String(contentsOfFile: Self.fixtures + "/gpt2-f16/merges.txt", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#version") }
        #expect(script.contains("\"merges\": [\"\(merges[0])\", \"\(merges[1])\""), "merges.txt's lines, in order, after #version")
        #expect(script.contains("}, \"added_tokens\": [\n  {\n    \"content\": \"\\u003c|endoftext|\\u003e\"\n  }\n]\n};\n"), "JSON escapes < and >")
        #expect(text(site["playground.html"]).contains("<script src=\"model.js\"></script>"))
    }

    @Test func mergeLinesAreReadAsTheCheckpointReaderDoes() {
        #expect(ModelScript.Checkpoint.mergeLines(Array("#version: 0.2\r\nĠ t\r\nh e\n".utf8)) == ["Ġ t", "h e"])
        #expect(ModelScript.Checkpoint.mergeLines([]) == [])
    }

    @Test func exactGELUCheckpointIsOffered() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try CheckpointSiteTests.build(Self.fixtures + "/gpt2-bf16", output: tmp.sub("Site"))   // config: "gelu"
        let site = readTree(tmp.sub("Site"))
        #expect(text(site["model.js"]).contains("\"activation\": \"gelu_exact\""))
        #expect(text(site["playground.html"]).contains("<script src=\"model.js\"></script>"))
    }

    @Test func otherTokenizerKindsSayWhy() throws {
        let words = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/tokenizer/words.tokenizer.json")))
        #expect(!ModelScript.Checkpoint.isByteLevelBPE(words))
        #expect(ModelScript.Checkpoint.Unavailable.tokenizer.reason
                == "The in-browser playground encodes text with a byte-level BPE tokenizer (GPT-2's kind); this checkpoint's tokenizer.json is another kind, so it is not offered.")
    }
}
