import CLibXML2

/// Thin Swift wrappers over the parts of libxml2 this module uses.
/// Nothing here prints: parser errors go to a per-context structured handler.
/// Parsing is safe on several threads at once (each parse has its own context).
enum LibXML {
    /// `xmlInitParser()` exactly once, before the first parse (Swift runs a static initialiser once).
    static let initialized: Void = { xmlInitParser() }()

    static let xhtmlNamespace = "http://www.w3.org/1999/xhtml"
    static let svgNamespace = "http://www.w3.org/2000/svg"
    static let xlinkNamespace = "http://www.w3.org/1999/xlink"

    /// Parses `bytes` as XML into a tree: no network, no DTD loading, no entity substitution,
    /// big line numbers. Every error and warning is collected, none is printed.
    static func parse(_ bytes: [UInt8], name: String) -> ParseOutcome {
        let collector = ParseMessageCollector()
        let (document, wellFormed) = read(bytes, name: name, collector: collector)
        return ParseOutcome(document: document.map(XMLDocument.init), messages: collector.messages, wellFormed: wellFormed)
    }

    /// Parses `bytes` as `parse` does, but hands the parse to the SAX2 callbacks that `handlers`
    /// sets (each finds `collector` in its context's `_private`); the tree builder's other
    /// callbacks stay, and with no element callbacks of its own no tree is built. Returns
    /// whether the page is well-formed; the messages go to `collector`.
    static func stream(_ bytes: [UInt8], name: String, collector: ParseMessageCollector,
                       handlers: (UnsafeMutablePointer<xmlSAXHandler>) -> Void) -> Bool {
        let (document, wellFormed) = read(bytes, name: name, collector: collector, handlers: handlers)
        if let document { xmlFreeDoc(document) }
        return wellFormed
    }

    /// The encoding to read `bytes` in: always UTF-8. Said outright it makes libxml2 pass the
    /// whole input through its UTF-8 "converter"; a document that starts with `<` followed by
    /// neither `?` nor a zero byte (`<!DOCTYPE`, `<html`) has no byte-order mark, no XML
    /// declaration and none of the byte patterns libxml2 reads as another encoding, so it is
    /// read as UTF-8 anyway, with the same messages for bytes that are not UTF-8, and then
    /// nothing is said (`pagesAreReadAsUTF8` passes either way).
    private static func encoding(of bytes: [UInt8]) -> String? {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "<") && bytes[1] != UInt8(ascii: "?") && bytes[1] != 0 ? nil : "UTF-8"
    }

    private static func read(_ bytes: [UInt8], name: String, collector: ParseMessageCollector,
                             handlers: (UnsafeMutablePointer<xmlSAXHandler>) -> Void = { _ in }) -> (xmlDocPtr?, Bool) {
        _ = initialized
        guard let ctxt = xmlNewParserCtxt(), let sax = ctxt.pointee.sax else {
            collector.messages.append(ParseMessage(line: 1, column: 1, text: "out of memory creating the XML parser", isWarning: false))
            return (nil, false)
        }
        defer { xmlFreeParserCtxt(ctxt) }

        ctxt.pointee._private = Unmanaged.passUnretained(collector).toOpaque()
        // The parser calls serror with ctxt->userData, which is the context itself.
        sax.pointee.serror = { userData, error in
            guard let userData, let error else { return }
            let context = userData.assumingMemoryBound(to: xmlParserCtxt.self)
            guard let collectorPointer = context.pointee._private else { return }
            Unmanaged<ParseMessageCollector>.fromOpaque(collectorPointer).takeUnretainedValue().record(error.pointee)
        }
        handlers(sax)

        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_COMPACT.rawValue)
        let document: xmlDocPtr? = withExtendedLifetime(collector) {
            bytes.withUnsafeBufferPointer { buffer in
                // libxml2 reads exactly `count` bytes; an empty array may have no base address, so give it one.
                let empty: CChar = 0
                return withUnsafePointer(to: empty) { emptyBase in
                    let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? emptyBase
                    return xmlCtxtReadMemory(ctxt, base, Int32(clamping: buffer.count), name, encoding(of: bytes), options)
                }
            }
        }
        let wellFormed = ctxt.pointee.wellFormed != 0 && document != nil
        ctxt.pointee._private = nil
        return (document, wellFormed)
    }
}

/// One message from the parser: libxml2's text (trimmed) at its line and column.
struct ParseMessage: Sendable {
    var line: Int
    var column: Int
    var text: String
    var isWarning: Bool
}

/// Collects a parse's messages (a streaming reader subclasses it to keep its own state beside).
class ParseMessageCollector {
    var messages: [ParseMessage] = []

    func record(_ error: xmlError) {
        var text = error.message.map { String(cString: $0) } ?? "unknown XML error (code \(error.code))"
        text = text.trimmingASCIIWhitespace()
        messages.append(ParseMessage(
            line: max(Int(error.line), 1),
            column: max(Int(error.int2), 1),
            text: text,
            isWarning: error.level == XML_ERR_WARNING
        ))
    }
}

struct ParseOutcome {
    var document: XMLDocument?
    var messages: [ParseMessage]
    var wellFormed: Bool
}

/// Owns an `xmlDoc` and frees it.
final class XMLDocument {
    let pointer: xmlDocPtr

    init(_ pointer: xmlDocPtr) { self.pointer = pointer }
    deinit { xmlFreeDoc(pointer) }

    var root: xmlNodePtr? { xmlDocGetRootElement(pointer) }
}

/// Helpers over raw `xmlNodePtr`s.
enum XMLNode {
    static func line(_ node: xmlNodePtr) -> Int {
        max(Int(xmlGetLineNo(node)), 1)
    }

    /// All attributes of an element: (local name, namespace, value).
    static func attributes(_ node: xmlNodePtr) -> [(name: String, namespace: String?, value: String)] {
        var result: [(name: String, namespace: String?, value: String)] = []
        var attr = node.pointee.properties
        while let current = attr {
            let attrName = current.pointee.name.map { String(cString: $0) } ?? ""
            let attrNamespace = current.pointee.ns?.pointee.href.map { String(cString: $0) }
            var value = ""
            if let chars = xmlNodeListGetString(node.pointee.doc, current.pointee.children, 1) {
                value = String(cString: chars)
                sitegen_xmlFree(chars)
            }
            result.append((attrName, attrNamespace, value))
            attr = current.pointee.next
        }
        return result
    }
}

extension String {
    /// Without leading and trailing ASCII whitespace (space, tab, LF, FF, CR), as HTML strips URLs.
    func trimmingASCIIWhitespace() -> String {
        // Nothing to trim (the usual case): no copy.
        if let first = utf8.first, let last = utf8.last, !Self.isASCIIWhitespace(first), !Self.isASCIIWhitespace(last) { return self }
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }
}
