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
    public static func check(files: [String: [UInt8]], displayPrefix: String) -> [Diagnostic] {
        let site = Site(files: files)
        var outcomes: [String: ParseOutcome] = [:]
        for path in site.htmlPaths {
            outcomes[path] = LibXML.parse(site.files[path] ?? [], name: displayPrefix + path)
        }
        // Ids of every well-formed page, for anchors into it (ill-formed pages report their own errors).
        let ids: [String: [String: Int]] = outcomes.compactMapValues { outcome in
            outcome.wellFormed ? outcome.document?.ids() : nil
        }
        var diagnostics: [Diagnostic] = []
        for path in site.htmlPaths {
            guard let outcome = outcomes[path] else { continue }
            let page = PageCheck(path: path, displayName: displayPrefix + path, bytes: site.files[path] ?? [],
                                 outcome: outcome, site: site, idsByPage: ids)
            diagnostics += page.run()
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
struct Site {
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

/// All checks for one page. A class only so the helpers can append to `diagnostics`.
final class PageCheck {
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
