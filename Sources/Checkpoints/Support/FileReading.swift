import FoundationEssentials
import Glibc
import Diagnostics

/// The size of the file at `path`, nil when it cannot be read. A symbolic link counts as the
/// file it names, not as a size of its own (the Hugging Face cache links each snapshot's files
/// to its blobs).
public func fileSize(atPath path: String) -> Int? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }   // stat follows symbolic links
    return Int(info.st_size)
}

/// Reads a whole file, or says which file could not be read.
func readFile(_ path: String, shownAs file: String) throws -> Data {
    var isFolder = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw CheckpointError(file: file, message: "does not exist")
    }
    guard !isFolder else {
        throw CheckpointError(file: file, message: "is a folder, expected a file")
    }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
        throw CheckpointError(file: file, message: "cannot be read (\(systemReason(for: error)))")
    }
}

/// Reads a JSON file whose top level must be an object.
func readJSONObject(_ path: String, shownAs file: String) throws -> [String: JSONValue] {
    try parseJSONObject(readFile(path, shownAs: file), shownAs: file)
}

/// Parses JSON bytes whose top level must be an object; `file` names them in messages.
func parseJSONObject(_ bytes: Data, shownAs file: String) throws -> [String: JSONValue] {
    guard String(validating: bytes, as: UTF8.self) != nil else {
        throw CheckpointError(file: file, message: "is not valid UTF-8, expected a JSON object")
    }
    guard let value = JSONValue.parse(bytes) else {
        throw CheckpointError(file: file, message: "is not valid JSON, expected a JSON object")
    }
    guard let object = value.objectValue else {
        throw CheckpointError(file: file, message: "is \(value.kind), expected a JSON object")
    }
    return object
}
