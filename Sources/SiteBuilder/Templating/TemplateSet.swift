import Diagnostics
import Foundation
import Mustache
import PageValidation

/// The HTML templates of `Templates/`, checked when they load: each must be well-formed XML
/// (libxml2), parse as mustache, and name only partials that exist. Rendering a template that
/// does not exist, or one that names a value the context does not have, is an error.
public struct TemplateSet: Sendable {
    public let directory: String
    private let library: MustacheLibrary
    /// Template names (file name without `.html`) → their text.
    public let sources: [String: String]
    /// Other files in the folder (the stylesheet, icons), copied to the site as they are.
    public let assets: [String: [UInt8]]

    /// Templates the site needs; a missing one is reported at load.
    static var required: [String] { SitePages.templates }

    /// The templates of the folder at `directory`, or the built-in ones when it is nil.
    public static func load(directory: String?) throws(BuildFailure) -> TemplateSet {
        try load(directory: directory, pieceSize: TemplatePiece.defaultSize)
    }

    static func load(directory: String?, pieceSize: Int) throws(BuildFailure) -> TemplateSet {
        let folder = try TemplateFolder.read(directory)
        return try assemble(folder, compiled: folder.templates.map { compile($0, pieceSize: pieceSize) })
    }

    /// The files of a templates folder, read but not yet parsed.
    struct TemplateFolder: Sendable {
        struct File: Sendable {
            var name: String        // template name: the file name without `.html`
            var path: String
            var text: String
        }
        var directory: String
        var templates: [File] = []
        var assets: [String: [UInt8]] = [:]
        var problems: [Diagnostic] = []
        /// File names present but not usable (already reported): not also "missing".
        var unreadable: Set<String> = []

        /// The folder at `directory`, or the built-in templates when it is nil.
        static func read(_ directory: String?) throws(BuildFailure) -> TemplateFolder {
            guard let directory else { return builtIn() }
            let fm = FileManager.default
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDirectory) else {
                throw BuildFailure(Diagnostic(file: directory, message: "templates folder not found (expected a folder of .html templates and style.css)"))
            }
            guard isDirectory.boolValue else {
                throw BuildFailure(Diagnostic(file: directory, message: "is a file, expected the templates folder (a folder of .html templates and style.css)"))
            }
            let names: [String]
            do {
                names = try fm.contentsOfDirectory(atPath: directory).sorted()
            } catch {
                throw BuildFailure(Diagnostic(file: directory, message: "cannot list the templates folder"))
            }
            var folder = TemplateFolder(directory: directory)
            for name in names where !name.hasPrefix(".") {
                let path = (directory as NSString).appendingPathComponent(name)
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
                if isDir.boolValue {
                    if name.hasSuffix(".html") || name == "style.css" {
                        folder.problems.append(Diagnostic(file: path, message: "is a folder, expected a template file"))
                        folder.unreadable.insert(name)
                    }
                    continue
                }
                guard let data = fm.contents(atPath: path) else {
                    folder.problems.append(Diagnostic(file: path, message: "cannot be read"))
                    folder.unreadable.insert(name)
                    continue
                }
                guard name.hasSuffix(".html") else {
                    folder.assets[name] = [UInt8](data)
                    continue
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    folder.problems.append(Diagnostic(file: path, message: "is not UTF-8 text"))
                    folder.unreadable.insert(name)
                    continue
                }
                folder.templates.append(File(name: String(name.dropLast(5)), path: path, text: text))
            }
            return folder
        }

        /// The templates compiled into the binary, in the order a folder lists them.
        static func builtIn() -> TemplateFolder {
            var folder = TemplateFolder(directory: BuiltInDefaults.templatesLabel)
            for (name, bytes) in BuiltInDefaults.templateFiles.sorted(by: { $0.key < $1.key }) {
                if name.hasSuffix(".html") {
                    folder.templates.append(File(name: String(name.dropLast(5)), path: folder.directory + "/" + name,
                                                 text: String(decoding: bytes, as: UTF8.self)))
                } else {
                    folder.assets[name] = bytes
                }
            }
            return folder
        }
    }

    /// One template checked (libxml2, then its tags: sections closed in order, nesting
    /// bounded) and parsed (mustache, piece by piece for a long one); independent of the
    /// others, so a build compiles them side by side.
    struct CompiledTemplate: Sendable {
        var file: TemplateFolder.File
        /// The parsed pieces, rendered one after the other; empty when the template failed.
        var pieces: [MustacheTemplate] = []
        /// Its `{{> name}}` tags, with the depth of sections around each.
        var partials: [(tag: TemplateTags.Tag, depth: Int)] = []
        var depth = 0
        var problems: [Diagnostic]
    }

    static func compile(_ file: TemplateFolder.File, pieceSize: Int = TemplatePiece.defaultSize) -> CompiledTemplate {
        var compiled = CompiledTemplate(file: file, problems: [])
        let tags: TemplateTags
        do throws(TemplateTags.Problem) {
            tags = try TemplateTags(file.text)
        } catch {
            // Alone: a tag left open swallows the markup after it, so libxml2's view would mislead.
            compiled.problems.append(Diagnostic(file: file.path, line: error.line, column: error.column, message: error.message))
            return compiled
        }
        compiled.problems = TemplateChecker.check(template: file.text, file: file.path)
        compiled.partials = tags.partials
        compiled.depth = tags.depth
        // Every template (partials too: a partial starts with the default escaping) escapes
        // `{{name}}` with sitegen's own escaping.
        _ = SiteHTMLContentType.registered
        for piece in tags.pieces(size: pieceSize) {
            // A piece that starts a line after the first keeps starting one: the pragma stands alone on its line.
            let pragma = SiteHTMLContentType.pragma + (piece.startsLine && piece.line > 1 ? "\n" : "")
            do {
                compiled.pieces.append(try MustacheTemplate(string: pragma + piece.text))
            } catch {
                compiled.problems.append(mustacheProblem(error, file: file.path, piece: piece, pragmaLine: pragma.hasSuffix("\n")))
                compiled.pieces = []
                break
            }
        }
        return compiled
    }

    /// What the mustache library reported, as one line at the template's own line.
    static func mustacheProblem(_ error: any Error, file: String, piece: TemplatePiece, pragmaLine: Bool) -> Diagnostic {
        guard let parserError = error as? MustacheTemplate.ParserError else {
            return Diagnostic(file: file, message: "is not a valid mustache template")
        }
        let reason: String = switch parserError.error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a closing tag names another section"
        case .unfinishedName?: "a tag's name holds a character mustache does not allow (letters, digits, . - _ ? * and brackets)"
        case .expectedSectionEnd?: "a section is never closed"
        case .invalidSetDelimiter?: "a set-delimiter tag is malformed"
        case .transformAppliedToInheritanceSection?: "a transform is applied to an inherited section"
        case .illegalTokenInsideInheritSection?, .textInsideInheritSection?: "a partial's inherited section holds something other than blocks"
        case .invalidConfigVariableSyntax?, .unrecognisedConfigVariable?: "a {{% …}} tag is not one mustache knows"
        case nil: "mustache cannot parse it"
        }
        // The piece's lines, less the pragma's own line (or, on its first line, its width).
        var line = parserError.context.lineNumber - (pragmaLine ? 1 : 0)
        var column = parserError.context.columnNumber
        if line == 1, !pragmaLine { column = max(1, column - SiteHTMLContentType.pragma.count) }
        line += piece.line - 1
        return Diagnostic(file: file, line: line, column: column, message: "is not a valid mustache template: \(reason)")
    }

    /// The set from its compiled templates (in the folder's order); every problem is reported,
    /// then the partials are checked: each must exist, none may include itself (directly or
    /// through others), sections and partials together nest at most `TemplateTags.maxDepth`
    /// deep, and no template grows past `maxExpandedBytes` once its partials are in.
    static func assemble(_ folder: TemplateFolder, compiled: [CompiledTemplate]) throws(BuildFailure) -> TemplateSet {
        let directory = folder.directory
        var problems = folder.problems
        var sources: [String: String] = [:]
        var library = MustacheLibrary()
        for (index, item) in compiled.enumerated() {
            problems += item.problems
            sources[item.file.name] = item.file.text
            guard !item.pieces.isEmpty else { continue }
            do {
                try registerPieces(item.pieces, as: item.file.name, prefix: "sitegen-piece/\(index)", in: &library)
            } catch {
                problems.append(Diagnostic(file: item.file.path, message: "internal error: its pieces do not parse"))
            }
        }
        for name in required where sources[name] == nil && !folder.unreadable.contains(name + ".html") {
            problems.append(Diagnostic(file: (directory as NSString).appendingPathComponent(name + ".html"),
                                         message: "missing template: the site needs it"))
        }
        if folder.assets["style.css"] == nil && !folder.unreadable.contains("style.css") {
            problems.append(Diagnostic(file: (directory as NSString).appendingPathComponent("style.css"),
                                         message: "missing stylesheet: the site needs it"))
        }
        problems += PartialGraph(compiled, directory: directory).problems
        guard problems.isEmpty else { throw BuildFailure(problems) }
        return TemplateSet(directory: directory, library: library, sources: sources, assets: folder.assets)
    }

    /// A template parsed in pieces, registered under `name`: each piece as a partial, and
    /// templates of partial tags that render them in order, at most 32 tags each (a tree, so
    /// no text the library parses grows with the template).
    static func registerPieces(_ pieces: [MustacheTemplate], as name: String, prefix: String, in library: inout MustacheLibrary) throws {
        guard pieces.count > 1 else {
            if let only = pieces.first { library.register(only, named: name) }
            return
        }
        var names: [String] = []
        for (k, piece) in pieces.enumerated() {
            names.append("\(prefix)/0/\(k)")
            library.register(piece, named: names[k])
        }
        var level = 0
        while names.count > 32 {
            level += 1
            names = try stride(from: 0, to: names.count, by: 32).map { start in
                let group = "\(prefix)/\(level)/\(start / 32)"
                let tags = names[start..<min(start + 32, names.count)].map { "{{> \($0)}}" }.joined()
                library.register(try MustacheTemplate(string: SiteHTMLContentType.pragma + tags), named: group)
                return group
            }
        }
        library.register(try MustacheTemplate(string: SiteHTMLContentType.pragma + names.map { "{{> \($0)}}" }.joined()), named: name)
    }

    static func position(of offset: Int, in text: NSString) -> (Int, Int) {
        let before = text.substring(to: offset)
        let lines = before.components(separatedBy: "\n")
        return (lines.count, (lines.last?.count ?? 0) + 1)
    }

    /// Renders a template; a missing template or a value the template names but the context
    /// lacks is an error naming the template file.
    /// Renders a page's template with its typed context and the links every page may use.
    func render(_ name: String, page: any PageContext, links: [String: String]) throws(BuildFailure) -> String {
        var values: [String: Any] = links
        Self.collect(page, into: &values)
        return try render(name, values)
    }

    /// A context's stored properties by name; a property that is itself a `PageContext`
    /// lends its own.
    static func collect(_ context: any PageContext, into values: inout [String: Any]) {
        for child in Mirror(reflecting: context).children {
            guard let label = child.label else { continue }
            if let part = child.value as? any PageContext {
                collect(part, into: &values)
            } else {
                values[label] = templateValue(child.value)
            }
        }
    }

    /// A list of row structs becomes a list of dictionaries, read once: the template engine
    /// looks a name up in a dictionary directly, but reflects on a struct at every lookup,
    /// which made the stage map and the token chips the slowest part of a page.
    static func templateValue(_ value: Any) -> Any {
        guard !(value is String), let list = value as? [Any], let first = list.first, !(first is any MustacheParent),
              Mirror(reflecting: first).displayStyle == .struct else { return value }
        return list.map { row in
            var fields: [String: Any] = [:]
            for child in Mirror(reflecting: row).children {
                if let label = child.label { fields[label] = child.value }
            }
            return fields
        }
    }

    /// Renders one template (a partial such as `matrix-table`) with `value` as its context,
    /// as a page's section would; names `value` lacks are errors as on a page.
    func render(_ name: String, value: any MustacheParent) throws(BuildFailure) -> String {
        try render(name, [:], top: value)
    }

    public func render(_ name: String, _ context: [String: Any]) throws(BuildFailure) -> String {
        try render(name, context, top: nil)
    }

    private func render(_ name: String, _ context: [String: Any], top: (any MustacheParent)?) throws(BuildFailure) -> String {
        let file = (directory as NSString).appendingPathComponent(name + ".html")
        let root = StrictContext(context, top: top)
        guard let output = library.render(root, withTemplate: name) else {
            throw BuildFailure(Diagnostic(file: file, message: "missing template"))
        }
        let missing = root.missingKeys
        guard missing.isEmpty else {
            throw BuildFailure(missing.map { key in
                let (line, column) = Self.locate(key: key, in: sources, preferring: name)
                return Diagnostic(file: (directory as NSString).appendingPathComponent(line.template + ".html"),
                                    line: line.line, column: column,
                                    message: "{{\(key)}} names no value (rendering \(name).html); check the spelling")
            })
        }
        return output
    }

    /// Where a tag naming `key` appears first: the template rendered, or else a partial.
    static func locate(key: String, in sources: [String: String], preferring name: String) -> ((template: String, line: Int?), Int?) {
        let order = [name] + sources.keys.sorted().filter { $0 != name }
        let escaped = NSRegularExpression.escapedPattern(for: key)
        let pattern = try! NSRegularExpression(pattern: #"\{\{\{?[#^/&]?\s*"# + escaped + #"\s*\}?\}\}"#)
        for template in order {
            guard let text = sources[template] else { continue }
            let ns = text as NSString
            if let match = pattern.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) {
                let (line, column) = position(of: match.range.location, in: ns)
                return ((template, line), column)
            }
        }
        return ((name, nil), nil)
    }
}

/// The root of every render: a dictionary that records each name looked up in it and not
/// found. Mustache looks names up from the innermost context outwards, so a name reaches
/// the root only when no context has it.
final class StrictContext: MustacheParent, @unchecked Sendable {
    private let values: [String: Any]
    /// Asked first (a partial rendered on its own: its value).
    private let top: (any MustacheParent)?
    private(set) var missingKeys: [String] = []

    init(_ values: [String: Any], top: (any MustacheParent)? = nil) {
        self.values = values
        self.top = top
    }

    func child(named name: String) -> Any? {
        if let value = top?.child(named: name) ?? values[name] { return value }
        if !missingKeys.contains(name) { missingKeys.append(name) }
        return nil
    }
}

/// How `{{name}}` is escaped: with `Escape.html`, Unicode scalar by scalar. The library's own
/// escaping works on whole characters, so a quote followed by a combining mark (one character)
/// slipped through unescaped, and it looked each character up in a dictionary, which made it
/// the slowest part of rendering a page.
struct SiteHTMLContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { Escape.html(text) }

    static let name = "SITEGEN_HTML"
    /// Put in front of each template's text; renders as nothing and changes no line numbers.
    static let pragma = "{{% CONTENT_TYPE: \(name) }}"
    static let registered: Void = MustacheContentTypes.register(SiteHTMLContentType(), named: name)
}

// Strings and integers render as themselves. Saying so lets the template engine take its fast
// path for them (one protocol check) instead of probing each value for four protocols and
// printing it with String(describing:); variable lookups were the slowest part of rendering a
// page. The output is the same: `renderText` is what String(describing:) gave, and neither
// type is ever null.
extension String: @retroactive MustacheCustomRenderable {
    public var renderText: String { self }
    public var isNull: Bool { false }
}

extension Int: @retroactive MustacheCustomRenderable {
    public var renderText: String { String(self) }
    public var isNull: Bool { false }
}
