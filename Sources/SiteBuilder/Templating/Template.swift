/// A mustache template, parsed: text, and the tags sitegen's templates use.
///
///     {{name}}               a value, HTML-escaped        {{{name}}}, {{&name}}  a value as it is
///     {{#name}}…{{/name}}    a section: once if true, once per item of a list, once with a value
///     {{^name}}…{{/name}}    an inverted section: once if false, empty or absent
///     {{> name}}             the partial `name.html`, in the same context
///     {{! … }}               a comment
///
/// As the mustache spec has it, a section, inverted section or comment tag alone on its line
/// (spaces and tabs aside) takes the whole line with it, and a partial's tag takes its line
/// end and indents the partial's lines as it is indented; but not on a template's first
/// line, which for a partial goes on the line that includes it. Set-delimiter, pragma
/// and inheritance tags (`{{=…=}}`, `{{%…}}`, `{{<…}}`, `{{$…}}`) and transforms
/// (`{{f(name)}}`) are refused when the template loads.
struct Template: Sendable {
    /// Where a tag stands, for messages: the name it looks up, and its line and column.
    struct Tag: Sendable {
        var name: String
        var line: Int
        var column: Int
        /// The name's parts: `a.b` looks `b` up inside the nearest value that has an `a`.
        var path: [String]

        init(name: String, line: Int, column: Int) {
            (self.name, self.line, self.column) = (name, line, column)
            path = name.utf8.contains(UInt8(ascii: ".")) ? name.split(separator: ".", omittingEmptySubsequences: false).map(String.init) : [name]
        }
    }

    indirect enum Node: Sendable {
        case text(String)
        case value(Tag, escaped: Bool)
        case section(Tag, inverted: Bool, body: [Node])
        /// `{{> name}}`; alone on its line after spaces or tabs, its later lines are indented
        /// as the tag is (its first line follows the tag's own indentation).
        case partial(String, indentation: String)
    }

    let nodes: [Node]

    /// Parses a template whose tags `TemplateTags` found and checked (every section closed
    /// in order); the first tag sitegen does not support is thrown.
    init(_ tags: TemplateTags) throws(TemplateTags.Problem) {
        var parser = Parser(bytes: tags.bytes, tags: tags.tags)
        nodes = try parser.parse(startsLine: false)
    }

    /// Reads the template from its start, a section at a time. Where whitespace goes follows
    /// the mustache library sitegen used before (hummingbird's swift-mustache), so that the
    /// same templates give the same bytes: a tag alone on its line (`isStandalone`) takes
    /// the line's indentation and newline with it, and the line after a section's closing
    /// tag starts as its opening tag left the line.
    private struct Parser {
        let bytes: [UInt8]
        let tags: [TemplateTags.Tag]
        var position = 0
        var nextTag = 0

        static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        static let newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

        /// Nodes up to the closing tag of the section being read (or the end of the text).
        mutating func parse(startsLine: Bool) throws(TemplateTags.Problem) -> [Node] {
            var nodes: [Node] = []
            var text: [UInt8] = []
            func flush() {
                guard !text.isEmpty else { return }
                nodes.append(.text(String(decoding: text, as: UTF8.self)))
                text.removeAll(keepingCapacity: true)
            }
            var atLineStart = startsLine
            var indentation = position..<position   // spaces and tabs the line began with, not yet written
            while position < bytes.count {
                if atLineStart {
                    let start = position
                    while position < bytes.count, bytes[position] == Self.space || bytes[position] == Self.tab { position += 1 }
                    indentation = start..<position
                }
                let tagStart = nextTag < tags.count ? tags[nextTag].start : bytes.count
                let run = position
                if let newline = bytes[position..<tagStart].firstIndex(of: Self.newline) {
                    // A line ends: it is text, indentation and all.
                    position = newline + 1
                    text += bytes[indentation]
                    text += bytes[run..<position]
                    atLineStart = true
                    continue
                }
                position = tagStart
                if run < position {
                    text += bytes[indentation]
                    text += bytes[run..<position]
                    indentation = position..<position
                    atLineStart = false
                }
                guard position < bytes.count else { break }

                let tag = tags[nextTag]
                nextTag += 1
                position = tag.end
                let place = Tag(name: tag.name, line: tag.line, column: tag.column)
                var standalone = false
                func writeIndentation() {
                    text += bytes[indentation]
                    indentation = position..<position
                }
                switch tag.kind {
                case .section, .invertedSection:
                    try Self.check(name: tag)
                    standalone = isStandalone(atLineStart)
                    if !standalone { writeIndentation() }
                    flush()
                    let body = try parse(startsLine: standalone)
                    nodes.append(.section(place, inverted: tag.kind == .invertedSection, body: body))
                case .close:
                    if !isStandalone(atLineStart) { writeIndentation() }
                    flush()
                    return nodes
                case .variable:
                    try Self.check(name: tag)
                    writeIndentation()
                    flush()
                    nodes.append(.value(place, escaped: tag.isEscaped(in: bytes)))
                case .partial:
                    try Self.check(name: tag, partial: true)
                    let indent = bytes[indentation]
                    text += indent
                    indentation = position..<position
                    standalone = isStandalone(atLineStart)
                    flush()
                    nodes.append(.partial(tag.name, indentation: standalone ? String(decoding: indent, as: UTF8.self) : ""))
                case .comment:
                    standalone = isStandalone(atLineStart)
                case .pragma:
                    throw TemplateTags.Problem(line: tag.line, column: tag.column, message: "pragma tags ({{%…}}) are not supported")
                case .parent, .block:
                    throw TemplateTags.Problem(line: tag.line, column: tag.column, message: "template inheritance ({{<name}}, {{$name}}) is not supported: use partials")
                case .dynamicPartial:
                    throw TemplateTags.Problem(line: tag.line, column: tag.column, message: "dynamic partials ({{>*name}}) are not supported: name the partial")
                }
                atLineStart = standalone
            }
            flush()
            return nodes
        }

        /// Whether the tag just read stands alone: the line had only spaces and tabs before
        /// it, and has only spaces and tabs after it up to its newline (which it then takes)
        /// or the end of the text.
        mutating func isStandalone(_ atLineStart: Bool) -> Bool {
            guard atLineStart else { return false }
            var i = position
            while i < bytes.count, bytes[i] == Self.space || bytes[i] == Self.tab { i += 1 }
            if i == bytes.count { return position == bytes.count }
            if bytes[i] == Self.carriageReturn, i + 1 < bytes.count, bytes[i + 1] == Self.newline { i += 1 }
            guard bytes[i] == Self.newline else { return false }
            position = i + 1
            return true
        }

        /// A name is letters, digits and `. - _ ? *` (and `/` in a partial's); `.` alone is
        /// the current value.
        static func check(name tag: TemplateTags.Tag, partial: Bool = false) throws(TemplateTags.Problem) {
            if tag.name.utf8.contains(UInt8(ascii: "(")) {
                throw TemplateTags.Problem(line: tag.line, column: tag.column, message: "transforms ({{f(name)}}) are not supported: prepare the value in Swift")
            }
            guard !tag.name.isEmpty else {
                throw TemplateTags.Problem(line: tag.line, column: tag.column, message: "\(tag.spelled): a tag needs a name")
            }
            guard tag.name.utf8.allSatisfy({ isNameByte($0) || (partial && $0 == UInt8(ascii: "/")) }) else {
                throw TemplateTags.Problem(line: tag.line, column: tag.column,
                                           message: "\(tag.spelled): a tag's name holds a character mustache does not allow (letters, digits and . - _ ? *)")
            }
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
            default: ".-_?*".utf8.contains(byte)
            }
        }
    }
}

extension TemplateTags.Tag {
    /// `{{name}}` escapes; `{{{name}}}` and `{{&name}}` do not.
    func isEscaped(in bytes: [UInt8]) -> Bool {
        bytes[start + 2] != UInt8(ascii: "{") && bytes[start + 2] != UInt8(ascii: "&")
    }
}
