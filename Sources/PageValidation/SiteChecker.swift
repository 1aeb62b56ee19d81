import CLibXML2
import Foundation

/// Checks every `*.html` page of a generated site: well-formed polyglot XHTML, no duplicate ids,
/// every internal reference resolves, nothing is loaded from outside the site, and the basic
/// accessibility rules (img alt, svg role/title, table caption/headers, page title, charset).
///
/// Decisions:
/// - `href="#"` (an empty fragment) is reported: it is a placeholder that goes nowhere.
///   `page.html#` (path plus empty fragment) is accepted: it points at the top of `page.html`.
/// - `data:` URLs are allowed only in `<img src>` (they load nothing from outside the site);
///   anywhere else they are reported. `javascript:` URLs are always reported.
/// - `<a>`/`<area>` may point outside the site (`http:`/`https:` only) when inside an element with
///   `id="sources"` or a `class` token `sources`; any other scheme, or `//host`, is reported.
/// - Site-absolute paths (`/x.html`) are reported: the site must work from any folder and `file:`.
/// - Only the outermost `<svg>` of a nesting needs `role="img"` and `<title>`.
public enum SiteChecker {
    /// `files` maps each site-relative path ("index.html", "style.css", "layers/1/attention.html") to its bytes:
    /// every file of the site (non-HTML ones are there so links to them resolve). Every `*.html` file is checked.
    /// `displayPrefix` is prepended to paths in diagnostics (e.g. "Site/").
    ///
    /// Each page is parsed once and its tree walked once (pages are checked in parallel, each with
    /// its own parser context); anchors into other pages are checked at the end, once every page's
    /// ids are known.
    public static func check(files: [String: [UInt8]], displayPrefix: String) -> [Diagnostic] {
        let site = Site(files: files)
        let paths = site.htmlPaths
        // Biggest pages first, so the parallel loop does not end waiting on one big page.
        let order = paths.indices.sorted { (site.files[paths[$0]]?.count ?? 0) > (site.files[paths[$1]]?.count ?? 0) }
        // Each iteration initializes only its own slot.
        nonisolated(unsafe) let reports = UnsafeMutableBufferPointer<PageReport>.allocate(capacity: paths.count)
        defer {
            _ = reports.deinitialize()
            reports.deallocate()
        }
        _ = LibXML.initialized  // xmlInitParser() before any thread parses
        DispatchQueue.concurrentPerform(iterations: paths.count) { iteration in
            let index = order[iteration]
            let path = paths[index]
            let check = PageCheck(path: path, displayName: displayPrefix + path, bytes: site.files[path] ?? [], site: site)
            (reports.baseAddress! + index).initialize(to: check.run())
        }

        // Ids of every well-formed page, for anchors into it (ill-formed pages report their own errors).
        var idsByPage: [String: [String: Int]] = [:]
        for (index, path) in paths.enumerated() {
            if let ids = reports[index].ids { idsByPage[path] = ids }
        }
        var diagnostics: [Diagnostic] = []
        for (index, path) in paths.enumerated() {
            let report = reports[index]
            diagnostics += report.diagnostics
            for anchor in report.anchors {
                if let targetIDs = idsByPage[anchor.page], targetIDs[anchor.fragment] == nil {
                    diagnostics.append(Diagnostic(file: displayPrefix + path, line: anchor.line, column: 1, message: "dead anchor '\(anchor.shown)'"))
                }
            }
        }
        return diagnostics.sortedUnique()
    }

    /// Reads every file below `directory` (recursively) and calls the above. A missing/unreadable directory gives one diagnostic.
    public static func check(directory: String, displayPrefix: String) -> [Diagnostic] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [Diagnostic(file: directory, line: 1, column: 1, message: "site directory '\(directory)' does not exist or is not a directory")]
        }
        let subpaths: [String]
        do {
            subpaths = try manager.subpathsOfDirectory(atPath: directory)
        } catch {
            return [Diagnostic(file: directory, line: 1, column: 1, message: "cannot read site directory '\(directory)': \(error.localizedDescription)")]
        }
        var files: [String: [UInt8]] = [:]
        var diagnostics: [Diagnostic] = []
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        for subpath in subpaths {
            var entryIsDirectory: ObjCBool = false
            let fullPath = base + subpath
            guard manager.fileExists(atPath: fullPath, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue else { continue }
            if let data = manager.contents(atPath: fullPath) {
                files[subpath] = [UInt8](data)
            } else {
                diagnostics.append(Diagnostic(file: displayPrefix + subpath, line: 1, column: 1, message: "cannot read file"))
            }
        }
        return (diagnostics + check(files: files, displayPrefix: displayPrefix)).sortedUnique()
    }
}

/// The files of a site, keyed by normalised relative path, and the folders they imply.
struct Site: Sendable {
    var files: [String: [UInt8]] = [:]
    /// Every folder that holds a file, as a normalised path; "" is the site root.
    var directories: Set<String> = [""]
    var htmlPaths: [String]

    init(files input: [String: [UInt8]]) {
        for (key, bytes) in input {
            let components = Site.components(of: key)
            files[components.joined(separator: "/")] = bytes
            for count in 0..<components.count {
                directories.insert(components.prefix(count).joined(separator: "/"))
            }
        }
        htmlPaths = files.keys.filter { $0.hasSuffix(".html") }.sorted()
    }

    /// "./a//b/c" → ["a", "b", "c"].
    static func components(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }
}

/// What a URL is used for: decides what is allowed and how a problem is worded.
enum ReferenceKind {
    case navigation   // <a href>, <area href>
    case stylesheet   // <link rel="stylesheet" href>
    case otherLink    // any other <link href>
    case script       // <script src>, <svg:script href>
    case image        // <img src>: the only place data: URLs are allowed
    case resource     // iframe, source, video, audio, track, embed, object, srcset, svg href / xlink:href
    case form         // <form action>
    case cssURL       // url(…) in a style attribute, <style>, or an SVG presentation attribute
    case cssImport    // @import in a style attribute or <style>
}

/// What checking one page found.
struct PageReport {
    /// Everything found on the page, except anchors into other pages.
    var diagnostics: [Diagnostic] = []
    /// The page's ids with the line of their first occurrence; nil when the page is not well-formed.
    var ids: [String: Int]? = nil
    /// Links with a fragment to an existing page: dead when that page is well-formed and lacks the id.
    var anchors: [CrossPageAnchor] = []
}

struct CrossPageAnchor {
    var page: String
    var fragment: String
    var line: Int
    /// The URL as shown in the message.
    var shown: String
}

/// All checks for one page, in one walk over its elements. A class only so the helpers can append to `diagnostics`.
///
/// What the walk looks at, per element (h: XHTML, s: SVG; attributes without a namespace unless noted):
/// - ids: every `id` (duplicates reported at once); id lists in aria-labelledby, aria-describedby,
///   aria-controls, aria-owns (any element), h:label|h:output/@for, h:td|h:th/@headers, checked after the walk.
/// - URLs: h:a|h:area/@href (navigation), h:script/@src, h:img/@src (image), h:iframe|source|video|audio|
///   track|embed|input/@src, h:video/@poster, h:object/@data, h:form/@action, s:script/@href (script),
///   other s:*/@href, h:link/@href (stylesheet or other link by rel), any xlink:href (script on s:script),
///   h:img|h:source/@srcset candidates; h:base is reported. Checked after the walk, when all ids are known.
/// - CSS: any @style, the text of h:style and s:style, and every SVG attribute but style that holds `url(`.
/// - Accessibility: h:img without @alt, the outermost s:svg (role="img", a non-blank s:title child),
///   h:table (a non-blank h:caption child, aria-label or aria-labelledby; some h:th below it).
/// - The root element, `<title>` and `<meta charset>` in the head.
final class PageCheck {
    let path: String
    let displayName: String
    let bytes: [UInt8]
    let site: Site
    /// The page's folder, as path components.
    let folder: [String]
    private var diagnostics: [Diagnostic] = []
    private var anchors: [CrossPageAnchor] = []

    /// Filled by the walk.
    private var ids: [String: Int] = [:]
    private var references: [(value: String, kind: ReferenceKind, line: Int, inSources: Bool)] = []
    private var idReferences: [(value: String, attribute: String, line: Int)] = []
    private var tables: [(line: Int, hasHeaderCell: Bool)] = []
    private var openTables: [Int] = []
    /// The current element's attributes by SITEGEN_ATTR_* code (reused for every element).
    private let attributes = UnsafeMutablePointer<UnsafePointer<xmlAttr>?>.allocate(capacity: Int(SITEGEN_ATTR_COUNT))

    init(path: String, displayName: String, bytes: [UInt8], site: Site) {
        self.path = path
        self.displayName = displayName
        self.bytes = bytes
        self.site = site
        self.folder = Array(Site.components(of: path).dropLast())
    }

    deinit { attributes.deallocate() }

    private func report(_ line: Int, _ column: Int = 1, _ message: String) {
        diagnostics.append(Diagnostic(file: displayName, line: line, column: column, message: message))
    }

    private func report(_ node: xmlNodePtr, _ message: String) {
        report(XMLNode.line(node), 1, message)
    }

    func run() -> PageReport {
        let outcome = LibXML.parse(bytes, name: displayName)
        for message in outcome.messages {
            report(message.line, message.column, message.isWarning ? "warning: \(message.text)" : message.text)
        }
        guard outcome.wellFormed, let document = outcome.document else { return PageReport(diagnostics: diagnostics) }

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
        for reference in references {
            checkReference(reference.value, kind: reference.kind, line: reference.line, inSources: reference.inSources)
        }
        for reference in idReferences {
            for id in reference.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) where ids[String(id)] == nil {
                report(reference.line, 1, "dead id reference '\(id)' in \(reference.attribute)")
            }
        }
        checkHead(document)
        return withExtendedLifetime(document) { PageReport(diagnostics: diagnostics, ids: ids, anchors: anchors) }
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
            if let firstLine = ids[value] {
                report(line(), 1, "duplicate id '\(value)' (first at line \(firstLine))")
            } else {
                ids[value] = line()
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
            references.append((value, kind, line(), inSources))
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
                    references.append((value, rel.contains("stylesheet") ? .stylesheet : .otherLink, line(), inSources))
                }
            case SITEGEN_TAG_BASE:
                report(line(), 1, "<base> is not allowed (it changes what relative links point to)")
            default: break
            }
            if tag == SITEGEN_TAG_IMG || tag == SITEGEN_TAG_SOURCE, let attr = attribute(SITEGEN_ATTR_SRCSET), let value = Self.value(attr) {
                // "a.png 1x, b.png 2x": the URL is the first token of each candidate.
                for candidate in value.split(separator: ",") {
                    guard let url = candidate.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first else { continue }
                    references.append((String(url), .resource, line(), inSources))
                }
            }
        } else if isSVG {
            reference(SITEGEN_ATTR_HREF, tag == SITEGEN_TAG_SCRIPT ? .script : .resource)
        }
        reference(SITEGEN_ATTR_XLINK_HREF, isSVG && tag == SITEGEN_TAG_SCRIPT ? .script : .resource)

        // CSS.
        if let attr = attribute(SITEGEN_ATTR_STYLE), let css = Self.value(attr) {
            checkCSS(css, line: line(), inSources: inSources)
        }
        if tag == SITEGEN_TAG_STYLE {
            checkCSS(XMLNode.text(node), line: line(), inSources: inSources)
        }
        if svgCSS {
            // SVG presentation attributes: fill="url(#gradient)", marker-end="url(#arrow)", …
            for attribute in XMLNode.attributes(node) where attribute.namespace == nil && attribute.name != "style" {
                if attribute.value.range(of: "url(", options: .caseInsensitive) != nil {
                    checkCSS(attribute.value, line: line(), inSources: inSources)
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

    // MARK: - References

    /// Checks one URL (reported at `line`); `inSources`: the element is in (or is) the sources section.
    private func checkReference(_ raw: String, kind: ReferenceKind, line: Int, inSources: Bool) {
        let value = raw.trimmingASCIIWhitespace()
        if value.isEmpty {
            report(line, 1, "empty URL")
            return
        }
        if let scheme = Self.scheme(of: value) {
            switch scheme {
            case "javascript":
                report(line, 1, "javascript: URL '\(Self.abbreviated(value))'")
            case "data":
                if kind != .image { report(line, 1, "data: URL not allowed here '\(Self.abbreviated(value))'") }
            default:
                reportExternal(Self.abbreviated(value), scheme: scheme, kind: kind, inSources: inSources, line: line)
            }
            return
        }
        if value.hasPrefix("//") {
            reportExternal(Self.abbreviated(value), scheme: nil, kind: kind, inSources: inSources, line: line)
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
            decodedFragment = Self.removingPercentEncoding(fragment)
        }
        guard let decodedPath = Self.removingPercentEncoding(String(pathPart)), (fragment == nil) == (decodedFragment == nil) else {
            report(line, 1, "malformed percent-encoding in '\(Self.abbreviated(value))'")
            return
        }

        if decodedPath.isEmpty {  // this page
            guard let decodedFragment else { return }  // "?query" alone: this page
            if decodedFragment.isEmpty {
                report(line, 1, "empty fragment '\(Self.abbreviated(value))'")
            } else if ids[decodedFragment] == nil {
                report(line, 1, "dead anchor '\(Self.abbreviated(value))'")
            }
            return
        }
        if decodedPath.hasPrefix("/") {
            report(line, 1, "site-absolute path '\(Self.abbreviated(value))' (use a relative path)")
            return
        }

        let components = decodedPath.split(separator: "/", omittingEmptySubsequences: false)
        let namesDirectory = decodedPath.hasSuffix("/") || components.last == "." || components.last == ".."
        var target = folder
        for component in components where !component.isEmpty && component != "." {
            if component == ".." {
                guard !target.isEmpty else {
                    report(line, 1, "dead link '\(Self.abbreviated(value))' (outside the site)")
                    return
                }
                target.removeLast()
            } else {
                target.append(String(component))
            }
        }
        let targetPath = target.joined(separator: "/")
        if !namesDirectory, site.files[targetPath] != nil {
            if let decodedFragment, !decodedFragment.isEmpty {
                // Checked once every page's ids are known (a non-page target has none and is not checked).
                anchors.append(CrossPageAnchor(page: targetPath, fragment: decodedFragment, line: line, shown: Self.abbreviated(value)))
            }
            return
        }
        if site.directories.contains(targetPath) {
            report(line, 1, "dead link '\(Self.abbreviated(value))' (a directory; there is no index page)")
        } else {
            report(line, 1, "dead link '\(Self.abbreviated(value))'")
        }
    }

    /// `removingPercentEncoding`, without the Foundation call when there is nothing to decode.
    static func removingPercentEncoding(_ text: String) -> String? {
        text.utf8.contains(UInt8(ascii: "%")) ? text.removingPercentEncoding : text
    }

    private func reportExternal(_ shown: String, scheme: String?, kind: ReferenceKind, inSources: Bool, line: Int) {
        switch kind {
        case .navigation:
            if inSources {
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

    // MARK: - CSS

    /// Collects the references of CSS text (checked after the walk, like every other URL).
    private func checkCSS(_ css: String, line: Int, inSources: Bool) {
        for reference in CSSScanner.references(in: css) {
            references.append((reference.url, reference.isImport ? .cssImport : .cssURL, line + reference.lineOffset, inSources))
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

/// Finds `url(…)` and `@import` references in CSS text (comments skipped).
enum CSSScanner {
    struct Reference: Equatable {
        var url: String
        var isImport: Bool
        /// Newlines between the start of the CSS text and the reference.
        var lineOffset: Int
    }

    static func references(in css: String) -> [Reference] {
        var bytes = Array(css.utf8)
        // Blank comments, keeping newlines.
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "*") {
                var end = index + 2
                while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                let stop = min(end + 2, bytes.count)
                for position in index..<stop where bytes[position] != 0x0A { bytes[position] = 0x20 }
                index = stop
            } else {
                index += 1
            }
        }

        var result: [Reference] = []
        index = 0
        func matches(_ word: String, at position: Int) -> Bool {
            let wordBytes = Array(word.utf8)
            guard position + wordBytes.count <= bytes.count else { return false }
            for (offset, expected) in wordBytes.enumerated() {
                var actual = bytes[position + offset]
                if actual >= 0x41, actual <= 0x5A { actual += 0x20 }
                if actual != expected { return false }
            }
            return true
        }
        func skipSpace(_ position: inout Int) {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[position]) { position += 1 }
        }
        func lineOffset(_ position: Int) -> Int {
            bytes[..<position].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        /// Reads a quoted string starting at a quote; returns its content.
        func readString(_ position: inout Int) -> String {
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote { position += 1 }
            let value = String(decoding: bytes[start..<min(position, bytes.count)], as: UTF8.self)
            position += 1
            return value
        }
        /// Reads `url(…)` starting after "url("; returns the URL.
        func readURL(_ position: inout Int) -> String {
            skipSpace(&position)
            if position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") {
                let value = readString(&position)
                while position < bytes.count, bytes[position] != UInt8(ascii: ")") { position += 1 }
                position += 1
                return value
            }
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: ")") { position += 1 }
            let value = String(decoding: bytes[start..<min(position, bytes.count)], as: UTF8.self)
            position += 1
            return value.trimmingASCIIWhitespace()
        }

        while index < bytes.count {
            if matches("@import", at: index) {
                let start = index
                index += 7
                skipSpace(&index)
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                    result.append(Reference(url: readString(&index), isImport: true, lineOffset: lineOffset(start)))
                } else if matches("url(", at: index) {
                    index += 4
                    result.append(Reference(url: readURL(&index), isImport: true, lineOffset: lineOffset(start)))
                }
            } else if matches("url(", at: index) {
                let start = index
                index += 4
                result.append(Reference(url: readURL(&index), isImport: false, lineOffset: lineOffset(start)))
            } else {
                index += 1
            }
        }
        return result
    }
}
