import Foundation
@testable import Checkpoints

/// The fixtures `Tests/Reference/checkpoints.py` writes, found from this file's location.
enum Fixtures {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let folder = root + "/Tests/Reference/fixtures/checkpoints"
    static func path(_ relative: String) -> String { folder + "/" + relative }
    static let checkpointNames = ["gpt2-f32", "gpt2-f16", "gpt2-bf16", "gpt2-sharded"]

    static func data(_ relative: String) -> Data {
        FileManager.default.contents(atPath: path(relative)) ?? Data()
    }

    static func decode<T: Decodable>(_ type: T.Type, _ relative: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(relative))
    }

    /// A fresh temporary folder, removed by the caller with `remove`.
    static func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoints-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A copy of checkpoint fixture `name` in a temporary folder, to break.
    static func copy(_ name: String) throws -> String {
        let target = try temporaryFolder() + "/" + name
        try FileManager.default.copyItem(atPath: path(name), toPath: target)
        return target
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }
}

/// The message of the `CheckpointError` that `body` throws, or nil when it throws nothing.
func checkpointError(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as CheckpointError {
        return error.description
    } catch {
        return "not a CheckpointError: \(error)"
    }
}
