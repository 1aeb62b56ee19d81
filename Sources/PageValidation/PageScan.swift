import CLibXML2
import FoundationEssentials

/// One problem found on a page, before it is tied to a file name.
struct Finding: Sendable {
    var line: Int
    var column: Int
    var message: String
}

/// A URL found on a page, checked against the site later (`ReferenceResolver`).
struct PendingReference: Sendable {
    var value: String
    var kind: ReferenceKind
    var line: Int
    /// The element is in (or is) the sources section: an element with `id="sources"` or a class token `sources`.
    var inSources: Bool
}

/// Everything about one page that does not depend on the rest of the site: it is a function of
/// the page's bytes alone, so it can be computed as soon as the page exists, on any thread.
///
/// The page is parsed once, and its elements are seen once in document order (`PageRules`).
/// Per element (h: XHTML, s: SVG; attributes without a namespace unless noted):
/// - ids: every `id` (duplicates reported at once); id lists in aria-labelledby, aria-describedby,
///   aria-controls, aria-owns (any element), h:label|h:output/@for, h:td|h:th/@headers.
/// - URLs, collected for later: h:a|h:area/@href (navigation), h:script/@src, h:img/@src (image),
///   h:iframe|source|video|audio|track|embed|input/@src, h:video/@poster, h:object/@data,
///   h:form/@action, s:script/@href (script), other s:*/@href, h:link/@href (stylesheet or other
///   link by rel), any xlink:href (script on s:script), h:img|h:source/@srcset candidates, and the
///   url()/@import of CSS: any @style, the text of h:style and s:style, every SVG attribute but
///   style that holds `url(`. h:base is reported.
/// - Accessibility: h:img without @alt, the outermost s:svg (role="img", or "group" for a figure
///   that holds links, which an image must not; a non-blank s:title child),
///   h:table (a non-blank h:caption child, aria-label or aria-labelledby; some h:th below it).
/// - The doctype, the root element, `<title>` and `<meta charset>` in the head.
///
/// "Text" is what libxml2's `xmlNodeGetContent` gives for an element: its text and CDATA below
/// it, in order.
struct PageScan: Sendable {
    /// Parser messages and everything the page alone shows.
    var findings: [Finding] = []
    /// False when libxml2 found the page ill-formed: then only its messages are reported.
    var wellFormed = false
    /// Ids with the line of their first occurrence.
    var ids: [String: Int] = [:]
    var references: [PendingReference] = []

    /// A single streaming parse (`StreamingPageReader`); the rare page it cannot read as a tree
    /// would be read (a declared or undeclared entity, an `xml:id`) is parsed into a tree instead.
    init(_ bytes: [UInt8]) {
        self = StreamingPageReader.scan(bytes) ?? TreePageReader.scan(bytes)
    }

    init() {}
}

/// The attribute values of the element being opened that the checks read, by `SITEGEN_ATTR_*`
/// code, as bytes that stay valid only while `PageRules.open` runs.
struct AttributeSlots {
    let starts = UnsafeMutablePointer<UnsafePointer<xmlChar>?>.allocate(capacity: Int(SITEGEN_ATTR_COUNT))
    let ends = UnsafeMutablePointer<UnsafePointer<xmlChar>?>.allocate(capacity: Int(SITEGEN_ATTR_COUNT))
    /// Values hold a literal '&' as "&#38;" (the streaming parser's form), to be decoded.
    let encodedAmpersands: Bool

    init(encodedAmpersands: Bool) { self.encodedAmpersands = encodedAmpersands }

    func deallocate() { starts.deallocate(); ends.deallocate() }

    func isPresent(_ code: Int32) -> Bool { starts[Int(code)] != nil }

    /// Whether some attribute the checks read other than class is there.
    var holdsMoreThanClass: Bool {
        (0..<Int(SITEGEN_ATTR_COUNT)).contains { $0 != Int(SITEGEN_ATTR_CLASS) && starts[$0] != nil }
    }

    /// The raw bytes (with "&#38;" still encoded when `encodedAmpersands`).
    func bytes(_ code: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let start = starts[Int(code)], let end = ends[Int(code)] else { return nil }
        return UnsafeBufferPointer(start: start, count: end - start)
    }

    func string(_ code: Int32) -> String? {
        bytes(code).map { Self.decoded($0, encodedAmpersands: encodedAmpersands) }
    }

    static func decoded(_ bytes: UnsafeBufferPointer<UInt8>, encodedAmpersands: Bool) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        // Every '&' starts "&#38;" here, so replacing left to right decodes exactly.
        return encodedAmpersands && bytes.contains(UInt8(ascii: "&")) ? text.replacing("&#38;", with: "&") : text
    }

    /// XPath's `normalize-space(@attribute) != ''`.
    func isNonBlank(_ code: Int32) -> Bool {
        guard let bytes = bytes(code), let base = bytes.baseAddress else { return false }
        return sitegen_has_non_blank_n(base, bytes.count) != 0
    }

    /// Whether the attribute holds the token `token`, split on space, tab, LF and CR as Swift
    /// Characters (so "\r\n" is one Character and no separator).
    func hasToken(_ code: Int32, _ token: StaticString) -> Bool {
        guard let bytes = bytes(code) else { return false }
        let count = bytes.count
        var isSimple = true
        for index in 0..<count {
            let byte = bytes[index]
            if byte >= 0x80 || (byte == 0x0D && index + 1 < count && bytes[index + 1] == 0x0A) {
                isSimple = false
                break
            }
        }
        guard isSimple else {
            let value = Self.decoded(bytes, encodedAmpersands: encodedAmpersands)
            let token = token.description
            return value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).contains { $0 == token }
        }
        // ASCII without CR LF: each byte is one Character (and "&#38;" holds no separator).
        let isSeparator = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        let tokenLength = token.utf8CodeUnitCount
        var start = 0
        while start < count {
            while start < count && isSeparator(bytes[start]) { start += 1 }
            var end = start
            while end < count && !isSeparator(bytes[end]) { end += 1 }
            if end - start == tokenLength && end > start && memcmp(bytes.baseAddress! + start, token.utf8Start, tokenLength) == 0 {
                return true
            }
            start = end
        }
        return false
    }
}

/// The checks of one page, fed its elements in document order by a reader: `open` (with the
/// element's attributes), `text` for the text and CDATA inside it, `close`; then `finish`.
/// A struct, so its state is checked for exclusive access once per call, not once per field.
struct PageRules {
    private var result = PageScan()
    private var idReferences: [(value: String, attribute: String, line: Int)] = []
    private var tables: [(line: Int, hasHeaderCell: Bool)] = []
    private var openTables: [Int] = []
    private var frames: [Frame] = []
    /// The text of each open style element, innermost last.
    private var styleTexts: [[UInt8]] = []
    /// How many open elements collect their text (then `text` has somewhere to go).
    private var collecting = 0
    /// Whether some open element collects its text (else `text` may be skipped).
    var wantsText: Bool { collecting > 0 }

    // The root and the head: /h:html/h:head/*.
    private var rootLine: Int? = nil
    private var rootIsHTML = false
    private var headLine: Int? = nil
    private var sawHeadTitle = false
    private var sawHeadCharset = false

    /// An open element: what its children inherit and what is decided when it closes.
    private struct Frame {
        var line: Int
        var inSources: Bool
        /// This element is an outermost s:svg, or inside one.
        var insideSVG: Bool
        var kind: Kind
        /// Collected text: `nonBlank` for the checks that ask only that; a style element's
        /// text (its CSS) goes to `styleTexts`, so a frame holds no references.
        var textUse: TextUse = .none
        var nonBlank = false
        /// For `.outermostSVG` (a non-blank s:title child) and `.table` (a non-blank h:caption child).
        var hasLabelChild = false

        enum Kind {
            case plain
            case outermostSVG
            case table(index: Int, labelledByAttribute: Bool)
            case head
        }
        enum TextUse {
            case none
            case svgTitle      // an s:title child of an outermost s:svg
            case tableCaption  // an h:caption child of an h:table
            case headTitle     // the first h:title in the head
            case style         // h:style or s:style: its text is CSS
        }
    }

    private mutating func report(_ line: Int, _ column: Int = 1, _ message: String) {
        result.findings.append(Finding(line: line, column: column, message: message))
    }

    /// `namespace` and `tag` are `SITEGEN_NS_*` and `SITEGEN_TAG_*` codes (the tag is
    /// `SITEGEN_TAG_OTHER` outside XHTML and SVG); `cssAttributes` gives the values of an SVG
    /// element's attributes other than style that may hold `url(` (it is called only when
    /// `mayHaveCSSAttributes`).
    mutating func open(namespace: Int32, tag: Int32, line: Int, attributes: AttributeSlots,
              mayHaveCSSAttributes: Bool, cssAttributes: () -> [String]) {
        if let parent = frames.last, !mayHaveCSSAttributes, !attributes.holdsMoreThanClass {
            // Most elements (<td>, <th>, <p>, <tr>, <g>, <rect>, a cell's <title>, …) have no
            // attribute the checks read but class and no tag that asks more of them than
            // marking a header cell: they pass their parent's state on and are done.
            let plain: Bool
            switch tag {
            case SITEGEN_TAG_OTHER, SITEGEN_TAG_TD: plain = true
            case SITEGEN_TAG_TH:
                plain = true
                markHeaderCell(namespace: namespace)
            case SITEGEN_TAG_TITLE:
                switch parent.kind {
                case .plain, .table: plain = true
                case .outermostSVG, .head: plain = false
                }
            default: plain = false
            }
            if plain {
                let inSources = parent.inSources || attributes.hasToken(SITEGEN_ATTR_CLASS, "sources")
                frames.append(Frame(line: line, inSources: inSources, insideSVG: parent.insideSVG, kind: .plain))
                return
            }
        }
        let isXHTML = namespace == SITEGEN_NS_XHTML
        let isSVG = namespace == SITEGEN_NS_SVG
        let isRoot = frames.isEmpty
        let parentKind = frames.last?.kind
        var frame = Frame(line: line, inSources: frames.last?.inSources ?? false, insideSVG: frames.last?.insideSVG ?? false, kind: .plain)

        // Ids.
        var id: String? = nil
        if let value = attributes.string(SITEGEN_ATTR_ID) {
            id = value
            if let firstLine = result.ids[value] {
                report(line, 1, "duplicate id '\(value)' (first at line \(firstLine))")
            } else {
                result.ids[value] = line
            }
        }
        if !frame.inSources && (id == "sources" || attributes.hasToken(SITEGEN_ATTR_CLASS, "sources")) {
            frame.inSources = true
        }
        let inSources = frame.inSources
        func reference(_ code: Int32, _ kind: ReferenceKind) {
            guard let value = attributes.string(code) else { return }
            result.references.append(PendingReference(value: value, kind: kind, line: line, inSources: inSources))
        }
        func idReference(_ code: Int32, _ name: String) {
            guard let value = attributes.string(code) else { return }
            idReferences.append((value, name, line))
        }

        // References.
        if isXHTML {
            switch tag {
            case SITEGEN_TAG_A, SITEGEN_TAG_AREA: reference(SITEGEN_ATTR_HREF, .navigation)
            case SITEGEN_TAG_SCRIPT: reference(SITEGEN_ATTR_SRC, .script)
            case SITEGEN_TAG_IMG:
                reference(SITEGEN_ATTR_SRC, .image)
                if !attributes.isPresent(SITEGEN_ATTR_ALT) { report(line, 1, "img without alt") }
            case SITEGEN_TAG_IFRAME, SITEGEN_TAG_SOURCE, SITEGEN_TAG_AUDIO, SITEGEN_TAG_TRACK, SITEGEN_TAG_EMBED, SITEGEN_TAG_INPUT:
                reference(SITEGEN_ATTR_SRC, .resource)
            case SITEGEN_TAG_VIDEO:
                reference(SITEGEN_ATTR_SRC, .resource)
                reference(SITEGEN_ATTR_POSTER, .resource)
            case SITEGEN_TAG_OBJECT: reference(SITEGEN_ATTR_DATA, .resource)
            case SITEGEN_TAG_FORM: reference(SITEGEN_ATTR_ACTION, .form)
            case SITEGEN_TAG_LINK:
                if let value = attributes.string(SITEGEN_ATTR_HREF) {
                    let rel = (attributes.string(SITEGEN_ATTR_REL) ?? "").lowercased().split(separator: " ")
                    result.references.append(PendingReference(value: value, kind: rel.contains("stylesheet") ? .stylesheet : .otherLink,
                                                              line: line, inSources: inSources))
                }
            case SITEGEN_TAG_BASE:
                report(line, 1, "<base> is not allowed (it changes what relative links point to)")
            default: break
            }
            if tag == SITEGEN_TAG_IMG || tag == SITEGEN_TAG_SOURCE, let value = attributes.string(SITEGEN_ATTR_SRCSET) {
                // "a.png 1x, b.png 2x": the URL is the first token of each candidate.
                for candidate in value.split(separator: ",") {
                    guard let url = candidate.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first else { continue }
                    result.references.append(PendingReference(value: String(url), kind: .resource, line: line, inSources: inSources))
                }
            }
        } else if isSVG {
            reference(SITEGEN_ATTR_HREF, tag == SITEGEN_TAG_SCRIPT ? .script : .resource)
        }
        reference(SITEGEN_ATTR_XLINK_HREF, isSVG && tag == SITEGEN_TAG_SCRIPT ? .script : .resource)

        // CSS: the style attribute, SVG presentation attributes (fill="url(#gradient)", …) and,
        // when the element closes, the text of a style element.
        if let css = attributes.string(SITEGEN_ATTR_STYLE) {
            collectCSS(css, line: line, inSources: inSources)
        }
        if isSVG && mayHaveCSSAttributes {
            for value in cssAttributes() where Self.holdsURLCall(value) {
                collectCSS(value, line: line, inSources: inSources)
            }
        }
        if tag == SITEGEN_TAG_STYLE { frame.textUse = .style }

        // Id references.
        idReference(SITEGEN_ATTR_ARIA_LABELLEDBY, "aria-labelledby")
        idReference(SITEGEN_ATTR_ARIA_DESCRIBEDBY, "aria-describedby")
        idReference(SITEGEN_ATTR_ARIA_CONTROLS, "aria-controls")
        idReference(SITEGEN_ATTR_ARIA_OWNS, "aria-owns")
        if isXHTML {
            if tag == SITEGEN_TAG_LABEL || tag == SITEGEN_TAG_OUTPUT { idReference(SITEGEN_ATTR_FOR, "for") }
            if tag == SITEGEN_TAG_TD || tag == SITEGEN_TAG_TH { idReference(SITEGEN_ATTR_HEADERS, "headers") }
        }

        // Accessibility. Only the outermost <svg> of a nesting needs role and title.
        if isSVG && tag == SITEGEN_TAG_SVG && !frame.insideSVG {
            frame.kind = .outermostSVG
            frame.insideSVG = true
            let role = attributes.string(SITEGEN_ATTR_ROLE)
            if role != "img" && role != "group" {
                report(line, 1, "svg without role=\"img\"")
            }
        }
        if isSVG && tag == SITEGEN_TAG_TITLE, case .outermostSVG? = parentKind {
            frame.textUse = .svgTitle
        }
        if isXHTML && tag == SITEGEN_TAG_TABLE {
            let labelled = attributes.isNonBlank(SITEGEN_ATTR_ARIA_LABEL) || attributes.isNonBlank(SITEGEN_ATTR_ARIA_LABELLEDBY)
            frame.kind = .table(index: tables.count, labelledByAttribute: labelled)
            openTables.append(tables.count)
            tables.append((line, false))
        }
        if isXHTML && tag == SITEGEN_TAG_CAPTION, case .table? = parentKind {
            frame.textUse = .tableCaption
        }
        if tag == SITEGEN_TAG_TH { markHeaderCell(namespace: namespace) }

        // The root, the head and the head's title and charset (the first of each in document order).
        if isRoot {
            rootLine = line
            rootIsHTML = isXHTML && tag == SITEGEN_TAG_HTML
            if !rootIsHTML {
                report(line, 1, "the root element must be <html xmlns=\"\(LibXML.xhtmlNamespace)\">")
            }
            if (attributes.string(SITEGEN_ATTR_LANG) ?? "").trimmingASCIIWhitespace().isEmpty {
                report(line, 1, "<html> without a lang attribute")
            }
        } else if frames.count == 1 && rootIsHTML && isXHTML && tag == SITEGEN_TAG_HEAD {
            frame.kind = .head
            if headLine == nil { headLine = line }
        } else if case .head? = parentKind, isXHTML {
            if tag == SITEGEN_TAG_TITLE && !sawHeadTitle {
                sawHeadTitle = true
                frame.textUse = .headTitle
            } else if tag == SITEGEN_TAG_META && !sawHeadCharset && attributes.isPresent(SITEGEN_ATTR_CHARSET) {
                sawHeadCharset = true
                let charset = attributes.string(SITEGEN_ATTR_CHARSET) ?? ""
                if charset.lowercased() != "utf-8" {
                    report(line, 1, "<meta charset> must be UTF-8, not '\(charset)'")
                }
            }
        }

        if frame.textUse != .none { collecting += 1 }
        if frame.textUse == .style { styleTexts.append([]) }
        frames.append(frame)
    }

    /// An h:th marks the innermost open table as having header cells.
    private mutating func markHeaderCell(namespace: Int32) {
        if namespace == SITEGEN_NS_XHTML, let open = openTables.last { tables[open].hasHeaderCell = true }
    }

    /// Text or CDATA inside the innermost open element.
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard collecting > 0, let base = bytes.baseAddress else { return }
        for index in frames.indices where frames[index].textUse != .none && frames[index].textUse != .style && !frames[index].nonBlank {
            frames[index].nonBlank = sitegen_has_non_blank_n(base, bytes.count) != 0
        }
        for index in styleTexts.indices { styleTexts[index].append(contentsOf: bytes) }
    }

    /// The innermost open element ends.
    mutating func close() {
        guard let frame = frames.popLast() else { return }
        if frame.textUse != .none { collecting -= 1 }
        switch frame.textUse {
        case .none: break
        case .svgTitle, .tableCaption:
            if frame.nonBlank, !frames.isEmpty { frames[frames.count - 1].hasLabelChild = true }
        case .headTitle:
            if !frame.nonBlank { report(frame.line, 1, "empty <title>") }
        case .style:
            collectCSS(String(decoding: styleTexts.removeLast(), as: UTF8.self), line: frame.line, inSources: frame.inSources)
        }
        switch frame.kind {
        case .outermostSVG:
            if !frame.hasLabelChild { report(frame.line, 1, "svg without <title>") }
        case .table(let index, let labelledByAttribute):
            if !labelledByAttribute && !frame.hasLabelChild {
                report(frame.line, 1, "table without <caption>, aria-label or aria-labelledby")
            }
            openTables.removeLast()
            // A header cell below this table is also below the tables around it.
            if tables[index].hasHeaderCell, let outer = openTables.last { tables[outer].hasHeaderCell = true }
        case .plain, .head: break
        }
    }

    /// The page has been read to its end: the parser's messages, and when the page is
    /// well-formed, the checks that need all of it and everything found on the way.
    mutating func finish(parserMessages: [ParseMessage], wellFormed: Bool, startsWithDoctype: Bool) -> PageScan {
        let messages = parserMessages.map { message in
            Finding(line: message.line, column: message.column, message: message.isWarning ? "warning: \(message.text)" : message.text)
        }
        guard wellFormed else {
            var scan = PageScan()
            scan.findings = messages
            return scan
        }
        result.wellFormed = true
        result.findings = messages + result.findings
        if !startsWithDoctype {
            report(1, 1, "the file must start with <!DOCTYPE html>")
        }
        for table in tables where !table.hasHeaderCell {
            report(table.line, 1, "table without header cells (<th>)")
        }
        for reference in idReferences {
            for id in reference.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) where result.ids[String(id)] == nil {
                report(reference.line, 1, "dead id reference '\(id)' in \(reference.attribute)")
            }
        }
        let headLine = headLine ?? rootLine ?? 1
        if !sawHeadTitle { report(headLine, 1, "no <title> in <head>") }
        if !sawHeadCharset { report(headLine, 1, "no <meta charset> in <head>") }
        return result
    }

    /// Whether `value` holds "url(" in any case, as Foundation's case-insensitive search finds
    /// it (ASCII text is searched byte by byte).
    private static func holdsURLCall(_ value: String) -> Bool {
        let ascii: Bool? = value.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return false }
            switch sitegen_has_url_call_n(base, bytes.count) {
            case 1: return true
            case 0: return false
            default: return nil  // non-ASCII text: Unicode case folding decides
            }
        } ?? nil
        return ascii ?? (value.lowercased().contains("url("))
    }

    /// The url() and @import references of CSS text (in a style attribute or element, or an SVG attribute).
    private mutating func collectCSS(_ css: String, line: Int, inSources: Bool) {
        for reference in CSSScanner.references(in: css) {
            result.references.append(PendingReference(value: reference.url, kind: reference.isImport ? .cssImport : .cssURL,
                                                      line: line + reference.lineOffset, inSources: inSources))
        }
    }
}
