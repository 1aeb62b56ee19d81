import CLibXML2
import Foundation

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
/// The page is parsed once and its elements walked once. Per element (h: XHTML, s: SVG;
/// attributes without a namespace unless noted):
/// - ids: every `id` (duplicates reported at once); id lists in aria-labelledby, aria-describedby,
///   aria-controls, aria-owns (any element), h:label|h:output/@for, h:td|h:th/@headers.
/// - URLs, collected for later: h:a|h:area/@href (navigation), h:script/@src, h:img/@src (image),
///   h:iframe|source|video|audio|track|embed|input/@src, h:video/@poster, h:object/@data,
///   h:form/@action, s:script/@href (script), other s:*/@href, h:link/@href (stylesheet or other
///   link by rel), any xlink:href (script on s:script), h:img|h:source/@srcset candidates, and the
///   url()/@import of CSS: any @style, the text of h:style and s:style, every SVG attribute but
///   style that holds `url(`. h:base is reported.
/// - Accessibility: h:img without @alt, the outermost s:svg (role="img", a non-blank s:title child),
///   h:table (a non-blank h:caption child, aria-label or aria-labelledby; some h:th below it).
/// - The doctype, the root element, `<title>` and `<meta charset>` in the head.
struct PageScan: Sendable {
    /// Parser messages and everything the page alone shows.
    var findings: [Finding] = []
    /// False when libxml2 found the page ill-formed: then only its messages are reported.
    var wellFormed = false
    /// Ids with the line of their first occurrence.
    var ids: [String: Int] = [:]
    var references: [PendingReference] = []

    init(_ bytes: [UInt8]) {
        self = PageWalker().scan(bytes)
    }

    fileprivate init() {}
}

/// Does the scan; a class so the walk's helpers can append to its state.
private final class PageWalker {
    private var result = PageScan()
    private var idReferences: [(value: String, attribute: String, line: Int)] = []
    private var tables: [(line: Int, hasHeaderCell: Bool)] = []
    private var openTables: [Int] = []
    /// The current element's attributes by SITEGEN_ATTR_* code (reused for every element).
    private let attributes = UnsafeMutablePointer<UnsafePointer<xmlAttr>?>.allocate(capacity: Int(SITEGEN_ATTR_COUNT))

    deinit { attributes.deallocate() }

    private func report(_ line: Int, _ column: Int = 1, _ message: String) {
        result.findings.append(Finding(line: line, column: column, message: message))
    }

    private func report(_ node: xmlNodePtr, _ message: String) {
        report(XMLNode.line(node), 1, message)
    }

    func scan(_ bytes: [UInt8]) -> PageScan {
        let outcome = LibXML.parse(bytes, name: "page")
        for message in outcome.messages {
            report(message.line, message.column, message.isWarning ? "warning: \(message.text)" : message.text)
        }
        guard outcome.wellFormed, let document = outcome.document else { return result }
        result.wellFormed = true

        if !bytes.starts(with: "<!DOCTYPE html>".utf8) {
            report(1, 1, "the file must start with <!DOCTYPE html>")
        }
        checkRoot(document)
        if let root = document.root {
            visit(root, parentInSources: false, insideSVG: false)
        }
        for table in tables where !table.hasHeaderCell {
            report(table.line, 1, "table without header cells (<th>)")
        }
        for reference in idReferences {
            for id in reference.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) where result.ids[String(id)] == nil {
                report(reference.line, 1, "dead id reference '\(id)' in \(reference.attribute)")
            }
        }
        checkHead(document)
        return withExtendedLifetime(document) { result }
    }

    // MARK: - The walk

    /// The value of an attribute node, as `xmlGetNoNsProp` gives it (nil only in the odd case where it gives NULL).
    private static func value(_ attribute: UnsafePointer<xmlAttr>) -> String? {
        var direct: UnsafePointer<xmlChar>? = nil
        if sitegen_attr_direct_value(attribute, &direct) != 0 {
            return direct.map { String(cString: $0) }
        }
        guard let chars = xmlNodeListGetString(attribute.pointee.doc, attribute.pointee.children, 1) else { return "" }
        defer { sitegen_xmlFree(chars) }
        return String(cString: chars)
    }

    /// XPath's `normalize-space(@attribute) != ''`.
    private static func isNonBlank(_ attribute: UnsafePointer<xmlAttr>?) -> Bool {
        guard let attribute else { return false }
        var direct: UnsafePointer<xmlChar>? = nil
        if sitegen_attr_direct_value(attribute, &direct) != 0 {
            return sitegen_has_non_blank(direct) != 0
        }
        let node = UnsafeMutableRawPointer(mutating: attribute).assumingMemoryBound(to: xmlNode.self)
        guard let chars = xmlNodeGetContent(node) else { return false }
        defer { sitegen_xmlFree(chars) }
        return sitegen_has_non_blank(chars) != 0
    }

    /// XPath's `normalize-space(.) != ''` for an element.
    private static func hasNonBlankText(_ node: xmlNodePtr) -> Bool {
        guard let chars = xmlNodeGetContent(node) else { return false }
        defer { sitegen_xmlFree(chars) }
        return sitegen_has_non_blank(chars) != 0
    }

    /// Whether a class attribute holds the token `sources` (split on space, tab, LF, CR as Swift Characters).
    private static func hasSourcesClass(_ attribute: UnsafePointer<xmlAttr>) -> Bool {
        var direct: UnsafePointer<xmlChar>? = nil
        if sitegen_attr_direct_value(attribute, &direct) != 0, let direct, sitegen_is_simple_ascii(direct) != 0 {
            return sitegen_has_token(direct, "sources") != 0
        }
        let classes = (value(attribute) ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        return classes.contains("sources")
    }

    private func visit(_ node: xmlNodePtr, parentInSources: Bool, insideSVG: Bool) {
        let namespace = sitegen_ns_code(node.pointee.ns)
        let isXHTML = namespace == SITEGEN_NS_XHTML
        let isSVG = namespace == SITEGEN_NS_SVG
        let tag = isXHTML || isSVG ? sitegen_tag_code(node.pointee.name) : SITEGEN_TAG_OTHER
        let svgCSS = sitegen_collect_attributes(node, attributes, isSVG ? 1 : 0) != 0
        let attribute = { (code: Int32) -> UnsafePointer<xmlAttr>? in self.attributes[Int(code)] }
        var lineCache = 0
        let line = { () -> Int in
            if lineCache == 0 { lineCache = XMLNode.line(node) }
            return lineCache
        }

        // Ids.
        var id: String? = nil
        if let attr = attribute(SITEGEN_ATTR_ID), let value = Self.value(attr) {
            id = value
            if let firstLine = result.ids[value] {
                report(line(), 1, "duplicate id '\(value)' (first at line \(firstLine))")
            } else {
                result.ids[value] = line()
            }
        }
        var inSources = parentInSources
        if !inSources {
            if id == "sources" {
                inSources = true
            } else if let attr = attribute(SITEGEN_ATTR_CLASS), Self.hasSourcesClass(attr) {
                inSources = true
            }
        }
        func reference(_ code: Int32, _ kind: ReferenceKind) {
            guard let attr = attribute(code), let value = Self.value(attr) else { return }
            result.references.append(PendingReference(value: value, kind: kind, line: line(), inSources: inSources))
        }
        func idReference(_ code: Int32, _ name: String) {
            guard let attr = attribute(code), let value = Self.value(attr) else { return }
            idReferences.append((value, name, line()))
        }

        // References.
        if isXHTML {
            switch tag {
            case SITEGEN_TAG_A, SITEGEN_TAG_AREA: reference(SITEGEN_ATTR_HREF, .navigation)
            case SITEGEN_TAG_SCRIPT: reference(SITEGEN_ATTR_SRC, .script)
            case SITEGEN_TAG_IMG:
                reference(SITEGEN_ATTR_SRC, .image)
                if attribute(SITEGEN_ATTR_ALT) == nil { report(line(), 1, "img without alt") }
            case SITEGEN_TAG_IFRAME, SITEGEN_TAG_SOURCE, SITEGEN_TAG_AUDIO, SITEGEN_TAG_TRACK, SITEGEN_TAG_EMBED, SITEGEN_TAG_INPUT:
                reference(SITEGEN_ATTR_SRC, .resource)
            case SITEGEN_TAG_VIDEO:
                reference(SITEGEN_ATTR_SRC, .resource)
                reference(SITEGEN_ATTR_POSTER, .resource)
            case SITEGEN_TAG_OBJECT: reference(SITEGEN_ATTR_DATA, .resource)
            case SITEGEN_TAG_FORM: reference(SITEGEN_ATTR_ACTION, .form)
            case SITEGEN_TAG_LINK:
                if let attr = attribute(SITEGEN_ATTR_HREF), let value = Self.value(attr) {
                    let rel = (attribute(SITEGEN_ATTR_REL).flatMap(Self.value) ?? "").lowercased().split(separator: " ")
                    result.references.append(PendingReference(value: value, kind: rel.contains("stylesheet") ? .stylesheet : .otherLink,
                                                              line: line(), inSources: inSources))
                }
            case SITEGEN_TAG_BASE:
                report(line(), 1, "<base> is not allowed (it changes what relative links point to)")
            default: break
            }
            if tag == SITEGEN_TAG_IMG || tag == SITEGEN_TAG_SOURCE, let attr = attribute(SITEGEN_ATTR_SRCSET), let value = Self.value(attr) {
                // "a.png 1x, b.png 2x": the URL is the first token of each candidate.
                for candidate in value.split(separator: ",") {
                    guard let url = candidate.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first else { continue }
                    result.references.append(PendingReference(value: String(url), kind: .resource, line: line(), inSources: inSources))
                }
            }
        } else if isSVG {
            reference(SITEGEN_ATTR_HREF, tag == SITEGEN_TAG_SCRIPT ? .script : .resource)
        }
        reference(SITEGEN_ATTR_XLINK_HREF, isSVG && tag == SITEGEN_TAG_SCRIPT ? .script : .resource)

        // CSS.
        if let attr = attribute(SITEGEN_ATTR_STYLE), let css = Self.value(attr) {
            collectCSS(css, line: line(), inSources: inSources)
        }
        if tag == SITEGEN_TAG_STYLE {
            collectCSS(XMLNode.text(node), line: line(), inSources: inSources)
        }
        if svgCSS {
            // SVG presentation attributes: fill="url(#gradient)", marker-end="url(#arrow)", …
            for attribute in XMLNode.attributes(node) where attribute.namespace == nil && attribute.name != "style" {
                if attribute.value.range(of: "url(", options: .caseInsensitive) != nil {
                    collectCSS(attribute.value, line: line(), inSources: inSources)
                }
            }
        }

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
        var isOutermostSVG = false
        var tableIndex: Int? = nil
        if isSVG && tag == SITEGEN_TAG_SVG && !insideSVG {
            isOutermostSVG = true
            if attribute(SITEGEN_ATTR_ROLE).flatMap(Self.value) != "img" {
                report(line(), 1, "svg without role=\"img\"")
            }
            if !Self.hasChild(node, where: { child in
                child.pointee.type == XML_ELEMENT_NODE && sitegen_ns_code(child.pointee.ns) == SITEGEN_NS_SVG
                    && sitegen_tag_code(child.pointee.name) == SITEGEN_TAG_TITLE && Self.hasNonBlankText(child)
            }) {
                report(line(), 1, "svg without <title>")
            }
        }
        if isXHTML && tag == SITEGEN_TAG_TABLE {
            let labelled = Self.isNonBlank(attribute(SITEGEN_ATTR_ARIA_LABEL)) || Self.isNonBlank(attribute(SITEGEN_ATTR_ARIA_LABELLEDBY))
                || Self.hasChild(node, where: { child in
                    child.pointee.type == XML_ELEMENT_NODE && sitegen_ns_code(child.pointee.ns) == SITEGEN_NS_XHTML
                        && sitegen_tag_code(child.pointee.name) == SITEGEN_TAG_CAPTION && Self.hasNonBlankText(child)
                })
            if !labelled {
                report(line(), 1, "table without <caption>, aria-label or aria-labelledby")
            }
            tableIndex = tables.count
            tables.append((line(), false))
        }
        if isXHTML && tag == SITEGEN_TAG_TH, let open = openTables.last {
            tables[open].hasHeaderCell = true
        }

        // Children (the attribute buffer is reused from here on).
        if let tableIndex { openTables.append(tableIndex) }
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                visit(current, parentInSources: inSources, insideSVG: insideSVG || isOutermostSVG)
            }
            child = current.pointee.next
        }
        if let tableIndex {
            openTables.removeLast()
            // A header cell below this table is also below the tables around it.
            if tables[tableIndex].hasHeaderCell, let outer = openTables.last { tables[outer].hasHeaderCell = true }
        }
    }

    private static func hasChild(_ node: xmlNodePtr, where predicate: (xmlNodePtr) -> Bool) -> Bool {
        var child = node.pointee.children
        while let current = child {
            if predicate(current) { return true }
            child = current.pointee.next
        }
        return false
    }

    /// The url() and @import references of CSS text (in a style attribute or element, or an SVG attribute).
    private func collectCSS(_ css: String, line: Int, inSources: Bool) {
        for reference in CSSScanner.references(in: css) {
            result.references.append(PendingReference(value: reference.url, kind: reference.isImport ? .cssImport : .cssURL,
                                                      line: line + reference.lineOffset, inSources: inSources))
        }
    }

    // MARK: - Root and head

    private func checkRoot(_ document: XMLDocument) {
        guard let root = document.root else { return }
        if !XMLNode.isElement(root, "html", namespace: LibXML.xhtmlNamespace) {
            report(root, "the root element must be <html xmlns=\"\(LibXML.xhtmlNamespace)\">")
        }
        if (XMLNode.attribute(root, "lang") ?? "").trimmingASCIIWhitespace().isEmpty {
            report(root, "<html> without a lang attribute")
        }
    }

    /// `/h:html/h:head`, its `h:title` and `h:meta[@charset]` (the first in document order of each).
    private func checkHead(_ document: XMLDocument) {
        let root = document.root
        let rootLine = root.map(XMLNode.line) ?? 1
        var heads: [xmlNodePtr] = []
        if let root, XMLNode.isElement(root, "html", namespace: LibXML.xhtmlNamespace) {
            heads = Self.children(of: root).filter { XMLNode.isElement($0, "head", namespace: LibXML.xhtmlNamespace) }
        }
        let headChildren = heads.flatMap { Self.children(of: $0) }
        let headLine = heads.first.map(XMLNode.line) ?? rootLine
        if let title = headChildren.first(where: { XMLNode.isElement($0, "title", namespace: LibXML.xhtmlNamespace) }) {
            if XMLNode.text(title).trimmingASCIIWhitespace().isEmpty {
                report(title, "empty <title>")
            }
        } else {
            report(headLine, 1, "no <title> in <head>")
        }
        if let meta = headChildren.first(where: { XMLNode.isElement($0, "meta", namespace: LibXML.xhtmlNamespace) && Self.hasNoNamespaceAttribute($0, "charset") }) {
            let charset = XMLNode.attribute(meta, "charset") ?? ""
            if charset.lowercased() != "utf-8" {
                report(meta, "<meta charset> must be UTF-8, not '\(charset)'")
            }
        } else {
            report(headLine, 1, "no <meta charset> in <head>")
        }
    }

    /// The element children of `node`, in order.
    private static func children(of node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    /// XPath's `@name`: an attribute node without a namespace (whatever its value).
    private static func hasNoNamespaceAttribute(_ node: xmlNodePtr, _ name: String) -> Bool {
        var attribute = node.pointee.properties
        while let current = attribute {
            if current.pointee.ns == nil, let attributeName = current.pointee.name, String(cString: attributeName) == name { return true }
            attribute = current.pointee.next
        }
        return false
    }
}
