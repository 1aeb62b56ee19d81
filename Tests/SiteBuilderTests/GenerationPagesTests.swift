import Foundation
import Testing
import TransformerEngine
@testable import SiteBuilder

/// The generation chapter and the playground in whole builds.
@Suite struct GenerationPagesTests {
    @Test func shortPromptGetsBothContinuationsInTraceAndPage() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        var o = options(output: tmp.sub("Site"), text: "the")
        o.generation = GenerationSettings(count: 8, temperature: 1.3, topK: 4, topP: 0.9, seed: 7)
        try SiteBuild.run(o)
        let site = readTree(tmp.sub("Site"))
        let traceBytes = try #require(site["trace.json"])
        let trace = try #require(try JSONSerialization.jsonObject(with: Data(traceBytes)) as? [String: Any])
        let generation = try #require(trace["generation"] as? [String: Any])
        let sampled = try #require(generation["sampled"] as? [String: Any])
        let steps = try #require(sampled["steps"] as? [[String: Any]])
        #expect(((generation["greedy"] as? [String: Any])?["ids"] as? [Int])?.count == 8)
        #expect(steps.count == 8)                      // max_positions 4: from step 4 the window is cropped
        #expect(steps.map { $0["window"] as? Int } == [0, 0, 0, 0, 1, 2, 3, 4])
        let window = try #require(generation["window"] as? [String: Any])
        #expect(window["first_cropped_step"] as? Int == 4 && window["positions"] as? Int == 4)
        #expect((window["note"] as? String)?.contains("idx[:, -block_size:]") == true)
        #expect(sampled["top_k"] as? Int == 4 && sampled["seed"] as? Int == 7)
        let page = text(site["generate.html"])
        for step in steps {
            let u = try #require(step["u"] as? Double)
            #expect(page.contains(NumberFormat.short(u, decimals: 4)), "generate.html shows u = \(u)")
            #expect((step["kept"] as? [Int])?.count ?? 0 <= 4)
        }
        #expect(page.contains("From step 5 on the text is longer than the 4 positions, so each step conditions on the last 4 tokens only"))
        #expect(page.contains("From this step on the text (5 tokens) is longer than the model&#39;s 4 positions: the step conditions on the last 4 tokens only"))
        let playground = text(site["playground.html"])
        #expect(playground.contains("id=\"next-token\""))
        #expect(playground.contains("data-count=\"8\""))
        #expect(playground.contains("<script src=\"model.js\"></script>"))
        #expect(site["model.js"] != nil && site["engine.js"] != nil && site["playground.js"] != nil)
    }

    @Test func theSeedPromptFillsThePositionsAndStillGetsAContinuation() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try SiteBuild.run(options(output: tmp.sub("Site")))
        let page = text(readTree(tmp.sub("Site"))["generate.html"])
        #expect(page.contains("The prompt “<bdi>the cat sat on</bdi>” has 4 tokens and the continuation 8 more"))
        #expect(page.contains("From step 2 on the text is longer than the 4 positions"))
        #expect(page.contains("and “<bdi>the</bdi>” drops out of view"))
        #expect(page.contains("<figcaption>Greedy step 1: “<bdi>cat</bdi>” (20.6%) is appended. ▲ marks it.</figcaption>"))
        #expect(page.contains("<figcaption>Greedy step 2: “<bdi>cat</bdi>” (23.9%) is appended. ▲ marks it. From this step on the text (5 tokens) is longer than the model&#39;s 4 positions: the step conditions on the last 4 tokens only, “<bdi>cat sat on cat</bdi>”, at positions 0 to 3, and “<bdi>the</bdi>” drops out of view"))
        #expect(page.contains("▲ marks it. The model sees the last 4 tokens: “<bdi>sat on cat cat</bdi>”.</figcaption>"))
        #expect(page.contains("<h3>Step 1: “<bdi>dog</bdi>”</h3>"))
        #expect(page.contains("At step 1 the most likely token, “<bdi>cat</bdi>”, has 20.6% at T = 1"))
        let prose = page.replacingOccurrences(of: "<desc[^>]*>[^<]*</desc>", with: "", options: .regularExpression)
        #expect(prose.range(of: "“[^<]", options: .regularExpression) == nil, "every quoted model word outside SVG text is in <bdi>")
        #expect(!page.contains("no room"))
    }

    @Test func playgroundSaysHowEachTokenizerReadsTheText() {
        #expect(PlaygroundPage.tokenizerSentence(.words, vocabularySize: 6)
                == "Type words separated by spaces: the words tokenizer splits your text at whitespace, and each word must be one of the vocabulary's 6 words.")
        #expect(PlaygroundPage.tokenizerSentence(.chars, vocabularySize: 12)
                == "Type any text made of the vocabulary's 12 characters: the chars tokenizer makes each character one token, spaces included.")
        #expect(PlaygroundPage.tokenizerSentence(.checkpoint, vocabularySize: 300)
                == "Type any text: the checkpoint's byte-level BPE tokenizer splits it into pieces from its 300-token vocabulary, as GPT-2's does (a space belongs to the piece after it, shown as ␣).")
    }

    @Test func seedPlaygroundIntroIsTheWordsSentence() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try SiteBuild.run(options(output: tmp.sub("Site")))
        let page = text(readTree(tmp.sub("Site"))["playground.html"])
        #expect(page.contains("the weights of <a href=\"model.json\">model.json</a> (written into model.js). Type words separated by spaces: the words tokenizer splits your text at whitespace, and each word must be one of the vocabulary&#39;s 6 words. As you type"))
        #expect(!page.contains("made of the vocabulary's tokens") && !page.contains("made of the vocabulary&#39;s tokens"))
        #expect(page.contains("data-drawn-by-script=\"no\""), "the seed's one 4 × 4 map is in the page")
    }

    /// The seed with 48 positions and a 48-token prompt: one 48 × 48 map, 2,304 cells, more
    /// than the page holds; the script draws it on load, the page links the attention page.
    @Test func bigAttentionMapsAreDrawnByTheScriptNotWrittenIntoThePage() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let seed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: RepoPaths.seedModel))) as! [String: Any]
        var model = seed, config = seed["config"] as! [String: Any], weights = seed["weights"] as! [String: Any]
        config["max_positions"] = 48
        let positions = weights["pos_emb"] as! [[Double]]
        weights["pos_emb"] = (0..<48).map { positions[$0 % positions.count] }
        (model["config"], model["weights"]) = (config, weights)
        model["prompt"] = ["text": Array(repeating: "the cat sat on", count: 12).joined(separator: " "), "target": "mat"]
        let path = tmp.sub("long.json")
        try JSONSerialization.data(withJSONObject: model).write(to: URL(fileURLWithPath: path))
        try SiteBuild.run(options(model: path, output: tmp.sub("Site")))
        let page = text(readTree(tmp.sub("Site"))["playground.html"])
        #expect(48 * 48 > PlaygroundPage.largestMapCells)
        #expect(page.contains("data-drawn-by-script=\"yes\""))
        #expect(!page.contains("<caption>Layer 1, head 1</caption>"))
        #expect(page.contains("The attention map (48 × 48) is too big for this page: the script draws it here from the weights. The precomputed prompt's maps are on the <a href=\"attention.html\">attention</a> page."))
        #expect(page.utf8.count < 60_000, "playground.html is \(page.utf8.count) bytes")
    }

    @Test func badSettingsNameTheOptionAndLeaveTheSiteAlone() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try SiteBuild.run(options(output: tmp.sub("Site")))
        let before = readTree(tmp.sub("Site"))
        var o = options(output: tmp.sub("Site"))
        o.generation = GenerationSettings(temperature: -1, topP: 0)
        #expect {
            try SiteBuild.run(o)
        } throws: { error in
            let problems = (error as? BuildFailure)?.problems.map(\.description) ?? []
            return problems.count == 2 && problems[0].contains("--temperature is -1.0") && problems[1].contains("--top-p is 0.0")
        }
        #expect(readTree(tmp.sub("Site")) == before)
    }
}
