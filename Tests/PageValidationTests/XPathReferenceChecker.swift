import Diagnostics
import CLibXML2
import Foundation
@testable import PageValidation

// The XPath-based page checker that SiteChecker replaced (one `//…` query per rule, each a full
// traversal of the page). It is the reference for the differential tests: the single walk must
// report exactly what this reports, on the fixtures, on a generated site and on random pages.

// Tree helpers only the XPath checker uses.
extension XMLDocument {
    /// Every `id` attribute value in the document, with the line of its element (first occurrence wins).
    func ids() -> [String: Int] {
        var result: [String: Int] = [:]
        guard let root else { return result }
        XMLNode.walkElements(root) { node in
            if let id = XMLNode.attribute(node, "id"), result[id] == nil {
                result[id] = XMLNode.line(node)
            }
        }
        return result
    }
}

extension XMLNode {
    /// The value of a namespaced attribute, or nil when absent.
    static func attribute(_ node: xmlNodePtr, _ attributeName: String, namespace ns: String) -> String? {
        let value = attributeName.withXMLChars { nameChars in
            ns.withXMLChars { nsChars in xmlGetNsProp(node, nameChars, nsChars) }
        }
        guard let value else { return nil }
        defer { sitegen_xmlFree(value) }
        return String(cString: value)
    }

    /// The node itself and then its ancestors, up to the root element.
    static func selfAndAncestors(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var current: xmlNodePtr? = node
        while let element = current, element.pointee.type == XML_ELEMENT_NODE {
            result.append(element)
            current = element.pointee.parent
        }
        return result
    }

    /// Depth-first, document order, elements only.
    static func walkElements(_ node: xmlNodePtr, _ body: (xmlNodePtr) -> Void) {
        guard node.pointee.type == XML_ELEMENT_NODE else { return }
        body(node)
        var child = node.pointee.children
        while let current = child {
            walkElements(current, body)
            child = current.pointee.next
        }
    }
}

enum XPathSiteChecker {
    static func check(files: [String: [UInt8]], displayPrefix: String) -> [Diagnostic] {
        let site = Site(files: files)
        var outcomes: [String: ParseOutcome] = [:]
        for path in site.htmlPaths {
            outcomes[path] = LibXML.parse(site.files[path] ?? [], name: displayPrefix + path)
        }
        let ids: [String: [String: Int]] = outcomes.compactMapValues { outcome in
            outcome.wellFormed ? outcome.document?.ids() : nil
        }
        var diagnostics: [Diagnostic] = []
        for path in site.htmlPaths {
            guard let outcome = outcomes[path] else { continue }
            let page = XPathPageCheck(path: path, displayName: displayPrefix + path, bytes: site.files[path] ?? [],
                                      outcome: outcome, site: site, idsByPage: ids)
            diagnostics += page.run()
        }
        return diagnostics.sortedUnique()
    }
}

/// An XPath context with the `h`, `s` and `xlink` prefixes registered and a silent error handler.
final class XPath {
    private let context: xmlXPathContextPtr
    /// XPath errors (there should be none: all expressions are fixed). Reported as internal errors.
    private(set) var failures: [String] = []

    init?(_ document: XMLDocument) {
        _ = LibXML.initialized
        guard let context = xmlXPathNewContext(document.pointer) else { return nil }
        self.context = context
        context.pointee.error = { _, _ in }  // keep libxml2 from printing; failures are read from lastError
        for (prefix, uri) in [("h", LibXML.xhtmlNamespace), ("s", LibXML.svgNamespace), ("xlink", LibXML.xlinkNamespace)] {
            _ = prefix.withXMLChars { p in uri.withXMLChars { u in xmlXPathRegisterNs(context, p, u) } }
        }
    }

    deinit { xmlXPathFreeContext(context) }

    /// The nodes selected by `expression`, in document order.
    func nodes(_ expression: String, from node: xmlNodePtr? = nil) -> [xmlNodePtr] {
        context.pointee.node = node
        let object = expression.withXMLChars { xmlXPathEvalExpression($0, context) }
        guard let object else {
            let message = context.pointee.lastError.message.map { String(cString: $0).trimmingASCIIWhitespace() } ?? "unknown error"
            failures.append("XPath '\(expression)': \(message)")
            return []
        }
        defer { xmlXPathFreeObject(object) }
        guard let set = object.pointee.nodesetval, set.pointee.nodeNr > 0, let table = set.pointee.nodeTab else { return [] }
        return (0..<Int(set.pointee.nodeNr)).compactMap { table[$0] }
    }
}

/// The page checks as they were before the single-walk checker: one XPath query per rule.
/// Kept as the reference the single walk must agree with.
final class XPathPageCheck {
    let path: String
    let displayName: String
    let bytes: [UInt8]
    let outcome: ParseOutcome
    let site: Site
    let idsByPage: [String: [String: Int]]
    /// The page's folder, as path components.
    let folder: [String]
    private var diagnostics: [Diagnostic] = []

    init(path: String, displayName: String, bytes: [UInt8], outcome: ParseOutcome, site: Site, idsByPage: [String: [String: Int]]) {
        self.path = path
        self.displayName = displayName
        self.bytes = bytes
        self.outcome = outcome
        self.site = site
        self.idsByPage = idsByPage
        self.folder = Array(Site.components(of: path).dropLast())
    }

    private func report(_ line: Int, _ column: Int = 1, _ message: String) {
        diagnostics.append(Diagnostic(file: displayName, line: line, column: column, message: message))
    }

    private func report(_ node: xmlNodePtr, _ message: String) {
        report(XMLNode.line(node), 1, message)
    }

    func run() -> [Diagnostic] {
        for message in outcome.messages {
            report(message.line, message.column, message.isWarning ? "warning: \(message.text)" : message.text)
        }
        guard outcome.wellFormed, let document = outcome.document else { return diagnostics }

        if !bytes.starts(with: Array("<!DOCTYPE html>".utf8)) {
            report(1, 1, "the file must start with <!DOCTYPE html>")
        }
        checkRoot(document)
        guard let xpath = XPath(document) else {
            report(1, 1, "internal error: cannot create an XPath context")
            return diagnostics
        }
        let ids = checkIDs(xpath)
        checkReferences(xpath, ids: ids)
        checkStyles(xpath, ids: ids)
        checkIDReferences(xpath, ids: ids)
        checkAccessibility(xpath)
        checkHead(xpath)
        for failure in xpath.failures {
            report(1, 1, "internal error: \(failure)")
        }
        return diagnostics
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

    private func checkHead(_ xpath: XPath) {
        let rootLine = xpath.nodes("/*").first.map(XMLNode.line) ?? 1
        let head = xpath.nodes("/h:html/h:head").first
        let headLine = head.map(XMLNode.line) ?? rootLine
        if let title = xpath.nodes("/h:html/h:head/h:title").first {
            if XMLNode.text(title).trimmingASCIIWhitespace().isEmpty {
                report(title, "empty <title>")
            }
        } else {
            report(headLine, 1, "no <title> in <head>")
        }
        if let meta = xpath.nodes("/h:html/h:head/h:meta[@charset]").first {
            let charset = XMLNode.attribute(meta, "charset") ?? ""
            if charset.lowercased() != "utf-8" {
                report(meta, "<meta charset> must be UTF-8, not '\(charset)'")
            }
        } else {
            report(headLine, 1, "no <meta charset> in <head>")
        }
    }

    // MARK: - Ids

    /// Reports duplicate ids; returns the page's ids with the line of their first occurrence.
    private func checkIDs(_ xpath: XPath) -> [String: Int] {
        var first: [String: Int] = [:]
        for element in xpath.nodes("//*[@id]") {
            guard let id = XMLNode.attribute(element, "id") else { continue }
            let line = XMLNode.line(element)
            if let firstLine = first[id] {
                report(line, 1, "duplicate id '\(id)' (first at line \(firstLine))")
            } else {
                first[id] = line
            }
        }
        return first
    }

    /// aria-labelledby, aria-describedby, aria-controls, aria-owns (any element), label|output/@for
    /// and td|th/@headers hold id lists that must name elements of this page.
    private func checkIDReferences(_ xpath: XPath, ids: [String: Int]) {
        let lists: [(expression: String, attribute: String)] = [
            ("//*[@aria-labelledby]", "aria-labelledby"),
            ("//*[@aria-describedby]", "aria-describedby"),
            ("//*[@aria-controls]", "aria-controls"),
            ("//*[@aria-owns]", "aria-owns"),
            ("//h:label[@for] | //h:output[@for]", "for"),
            ("//h:td[@headers] | //h:th[@headers]", "headers"),
        ]
        for (expression, attribute) in lists {
            for element in xpath.nodes(expression) {
                guard let value = XMLNode.attribute(element, attribute) else { continue }
                for id in value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) where ids[String(id)] == nil {
                    report(element, "dead id reference '\(id)' in \(attribute)")
                }
            }
        }
    }

    // MARK: - References

    private func checkReferences(_ xpath: XPath, ids: [String: Int]) {
        let plain: [(expression: String, attribute: String, kind: ReferenceKind)] = [
            ("//h:a[@href] | //h:area[@href]", "href", .navigation),
            ("//h:script[@src]", "src", .script),
            ("//h:img[@src]", "src", .image),
            ("//h:iframe[@src] | //h:source[@src] | //h:video[@src] | //h:audio[@src] | //h:track[@src] | //h:embed[@src] | //h:input[@src]", "src", .resource),
            ("//h:video[@poster]", "poster", .resource),
            ("//h:object[@data]", "data", .resource),
            ("//h:form[@action]", "action", .form),
            ("//s:script[@href]", "href", .script),
            ("//s:*[not(self::s:script)][@href]", "href", .resource),
        ]
        for (expression, attribute, kind) in plain {
            for element in xpath.nodes(expression) {
                guard let value = XMLNode.attribute(element, attribute) else { continue }
                checkReference(value, kind: kind, element: element, line: XMLNode.line(element), ids: ids)
            }
        }
        for link in xpath.nodes("//h:link[@href]") {
            guard let value = XMLNode.attribute(link, "href") else { continue }
            let rel = (XMLNode.attribute(link, "rel") ?? "").lowercased().split(separator: " ")
            checkReference(value, kind: rel.contains("stylesheet") ? .stylesheet : .otherLink, element: link, line: XMLNode.line(link), ids: ids)
        }
        for element in xpath.nodes("//*[@xlink:href]") {
            guard let value = XMLNode.attribute(element, "href", namespace: LibXML.xlinkNamespace) else { continue }
            let kind: ReferenceKind = XMLNode.isElement(element, "script", namespace: LibXML.svgNamespace) ? .script : .resource
            checkReference(value, kind: kind, element: element, line: XMLNode.line(element), ids: ids)
        }
        for element in xpath.nodes("//h:img[@srcset] | //h:source[@srcset]") {
            guard let value = XMLNode.attribute(element, "srcset") else { continue }
            // "a.png 1x, b.png 2x": the URL is the first token of each candidate.
            for candidate in value.split(separator: ",") {
                guard let url = candidate.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first else { continue }
                checkReference(String(url), kind: .resource, element: element, line: XMLNode.line(element), ids: ids)
            }
        }
        for base in xpath.nodes("//h:base") {
            report(base, "<base> is not allowed (it changes what relative links point to)")
        }
    }

    /// Checks one URL as used by `element` (reported at `line`).
    private func checkReference(_ raw: String, kind: ReferenceKind, element: xmlNodePtr, line: Int, ids: [String: Int]) {
        let value = raw.trimmingASCIIWhitespace()
        let shown = Self.abbreviated(value)
        if value.isEmpty {
            report(line, 1, "empty URL")
            return
        }
        if let scheme = Self.scheme(of: value) {
            switch scheme {
            case "javascript":
                report(line, 1, "javascript: URL '\(shown)'")
            case "data":
                if kind != .image { report(line, 1, "data: URL not allowed here '\(shown)'") }
            default:
                reportExternal(shown, scheme: scheme, kind: kind, element: element, line: line)
            }
            return
        }
        if value.hasPrefix("//") {
            reportExternal(shown, scheme: nil, kind: kind, element: element, line: line)
            return
        }

        var pathPart = Substring(value)
        var fragment: String? = nil
        if let hash = pathPart.firstIndex(of: "#") {
            fragment = String(pathPart[pathPart.index(after: hash)...])
            pathPart = pathPart[..<hash]
        }
        if let question = pathPart.firstIndex(of: "?") {
            pathPart = pathPart[..<question]
        }
        var decodedFragment: String? = nil
        if let fragment {
            decodedFragment = fragment.removingPercentEncoding
        }
        guard let decodedPath = String(pathPart).removingPercentEncoding, (fragment == nil) == (decodedFragment == nil) else {
            report(line, 1, "malformed percent-encoding in '\(shown)'")
            return
        }

        if decodedPath.isEmpty {  // this page
            guard let decodedFragment else { return }  // "?query" alone: this page
            if decodedFragment.isEmpty {
                report(line, 1, "empty fragment '\(shown)'")
            } else if ids[decodedFragment] == nil {
                report(line, 1, "dead anchor '\(shown)'")
            }
            return
        }
        if decodedPath.hasPrefix("/") {
            report(line, 1, "site-absolute path '\(shown)' (use a relative path)")
            return
        }

        let components = decodedPath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let namesDirectory = decodedPath.hasSuffix("/") || components.last == "." || components.last == ".."
        var target = folder
        for component in components where !component.isEmpty && component != "." {
            if component == ".." {
                guard !target.isEmpty else {
                    report(line, 1, "dead link '\(shown)' (outside the site)")
                    return
                }
                target.removeLast()
            } else {
                target.append(component)
            }
        }
        let targetPath = target.joined(separator: "/")
        if !namesDirectory, site.files[targetPath] != nil {
            if let decodedFragment, !decodedFragment.isEmpty, let targetIDs = idsByPage[targetPath], targetIDs[decodedFragment] == nil {
                report(line, 1, "dead anchor '\(shown)'")
            }
            return
        }
        if site.directories.contains(targetPath) {
            report(line, 1, "dead link '\(shown)' (a directory; there is no index page)")
        } else {
            report(line, 1, "dead link '\(shown)'")
        }
    }

    private func reportExternal(_ shown: String, scheme: String?, kind: ReferenceKind, element: xmlNodePtr, line: Int) {
        switch kind {
        case .navigation:
            if isInSourcesSection(element) {
                if scheme != "http" && scheme != "https" {
                    report(line, 1, "link '\(shown)' in the sources section must be http: or https:")
                }
            } else {
                report(line, 1, "outbound link '\(shown)' outside the sources section")
            }
        case .stylesheet: report(line, 1, "remote stylesheet '\(shown)'")
        case .otherLink: report(line, 1, "remote link '\(shown)'")
        case .script: report(line, 1, "remote script '\(shown)'")
        case .image, .resource: report(line, 1, "remote resource '\(shown)'")
        case .form: report(line, 1, "form action outside the site '\(shown)'")
        case .cssURL: report(line, 1, "remote url() '\(shown)' in CSS")
        case .cssImport: report(line, 1, "remote @import '\(shown)'")
        }
    }

    /// Inside (or on) an element with `id="sources"` or a class token `sources`.
    private func isInSourcesSection(_ element: xmlNodePtr) -> Bool {
        XMLNode.selfAndAncestors(element).contains { node in
            if XMLNode.attribute(node, "id") == "sources" { return true }
            let classes = (XMLNode.attribute(node, "class") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            return classes.contains("sources")
        }
    }

    // MARK: - CSS

    private func checkStyles(_ xpath: XPath, ids: [String: Int]) {
        for element in xpath.nodes("//*[@style]") {
            guard let css = XMLNode.attribute(element, "style") else { continue }
            checkCSS(css, element: element, line: XMLNode.line(element), ids: ids)
        }
        for element in xpath.nodes("//h:style | //s:style") {
            checkCSS(XMLNode.text(element), element: element, line: XMLNode.line(element), ids: ids)
        }
        // SVG presentation attributes: fill="url(#gradient)", marker-end="url(#arrow)", …
        for element in xpath.nodes("//s:*") {
            for attribute in XMLNode.attributes(element) where attribute.namespace == nil && attribute.name != "style" {
                if attribute.value.range(of: "url(", options: .caseInsensitive) != nil {
                    checkCSS(attribute.value, element: element, line: XMLNode.line(element), ids: ids)
                }
            }
        }
    }

    private func checkCSS(_ css: String, element: xmlNodePtr, line: Int, ids: [String: Int]) {
        for reference in CSSScanner.references(in: css) {
            checkReference(reference.url, kind: reference.isImport ? .cssImport : .cssURL,
                           element: element, line: line + reference.lineOffset, ids: ids)
        }
    }

    // MARK: - Accessibility

    private func checkAccessibility(_ xpath: XPath) {
        for image in xpath.nodes("//h:img[not(@alt)]") {
            report(image, "img without alt")
        }
        for svg in xpath.nodes("//s:svg[not(ancestor::s:svg)]") {
            if XMLNode.attribute(svg, "role") != "img" {
                report(svg, "svg without role=\"img\"")
            }
            if xpath.nodes("s:title[normalize-space(.) != '']", from: svg).isEmpty {
                report(svg, "svg without <title>")
            }
        }
        for table in xpath.nodes("//h:table") {
            let labelled = !xpath.nodes("h:caption[normalize-space(.) != ''] | self::*[normalize-space(@aria-label) != '' or normalize-space(@aria-labelledby) != '']", from: table).isEmpty
            if !labelled {
                report(table, "table without <caption>, aria-label or aria-labelledby")
            }
            if xpath.nodes(".//h:th", from: table).isEmpty {
                report(table, "table without header cells (<th>)")
            }
        }
    }

    // MARK: - Helpers

    /// The lowercased scheme of an absolute URL ("https", "data", …), or nil for a relative one.
    static func scheme(of value: String) -> String? {
        guard let colon = value.firstIndex(of: ":") else { return nil }
        let candidate = value[..<colon].unicodeScalars
        let isLetter: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
        guard let first = candidate.first, isLetter(first),
              candidate.allSatisfy({ isLetter($0) || ("0"..."9").contains($0) || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        return String(candidate).lowercased()
    }

    /// Long values (data: URLs) are cut in messages.
    static func abbreviated(_ value: String) -> String {
        value.count > 80 ? String(value.prefix(77)) + "…" : value
    }
}

