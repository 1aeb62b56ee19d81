import Foundation
import Synchronization
import Testing
@testable import SiteBuilder

/// Hostile or broken templates get one line naming the template and what is wrong, exit 1,
/// and never a crash, a hang or a page of library internals (issue 18, items 1, 3 and 8).
@Suite struct TemplateReliabilityTests {
    /// The problems of a build with the real templates edited by `edit` (folder → nothing).
    func problems(_ edit: (String) throws -> Void) throws -> [String] {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let templates = copyTemplates(to: tmp.path)
        try edit(templates)
        do {
            try SiteBuild.run(options(output: tmp.sub("Site"), templates: templates))
            return []
        } catch {
            #expect(!FileManager.default.fileExists(atPath: tmp.sub("Site")))
            return error.problems.map { $0.description.replacingOccurrences(of: templates, with: "Templates") }
        }
    }

    func write(_ text: String, _ folder: String, _ name: String) throws {
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    /// Puts `extra` in front of the first `before` of the template.
    func insert(_ extra: String, into name: String, in folder: String, before anchor: String = "<h2>") throws {
        let path = folder + "/" + name
        let original = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self)
        let range = try #require(original.range(of: anchor))
        try write(original.replacingCharacters(in: range, with: extra + anchor), folder, name)
    }

    @Test func aTemplateThatIncludesItselfIsOneError() throws {
        let lines = try problems { try insert("{{> tokens}}", into: "tokens.html", in: $0) }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("Templates/tokens.html:") == true)
        #expect(lines.first?.contains("partial 'tokens' includes itself: tokens → tokens") == true, "\(lines)")
    }

    @Test func theLayoutIncludingItselfIsOneError() throws {
        let lines = try problems { try insert("{{> layout}}", into: "layout.html", in: $0, before: "</body>") }
        #expect(lines.count == 1 && lines[0].contains("partial 'layout' includes itself: layout → layout"), "\(lines)")
    }

    @Test func twoPartialsThatIncludeEachOtherAreOneError() throws {
        let lines = try problems { folder in
            try write("<span>{{> pong}}</span>", folder, "ping.html")
            try write("<span>{{> ping}}</span>", folder, "pong.html")
            try insert("{{> ping}}", into: "tokens.html", in: folder)
        }
        #expect(lines == ["Templates/ping.html:1:7: partials include each other: ping → pong → ping (a template may not include itself, directly or through others)"], "\(lines)")
    }

    @Test func tenThousandNestedSectionsAreOneError() throws {
        let lines = try problems { folder in
            let nested = String(repeating: "{{#isOverview}}", count: 10_000) + String(repeating: "{{/isOverview}}", count: 10_000)
            try write("<p>" + nested + "</p>", folder, "deep.html")
        }
        #expect(lines == ["Templates/deep.html:1:1504: sections nest more than 100 deep here (the limit)"], "\(lines)")
    }

    @Test func partialsThatNestTooDeepTogetherAreOneError() throws {
        let lines = try problems { folder in
            let sixty = String(repeating: "{{#a}}", count: 60)
            try write("<p>" + sixty + "{{> deep-b}}" + String(repeating: "{{/a}}", count: 60) + "</p>", folder, "deep-a.html")
            try write("<p>" + sixty + "x" + String(repeating: "{{/a}}", count: 60) + "</p>", folder, "deep-b.html")
        }
        #expect(lines.count == 1 && lines[0].hasPrefix("Templates/deep-a.html:1:364: sections and partials nest 121 deep through partial 'deep-b'"), "\(lines)")
    }

    @Test func anUnclosedSectionIsOneLineNamingItsPlace() throws {
        let lines = try problems { try insert("{{#hasTarget}}", into: "prediction.html", in: $0) }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.range(of: #"^Templates/prediction\.html:\d+:\d+: section \{\{#hasTarget\}\} is never closed \(expected \{\{/hasTarget\}\}\)$"#, options: .regularExpression) != nil, "\(lines)")
    }

    @Test func aCloseThatMatchesNoSectionIsOneLine() throws {
        let lines = try problems { try insert("{{/nothing}}", into: "tokens.html", in: $0) }
        #expect(lines.count == 1 && lines[0].hasSuffix("{{/nothing}} closes no open section"), "\(lines)")
        let crossed = try problems { try insert("{{#a}}{{#b}}{{/a}}{{/b}}", into: "tokens.html", in: $0) }
        #expect(crossed.count == 1 && crossed[0].contains("{{/a}} does not close {{#b}}"), "\(crossed)")
    }

    @Test func anUnclosedTagIsOneLine() throws {
        let lines = try problems { try insert("{{vocabSize", into: "tokens.html", in: $0) }
        #expect(lines.count == 1 && lines[0].hasSuffix("tag '{{' is never closed (the next '{{' comes before its '}}')"), "\(lines)")
        let atTheEnd = try problems { try write("<p>{{vocabSize</p>", $0, "end.html") }
        #expect(atTheEnd == ["Templates/end.html:1:4: tag '{{' is never closed (no '}}' after it)"], "\(atTheEnd)")
    }

    @Test func aFolderInPlaceOfATemplateIsSaidSo() throws {
        let lines = try problems { folder in
            try FileManager.default.removeItem(atPath: folder + "/mlp.html")
            try FileManager.default.createDirectory(atPath: folder + "/mlp.html", withIntermediateDirectories: false)
        }
        #expect(lines == ["Templates/mlp.html: is a folder, expected a template file"])
    }

    @Test func aFileInPlaceOfTheTemplatesFolderIsSaidSo() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try write("x", tmp.path, "Templates")
        #expect(throws: BuildFailure.self) { try SiteBuild.run(options(output: tmp.sub("Site"), templates: tmp.sub("Templates"))) }
        do { try SiteBuild.run(options(output: tmp.sub("Site"), templates: tmp.sub("Templates"))) } catch {
            #expect(error.problems.map(\.message) == ["is a file, expected the templates folder (a folder of .html templates and style.css)"])
        }
    }

    @Test func aBillionLaughsTemplateIsOneLine() throws {
        let lines = try problems { folder in
            try write("<b>" + String(repeating: "lol", count: 100) + "</b>", folder, "lol0.html")
            for level in 1...9 {
                try write("<b>" + String(repeating: "{{> lol\(level - 1)}}", count: 10) + "</b>", folder, "lol\(level).html")
            }
            try insert("{{> lol9}}", into: "tokens.html", in: folder)
        }
        #expect(lines == ["Templates/lol5.html: with its partials in, it would be 30 MB of template text (the limit is 16 MB); partial 'lol4' is included 10 times"], "\(lines)")
    }

    /// 25,000 tags on one line parse and render in one pass (the time itself is a
    /// benchmark figure, not a test).
    @Test func twentyFiveThousandTagsRender() throws {
        let tags = 25_000
        let text = "<p>" + String(repeating: "{{w}}", count: tags) + "</p>"
        let compiled = TemplateSet.compile(TemplateSet.TemplateFolder.File(name: "many", path: "many.html", text: text))
        #expect(compiled.problems.isEmpty)
        let template = try #require(compiled.template)
        var renderer = TemplateRenderer(templates: ["many": template], values: ["w": .text("ab")])
        renderer.render(template.nodes, template: "many")
        #expect(renderer.output == "<p>" + String(repeating: "ab", count: tags) + "</p>")
    }

    /// A template of two thousand lines renders in order.
    @Test func aVeryLongTemplateRendersInOrder() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let folder = copyTemplates(to: tmp.path)
        let text = "<p>" + (0..<2000).map { "\($0):{{w}}\n" }.joined() + "</p>"
        try write(text, folder, "long.html")
        let templates = try TemplateSet.load(directory: folder)
        #expect(try templates.render("long", ["w": "x"]) == "<p>" + (0..<2000).map { "\($0):x\n" }.joined() + "</p>")
    }

    /// A name no value has is an error at the tag that names it, in the partial it is in.
    @Test func aMisspelledNameIsAnErrorAtItsTag() throws {
        let lines = try problems { try insert("{{vocabSise}}", into: "tokens.html", in: $0) }
        #expect(lines.count == 1 && lines[0].range(of: #"^Templates/tokens\.html:\d+:\d+: \{\{vocabSise\}\} names no value \(rendering tokens\.html\); check the spelling$"#, options: .regularExpression) != nil, "\(lines)")
        let inPartial = try problems { folder in
            try write("<b>{{#vocabSize}}{{nope}}{{/vocabSize}}</b>", folder, "bad-part.html")
            try insert("{{> bad-part}}", into: "tokens.html", in: folder)
        }
        #expect(inPartial == ["Templates/bad-part.html:1:18: {{nope}} names no value (rendering tokens.html); check the spelling"], "\(inPartial)")
    }

    /// Tags sitegen's renderer does not have are refused when the templates load, at the tag.
    @Test func unsupportedTagsAreRefusedAtTheirPlace() throws {
        let cases = [
            ("<p>{{%PRAGMA}}</p>", "1:4: is not a template sitegen can render: pragma tags ({{%…}}) are not supported"),
            ("<p>{{$base}}{{/base}}</p>", "1:4: is not a template sitegen can render: template inheritance ({{<name}}, {{$name}}) is not supported: use partials"),
            ("<p>\n {{up(name)}}</p>", "2:2: is not a template sitegen can render: transforms ({{f(name)}}) are not supported: prepare the value in Swift"),
            ("<p>{{a b}}</p>", "1:4: is not a template sitegen can render: {{a b}}: a tag's name holds a character mustache does not allow (letters, digits and . - _ ? *)"),
            ("<p>{{#}}{{/}}</p>", "1:4: is not a template sitegen can render: {{#}}: a tag needs a name"),
        ]
        for (text, expected) in cases {
            let lines = try problems { try write(text, $0, "odd.html") }
            #expect(lines == ["Templates/odd.html:" + expected], "\(lines)")
        }
    }

    @Test func theBinaryExitsOneOnARecursiveTemplate() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let folder = copyTemplates(to: tmp.path)
        try insert("{{> tokens}}", into: "tokens.html", in: folder)
        let run = try runSitegen(["--templates", folder, "--model", RepoPaths.seedModel], in: tmp.path)
        #expect(run.status == 1)
        #expect(run.errors.split(separator: "\n").count == 1, "\(run.errors)")
        #expect(run.errors.contains("partial 'tokens' includes itself"))
    }
}

/// In `--watch`, a save that breaks the templates folder is reported and the watcher keeps
/// running; the next good save rebuilds.
@Suite struct TemplateWatchTests {
    @Test func theWatcherSurvivesARecursiveTemplateAndSaysWhenTheFolderBecomesAFile() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let templates = copyTemplates(to: tmp.path), site = tmp.sub("Site")
        let out = WatchTests.Lines(), errors = WatchTests.Lines()
        let watcher = SiteWatcher(options: options(output: site, templates: templates), log: out.append, errorLog: errors.append)
        let stop = Atomic<Bool>(false), done = Atomic<Bool>(false)
        Thread {
            watcher.run(shouldStop: { stop.load(ordering: .acquiring) })
            done.store(true, ordering: .releasing)
        }.start()
        defer { stop.store(true, ordering: .releasing) }
        func waitFor(_ what: String, _ condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(20)
            while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            #expect(condition(), "timed out waiting for \(what); errors: \(errors.all)")
        }
        waitFor("the first build") { out.all.contains { $0.hasPrefix("Watching") } }
        let goodSite = readTree(site)

        // A template that includes itself: one error, the watcher goes on.
        let tokens = templates + "/tokens.html"
        let original = try String(contentsOfFile: tokens, encoding: .utf8)
        try original.replacingOccurrences(of: "</h2>", with: "</h2>{{> tokens}}").write(toFile: tokens, atomically: true, encoding: .utf8)
        waitFor("the cycle error") { errors.all.contains { $0.contains("partial 'tokens' includes itself") } }

        // The templates folder replaced by a file.
        try FileManager.default.moveItem(atPath: templates, toPath: tmp.sub("Templates-saved"))
        try "not a folder".write(toFile: templates, atomically: true, encoding: .utf8)
        waitFor("the folder error") { errors.all.contains { $0.contains("is a file, expected the templates folder") } }
        #expect(readTree(site) == goodSite)

        // The folder back, mended: the site is rebuilt.
        try FileManager.default.removeItem(atPath: templates)
        try FileManager.default.moveItem(atPath: tmp.sub("Templates-saved"), toPath: templates)
        try original.write(toFile: tokens, atomically: true, encoding: .utf8)
        waitFor("the rebuild") { out.all.contains { $0.hasPrefix("rebuilt") } }
        let stillRunning = !done.load(ordering: .acquiring)
        #expect(stillRunning)
        stop.store(true, ordering: .releasing)
        waitFor("the watcher to stop") { done.load(ordering: .acquiring) }
    }
}

/// Where a template's whitespace goes, on texts made to trip the rules (standalone tags,
/// comments, leading whitespace, line ends, partials alone on an indented line). Each
/// expected string is what swift-mustache 2.1.1, the library sitegen rendered with before,
/// gives for the same text and values.
@Suite struct TemplateWhitespaceTests {

    func rendered(_ text: String) throws -> String {
        func parsed(_ text: String) throws -> Template { try Template(TemplateTags(text)) }
        let templates = ["t": try parsed(text), "part": try parsed("<b>{{v}}</b>\n<c>\n\n</c>\n")]
        let values: [String: TemplateValue] = ["v": .text("V"), "raw": .text("<&>"), "yes": .flag(true), "no": .flag(false),
                                               "list": .items([.names(["v": .text("1")]), .names(["v": .text("2")])])]
        var renderer = TemplateRenderer(templates: templates, values: values)
        renderer.render(templates["t"]!.nodes, template: "t")
        #expect(renderer.missing.isEmpty)
        return renderer.output
    }

    @Test(arguments: [
        ("<p>\n  {{!a}}{{!b}}\n  {{!c}}\n{{#yes}}\n  x {{v}}\n{{/yes}}\n</p>", "<p>\n  \n  x V\n</p>"),
        ("<p>x {{!a}}  \n{{!b}} {{v}}{{!c}}  \n\t{{#no}}\n{{/no}}  {{v}}\n{{^no}}\n{{v}}\n{{/no}}</p>", "<p>x   \n V  \n  V\nV\n</p>"),
        ("<p>{{v}} \n {{v}}\r\n{{#list}}\n {{v}}\n{{/list}}\n{{v}}{{v}}  {{!x}}\n  {{v}}  </p>", "<p>V \n V\r\n 1\n 2\nVV  \n  V  </p>"),
        ("<p>{{v}}{{!a}}   \n{{v}}  {{#yes}}{{/yes}}  \n   {{!z}}{{v}}\n</p>", "<p>V   \nV    \n   V\n</p>"),
        ("<p>\n  {{#list}}\n    <i>{{v}}</i>\n  {{/list}}\n  {{^list}}\nnone\n  {{/list}}\n</p>", "<p>\n    <i>1</i>\n    <i>2</i>\n</p>"),
        ("<p>\n{{#yes}}\n{{#list}}{{v}},{{/list}}\n{{/yes}}\nend {{#no}}x{{/no}} {{^no}}y{{/no}}\n  {{> part}}\n{{> part}}\n a {{> part}} b\n</p>",
         "<p>\n1,2,\nend  y\n  <b>V</b>\n  <c>\n  \n  </c>\n<b>V</b>\n<c>\n\n</c>\n a <b>V</b>\n<c>\n\n</c>\n b\n</p>"),
        ("<p>{{#yes}}\nx{{/yes}} {{#yes}}\n{{/yes}}\n{{#yes}}\ny\n{{/yes}}  \n</p>\n  ", "<p>\nx \n\ny\n</p>\n"),
        ("<p>{{{raw}}} {{raw}} {{&raw}} {{#v}}[{{.}}]{{/v}}</p>", "<p><&> &lt;&amp;&gt; <&> [V]</p>"),
    ])
    func whitespaceFollowsTheLibrary(text: String, expected: String) throws {
        #expect(try rendered(text) == expected)
    }

    /// A template's first line goes on the line that includes it: a tag there never stands
    /// alone, so `{{#a}}` first in a partial keeps its newline.
    @Test func aTagOnTheFirstLineNeverStandsAlone() throws {
        #expect(try rendered("{{#yes}}\n<i>{{v}}</i>{{/yes}}\n") == "\n<i>V</i>\n")
    }
}
