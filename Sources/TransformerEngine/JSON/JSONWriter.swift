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

    /// `rendered()` as UTF-8 bytes, without the String.
    public func renderedBytes() -> [UInt8] {
        // Written straight into the array's storage; pages that stay unused cost nothing, and
        // a document that does not fit is written again into four times the room.
        var capacity = 16 << 20
        while true {
            var fits = true
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var out = ByteWriter(buffer)
                write(into: &out, indent: 0)
                out.append(0x0A)
                fits = !out.overflowed
                count = fits ? out.count : 0
            }
            if fits { return bytes }
            capacity *= 4
        }
    }

    private var isFlat: Bool {
        switch self {
        case .array(let items): return items.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
        case .object: return false
        default: return true
        }
    }

    private func write(into out: inout ByteWriter, indent: Int) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): if b { out.append("true") } else { out.append("false") }
        case .int(let i): out.append(contentsOf: String(i))
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
        return "\(d)"
    }

    static func writeString(_ s: String, into out: inout ByteWriter) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out.append(contentsOf: "\\u" + hex4(scalar.value))
            default:
                if scalar.value < 0x20 {
                    out.append(contentsOf: "\\u" + hex4(scalar.value))
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

/// The writer's output: bytes into a fixed buffer, without the checks of an Array per byte.
/// Past the end it stops writing and records that the buffer was too small.
struct ByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private let powers = ShortestDigits.powers
    private(set) var count = 0
    private(set) var overflowed = false

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    /// Room for `extra` more bytes?
    private mutating func room(_ extra: Int) -> Bool {
        if count + extra <= capacity { return true }
        overflowed = true
        return false
    }

    mutating func append(_ byte: UInt8) {
        guard room(1) else { return }
        base[count] = byte
        count += 1
    }

    mutating func append(_ text: StaticString) {
        guard room(text.utf8CodeUnitCount) else { return }
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    mutating func append(contentsOf text: String) {
        for byte in text.utf8 { append(byte) }
    }

    mutating func newline(indent: Int) {
        guard room(indent + 1) else { return }
        base[count] = 0x0A
        (base + count + 1).update(repeating: 0x20, count: indent)
        count += indent + 1
    }

    /// `JSONOut.format(d)`: null when not finite, 0.0 for either zero, else `description`.
    mutating func appendNumber(_ d: Double) {
        if !d.isFinite {
            append("null")
        } else if d == 0 {
            append("0.0")
        } else if room(64) {
            count += ShortestDigits.write(d, to: base + count, powers: powers)
        }
    }
}
