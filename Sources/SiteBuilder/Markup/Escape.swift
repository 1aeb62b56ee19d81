/// Escaping for text that lands in HTML/XHTML text, attribute values and inline SVG.
/// Every string that comes from a model file (vocabulary words, prompt, name) goes through here.
public enum Escape {
    /// Escapes `&`, `<`, `>`, `"` and `'`: safe in text and in single- or double-quoted attributes.
    public static func html(_ text: String) -> String {
        // Most strings (numbers, ids, labels) need nothing: return them without copying.
        let isClean = { (byte: UInt8) in
            byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
                && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'")
        }
        if text.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(isClean) }) ?? text.utf8.allSatisfy(isClean) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Characters that XML 1.0 forbids (control characters) would make a page ill-formed.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" && ch != "\r" {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }
}
