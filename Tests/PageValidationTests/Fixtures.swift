import Foundation
@testable import PageValidation

/// Fixture files next to this source file (loaded via #filePath, not as bundle resources).
enum Fixtures {
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func bytes(_ relativePath: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: root + "/" + relativePath) else {
            fatalError("missing fixture \(relativePath)")
        }
        return [UInt8](data)
    }

    static func text(_ relativePath: String) -> String {
        String(decoding: bytes(relativePath), as: UTF8.self)
    }

    /// The good site: two pages linking to each other (with anchors), a stylesheet and an image.
    static let sitePaths = ["index.html", "layers/1/attention.html", "style.css", "diagram.svg"]

    static func goodSite() -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for path in sitePaths { files[path] = bytes("site/" + path) }
        return files
    }

    /// The good site plus `Fixtures/pages/<name>` at the site root; the diagnostics as strings.
    static func checkPage(_ name: String) -> [String] {
        var files = goodSite()
        files[name] = bytes("pages/" + name)
        return SiteChecker.check(files: files, displayPrefix: "Site/").map(\.description)
    }

    static func checkTemplate(_ name: String) -> [String] {
        TemplateChecker.check(template: text("templates/" + name), file: "Templates/" + name).map(\.description)
    }
}
