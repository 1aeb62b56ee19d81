import Diagnostics
import FoundationEssentials

/// Well-formedness check for polyglot-XHTML mustache templates.
///
/// Mustache tags may only appear in text content and attribute values, so a template parses
/// as XML once wrapped in a root element. The wrapper's start tag is put on the template's
/// first line, before its first character, so libxml2's line numbers are the template's own;
/// columns on line 1 are shifted back by the wrapper's length.
public enum TemplateChecker {
    static let wrapperName = "sitegen-template"
    /// Declares the XHTML default namespace and the `xlink` prefix, which partials inherit from
    /// the page they end up in (the page check sees the final document).
    static let wrapperStart = "<\(wrapperName) xmlns=\"\(LibXML.xhtmlNamespace)\" xmlns:xlink=\"\(LibXML.xlinkNamespace)\">"
    static let wrapperEnd = "</\(wrapperName)>"

    /// Parses a mustache template as an XML fragment. `file` is the name used in diagnostics, e.g. "Templates/attention.html".
    public static func check(template text: String, file: String) -> [Diagnostic] {
        var body = Array(text.utf8)
        blankLeadingDeclarations(&body)
        neutralizeMustacheTags(&body)

        let bytes = Array(wrapperStart.utf8) + body + Array(wrapperEnd.utf8)
        let outcome = LibXML.parse(bytes, name: file)
        return outcome.messages.compactMap { message in
            diagnostic(for: message, among: outcome.messages, templateBody: body, file: file)
        }.sortedUnique()
    }

    /// Maps a parser message on the wrapped text back to the template: positions on line 1 lose the
    /// wrapper's start tag, positions in the wrapper's end tag become the end of the template,
    /// and messages about the wrapper itself are dropped (cascades) or reworded.
    static func diagnostic(for message: ParseMessage, among all: [ParseMessage], templateBody body: [UInt8], file: String) -> Diagnostic? {
        var text = message.text
        // Cascades of an error that is reported anyway: the wrapper left open, or closed early by a stray end tag.
        let cascades = ["Premature end of data in tag \(wrapperName) line 1", "Extra content at the end of the document"]
        if cascades.contains(text), all.count > 1 { return nil }
        let strayEndTag = "Opening and ending tag mismatch: \(wrapperName) line 1 and "
        if text.hasPrefix(strayEndTag) {
            text = "end tag </\(text.dropFirst(strayEndTag.count))> without a matching start tag"
        }
        text = text.replacing(wrapperName, with: "end of template")

        let lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let lastLine = lines.count
        let lastLineLength = String(decoding: lines.last ?? [], as: UTF8.self).unicodeScalars.count
        var line = message.line, column = message.column
        if line == 1 { column = max(column - wrapperStart.unicodeScalars.count, 1) }
        if line >= lastLine { line = lastLine; column = min(column, lastLineLength + 1) }
        return Diagnostic(file: file, line: line, column: column, message: text)
    }

    /// Replaces a leading `<?xml …?>` declaration and `<!DOCTYPE …>` (only those, only at the
    /// start, after optional whitespace) with spaces, keeping newlines so lines do not move.
    static func blankLeadingDeclarations(_ bytes: inout [UInt8]) {
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        func blank(ifStartsWith prefix: String, caseInsensitive: Bool) {
            let prefixBytes = Array(prefix.utf8)
            guard index + prefixBytes.count <= bytes.count else { return }
            for (offset, expected) in prefixBytes.enumerated() {
                var actual = bytes[index + offset]
                if caseInsensitive, actual >= 0x61, actual <= 0x7A { actual -= 0x20 }
                if actual != expected { return }
            }
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { return }
            for position in index...close where bytes[position] != 0x0A && bytes[position] != 0x0D {
                bytes[position] = 0x20
            }
            index = close + 1
        }
        skipWhitespace()
        blank(ifStartsWith: "<?xml", caseInsensitive: false)
        skipWhitespace()
        blank(ifStartsWith: "<!DOCTYPE", caseInsensitive: true)
    }

    /// Inside each `{{…}}` tag, replaces `<` and `&` with `_`, so that tags such as `{{&raw}}`,
    /// `{{<parent}}` (inheritance) are opaque text to the XML parser. One byte for one byte, so
    /// positions do not move. Everything outside mustache tags is left alone.
    static func neutralizeMustacheTags(_ bytes: inout [UInt8]) {
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == open, bytes[index + 1] == open else { index += 1; continue }
            var end = index + 2
            while end + 1 < bytes.count, !(bytes[end] == close && bytes[end + 1] == close) { end += 1 }
            guard end + 1 < bytes.count else { return }  // unterminated: leave it for the parser
            for position in (index + 2)..<end where bytes[position] == UInt8(ascii: "<") || bytes[position] == UInt8(ascii: "&") {
                bytes[position] = UInt8(ascii: "_")
            }
            index = end + 2
        }
    }
}
