import Foundation
@testable import SiteBuilder

/// Paths inside the repository, found from this file's location.
enum RepoPaths {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static func path(_ relative: String) -> String { root + "/" + relative }
    static let seedModel = path("Models/seed.json")
    static let templates = path("Templates")
    static func fixture(_ name: String) -> String { path("Tests/Reference/fixtures/\(name).model.json") }
}

/// A fresh temporary folder, removed by `cleanup()`.
struct TempFolder {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "sitegen-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func sub(_ name: String) -> String { path + "/" + name }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every file below a folder: relative path → bytes.
func readTree(_ root: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
    for case let relative as String in walker {
        var isDirectory: ObjCBool = false
        let full = root + "/" + relative
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
            out[relative] = [UInt8](FileManager.default.contents(atPath: full) ?? Data())
        }
    }
    return out
}

func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

func options(model: String = RepoPaths.seedModel, output: String, templates: String = RepoPaths.templates,
             text: String? = nil, target: String? = nil, follow: FollowedTokens = .last) -> BuildOptions {
    BuildOptions(modelPath: model, outputPath: output, templatesPath: templates, text: text, target: target, follow: follow)
}

/// Copies the real templates to a temp folder so a test can break one.
func copyTemplates(to folder: String) -> String {
    let target = folder + "/Templates"
    try! FileManager.default.copyItem(atPath: RepoPaths.templates, toPath: target)
    return target
}
