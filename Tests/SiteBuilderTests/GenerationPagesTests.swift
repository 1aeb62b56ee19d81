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
        #expect(((generation["greedy"] as? [String: Any])?["ids"] as? [Int])?.count == 3)
        #expect(steps.count == 3)                      // max_positions 4, the prompt uses 1
        #expect(sampled["top_k"] as? Int == 4 && sampled["seed"] as? Int == 7)
        let page = text(site["generate.html"])
        for step in steps {
            let u = try #require(step["u"] as? Double)
            #expect(page.contains(NumberFormat.short(u, decimals: 4)), "generate.html shows u = \(u)")
            #expect((step["kept"] as? [Int])?.count ?? 0 <= 4)
        }
        let playground = text(site["playground.html"])
        #expect(playground.contains("id=\"next-token\""))
        #expect(playground.contains("<script src=\"model.js\"></script>"))
        #expect(site["model.js"] != nil && site["engine.js"] != nil && site["playground.js"] != nil)
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
