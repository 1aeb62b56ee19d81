import TransformerEngine

/// Writes JSON deterministically: keys in the order given, numbers in Swift's shortest
/// round-trip form, strings escaped so the output is safe to embed anywhere (even inside
/// an HTML `<script>` element: `<`, `>`, `&` and U+2028/2029 are written as \u escapes).
public enum JSONOut: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSONOut])
    case object([(String, JSONOut)])

    public static func numbers(_ values: [Double]) -> JSONOut { .array(values.map { .number($0) }) }
    public static func matrix(_ t: Tensor) -> JSONOut { .array((0..<t.rows).map { numbers(t.row($0)) }) }

    /// Compact inner arrays of numbers on one line; objects and outer arrays indented.
    public func rendered() -> String {
        String(decoding: renderedBytes(), as: UTF8.self)
    }

    /// `rendered()` as UTF-8 bytes.
    public func renderedBytes() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out, indent: 0)
        out.append(0x0A)
        return out
    }

    /// At most what `renderedBytes()` writes: every number is at least 3 bytes ("0.0"), every
    /// separator at least its comma (", " in a flat array) and indentation is not counted. A
    /// tree that cannot fit a limit is then known without rendering it.
    public var leastRenderedBytes: Int {
        switch self {
        case .null, .bool: return 4
        case .int: return 1
        case .number: return 3
        case .string(let s): return 2 + s.utf8.count
        case .array(let items):
            let separator = isFlat ? 2 : 1
            return 2 + items.reduce(0) { $0 + $1.leastRenderedBytes } + separator * max(0, items.count - 1)
        case .object(let members):
            return 2 + members.reduce(0) { $0 + 4 + $1.0.utf8.count + $1.1.leastRenderedBytes } + max(0, members.count - 1)
        }
    }

    private var isFlat: Bool {
        switch self {
        case .array(let items): return items.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
        case .object: return false
        default: return true
        }
    }

    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): if b { out.append("true") } else { out.append("false") }
        case .int(let i): out.append(String(i))
        case .number(let d): out.appendNumber(d)
        case .string(let s): JSONOut.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append("[]"); return }
            if isFlat {
                out.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { out.append(", ") }
                    if case .number(let d) = item { out.appendNumber(d) } else { item.write(into: &out, indent: indent) }
                }
                out.append(UInt8(ascii: "]"))
            } else {
                out.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    out.newline(indent: indent + 2)
                    item.write(into: &out, indent: indent + 2)
                    if i + 1 < items.count { out.append(UInt8(ascii: ",")) }
                }
                out.newline(indent: indent)
                out.append(UInt8(ascii: "]"))
            }
        case .object(let members):
            if members.isEmpty { out.append("{}"); return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                out.newline(indent: indent + 2)
                JSONOut.writeString(key, into: &out)
                out.append(": ")
                value.write(into: &out, indent: indent + 2)
                if i + 1 < members.count { out.append(UInt8(ascii: ",")) }
            }
            out.newline(indent: indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Shortest round-trip text; integral values keep a ".0"; non-finite values become null.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == 0 { return "0.0" }
        return d.description
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out.append("\\u" + hex4(scalar.value))
            default:
                if scalar.value < 0x20 {
                    out.append("\\u" + hex4(scalar.value))
                } else {
                    for byte in UTF8.encode(scalar)! { out.append(byte) }
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 12 & 0xF)], digits[Int(v >> 8 & 0xF)], digits[Int(v >> 4 & 0xF)], digits[Int(v & 0xF)]])
    }
}

extension [UInt8] {
    mutating func append(_ text: String) { append(contentsOf: text.utf8) }

    mutating func newline(indent: Int) {
        append(0x0A)
        append(contentsOf: repeatElement(0x20, count: indent))
    }

    /// `JSONOut.format(d)`: null when not finite, 0.0 for either zero, else Swift's shortest
    /// round-trip `description`.
    mutating func appendNumber(_ d: Double) { append(contentsOf: JSONOut.format(d).utf8) }
}
