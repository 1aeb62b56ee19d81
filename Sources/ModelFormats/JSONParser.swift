import Diagnostics

/// A strict JSON parser (RFC 8259) that records line and column for every value and for
/// every syntax error. Written here rather than using Foundation's so that errors say where
/// they are, numbers are never confused with booleans, and key order is preserved.

public struct JSONParser {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private static let maxDepth = 512

    /// `file` names the source in the diagnostic of a syntax error.
    public static func parse(_ bytes: [UInt8], file: String = "JSON") throws(Diagnostic) -> JSONNode {
        var parser = JSONParser(bytes: bytes, file: file)
        // A UTF-8 byte order mark is tolerated.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3; parser.lineStart = 3 }
        parser.skipWhitespace()
        let node = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.error("unexpected '\(parser.describeCurrent())' after the end of the document")
        }
        return node
    }

    private init(bytes: [UInt8], file: String) { (self.bytes, self.file) = (bytes, file) }

    // Column bookkeeping for value positions. A column counts characters, not bytes, and the
    // only bytes that are not characters of their own (UTF-8 continuation bytes) a value can
    // follow on its line are inside strings (anywhere else they end the parse with an error,
    // whose column `column` counts afresh): so the strings count them as they go.
    private var lineContinuationBytes = 0

    private func valueColumn() -> Int {
        index - lineStart - lineContinuationBytes + 1
    }

    private var column: Int {
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        var count = 1
        var i = lineStart
        while i < index && i < bytes.count {
            if bytes[i] & 0xC0 != 0x80 { count += 1 }
            i += 1
        }
        return count
    }

    private func error(_ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, column: column, message: "is not valid JSON: " + message)
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        var end = index + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A: index += 1; line += 1; lineStart = index; lineContinuationBytes = 0
            default: return
            }
        }
    }

    private mutating func parseValue() throws(Diagnostic) -> JSONNode {
        guard index < bytes.count else { throw error("unexpected end of file, expected a value") }
        let startLine = line, startColumn = valueColumn()
        let value: JSONValue
        switch bytes[index] {
        case UInt8(ascii: "{"): value = try parseObject()
        case UInt8(ascii: "["): value = try parseArray()
        case UInt8(ascii: "\""): value = .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); value = .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); value = .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try parseNumber())
        default:
            let found = describeCurrent()
            if found == "N" || found == "I" {
                throw error("NaN and Infinity are not JSON numbers")
            }
            throw error("unexpected '\(found)', expected a value")
        }
        return JSONNode(value, line: startLine, column: startColumn)
    }

    private mutating func expectWord(_ word: String) throws(Diagnostic) {
        let utf8 = Array(word.utf8)
        if index + utf8.count <= bytes.count && Array(bytes[index..<index + utf8.count]) == utf8 {
            index += utf8.count
        } else {
            throw error("unexpected '\(describeCurrent())', expected a value")
        }
    }

    private mutating func enter() throws(Diagnostic) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseObject() throws(Diagnostic) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, value: JSONNode)] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(index < bytes.count ? "unexpected '\(describeCurrent())', expected a key in double quotes" : "unexpected end of file inside an object")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("unexpected '\(describeCurrent())', expected ':' after key \"\(key)\"")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of file inside an object, expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("unexpected '\(describeCurrent())', expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws(Diagnostic) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [JSONNode] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of file inside an array, expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("unexpected '\(describeCurrent())', expected ',' or ']'")
        }
    }

    private mutating func parseString() throws(Diagnostic) -> String {
        index += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var chunkStart = index
        func flush(_ bytes: [UInt8], _ from: Int, _ to: Int, into scalars: inout String.UnicodeScalarView) {
            if to > from { scalars.append(contentsOf: String(decoding: bytes[from..<to], as: UTF8.self).unicodeScalars) }
        }
        while true {
            guard index < bytes.count else { throw error("unexpected end of file inside a string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(bytes, chunkStart, index, into: &scalars)
                index += 1
                return String(scalars)
            }
            if byte < 0x20 {
                throw error(byte == 0x0A ? "unescaped line break inside a string" : "unescaped control character inside a string")
            }
            if byte == UInt8(ascii: "\\") {
                flush(bytes, chunkStart, index, into: &scalars)
                index += 1
                guard index < bytes.count else { throw error("unexpected end of file inside a string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        // A surrogate pair: \uD83D\uDE42.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.append(scalar)
                default:
                    index -= 1
                    throw error("invalid escape '\\\(describeCurrent())' in a string")
                }
                chunkStart = index
                continue
            }
            if byte & 0xC0 == 0x80 { lineContinuationBytes += 1 }
            index += 1
        }
    }

    private mutating func parseHex4() throws(Diagnostic) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of file inside a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit '\(describeCurrent())' in a \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(Diagnostic) -> Double {
        let start = index
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        // The digits as an integer and a power of ten, while they fit, for the fast path below.
        var mantissa: UInt64 = 0, digits = 0, scale = 0
        func take(_ b: UInt8) {
            if mantissa == 0 && b == UInt8(ascii: "0") { return }      // leading zeros add nothing
            digits += 1
            if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(b - UInt8(ascii: "0")) }
        }
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count && isDigit(bytes[index]) { throw error("invalid number: leading zero") }
        } else {
            while index < bytes.count && isDigit(bytes[index]) { take(bytes[index]); index += 1 }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: expected a digit after '.'") }
            while index < bytes.count && isDigit(bytes[index]) { take(bytes[index]); scale -= 1; index += 1 }
        }
        var plain = true                                                // no exponent part
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            plain = false
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number: expected a digit in the exponent") }
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        // Fast path (Clinger): an integer below 2^53 times or over an exact power of ten up to
        // 10^22 is one correctly rounded operation, the same Double as the full conversion.
        if plain && digits <= 15 && -scale <= 22 {
            let value = scale == 0 ? Double(mantissa) : Double(mantissa) / Self.powersOfTen[-scale]
            return negative ? -value : value
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { throw error("invalid number '\(text)'") }
        return value
    }

    private static let powersOfTen: [Double] = (0...22).map { Double("1e\($0)")! }
}
