import Foundation
import Testing
@testable import SiteBuilder

/// The page registry is the one list of pages, and typed contexts keep the strict lookup.
@Suite struct PageRegistryTests {
    @Test func theStageMapFollowsTheRegistryAndRepeatsPerLayerRuns() {
        let stages = Stage.all(layers: 2).map { ($0.template, $0.layer) }
        let expected: [(String, Int?)] = [("index", nil), ("tokens", nil), ("embeddings", nil), ("positions", nil),
            ("layernorm", 0), ("attention", 0), ("residual", 0), ("mlp", 0),
            ("layernorm", 1), ("attention", 1), ("residual", 1), ("mlp", 1),
            ("lm-head", nil), ("prediction", nil), ("generate", nil), ("playground", nil), ("gradient", nil), ("backprop", nil), ("step", nil), ("training", nil)]
        #expect(stages.map(\.0) == expected.map(\.0))
        #expect(stages.map(\.1) == expected.map(\.1))
    }

    @Test func everyRegisteredPageHasItsTemplateAndEveryTemplateIsRequired() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: RepoPaths.templates)
        for template in TemplateSet.required {
            #expect(names.contains(template + ".html"), "\(template).html")
        }
        #expect(Set(SitePages.all.map(\.template)).count == SitePages.all.count, "two pages share a template")
    }

    /// A misspelled name inside a loop over typed rows is still an error naming the template.
    @Test func aMisspelledNameInARowIsAnError() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let templates = copyTemplates(to: tmp.path)
        let file = templates + "/tokens.html"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "<td class=\"num\">{{position}}</td>", with: "<td class=\"num\">{{postion}}</td>")
            .write(toFile: file, atomically: true, encoding: .utf8)
        do {
            try SiteBuild.run(options(output: tmp.sub("Site"), templates: templates))
            Issue.record("expected the build to fail")
        } catch {
            #expect(error.problems.map(\.message) == ["{{postion}} names no value (rendering tokens.html); check the spelling"], "\(error)")
        }
    }

    @Test func aContextLendsThePropertiesOfItsParts() {
        struct Part: PageContext { var inner = "i" }
        struct Whole: PageContext { var part = Part(); var outer = 1 }
        var values: [String: Any] = [:]
        TemplateSet.collect(Whole(), into: &values)
        #expect(values.keys.sorted() == ["inner", "outer"])
    }
}
