/// The tags of a mustache template, found in one pass over its bytes, with their lines and
/// columns. sitegen checks a template's structure with them (every section closed in order,
/// nesting bounded), then `Template` parses it from them.
struct TemplateTags {
    struct Tag {
        enum Kind: Equatable {
            case variable                    // {{name}}, {{&name}}, {{{name}}}
            case section, invertedSection    // {{#name}}, {{^name}}
            case close                       // {{/name}}
            case comment                     // {{! … }}
            case partial                     // {{> name}}
            case dynamicPartial              // {{>*name}}
            case parent, block               // {{<name}}, {{$name}}: inheritance, opened like sections
            case pragma                      // {{% … }}
        }
        var kind: Kind
        var name: String
        /// Byte offsets of the tag, from its `{{` to after its `}}`.
        var start: Int
        var end: Int
        var line: Int
        var column: Int

        var opensSection: Bool { [.section, .invertedSection, .parent, .block].contains(kind) }

        /// `{{#name}}` as the template writes it, for messages.
        var spelled: String {
            let sigil: String = switch kind {
            case .variable, .pragma: ""
            case .section: "#"
            case .invertedSection: "^"
            case .close: "/"
            case .comment: "!"
            case .partial: ">"
            case .dynamicPartial: ">*"
            case .parent: "<"
            case .block: "$"
            }
            return "{{" + sigil + name + "}}"
        }
    }

    /// A problem at a place in the template.
    struct Problem: Error, Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    /// Sections (partials included) may nest this deep; deeper is refused, not a stack overflow.
    static let maxDepth = 100

    /// The template's UTF-8 bytes, which the tags' offsets index.
    let bytes: [UInt8]
    let tags: [Tag]
    /// The deepest nesting of sections, and the partials each tag level names.
    let depth: Int

    /// Scans `text` and checks that every section is closed in order and nests at most
    /// `maxDepth` deep; the first problem is thrown. Set-delimiter tags (`{{=<% %>=}}`) are
    /// not supported: sitegen's templates never change their delimiters.
    init(_ text: String) throws(Problem) {
        bytes = Array(text.utf8)
        let tags = try Self.scan(bytes)
        self.tags = tags
        self.depth = try Self.checkNesting(tags)
    }

    /// Every `{{> name}}` (not dynamic), with the section depth it appears at.
    var partials: [(tag: Tag, depth: Int)] {
        var result: [(tag: Tag, depth: Int)] = []
        var depth = 0
        for tag in tags {
            if tag.opensSection { depth += 1 }
            if tag.kind == .close { depth -= 1 }
            if tag.kind == .partial || tag.kind == .parent { result.append((tag, depth)) }
        }
        return result
    }

    private static func scan(_ bytes: [UInt8]) throws(Problem) -> [Tag] {
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}"), newline = UInt8(ascii: "\n")
        var tags: [Tag] = []
        var line = 1, column = 1
        var counted = 0   // bytes counted into line and column so far
        func advance(to offset: Int) {
            while counted < offset {
                let byte = bytes[counted]
                if byte == newline {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte: one more scalar
                    column += 1
                }
                counted += 1
            }
        }
        /// The offset of the first `}}` (or `}}}`) at or after `from`.
        func find(_ closing: [UInt8], from: Int) -> Int? {
            var i = from
            while i + closing.count <= bytes.count {
                if bytes[i] == close, bytes[i..<(i + closing.count)].elementsEqual(closing) { return i }
                i += 1
            }
            return nil
        }
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == open, bytes[i + 1] == open else {
                i += 1
                continue
            }
            advance(to: i)
            let triple = i + 2 < bytes.count && bytes[i + 2] == open
            let closing: [UInt8] = triple ? [close, close, close] : [close, close]
            let bodyStart = i + (triple ? 3 : 2)
            guard let bodyEnd = find(closing, from: bodyStart) else {
                throw Problem(line: line, column: column, message: "tag '\(triple ? "{{{" : "{{")' is never closed (no '\(triple ? "}}}" : "}}")' after it)")
            }
            var body = String(decoding: bytes[bodyStart..<bodyEnd], as: UTF8.self)
            let opensAnother = (bodyStart..<max(bodyStart, bodyEnd - 1)).contains { bytes[$0] == open && bytes[$0 + 1] == open }
            if bytes[bodyStart..<bodyEnd].first != UInt8(ascii: "!"), opensAnother {
                throw Problem(line: line, column: column, message: "tag '\(triple ? "{{{" : "{{")' is never closed (the next '{{' comes before its '\(triple ? "}}}" : "}}")')")
            }
            var kind = Tag.Kind.variable
            if !triple, let sigil = body.first {
                switch sigil {
                case "#": kind = .section
                case "^": kind = .invertedSection
                case "/": kind = .close
                case "!": kind = .comment
                case ">": kind = .partial
                case "<": kind = .parent
                case "$": kind = .block
                case "%": kind = .pragma
                case "&": kind = .variable
                case "=":
                    throw Problem(line: line, column: column, message: "set-delimiter tags ({{=…=}}) are not supported; keep {{ and }}")
                default: break
                }
                if kind != .variable || sigil == "&" { body.removeFirst() }
            }
            var name = body.trimmingWhitespace
            if kind == .partial, name.hasPrefix("*") {
                kind = .dynamicPartial
                name = String(name.dropFirst()).trimmingWhitespace
            }
            tags.append(Tag(kind: kind, name: name, start: i, end: bodyEnd + closing.count, line: line, column: column))
            i = bodyEnd + closing.count
        }
        return tags
    }

    /// Every section closes in the order it opened, and none nests deeper than `maxDepth`;
    /// the deepest nesting.
    private static func checkNesting(_ tags: [Tag]) throws(Problem) -> Int {
        var open: [Tag] = []
        var deepest = 0
        for tag in tags {
            if tag.kind == .dynamicPartial {
                throw Problem(line: tag.line, column: tag.column, message: "dynamic partials ({{>*name}}) are not supported: name the partial")
            }
            if tag.opensSection {
                open.append(tag)
                deepest = max(deepest, open.count)
                if open.count > maxDepth {
                    throw Problem(line: tag.line, column: tag.column, message: "sections nest more than \(maxDepth) deep here (the limit)")
                }
            } else if tag.kind == .close {
                guard let innermost = open.popLast() else {
                    throw Problem(line: tag.line, column: tag.column, message: "\(tag.spelled) closes no open section")
                }
                guard innermost.name == tag.name else {
                    throw Problem(line: tag.line, column: tag.column,
                                  message: "\(tag.spelled) does not close \(innermost.spelled) (opened at line \(innermost.line)); expected {{/\(innermost.name)}}")
                }
            }
        }
        if let unclosed = open.last {
            throw Problem(line: unclosed.line, column: unclosed.column, message: "section \(unclosed.spelled) is never closed (expected {{/\(unclosed.name)}})")
        }
        return deepest
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        // Most names start and end with a letter, digit or sign: nothing to trim.
        let isPlain = { (byte: UInt8) in byte > 0x20 && byte < 0x7F }
        if let first = utf8.first, let last = utf8.last, isPlain(first), isPlain(last) { return self }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
