import Foundation
import Testing
@testable import SiteBuilder

/// A broken template, a missing one, a missing partial or a misspelled key is an error naming
/// the template file and line, never an empty string.
@Suite struct TemplateErrorTests {
    func failure(editing name: String, _ edit: (String) -> String) -> String {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let templates = copyTemplates(to: tmp.path)
        let file = templates + "/" + name
        let edited = edit(String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self))
        if edited.isEmpty {
            try? FileManager.default.removeItem(atPath: file)
        } else {
            try! edited.write(toFile: file, atomically: true, encoding: .utf8)
        }
        do {
            try SiteBuild.run(options(output: tmp.sub("Site"), templates: templates))
            return "no error"
        } catch {
            #expect(!FileManager.default.fileExists(atPath: tmp.sub("Site")))
            return error.description.replacingOccurrences(of: templates, with: "Templates")
        }
    }

    @Test func misspelledKeyIsAnError() {
        let message = failure(editing: "prediction.html") { $0.replacingOccurrences(of: "{{pPrediction}}", with: "{{pPredicton}}") }
        #expect(message.hasPrefix("Templates/prediction.html:"))
        #expect(message.contains("{{pPredicton}} names no value (rendering prediction.html); check the spelling"))
    }

    @Test func brokenMarkupIsReportedAtTheTemplatesOwnLine() {
        let message = failure(editing: "tokens.html") { $0.replacingOccurrences(of: "<th scope=\"col\">id</th></tr>", with: "<th scope=\"col\">id</tr>") }
        let line = String(decoding: FileManager.default.contents(atPath: RepoPaths.templates + "/tokens.html")!, as: UTF8.self)
            .components(separatedBy: "\n").firstIndex { $0.contains("<th scope=\"col\">id</th></tr>") }! + 1
        #expect(message.hasPrefix("Templates/tokens.html:\(line):"), "\(message)")
        #expect(message.contains("Opening and ending tag mismatch: th line \(line) and tr"))
    }

    @Test func missingTemplateIsAnError() {
        let message = failure(editing: "mlp.html") { _ in "" }
        #expect(message == "Templates/mlp.html: missing template: the site needs it")
    }

    @Test func missingPartialIsAnError() {
        let message = failure(editing: "worked-note.html") { _ in "" }
        #expect(message.contains("partial 'worked-note' does not exist (no worked-note.html in the templates folder)"))
        #expect(message.hasPrefix("Templates/attention.html:"))
    }

    @Test func missingTemplatesFolderIsAnError() {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        #expect(throws: BuildFailure.self) {
            try SiteBuild.run(options(output: tmp.sub("Site"), templates: tmp.sub("nope")))
        }
    }

    @Test func strictContextReportsOnlyNamesNoContextHas() throws {
        let templates = try TemplateSet.load(directory: RepoPaths.templates)
        // "worked-note" renders with any context; "tokens" needs its keys.
        #expect(throws: BuildFailure.self) { try templates.render("tokens", [:]) }
        #expect(throws: BuildFailure.self) { try templates.render("no-such-template", [:]) }
    }

    /// `{{name}}` escapes by Unicode scalar, in templates and in partials: a quote followed by a
    /// combining accent (one Character) is still escaped, as are control characters.
    @Test func valuesAreEscapedScalarByScalarEvenInPartials() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let folder = copyTemplates(to: tmp.path)
        try #"<p title="{{w}}">{{w}}{{> probe-partial}}</p>"#.write(toFile: folder + "/probe.html", atomically: true, encoding: .utf8)
        try #"<span title="{{w}}">{{w}}</span>"#.write(toFile: folder + "/probe-partial.html", atomically: true, encoding: .utf8)
        let templates = try TemplateSet.load(directory: folder)
        let word = "a\"\u{301}<b>&'\u{1}"
        let escaped = "a&quot;\u{301}&lt;b&gt;&amp;&#39;\u{FFFD}"
        let html = try templates.render("probe", ["w": word])
        #expect(html == #"<p title="\#(escaped)">\#(escaped)<span title="\#(escaped)">\#(escaped)</span></p>"#)
    }
}

/// Pages that fail the libxml2 checks stop the build before anything is written.
@Suite struct PageValidationInBuildTests {
    @Test func aDeadLinkInATemplateFailsTheBuildAndWritesNothing() {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let templates = copyTemplates(to: tmp.path)
        let file = templates + "/tokens.html"
        let original = String(decoding: FileManager.default.contents(atPath: file)!, as: UTF8.self)
        try! original.replacingOccurrences(of: "<h2>The vocabulary</h2>", with: "<h2 id=\"vocabulary\">The vocabulary</h2>\n<p><a href=\"nowhere.html\">x</a> <a href=\"#nope\">y</a> <span id=\"vocabulary\">z</span></p>")
            .write(toFile: file, atomically: true, encoding: .utf8)
        do {
            try SiteBuild.run(options(output: tmp.sub("Site"), templates: templates))
            Issue.record("expected the build to fail")
        } catch {
            let lines = error.problems.map(\.description)
            #expect(lines.contains { $0.hasPrefix(tmp.sub("Site") + "/tokens.html:") && $0.hasSuffix("dead link 'nowhere.html'") }, "\(lines)")
            #expect(lines.contains { $0.contains("dead anchor '#nope'") || $0.contains("'#nope'") }, "\(lines)")
            #expect(lines.contains { $0.contains("duplicate id 'vocabulary'") }, "\(lines)")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.sub("Site")))
    }
}
