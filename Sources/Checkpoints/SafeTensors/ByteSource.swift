import FoundationEssentials
import Glibc

/// Where a safetensors file's bytes are read from, a range at a time: the file on disk (each
/// range read when it is asked for, so a 0.5 GB checkpoint is never held whole), or bytes
/// already in memory (the tests' hand-made files).
enum ByteSource: Sendable {
    case file(path: String, shownAs: String, size: Int)
    case memory(Data)

    /// The file at `path`, or which file could not be read.
    static func file(_ path: String, shownAs file: String) throws -> ByteSource {
        var isFolder = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CheckpointError(file: file, message: "does not exist")
        }
        guard !isFolder else {
            throw CheckpointError(file: file, message: "is a folder, expected a file")
        }
        guard let size = fileSize(atPath: path) else {
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
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw CheckpointError(file: file, message: "cannot be read (\(String(cString: strerror(errno))))")
            }
            defer { close(descriptor) }
            // One buffer for every piece, filled in place by pread(2): no allocation and no copy
            // of the bytes per piece (a FileHandle would hand each piece over as a new Data).
            var piece = [UInt8](repeating: 0, count: min(size, range.count))
            var start = range.lowerBound
            while start < range.upperBound {
                let wanted = min(size, range.upperBound - start)
                if wanted < piece.count { piece.removeLast(piece.count - wanted) }
                try Self.fill(&piece, from: descriptor, at: start, file: file, expectedEnd: range.upperBound)
                try body(piece)
                start += wanted
            }
        }
    }

    /// Fills all of `buffer` with the file's bytes from `offset` on.
    private static func fill(_ buffer: inout [UInt8], from descriptor: Int32, at offset: Int,
                             file: String, expectedEnd: Int) throws {
        var filled = 0
        while filled < buffer.count {
            // A read returns fewer bytes only when interrupted or at the end of the file: the rest
            // is read into its own array, then copied into place.
            var rest = filled == 0 ? [] : [UInt8](repeating: 0, count: buffer.count - filled)
            let count = filled == 0 ? pread(descriptor, &buffer, buffer.count, off_t(offset))
                                    : pread(descriptor, &rest, rest.count, off_t(offset + filled))
            if count < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(file: file, message: "cannot be read (\(String(cString: strerror(errno))))")
            }
            guard count > 0 else {
                throw CheckpointError(file: file, message: "ended at byte \(offset + filled) while it was read, expected \(expectedEnd) bytes (was it changed meanwhile?)")
            }
            if filled > 0 { buffer.replaceSubrange(filled..<(filled + count), with: rest[0..<count]) }
            filled += count
        }
    }
}

/// The bytes of the file at `path`, in consecutive pieces of at most `size` bytes handed to `body`
/// in order (one buffer reused for every piece): for hashing a file without holding it whole.
/// `file` names it in messages.
public func readFile(_ path: String, shownAs file: String, inPiecesOf size: Int, _ body: ([UInt8]) throws -> Void) throws {
    let source = try ByteSource.file(path, shownAs: file)
    try source.pieces(of: 0..<source.count, size: size, body)
}
