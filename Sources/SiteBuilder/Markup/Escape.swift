/// Escaping for text that lands in HTML/XHTML text, attribute values and inline SVG.
/// Every string that comes from a model file (vocabulary words, prompt, name) goes through here.
public enum Escape {
    /// Escapes `&`, `<`, `>`, `"` and `'`: safe in text and in single- or double-quoted attributes.
    /// A control character XML forbids becomes U+FFFD (`MarkupBuffer.append(escaped:)`).
    public static func html(_ text: String) -> String {
        // Most strings (numbers, ids, labels) need nothing: return them without copying.
        let isClean = { (byte: UInt8) in
            byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
                && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'")
        }
        if text.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(isClean) }) ?? text.utf8.allSatisfy(isClean) { return text }
        let out = MarkupBuffer(capacity: text.utf8.count + 16)
        out.append(escaped: text)
        return out.string
    }
}
