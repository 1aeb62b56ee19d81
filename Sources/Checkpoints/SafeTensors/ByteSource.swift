import Foundation

/// Where a safetensors file's bytes are read from, a range at a time: the file on disk (each
/// range read when it is asked for, so a 0.5 GB checkpoint is never held whole), or bytes
/// already in memory (the tests' hand-made files).
enum ByteSource: Sendable {
    case file(path: String, shownAs: String, size: Int)
    case memory(Data)

    /// The file at `path`, or which file could not be read.
    static func file(_ path: String, shownAs file: String) throws -> ByteSource {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CheckpointError(file: file, message: "does not exist")
        }
        guard !isFolder.boolValue else {
            throw CheckpointError(file: file, message: "is a folder, expected a file")
        }
        guard let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else {
            throw CheckpointError(file: file, message: "cannot be read (its size is unknown)")
        }
        return .file(path: path, shownAs: file, size: size)
    }

    var count: Int {
        switch self {
        case .file(_, _, let size): size
        case .memory(let bytes): bytes.count
        }
    }

    /// The bytes of `range`, which lies within `0..<count`.
    func bytes(_ range: Range<Int>) throws -> [UInt8] {
        var all: [UInt8] = []
        try pieces(of: range, size: max(range.count, 1)) { all = $0 }
        return all
    }

    /// The bytes of `range` in consecutive pieces of at most `size` bytes, each handed to `body`
    /// in order: the file is opened once and read piece by piece.
    func pieces(of range: Range<Int>, size: Int, _ body: ([UInt8]) throws -> Void) throws {
        switch self {
        case .memory(let bytes):
            for start in stride(from: range.lowerBound, to: range.upperBound, by: size) {
                let end = min(start + size, range.upperBound)
                try body(Array(bytes[(bytes.startIndex + start)..<(bytes.startIndex + end)]))
            }
        case .file(let path, let file, _):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CheckpointError(file: file, message: "cannot be read (check its permissions)")
            }
            defer { try? handle.close() }
            func failed(_ error: any Error) -> CheckpointError {
                CheckpointError(file: file, message: "cannot be read (\(error.localizedDescription))")
            }
            do { try handle.seek(toOffset: UInt64(range.lowerBound)) } catch { throw failed(error) }
            var start = range.lowerBound
            while start < range.upperBound {
                let wanted = min(size, range.upperBound - start)
                var piece: [UInt8] = []
                piece.reserveCapacity(wanted)
                while piece.count < wanted {
                    let read: Data?
                    do { read = try handle.read(upToCount: wanted - piece.count) } catch { throw failed(error) }
                    guard let read, !read.isEmpty else {
                        throw CheckpointError(file: file, message: "ended at byte \(start + piece.count) while it was read, expected \(range.upperBound) bytes (was it changed meanwhile?)")
                    }
                    piece += read
                }
                try body(piece)
                start += wanted
            }
        }
    }
}
