/// JSON written by hand, so every file sitegen train writes is the same bytes on every machine:
/// keys in the order given, numbers as Swift prints them, strings escaped as RFC 8259 requires
/// (`"`, `\` and control characters; everything else as UTF-8).
enum JSONText {
    /// `text` as a JSON string literal.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A finite number the way JSON readers take it back exactly (`1e-05`, `0.003`, `64`).
    static func number(_ value: Double) -> String {
        precondition(value.isFinite, "JSON has no \(value)")
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// An object with one `"key": value` a line, indented by `indent` spaces; values are JSON already.
    static func object(_ fields: [(String, String)], indent: Int = 0) -> String {
        guard !fields.isEmpty else { return "{}" }
        let inner = String(repeating: " ", count: indent + 2)
        let lines = fields.map { inner + string($0.0) + ": " + $0.1 }
        return "{\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
    }

    /// An array with one value a line (values are JSON already).
    static func array(_ items: [String], indent: Int = 0) -> String {
        guard !items.isEmpty else { return "[]" }
        let inner = String(repeating: " ", count: indent + 2)
        return "[\n" + items.map { inner + $0 }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "]"
    }

    /// An array on one line: `[64, 192]`.
    static func inlineArray(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }
}
