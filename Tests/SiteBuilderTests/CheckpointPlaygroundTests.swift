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
        #expect(playground.contains("tokenizer.json, written into model.js"))
        #expect(!playground.contains("href=\"model.json\""), "a checkpoint site has no model.json to link")
        #expect(playground.contains(">The cat sat on the mat.</textarea>"), "the text box holds the text, not ␣ tokens")
    }

    @Test func checkpointWithoutTokenizerJSONSaysWhy() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try CheckpointSiteTests.build(Self.fixtures + "/gpt2-f16", output: tmp.sub("Site"))
        let site = readTree(tmp.sub("Site"))
        #expect(site["model.js"] == nil)
        let playground = text(site["playground.html"])
        #expect(playground.contains("byte-level BPE tokenizer.json"))
        #expect(!playground.contains("<script src=\"model.js\"></script>"))
    }

    @Test func exactGELUIsNotOffered() throws {
        let loaded = try CheckpointLoader.load(path: Self.fixtures + "/gpt2-f32", text: "The cat", target: nil)
        var model = loaded.model
        #expect((try? ModelScript.Checkpoint.script(model: model, checkpoint: try #require(loaded.checkpoint)).get()) != nil)
        model.config.activation = .geluExact
        guard case .failure(.exactGELU) = ModelScript.Checkpoint.script(model: model, checkpoint: try #require(loaded.checkpoint)) else {
            Issue.record("an exact-GELU checkpoint must not get a model.js")
            return
        }
    }
}
