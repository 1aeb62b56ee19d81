import Diagnostics
import FoundationEssentials

/// Reads the corpus: a UTF-8 text file that is not empty.
public enum CorpusText {
    public static func read(_ path: String) throws(Diagnostic) -> String {
        var isFolder = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw Diagnostic(file: path, message: "does not exist, expected a UTF-8 text file to train on")
        }
        guard !isFolder, let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic(file: path, message: isFolder ? "is a folder, expected a UTF-8 text file to train on" : "cannot be read")
        }
        return try text(Array(data), file: path)
    }

    /// `bytes` as text, or where they stop being UTF-8 (line, and byte offset in the line and in the file).
    public static func text(_ bytes: [UInt8], file: String) throws(Diagnostic) -> String {
        guard !bytes.isEmpty else { throw Diagnostic(file: file, message: "is empty, expected text to train on") }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        // The first byte at which decoding fails: decode growing prefixes line by line.
        var offset = 0, line = 1, lineStart = 0
        while offset < bytes.count {
            let length = utf8SequenceLength(bytes, at: offset)
            guard let length else {
                throw Diagnostic(file: file, line: line, column: offset - lineStart + 1,
                                 message: "is not UTF-8: byte \(offset - lineStart + 1) of line \(line) (offset \(offset) in the file) is 0x\(String(bytes[offset], radix: 16, uppercase: true)), which does not start a valid UTF-8 character; expected a UTF-8 text file")
            }
            if bytes[offset] == 0x0A { line += 1; lineStart = offset + 1 }
            offset += length
        }
        throw Diagnostic(file: file, message: "is not UTF-8, expected a UTF-8 text file")
    }

    /// The length of the valid UTF-8 character at `i`, nil when none starts there.
    static func utf8SequenceLength(_ b: [UInt8], at i: Int) -> Int? {
        let lead = b[i]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        return String(validating: b[i..<(i + length)], as: UTF8.self) != nil ? length : nil
    }
}
