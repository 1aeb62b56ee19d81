import Foundation

/// Paths inside the repository, found from this file's location (no bundle resources needed).
enum RepoPaths {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static func path(_ relative: String) -> String { root + "/" + relative }
    static let seedModel = path("Models/seed.json")
    static let fixtures = path("Tests/Reference/fixtures")
}
