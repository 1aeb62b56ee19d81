import Foundation
import Testing
@testable import SiteBuilder

/// The stage navigation: on every page exactly one current stage, marked `aria-current="page"`
/// inside the stage map and shown on phones as "5 / 15 Attention" between previous and next
/// arrows; a model with several layers gets a layer selector and one layer's stages, not
/// every layer's, with every stage in a list grouped by layer.
@Suite struct NavigationTests {
    /// The `<nav class="stage-map">` of a page.
    func stageMap(_ page: String) -> String {
        guard let start = page.range(of: "<nav class=\"stage-map"), let end = page.range(of: "</nav>", range: start.upperBound..<page.endIndex) else { return "" }
        return String(page[start.lowerBound..<end.upperBound])
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func theSeedsCurrentStageIsMarkedOnceAndShownBetweenArrows() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        var every = options(output: tmp.sub("Site"))
        every.follow = .all
        let files = try SiteBuild.render(every).files
        let map = stageMap(text(files["attention.html"]))
        #expect(map.hasPrefix("<nav class=\"stage-map\" aria-label=\"Stages of the forward pass\">\n<div class=\"stage-bar\">\n"
            + "<a class=\"stage-step\" href=\"layernorm.html\"><span aria-hidden=\"true\">←</span><span class=\"visually-hidden\">Previous stage: LayerNorm</span></a>\n"
            + "<ol class=\"stage-chips\">\n<li><a href=\"index.html\"><span class=\"n\">0</span> Overview</a></li>\n<li><a href=\"tokens.html\"><span class=\"n\">1</span> Tokens</a></li>\n"))
        #expect(map.contains("<li class=\"here\"><a class=\"current\" aria-current=\"page\" href=\"attention.html\"><span class=\"n\">5<span class=\"of\"> / 15</span></span> Attention</a></li>\n"))
        #expect(map.contains("<a class=\"stage-step\" href=\"residual.html\"><span aria-hidden=\"true\">→</span><span class=\"visually-hidden\">Next stage: W_o + residual</span></a>\n</div>\n"))
        #expect(map.contains("<details class=\"all-stages\"><summary>All 16 stages (0–15)</summary>\n<ol>\n<li><a href=\"index.html\"><span class=\"n\">0</span> Overview</a></li>\n"))
        #expect(map.contains("<li><a class=\"current\" href=\"attention.html\"><span class=\"n\">5</span> Attention</a></li>\n"))
        #expect(!map.contains("layer-picker"))
        // Every page: one aria-current="page" in its stage map; the first and last have one arrow.
        for (name, bytes) in files where name.hasSuffix(".html") {
            let pageMap = stageMap(text(bytes))
            #expect(count("aria-current=\"page\"", in: pageMap) == 1, "\(name)")
        }
        #expect(count("class=\"stage-step\"", in: stageMap(text(files["index.html"]))) == 1)
        #expect(count("class=\"stage-step\"", in: stageMap(text(files["training.html"]))) == 1)
        // The focus chips say what they are for.
        #expect(text(files["attention-t1.html"]).contains("<p class=\"note\">Follow a token: this page's highlighted rows and worked sums are for “cat”; choose another token of the prompt to see the same step from its place.</p>\n<p class=\"chips\">\n<a class=\"chip tok tok-0\" href=\"attention-t0.html\"><span class=\"n\">0</span> the</a>\n<a class=\"chip current tok tok-1\" aria-current=\"true\" href=\"attention-t1.html\"><span class=\"n\">1</span> cat</a>\n"))
    }

    @Test func manyLayersGetALayerSelectorAndOneLayersStages() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let model = tmp.sub("model.json")
        try tinyModelJSON(layers: 12, prompt: "a b a").write(toFile: model, atomically: false, encoding: .utf8)
        let files = try SiteBuild.render(options(model: model, output: tmp.sub("Site"))).files
        let map = stageMap(text(files["layer3-attention.html"]))
        #expect(map.hasPrefix("<nav class=\"stage-map layered\""))
        // The chips: the stages outside the layers and layer 3's four, not all 48 layer pages.
        let chips = String(map[..<map.range(of: "</ol>")!.lowerBound])
        #expect(count("<li", in: chips) == 4 + 4 + 8)
        #expect(map.contains("<li class=\"here\"><a class=\"current\" aria-current=\"page\" href=\"layer3-attention.html\"><span class=\"n\">13<span class=\"of\"> / 59</span></span> L3 Attention</a></li>"))
        #expect(map.contains("<li><a href=\"layer3-mlp.html\"><span class=\"n\">15</span> L3 MLP + residual</a></li>"))
        #expect(!chips.contains("layer4-"))
        // The layer selector: the same stage in each layer.
        #expect(map.contains("<p class=\"layer-picker\"><span class=\"note\">Layer</span> <a href=\"layer1-attention.html\"><span class=\"visually-hidden\">layer </span>1</a> "))
        #expect(map.contains("<a class=\"current\" aria-current=\"true\" href=\"layer3-attention.html\"><span class=\"visually-hidden\">layer </span>3</a> "))
        #expect(map.contains("<a href=\"layer12-attention.html\"><span class=\"visually-hidden\">layer </span>12</a> </p>"))
        // Every stage in the list, grouped by layer.
        #expect(map.contains("<li class=\"layer-group\">Layer 12<ol>\n<li><a href=\"layer12-layernorm.html\"><span class=\"n\">48</span> L12 LayerNorm</a></li>\n"))
        #expect(count("<li class=\"layer-group\">", in: map) == 12)
        // From a page outside the layers, the selector goes to each layer's first page.
        #expect(stageMap(text(files["tokens.html"])).contains("<a href=\"layer5-layernorm.html\"><span class=\"visually-hidden\">layer </span>5</a> "))
        #expect(stageMap(text(files["tokens.html"])).contains("<li><a href=\"layer1-mlp.html\">"))
    }
}
