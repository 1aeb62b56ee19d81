import Diagnostics
import CLibXML2
import FoundationEssentials
import Dispatch
import Glibc

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
/// - Only the outermost `<svg>` of a nesting needs `role="img"` (or `"group"`, a figure of links) and `<title>`.
public enum SiteChecker {
    /// `files` maps each site-relative path ("index.html", "style.css", "layers/1/attention.html") to its bytes:
    /// every file of the site (non-HTML ones are there so links to them resolve). Every `*.html` file is checked.
    /// `displayPrefix` is prepended to paths in diagnostics (e.g. "Site/").
    ///
    /// Each page is parsed once and its tree walked once (`PageScan`); pages are checked in parallel,
    /// each with its own parser context. Anchors into other pages are checked at the end, once
    /// every page's ids are known.
    public static func check(files: [String: [UInt8]], displayPrefix: String) -> [Diagnostic] {
        check(files: files, scanned: [:], displayPrefix: displayPrefix)
    }

    /// A page parsed and walked once (the costly part of a check), so a build can scan each
    /// page as soon as it is rendered, on the thread that rendered it.
    public struct ScannedPage: Sendable {
        let scan: PageScan
        let byteCount: Int
    }

    public static func scan(_ bytes: [UInt8]) -> ScannedPage {
        _ = LibXML.initialized
        return ScannedPage(scan: PageScan(bytes), byteCount: bytes.count)
    }

    /// `check(files:displayPrefix:)`, reusing the scans in `scanned` (path → scan of exactly the
    /// bytes in `files`); pages without one are scanned here.
    public static func check(files: [String: [UInt8]], scanned: [String: ScannedPage], displayPrefix: String) -> [Diagnostic] {
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
            let bytes = site.files[path] ?? []
            let scan = scanned[path].flatMap { $0.byteCount == bytes.count ? $0.scan : nil } ?? PageScan(bytes)
            let resolver = ReferenceResolver(path: path, displayName: displayPrefix + path, site: site, ids: scan.ids)
            (reports.baseAddress! + index).initialize(to: resolver.report(scan))
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
        var isDirectory = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
            return [Diagnostic(file: directory, line: 1, column: 1, message: "site directory '\(directory)' does not exist or is not a directory")]
        }
        let subpaths: [String]
        do {
            subpaths = try manager.subpathsOfDirectory(atPath: directory)
        } catch {
            return [Diagnostic(file: directory, line: 1, column: 1, message: "cannot read site directory '\(directory)': \(systemReason(for: error))")]
        }
        var files: [String: [UInt8]] = [:]
        var diagnostics: [Diagnostic] = []
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        for subpath in subpaths {
            var entryIsDirectory = false
            let fullPath = base + subpath
            guard manager.fileExists(atPath: fullPath, isDirectory: &entryIsDirectory), !entryIsDirectory else { continue }
            // Only regular files are read: a named pipe would block, a link to /dev/zero never end.
            var info = stat()
            guard stat(fullPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                diagnostics.append(Diagnostic(file: displayPrefix + subpath, line: 1, column: 1, message: "is not a regular file"))
                continue
            }
            if let data = manager.contents(atPath: fullPath) {
                files[subpath] = [UInt8](data)
            } else {
                diagnostics.append(Diagnostic(file: displayPrefix + subpath, line: 1, column: 1, message: "cannot read file"))
            }
        }
        guard files.keys.contains(where: { $0.hasSuffix(".html") }) else {
            return (diagnostics + [Diagnostic(file: directory, line: 1, column: 1, message: "holds no page (no .html file), expected a site")]).sortedUnique()
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
enum ReferenceKind: Sendable {
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

/// Checks the URLs a page scan collected against the site; turns the scan into the page's report.
struct ReferenceResolver {
    let path: String
    let displayName: String
    let site: Site
    /// The page's own ids, for `#fragment` links.
    let ids: [String: Int]
    /// The page's folder, as path components.
    let folder: [String]

    init(path: String, displayName: String, site: Site, ids: [String: Int]) {
        self.path = path
        self.displayName = displayName
        self.site = site
        self.ids = ids
        self.folder = Array(Site.components(of: path).dropLast())
    }

    func report(_ scan: PageScan) -> PageReport {
        var report = PageReport()
        report.diagnostics = scan.findings.map { Diagnostic(file: displayName, line: $0.line, column: $0.column, message: $0.message) }
        guard scan.wellFormed else { return report }
        report.ids = scan.ids
        for reference in scan.references {
            checkReference(reference.value, kind: reference.kind, line: reference.line, inSources: reference.inSources, into: &report)
        }
        return report
    }

    /// Checks one URL (reported at `line`); `inSources`: the element is in (or is) the sources section.
    private func checkReference(_ raw: String, kind: ReferenceKind, line: Int, inSources: Bool, into result: inout PageReport) {
        func report(_ message: String) {
            result.diagnostics.append(Diagnostic(file: displayName, line: line, column: 1, message: message))
        }
        // Most links are a plain file name beside the page ("attention-t3.html"): look it up
        // directly; anything else (folders, fragments, escapes, schemes) takes the full path.
        if folder.isEmpty, Self.isPlainFileName(raw), site.files[raw] != nil { return }
        let value = raw.trimmingASCIIWhitespace()
        if value.isEmpty {
            report("empty URL")
            return
        }
        if let scheme = Self.scheme(of: value) {
            switch scheme {
            case "javascript":
                report("javascript: URL '\(Self.abbreviated(value))'")
            case "data":
                if kind != .image { report("data: URL not allowed here '\(Self.abbreviated(value))'") }
            default:
                if let message = Self.externalMessage(Self.abbreviated(value), scheme: scheme, kind: kind, inSources: inSources) { report(message) }
            }
            return
        }
        if value.hasPrefix("//") {
            if let message = Self.externalMessage(Self.abbreviated(value), scheme: nil, kind: kind, inSources: inSources) { report(message) }
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
            report("malformed percent-encoding in '\(Self.abbreviated(value))'")
            return
        }

        if decodedPath.isEmpty {  // this page
            guard let decodedFragment else { return }  // "?query" alone: this page
            if decodedFragment.isEmpty {
                report("empty fragment '\(Self.abbreviated(value))'")
            } else if ids[decodedFragment] == nil {
                report("dead anchor '\(Self.abbreviated(value))'")
            }
            return
        }
        if decodedPath.hasPrefix("/") {
            report("site-absolute path '\(Self.abbreviated(value))' (use a relative path)")
            return
        }

        let components = decodedPath.split(separator: "/", omittingEmptySubsequences: false)
        let namesDirectory = decodedPath.hasSuffix("/") || components.last == "." || components.last == ".."
        var target = folder
        for component in components where !component.isEmpty && component != "." {
            if component == ".." {
                guard !target.isEmpty else {
                    report("dead link '\(Self.abbreviated(value))' (outside the site)")
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
                // Checked once every page's ids are known (a target that is not a page has none and is not checked).
                result.anchors.append(CrossPageAnchor(page: targetPath, fragment: decodedFragment, line: line, shown: Self.abbreviated(value)))
            }
            return
        }
        if site.directories.contains(targetPath) {
            report("dead link '\(Self.abbreviated(value))' (a directory; there is no index page)")
        } else {
            report("dead link '\(Self.abbreviated(value))'")
        }
    }

    /// Letters, digits, `-`, `_` and `.` only, not starting with a dot: a name that needs no
    /// decoding or resolving.
    static func isPlainFileName(_ value: String) -> Bool {
        var first = true
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                break
            case UInt8(ascii: "."):
                if first { return false }
            default:
                return false
            }
            first = false
        }
        return !first
    }

    /// The text with every `%XX` decoded; nil when a `%` is not followed by two hex digits or
    /// the decoded bytes are not UTF-8 (as Foundation's `removingPercentEncoding`).
    static func removingPercentEncoding(_ text: String) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var bytes: [UInt8] = []
        var rest = text.utf8[...]
        while let byte = rest.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = rest.popFirst().flatMap(hexValue), let low = rest.popFirst().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The message for a URL that points outside the site, or nil when that is allowed.
    static func externalMessage(_ shown: String, scheme: String?, kind: ReferenceKind, inSources: Bool) -> String? {
        switch kind {
        case .navigation:
            if inSources {
                return scheme != "http" && scheme != "https" ? "link '\(shown)' in the sources section must be http: or https:" : nil
            }
            return "outbound link '\(shown)' outside the sources section"
        case .stylesheet: return "remote stylesheet '\(shown)'"
        case .otherLink: return "remote link '\(shown)'"
        case .script: return "remote script '\(shown)'"
        case .image, .resource: return "remote resource '\(shown)'"
        case .form: return "form action outside the site '\(shown)'"
        case .cssURL: return "remote url() '\(shown)' in CSS"
        case .cssImport: return "remote @import '\(shown)'"
        }
    }

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
