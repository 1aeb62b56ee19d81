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

    @Test func aContextLendsThePropertiesOfItsParts() throws {
        struct Part: PageContext { var inner = "i" }
        struct Whole: PageContext { @PagePart var part = Part(); var outer = 1 }
        guard case .names(let names) = TemplateValue.of(Whole()) else { throw Failure("a context encodes as names") }
        #expect(names.keys.sorted() == ["inner", "outer"])
        #expect(names["inner"]?.written == "i")
        #expect(names["outer"]?.written == "1")
    }

    /// What templates see of a context's stored properties: text, digits, flags, lists,
    /// a nested struct's names under its own, an optional only when it has a value (else
    /// the name is looked up further out), and a `TemplateValues` value as it is.
    @Test func aContextsPropertiesReachTheTemplateTyped() throws {
        struct Item: Encodable { var word: String }
        struct Page: PageContext {
            var title = "<b>"
            var count = 3
            var share = 0.25
            var shown = true
            var words = ["a", "b"]
            var items = [Item(word: "x")]
            var item = Item(word: "y")
            var missing: String? = nil
            var present: String? = "p"
            var maybe: [String?] = ["m", nil]
            var phrase = Phrase(text: "t", word: true)
        }
        guard case .names(let names) = TemplateValue.of(Page()) else { throw Failure("a context encodes as names") }
        #expect(names.keys.sorted() == ["count", "item", "items", "maybe", "phrase", "present", "share", "shown", "title", "words"])
        #expect(names["title"]?.written == "<b>")
        #expect(names["count"]?.written == "3")
        #expect(names["share"]?.written == "0.25")
        guard case .flag(true) = names["shown"] else { throw Failure("a Bool is a flag") }
        guard case .items(let words) = names["words"], words.map(\.written) == ["a", "b"] else { throw Failure("an array is a list") }
        guard case .items(let items) = names["items"], items.first?.child(named: "word")?.written == "x" else { throw Failure("a list of structs has their names") }
        #expect(names["item"]?.child(named: "word")?.written == "y")
        #expect(names["present"]?.written == "p")
        guard case .items(let maybe) = names["maybe"], case .flag(false) = maybe[1] else { throw Failure("nil in a list is false") }
        guard case .values(let phrase) = names["phrase"], phrase.child(named: "text")?.written == "t" else { throw Failure("template values stay themselves") }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
