import Diagnostics
import Foundation
import Testing
@testable import PageValidation

/// The checker reads a page with libxml2's streaming parser, and the few pages that parser
/// leaves (entities, xml:id) by walking a tree: both readers must find exactly the same on
/// every page the streaming one reads, random pages that mix every element and attribute the
/// checks look at included.
@Suite("The streaming and the tree reader agree")
struct ReaderAgreementTests {
    /// The streaming reader and the tree reader find the same on every page the streaming one
    /// reads; pages with entities or an xml:id go to the tree reader (both kinds must occur).
    @Test func streamingAndTreeReadersAgree() {
        var rng = SplitMix64(seed: 0x7265_6164)
        var streamed = 0, leftToTheTree = 0
        for round in 0..<300 {
            for (path, bytes) in RandomSite.make(&rng) where path.hasSuffix(".html") {
                let tree = TreePageReader.scan(bytes)
                guard let stream = StreamingPageReader.scan(bytes) else {
                    leftToTheTree += 1
                    continue
                }
                streamed += 1
                #expect(Self.summary(stream) == Self.summary(tree), "round \(round), \(path)")
            }
        }
        #expect(streamed > 500)
        #expect(leftToTheTree > 20)
    }

    /// The random pages must provoke every kind of report, or the agreement says little.
    @Test func randomSitesProvokeEveryKindOfReport() {
        var rng = SplitMix64(seed: 0x5173_6E67)
        var reported = 0
        var kinds = Set<String>()
        for _ in 0..<400 {
            let messages = SiteChecker.check(files: RandomSite.make(&rng), displayPrefix: "").map(\.message)
            reported += messages.count
            for message in messages {
                for kind in Self.messageKinds where message.contains(kind) { kinds.insert(kind) }
            }
        }
        #expect(reported > 2000)
        #expect(Set(Self.messageKinds).subtracting(kinds).sorted() == [])
    }

    static func summary(_ scan: PageScan) -> [String] {
        ["well-formed: \(scan.wellFormed)"]
            + scan.findings.map { "\($0.line):\($0.column) \($0.message)" }.sorted()
            + scan.ids.map { "id \($0.key) \($0.value)" }.sorted()
            + scan.references.map { "ref \($0.value) \($0.kind) \($0.line) \($0.inSources)" }.sorted()
    }

    static let messageKinds = [
        "duplicate id", "dead id reference", "dead anchor", "dead link", "(outside the site)", "(a directory; there is no index page)",
        "empty fragment", "empty URL", "javascript: URL", "data: URL not allowed here", "site-absolute path", "malformed percent-encoding",
        "outbound link", "in the sources section must be http: or https:", "remote stylesheet", "remote link", "remote script",
        "remote resource", "form action outside the site", "remote url()", "remote @import", "<base> is not allowed",
        "img without alt", "svg without role", "svg without <title>", "table without <caption>", "table without header cells",
        "no <title> in <head>", "empty <title>", "no <meta charset>", "must be UTF-8", "the root element must be",
        "without a lang attribute", "must start with <!DOCTYPE html>", "Opening and ending tag mismatch",
    ]

    /// Deep nesting (no recursion limit below libxml2's own) and a big table.
    @Test func deepAndWidePages() throws {
        let deep = String(repeating: "<div>", count: 200) + "<a href=\"#nope\">x</a><table><tr><td>1</td></tr></table>" + String(repeating: "</div>", count: 200)
        let rows = (0..<300).map { "<tr><th id=\"r\($0)\">r</th><td headers=\"r\($0) r\($0 + 1)\">\($0)</td></tr>" }.joined(separator: "\n")
        let page = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/><title>t</title></head><body>
        \(deep)
        <table><caption>c</caption>
        \(rows)
        </table>
        </body></html>
        """
        let bytes = Array(page.utf8)
        let stream = try #require(StreamingPageReader.scan(bytes))
        #expect(Self.summary(stream) == Self.summary(TreePageReader.scan(bytes)))
        let found = SiteChecker.check(files: ["p.html": bytes], displayPrefix: "Site/").map(\.description)
        #expect(found == ["Site/p.html:3:1: dead anchor '#nope'", "Site/p.html:3:1: table without <caption>, aria-label or aria-labelledby",
                          "Site/p.html:3:1: table without header cells (<th>)", "Site/p.html:304:1: dead id reference 'r300' in headers"])
    }
}

/// A small deterministic random generator (the tests must not depend on the system's).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random sites of a few pages: every element and attribute the checks read, good and bad values,
/// nested SVG, tables inside tables, sources sections, line breaks inside tags, and now and then
/// an ill-formed page or a page without the usual head.
enum RandomSite {
    static let pagePaths = ["index.html", "p1.html", "dir/x.html"]
    static let ids = ["a", "b", "top", "sources", "x", "é", "a b", ""]
    static let classes = ["sources", "x sources", "src", "sources\tb", "a&#13;&#10;sources", "nope", "a&#10;sources", " sources ", "Sources", "sources&#x301;"]
    static let urls = [
        "", " ", "#", "#a", "#b", "#nope", "#top", "index.html", "index.html#a", "index.html#", "p1.html#b", "p1.html#zz",
        "../index.html#a", "dir/x.html#x", "dir/x.html#gone", "x.html#a", "missing.html", "dir/", "dir", "dir/.", "dir/..",
        "../x.html", "../../x.html", "/abs.html", "https://e.com/", "http://e.com", "HTTPS://E.COM/x", "mailto:x@e.com",
        "ftp://e.com/f", "//cdn.e.com/x.js", "javascript:void(0)", "JavaScript:x", "data:text/plain,hi", "a%20b.html",
        "%zz", "#%41", "#%zz", "p%31.html#a", "?q=1", "?q=1#a", "style.css", "style.css#x", "img.png", " index.html ",
        "é.html", "#é", "#%C3%A9", "1:2", "a:b/c", "./index.html#top", "dir//x.html#x", "index.html?x#a",
        "data:image/png;base64," + String(repeating: "QUFB", count: 30), "https://e.com/" + String(repeating: "long/", count: 20),
        "&amp;x.html", "a&#38;b.html", "index.html&#35;a", "&e;.html", "&amp;#38;x.html",
    ]
    static let css = [
        "color: red", "background: url(img.png)", "background:URL('https://e.com/a.png')", "@import 'https://e.com/y.css';",
        "/* url(http://c.com/) */ color: blue", "a {\n  background: url(\"#a\");\n}\n@import url(missing.css);",
        "x: url( dir/x.html#gone )", "@IMPORT \"style.css\";", "url(", "b: url('#nope')\n\n c: url(//cdn.e.com/x)",
    ]
    static let svgPaint = ["url(#a)", "uRl(#nope)", "red", "url(http://e.com/m)", "ｕｒｌ(#a)", "none", "url(img.png)", "x url(#b)&amp;"]
    static let idLists = ["a", "a b", "a nope", "", " ", "top\tb", "nope", "é", "a&#13;&#10;b"]
    static let texts = ["", " ", "\n", "x", "&#160;", "&amp;", "Title", " t ", "&#9;", "<![CDATA[ ]]>", "<![CDATA[x]]>"]

    static func pick<T>(_ values: [T], _ rng: inout SplitMix64) -> T { values[Int(rng.next() % UInt64(values.count))] }
    static func chance(_ percent: UInt64, _ rng: inout SplitMix64) -> Bool { rng.next() % 100 < percent }

    static func make(_ rng: inout SplitMix64) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = ["style.css": Array("body{}".utf8), "img.png": [0x89, 0x50]]
        for path in pagePaths where path == "index.html" || chance(80, &rng) {
            files[path] = Array(page(&rng).utf8)
        }
        return files
    }

    static func attributeText(_ name: String, _ value: String, _ rng: inout SplitMix64) -> String {
        let quote = chance(20, &rng) ? "'" : "\""
        let escaped = value.replacingOccurrences(of: quote, with: quote == "\"" ? "&quot;" : "&apos;")
            .replacingOccurrences(of: "<", with: "&lt;")
        return (chance(15, &rng) ? "\n" : " ") + "\(name)=\(quote)\(escaped)\(quote)"
    }

    static func randomAttributes(for tag: String, svg: Bool, _ rng: inout SplitMix64) -> String {
        var names: [String] = []
        let common = ["id", "class", "style", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "xlink:href", "title", "role"]
        let specific: [String]
        switch tag {
        case "a", "area": specific = ["href", "href", "href"]
        case "img": specific = ["src", "src", "alt", "alt", "srcset"]
        case "source": specific = ["src", "srcset"]
        case "script": specific = svg ? ["href"] : ["src"]
        case "iframe", "audio", "track", "embed", "input": specific = ["src"]
        case "video": specific = ["src", "poster"]
        case "object": specific = ["data"]
        case "form": specific = ["action"]
        case "link": specific = ["href", "rel", "rel"]
        case "label", "output": specific = ["for", "for"]
        case "td", "th": specific = ["headers", "headers"]
        case "table": specific = ["aria-label", "aria-labelledby"]
        case "svg": specific = ["role", "role", "fill"]
        default: specific = svg ? ["href", "fill", "stroke", "marker-end", "style"] : ["href", "src", "for", "headers", "alt", "data"]
        }
        let count = Int(rng.next() % 4)
        for _ in 0..<count { names.append(pick(chance(60, &rng) ? specific : common, &rng)) }
        var seen = Set<String>()
        var text = ""
        for name in names where seen.insert(name).inserted {
            let value: String
            switch name {
            case "id": value = pick(ids, &rng)
            case "class": value = pick(classes, &rng)
            case "style": value = pick(css, &rng)
            case "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "for", "headers": value = pick(idLists, &rng)
            case "rel": value = pick(["stylesheet", "Icon", "alternate StyleSheet", "preload"], &rng)
            case "role": value = pick(["img", "presentation", " img", ""], &rng)
            case "alt", "title": value = pick(texts, &rng)
            case "aria-label": value = pick(texts, &rng)
            case "fill", "stroke", "marker-end": value = pick(svgPaint, &rng)
            case "srcset": value = pick(["img.png 1x, missing.png 2x", "https://e.com/a.png", " , img.png", "data:x,y 2x"], &rng)
            default: value = pick(urls, &rng)
            }
            text += attributeText(name, value, &rng)
        }
        if chance(1, &rng) { text += attributeText("xml:id", pick(ids, &rng), &rng) }
        return text
    }

    static let htmlTags = ["a", "area", "img", "script", "iframe", "source", "video", "audio", "track", "embed", "input", "object",
                           "form", "link", "base", "style", "table", "caption", "th", "td", "tr", "label", "output", "div", "section",
                           "p", "span", "ul", "li", "nav", "svg", "title", "meta"]
    static let svgTags = ["svg", "title", "g", "rect", "use", "script", "style", "a", "text", "foreignObject", "linearGradient", "image", "desc"]

    static func element(depth: Int, svg: Bool, _ rng: inout SplitMix64) -> String {
        var tag = pick(svg ? svgTags : htmlTags, &rng)
        var namespaceDeclaration = ""
        var childrenAreSVG = svg
        if !svg && tag == "svg" {
            namespaceDeclaration = chance(85, &rng) ? " xmlns=\"http://www.w3.org/2000/svg\"" : ""
            childrenAreSVG = !namespaceDeclaration.isEmpty
        }
        if svg && tag == "foreignObject" { childrenAreSVG = false; namespaceDeclaration = "" }
        var prefix = ""
        if chance(3, &rng) {
            // An element in another namespace, or an XHTML element with a prefix.
            if chance(50, &rng) { prefix = "o:"; namespaceDeclaration += " xmlns:o=\"urn:other\"" }
            else { prefix = "h:"; namespaceDeclaration += " xmlns:h=\"http://www.w3.org/1999/xhtml\""; childrenAreSVG = false }
        }
        if svg && tag == "foreignObject" {
            tag = "foreignObject"
            namespaceDeclaration += ""
        }
        let attributes = randomAttributes(for: tag, svg: svg && prefix.isEmpty, &rng)
        var inner = ""
        let inXHTMLNamespaceInside = !childrenAreSVG && svg && tag == "foreignObject"
        let xhtmlWrapper = inXHTMLNamespaceInside ? " xmlns=\"http://www.w3.org/1999/xhtml\"" : ""
        if tag == "style" {
            inner = pick(css, &rng).replacingOccurrences(of: "<", with: "&lt;")
            if chance(20, &rng) { inner = "<![CDATA[" + inner + "]]>" }
        } else if depth < 5 {
            let count = Int(rng.next() % (depth < 2 ? 5 : 3))
            for _ in 0..<count {
                if chance(25, &rng) { inner += pick(texts, &rng) }
                if chance(20, &rng) { inner += "\n" }
                if chance(4, &rng) { inner += "<!-- c -->" }
                if chance(2, &rng) { inner += pick(["&e;", "&blank;"], &rng) }
                var child = element(depth: depth + 1, svg: childrenAreSVG, &rng)
                if inXHTMLNamespaceInside { child = "<div\(xhtmlWrapper)>" + child + "</div>" }
                inner += child
            }
        } else if chance(50, &rng) {
            inner = pick(texts, &rng)
        }
        let name = prefix + tag
        if inner.isEmpty && chance(50, &rng) {
            return "<\(name)\(namespaceDeclaration)\(attributes)/>"
        }
        return "<\(name)\(namespaceDeclaration)\(attributes)>\(inner)</\(name)>"
    }

    static func page(_ rng: inout SplitMix64) -> String {
        var text = chance(90, &rng) ? "<!DOCTYPE html>\n" : (chance(50, &rng) ? "<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n" : "")
        if chance(6, &rng) {
            // Declared entities (the tree reader's case), or an external subset that is not
            // loaded, under which an undeclared entity is only a warning.
            text = chance(50, &rng) ? "<!DOCTYPE html [<!ENTITY e \"ent url(#a)\"><!ENTITY blank \" \">]>\n"
                : "<!DOCTYPE html SYSTEM \"about:legacy-compat\">\n"
        }
        let rootNamespace = chance(95, &rng) ? " xmlns=\"http://www.w3.org/1999/xhtml\"" : ""
        let lang = chance(85, &rng) ? " lang=\"\(pick(["en", " ", ""], &rng))\"" : ""
        text += "<html\(rootNamespace) xmlns:xlink=\"http://www.w3.org/1999/xlink\"\(lang)>\n"
        if chance(90, &rng) {
            text += "<head>\n"
            if chance(85, &rng) { text += "<meta charset=\"\(pick(["utf-8", "UTF-8", "latin1", ""], &rng))\"/>\n" }
            if chance(10, &rng) { text += "<meta name=\"x\"/><meta charset=\"utf-8\"/>\n" }
            if chance(85, &rng) { text += "<title>\(pick(texts, &rng))</title>\n" }
            if chance(30, &rng) { text += element(depth: 3, svg: false, &rng) + "\n" }
            text += "</head>\n"
            if chance(5, &rng) { text += "<head><title>second</title></head>\n" }
        }
        text += "<body>\n"
        let count = 2 + Int(rng.next() % 6)
        for _ in 0..<count {
            text += element(depth: 0, svg: false, &rng) + (chance(60, &rng) ? "\n" : "")
        }
        text += "</body>\n</html>\n"
        if chance(4, &rng) {
            // Ill-formed: drop one end tag.
            if let range = text.range(of: "</div>") ?? text.range(of: "</p>") ?? text.range(of: "</body>") {
                text.removeSubrange(range)
            }
        }
        return text
    }
}
