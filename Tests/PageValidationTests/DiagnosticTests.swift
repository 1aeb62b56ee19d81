import Diagnostics
import Foundation
import Testing
@testable import PageValidation

@Suite("Diagnostics, ordering and directories")
struct DiagnosticTests {
    @Test func descriptionFormat() {
        #expect(Diagnostic(file: "Site/a.html", line: 3, column: 7, message: "img without alt").description
            == "Site/a.html:3:7: img without alt")
    }

    /// Every broken fixture page in one site: the result is sorted and the same whatever the input order.
    @Test func orderIsDeterministic() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.root + "/pages")
        var forward = Fixtures.goodSite()
        for name in names.sorted() { forward[name] = Fixtures.bytes("pages/" + name) }
        var backward: [String: [UInt8]] = [:]
        for (key, value) in forward.sorted(by: { $0.key > $1.key }) { backward[key] = value }

        let first = SiteChecker.check(files: forward, displayPrefix: "Site/")
        let second = SiteChecker.check(files: backward, displayPrefix: "Site/")
        #expect(first.count > 40)
        #expect(first == second)
        #expect(first == first.sorted { ($0.file, $0.line ?? 0, $0.column ?? 0, $0.message) < ($1.file, $1.line ?? 0, $1.column ?? 0, $1.message) })
        #expect(first.first?.description == "Site/dead-anchor.html:9:1: dead anchor 'layers/1/attention.html#nope'")
        #expect(first.last?.description == "Site/url-decisions.html:14:1: remote resource '//cdn.example.com/x.png'")
    }

    @Test func templateDiagnosticsAreSorted() {
        let diagnostics = TemplateChecker.check(template: "<a>\n<b></a>\n<c>&x;</c>", file: "t.html").map(\.description)
        #expect(diagnostics == [
            "t.html:2:8: Opening and ending tag mismatch: b line 2 and a",
            "t.html:3:7: Entity 'x' not defined",
            "t.html:3:11: Opening and ending tag mismatch: a line 1 and end of template",
        ])
    }

    @Test func missingDirectoryGivesOneDiagnostic() {
        let missing = "/nonexistent/sitegen-\(UUID().uuidString)"
        #expect(SiteChecker.check(directory: missing, displayPrefix: "Site/").map(\.description) == [
            "\(missing):1:1: site directory '\(missing)' does not exist or is not a directory",
        ])
    }

    @Test func fixtureSiteDirectoryIsClean() {
        #expect(SiteChecker.check(directory: Fixtures.root + "/site", displayPrefix: "Site/") == [])
    }

    @Test func directoryIsReadRecursively() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-validation-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var files = Fixtures.goodSite()
        files["layers/1/extra.html"] = Array(String(decoding: Fixtures.bytes("site/layers/1/attention.html"), as: UTF8.self)
            .replacingOccurrences(of: "../../index.html#figure", with: "../../missing.html").utf8)
        for (path, bytes) in files {
            let full = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: full, contents: Data(bytes)))
        }
        #expect(SiteChecker.check(directory: directory, displayPrefix: "Site/").map(\.description) == [
            "Site/layers/1/extra.html:10:1: dead link '../../missing.html'",
        ])
    }
}
