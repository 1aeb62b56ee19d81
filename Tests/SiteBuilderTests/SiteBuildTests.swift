import Foundation
import Testing
@testable import SiteBuilder

/// Whole builds, end to end, in temporary folders.
@Suite struct SiteBuildTests {
    @Test func seedSiteHasTheKeyNumbersOnTheRightPages() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let report = try SiteBuild.run(options(output: tmp.sub("Site")))
        let site = readTree(tmp.sub("Site"))
        #expect(report.pageCount == 16)   // with generate.html and playground.html; one view a stage (--follow last)
        #expect(report.prediction == "cat")
        let expected: [(String, [String])] = [
            ("index.html", ["“<bdi>cat</bdi>”", "“<bdi>mat</bdi>”", "1.8313", "20.6%", "16.0%", "model.json", "trace.json", "dff5d9765a38bd1c4c8254d301af21f96421f102fdc0e91c74cd163f496b9cf1"]),
            ("tokens.html", ["<span class=\"id\">4</span>mat", "[0, 1, 2, 3]"]),
            ("embeddings.html", ["tok_emb[3] = [ −0.20, 0.20, 0.40, 0.10 ]"]),
            ("positions.html", ["[ −0.20, 0.30, 0.50, 0.10 ]", "x[3][0] = (−0.20) + 0.00 = −0.20"]),
            ("layernorm.html", ["LN1(x)"]),
            ("attention.html", [">0.39<", ">0.15<", ">0.22<", ">0.25<", "= 0.3868", "attends most to"]),
            ("residual.html", ["[ −0.20, 0.30, 0.50, 0.10 ]", "[ −0.33, 0.05, 0.17, −0.31 ]", "[ −0.53, 0.35, 0.67, −0.21 ]", "= −0.5321"]),
            ("mlp.html", ["[ 0.04, 0.15, 0.08, −0.04 ]", "[ −0.50, 0.50, 0.74, −0.24 ]", "ReLU"]),
            ("lm-head.html", [">0.35<", "“cat”", "= 0.3509"]),
            ("prediction.html", ["20.6%", "1.8313", "−ln(0.1602) = 1.8313", "worse than a blind, uniform guess", "gradient.html"]),
            ("gradient.html", ["0.1602 − 1 = −0.8398", "0.2058 − 0 = 0.2058"]),
            ("backprop.html", ["the largest entry is in W_lm", "<td class=\"num\">0.0586</td>", "W_lm: largest entry <strong>0.6252</strong>, the largest of all"]),
            ("step.html", ["η = 0.02", "from 16.0% to 16.3%", "the loss from 1.8313 to 1.8115", "The model still predicts “<bdi>cat</bdi>”",
                           "This model file holds no biases and no LayerNorm γ or β, so they are not parameters here: they stay at 0 and 1 and do not move."]),
            ("training.html", ["flips from “<bdi>cat</bdi>” to “<bdi>mat</bdi>” at step 10", "from 16.0% to 61.1%", "0.4921"]),
        ]
        for (page, needles) in expected {
            let html = text(site[page])
            #expect(!html.isEmpty, "\(page) missing")
            for needle in needles {
                #expect(html.contains(needle), "\(page) should contain \(needle)")
            }
        }
        // No other token's views, and no chips to switch to them; links to a token go to the last's.
        #expect(site["attention-t0.html"] == nil && !text(site["attention.html"]).contains("focus-chips"))

        // --follow all: every token of the prompt, for every token-dependent stage.
        let all = try SiteBuild.render(options(output: tmp.sub("All"), follow: .all))
        #expect(all.report.pageCount == 37)
        let allSite = all.files
        for stage in ["positions", "layernorm", "attention", "residual", "mlp", "lm-head", "prediction"] {
            for i in 0..<3 { #expect(allSite["\(stage)-t\(i).html"] != nil, "\(stage)-t\(i).html") }
            #expect(allSite["\(stage)-t3.html"] == nil, "the last token's view is the plain page")
        }
        #expect(text(allSite["residual-t0.html"]).contains("h1 <span class=\"tok tok-0\"><bdi>the</bdi></span>"))
        #expect(site["model.json"] == [UInt8](FileManager.default.contents(atPath: RepoPaths.seedModel)!))
        #expect(text(site["trace.json"]).contains("\"prediction\": \"cat\""))
        #expect(site["style.css"] != nil)
        #expect(site[SiteWriter.markerName] != nil)

        // Tooltips: 6 significant digits, never float noise ("0.30000000000000004" was x[2][0]).
        #expect(text(site["positions.html"]).contains("title=\"0.3\""))
        let tooltip = /title="([−0-9.e+]+)"/
        for (page, bytes) in site where page.hasSuffix(".html") {
            for match in text(bytes).matches(of: tooltip) {
                let digits = match.1.split(separator: "e")[0].filter(\.isNumber).drop { $0 == "0" }
                #expect(digits.count <= 6, "\(page): title=\"\(match.1)\"")
            }
        }
        #expect(text(site["attention.html"]).contains("the exact values are in <a href=\"trace.json\">trace.json</a>"))

        // Sentences that read right for one head, one visible token, d_ff = d_model.
        let attention = text(site["attention.html"]), first = text(allSite["attention-t0.html"])
        #expect(attention.contains("<h2 id=\"head-1-title\">Who looks at whom</h2>") && !attention.contains("Head 1"))
        #expect(attention.contains("<figcaption>Attention weights after the mask"))
        #expect(attention.contains("Context vectors cᵢ = Σⱼ weightᵢⱼ · vⱼ</caption>") && !attention.contains("side by side"))
        #expect(first.contains("softmax over the only token") && !first.contains("1 token"))
        #expect(!first.contains("Why √d_head?"))  // one visible token: scaling changes nothing

        // Every weight matrix the page uses, beside what it makes, and one entry of Q by hand.
        for name in ["W_q", "W_k", "W_v"] { #expect(attention.contains("<caption>\(name) (4 × 4)</caption>")) }
        #expect(attention.contains("<code class=\"math\">(−1.45) × 0.50 + 0.48 × (−0.20) + 1.26 × 0.10 + (−0.29) × 0.30 = −0.7830</code>"))
        #expect(attention.contains("<code class=\"math\">(−0.72) + (−0.10) + 0.13 + (−0.09) = −0.7830</code>"))
        #expect(attention.contains(">−0.78<"))  // the Q entry the sum ends in
        // √d_head with this model's numbers; W_o's reason with them.
        #expect(attention.contains("Without the division by √4, “<bdi>on</bdi>”'s weight on “the” would be 0.53 instead of 0.39."))
        #expect(attention.contains("the first number of “<bdi>on</bdi>”'s attention output, −0.3321, draws on all 4."))
        #expect(!attention.contains("heads at a glance"))  // one head: no small multiples

        // The overview's whole-stack picture: one block, every part a link to its page.
        let overview = text(site["index.html"])
        #expect(overview.contains("class=\"figure figure-stack\"") && overview.contains(">the block</text>"))
        for page in ["tokens", "embeddings", "positions", "layernorm", "attention", "residual", "mlp", "lm-head", "prediction", "gradient"] {
            #expect(overview.contains("<a href=\"\(page).html\"><title>"), "the picture links to \(page).html")
        }
        #expect(!overview.contains("Final LayerNorm"))  // the seed has none
        #expect(text(site["mlp.html"]).contains("Then W_1 turns its 4 numbers into 4 hidden units,") && !text(site["mlp.html"]).contains("widens"))
    }

    @Test func sameInputsGiveAByteIdenticalSite() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try SiteBuild.run(options(output: tmp.sub("a")))
        try SiteBuild.run(options(output: tmp.sub("b")))
        let a = readTree(tmp.sub("a")), b = readTree(tmp.sub("b"))
        #expect(a.count > 15)
        #expect(a == b)
    }

    @Test func aFailingBuildLeavesThePreviousSiteUntouched() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = tmp.sub("Site")
        try SiteBuild.run(options(output: site))
        let before = readTree(site)
        let dates = try FileManager.default.attributesOfItem(atPath: site + "/index.html")[.modificationDate] as? Date
        // A model whose prompt has a word outside the vocabulary.
        let broken = tmp.sub("broken.json")
        let seed = String(decoding: FileManager.default.contents(atPath: RepoPaths.seedModel)!, as: UTF8.self)
        try seed.replacingOccurrences(of: "the cat sat on", with: "the cow sat on").write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(throws: BuildFailure.self) { try SiteBuild.run(options(model: broken, output: site)) }
        do {
            try SiteBuild.run(options(model: broken, output: site))
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.description.contains("broken.json:47:23: prompt.text has \"cow\" (token 1), which is not in the vocabulary"))
        }
        #expect(readTree(site) == before)
        let after = try FileManager.default.attributesOfItem(atPath: site + "/index.html")[.modificationDate] as? Date
        #expect(dates == after)
        // And no temporary folder is left beside it.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }

    @Test func aForeignFolderIsNeverReplaced() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let foreign = tmp.sub("Sources")
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try "precious".write(toFile: foreign + "/main.swift", atomically: true, encoding: .utf8)
        do {
            try SiteBuild.run(options(output: foreign))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.description == "\(foreign): refusing to write the site here: the folder is not empty and sitegen did not create it (no .sitegen marker); choose another --output or empty it")
        }
        #expect(readTree(foreign) == ["main.swift": Array("precious".utf8)])
        // The current folder and its parents are refused too, and so is a file.
        #expect(throws: BuildFailure.self) { try SiteWriter.checkOutput(".") }
        #expect(throws: BuildFailure.self) { try SiteWriter.checkOutput("/") }
        #expect(throws: BuildFailure.self) { try SiteWriter.checkOutput(NSHomeDirectory()) }
        #expect(throws: BuildFailure.self) { try SiteWriter.checkOutput(foreign + "/main.swift") }
        // An empty folder is fine, and after one build it carries the marker.
        let empty = tmp.sub("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try SiteBuild.run(options(output: empty))
        #expect(FileManager.default.fileExists(atPath: empty + "/.sitegen"))
        try SiteBuild.run(options(output: empty))
    }

    @Test func hostileVocabularyIsEscapedAndIntactOnEveryPage() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try SiteBuild.run(options(model: RepoPaths.fixture("hostile"), output: tmp.sub("Site")))
        let site = readTree(tmp.sub("Site"))
        let pages = site.filter { $0.key.hasSuffix(".html") }
        #expect(pages.count > 10)
        let long = "abcdefghijklmnopqrstuvwxyz0123456789ABCD"
        #expect(long.count == 40)
        for (name, bytes) in pages {
            let html = text(bytes)
            // The playground's own three scripts aside, no script element.
            let ownScripts = ["engine.js", "model.js", "playground.js"].map { "<script src=\"\($0)\"></script>" }
            let withoutOwn = ownScripts.reduce(html) { $0.replacingOccurrences(of: $1, with: "") }
            #expect(!withoutOwn.contains("<script"), "\(name) has a raw <script")
            #expect(!html.contains("<b>names</b>"), "\(name) has the raw name")
            #expect(html.contains("Hostile &lt;b&gt;names&lt;/b&gt; &amp; &quot;quotes&quot; &#39;n&#39; 🙂"), "\(name) lacks the escaped name")
        }
        // Every word of the prompt appears escaped on every page that follows the prompt.
        let tokens = text(site["tokens.html"])
        for word in ["&lt;script&gt;", "&quot;", "&amp;", "&#39;", "🙂", long, "a&amp;b&lt;c&gt;"] {
            #expect(tokens.contains(word), "tokens.html lacks \(word)")
        }
        for (name, bytes) in pages where name != "index.html" && name != "tokens.html" && name != "embeddings.html" {
            #expect(text(bytes).contains("&lt;script&gt;"), "\(name) lacks the escaped <script> chip")
        }
        let trace = text(site["trace.json"])
        #expect(trace.contains("\"\\u003cscript\\u003e\""))
        #expect(!trace.contains("<"))
    }

    @Test func multiLayerMultiHeadModelBuildsACompleteSite() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let report = try SiteBuild.run(options(model: RepoPaths.fixture("multi"), output: tmp.sub("Site"), follow: .all))
        let site = readTree(tmp.sub("Site"))
        for layer in 1...2 {
            for stage in ["layernorm", "attention", "residual", "mlp"] {
                #expect(site["layer\(layer)-\(stage).html"] != nil, "layer\(layer)-\(stage).html")
            }
        }
        let attention = text(site["layer2-attention.html"])
        #expect(attention.contains("Head 1 (columns d0–d3)"))
        #expect(attention.contains("Head 2 (columns d4–d7)"))
        // Two full heatmaps and the two small multiples, each small one a link to its head's section.
        #expect(attention.components(separatedBy: "class=\"figure figure-heatmap\"").count - 1 == 4)
        #expect(attention.contains("<h2 id=\"all-heads\">Both heads at a glance</h2>"))
        // Each head's section links back to the grid.
        #expect(attention.components(separatedBy: "<a href=\"#all-heads\">Back to all 2 heads</a>").count - 1 == 2)
        #expect(attention.contains("<li><a href=\"#head-2\"><svg") && attention.contains("<section class=\"head\" id=\"head-2\""))
        // W_o mixes across the heads: one share per head and b_o, adding up to attn_out's first number.
        #expect(attention.contains("one share from each head, <code>(−0.6522) (head 1) + (−0.2112) (head 2) + 0.6819 (b_o) = −0.1814</code>"))
        #expect(attention.contains("would be 0.55 instead of 0.50."))
        #expect(attention.contains("W_q (8 × 8)") && attention.contains("Q = LN1(h2 (layer 1))·W_q + b_q"))
        let overview = text(site["index.html"])
        #expect(overview.contains(">block 1 of 2</text>") && overview.contains(">block 2 of 2</text>"))
        #expect(overview.contains("<a href=\"layer2-attention.html\"><title>Attention — 2 heads × 4, causal</title>"))
        #expect(overview.contains("<a href=\"lm-head.html\"><title>Final LayerNorm</title>"))
        #expect(text(site["layer1-mlp.html"]).contains("GELU"))
        #expect(text(site["lm-head.html"]).contains("final LayerNorm"))
        #expect(report.pageCount == 3 + 11 * 6 + 4 + 2)
    }

    /// Many heads and tokens: every head's section after the first is folded under its heading
    /// (the small multiples link into it, which opens it), and so are the sums of x but the
    /// followed token's.
    @Test func manyHeadsAndTokensFoldTheirDetails() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let words = (0..<10).map { "w\($0)" }
        let model = tmp.sub("model.json")
        try tinyModelJSON(dModel: 4, heads: 4, vocab: words, positions: 12, prompt: words.joined(separator: " "), target: "w0")
            .write(toFile: model, atomically: false, encoding: .utf8)
        try SiteBuild.run(options(model: model, output: tmp.sub("Site")))
        let site = readTree(tmp.sub("Site"))
        let attention = text(site["attention.html"])
        #expect(attention.contains("<section class=\"head\" id=\"head-1\" aria-labelledby=\"head-1-title\">\n<h2 id=\"head-1-title\">Head 1 (columns d0–d0): who looks at whom</h2>\n<p class=\"head-back\">"))
        for head in 2...4 {
            #expect(attention.contains("<section class=\"head\" id=\"head-\(head)-section\" aria-labelledby=\"head-\(head)-title\">"))
            #expect(attention.contains("<li><a href=\"#head-\(head)\">"))
            #expect(attention.contains("</summary>\n<div class=\"head-target\" id=\"head-\(head)\"></div>"))
        }
        #expect(attention.components(separatedBy: "<details class=\"head-details\"><summary>“<bdi>w9</bdi>” attends most to").count - 1 == 3)
        let positions = text(site["positions.html"])
        #expect(positions.components(separatedBy: "<dl class=\"sum\"").count - 1 == 10)
        let fold = try #require(positions.range(of: "<details class=\"sums-fold\"><summary>The sums of the other 9 tokens"))
        // The followed (last) token's sum comes first, open; the other nine are in the fold.
        #expect(positions[..<fold.lowerBound].contains("<dl class=\"sum\" aria-label=\"x for position 9\">"))
        #expect(positions[fold.lowerBound...].components(separatedBy: "<dl class=\"sum\"").count - 1 == 9)
    }

    /// Two layers and a vocabulary larger than a sampled step's table: the backprop page keeps
    /// the heatmap of the matrix with the largest entry open and folds the other twelve (W_lm,
    /// 2 × 20, is a wide map); the
    /// generation page folds every sampled step after the first under its heading.
    @Test func manyHeatmapsAndStepsFoldTheirDetails() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let words = (0..<20).map { "w\($0)" }
        let model = tmp.sub("model.json")
        try tinyModelJSON(layers: 2, dModel: 2, vocab: words, positions: 12, prompt: "w1 w2 w3", target: "w0")
            .write(toFile: model, atomically: false, encoding: .utf8)
        try SiteBuild.run(options(model: model, output: tmp.sub("Site")))
        let site = readTree(tmp.sub("Site"))
        let backprop = text(site["backprop.html"])
        let fold = try #require(backprop.range(of: "<details class=\"heatmaps-fold\"><summary>The other 12 heatmaps: dL/dW_"))
        #expect(backprop[..<fold.lowerBound].components(separatedBy: "<figure tabindex=\"0\">").count - 1 == 1)
        #expect(backprop[fold.lowerBound...].components(separatedBy: "<figure tabindex=\"0\">").count - 1 == 12)
        let generate = text(site["generate.html"])
        let steps = generate.components(separatedBy: "<section class=\"sampled-step\">").count - 1
        #expect(steps > 1)
        #expect(generate.components(separatedBy: "<details class=\"step-details\"><summary>u = ").count - 1 == steps - 1)
        #expect(!generate.components(separatedBy: "<section class=\"sampled-step\">")[1].contains("<details"))
        #expect(generate.components(separatedBy: "<div class=\"table-and-chart\">").count - 1 == steps)
    }

    /// A prompt longer than a table shows (20 tokens): the views that follow earlier tokens are
    /// lean (the focus token's rows only, links to the last token's view), the last token's
    /// view keeps the full tables and heatmaps.
    @Test func longPromptsGiveLeanViewsForEarlierTokens() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let seed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: RepoPaths.seedModel))) as! [String: Any]
        var model = seed
        var config = seed["config"] as! [String: Any]
        config["max_positions"] = 20
        model["config"] = config
        var weights = seed["weights"] as! [String: Any]
        let positions = weights["pos_emb"] as! [[Double]]
        weights["pos_emb"] = (0..<20).map { positions[$0 % positions.count] }
        model["weights"] = weights
        model["prompt"] = ["text": Array(repeating: "the cat sat on", count: 5).joined(separator: " "), "target": "mat"]
        let path = tmp.sub("long.json")
        try JSONSerialization.data(withJSONObject: model).write(to: URL(fileURLWithPath: path))
        try SiteBuild.run(options(model: path, output: tmp.sub("Site"), follow: .all))
        let site = readTree(tmp.sub("Site"))
        let lean = text(site["attention-t3.html"]), full = text(site["attention.html"])
        #expect(lean.contains("Q = LN1(x)·W_q <span class=\"note\">(the row of “<bdi>on</bdi>”; all 20 rows are on <a href=\"attention.html\">the view of “<bdi>on</bdi>”</a> and in trace.json)</span>"))
        #expect(lean.components(separatedBy: "<tr class=\"focus\">").count - 1 == lean.components(separatedBy: "<table").count - 1)
        #expect(lean.contains("Attention weights of “on”"))
        #expect(lean.components(separatedBy: "class=\"figure figure-heatmap\"").count == 2)
        #expect(full.contains("Q = LN1(x)·W_q <span class=\"note\">(20×4, showing a part; every value is in trace.json)</span>"))
        #expect(full.contains(">Attention weights</title>") && !full.contains("Head 1"))  // one head: no "Head 1"
        let mlp = text(site["mlp-t0.html"])
        #expect(mlp.contains("The table of W_1 is on <a href=\"mlp.html\">the view of “<bdi>on</bdi>”</a>."))
        #expect(text(site["mlp.html"]).contains("<caption>W_1 (4 × 4)"))
        // Short prompts keep every table on every view.
        let seedSite = try SiteBuild.render(options(output: tmp.sub("seed"), follow: .all)).files
        #expect(text(seedSite["mlp-t0.html"]).contains("<caption>W_1 (4 × 4)"))
    }

    @Test func charsAndDeepModelsBuild() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try SiteBuild.run(options(model: RepoPaths.fixture("chars"), output: tmp.sub("chars")))
        let chars = readTree(tmp.sub("chars"))
        #expect(text(chars["index.html"]).contains("No target word was given, so there is no loss to compute."))
        #expect(text(chars["tokens.html"]).contains("one character at a time"))
        #expect(text(chars["training.html"]).contains("no target word was given, so there is no loss"))
        #expect(text(chars["trace.json"]).contains("\"grads\": null"))
        // A small square in LayerNorm's worked variance keeps two significant digits (0.0002 at
        // four decimals), the others their four.
        #expect(text(chars["layernorm.html"]).contains("(0.1081 + 0.1321 + 0.0013 + 0.0455 + 1.6933 + 1.5152 + 0.00017 + 0.0743) / 8 = 0.4463"))
        try SiteBuild.run(options(model: RepoPaths.fixture("deep"), output: tmp.sub("deep")))
        #expect(readTree(tmp.sub("deep"))["layer3-mlp.html"] != nil)
    }

    @Test func thePromptCanBeOverridden() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let report = try SiteBuild.run(options(output: tmp.sub("Site"), text: "the dog", target: "sat"))
        #expect(report.target == "sat")
        let index = text(readTree(tmp.sub("Site"))["index.html"])
        #expect(index.contains("What does a transformer do with “<bdi>the dog</bdi>” to guess the next word?"))
        do {
            try SiteBuild.run(options(output: tmp.sub("Site2"), text: "the cow"))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasSuffix("--text has \"cow\" (token 1), which is not in the vocabulary; expected one of: \"the\", \"cat\", \"sat\", \"on\", \"mat\", \"dog\""))
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.sub("Site2")))
    }
}
