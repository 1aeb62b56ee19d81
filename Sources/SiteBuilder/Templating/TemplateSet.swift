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
    public static let required = [
        "layout", "index", "tokens", "embeddings", "positions", "layernorm", "attention",
        "residual", "mlp", "lm-head", "prediction", "gradient", "backprop", "step", "training",
    ]

    public static func load(directory: String) throws(BuildFailure) -> TemplateSet {
        let folder = try TemplateFolder.read(directory: directory)
        return try assemble(folder, compiled: folder.templates.map(compile))
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

        static func read(directory: String) throws(BuildFailure) -> TemplateFolder {
            let fm = FileManager.default
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw BuildFailure(Diagnostic(file: directory, message: "templates folder not found (expected a folder of .html templates and style.css)"))
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
                guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
                guard let data = fm.contents(atPath: path) else {
                    folder.problems.append(Diagnostic(file: path, message: "cannot be read"))
                    continue
                }
                guard name.hasSuffix(".html") else {
                    folder.assets[name] = [UInt8](data)
                    continue
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    folder.problems.append(Diagnostic(file: path, message: "is not UTF-8 text"))
                    continue
                }
                folder.templates.append(File(name: String(name.dropLast(5)), path: path, text: text))
            }
            return folder
        }
    }

    /// One template checked (libxml2) and parsed (mustache); independent of the others, so a
    /// build parses them side by side.
    struct CompiledTemplate: Sendable {
        var file: TemplateFolder.File
        var template: MustacheTemplate?
        var problems: [Diagnostic]
    }

    static func compile(_ file: TemplateFolder.File) -> CompiledTemplate {
        var problems = TemplateChecker.check(template: file.text, file: file.path)
        // Every template (partials too: a partial starts with the default escaping) escapes
        // `{{name}}` with sitegen's own escaping.
        _ = SiteHTMLContentType.registered
        var template: MustacheTemplate? = nil
        do {
            template = try MustacheTemplate(string: SiteHTMLContentType.pragma + file.text)
        } catch {
            problems.append(Diagnostic(file: file.path, message: "is not a valid mustache template: \(error)"))
        }
        return CompiledTemplate(file: file, template: template, problems: problems)
    }

    /// The set from its compiled templates (in the folder's order); every problem is reported.
    static func assemble(_ folder: TemplateFolder, compiled: [CompiledTemplate]) throws(BuildFailure) -> TemplateSet {
        let directory = folder.directory
        var problems = folder.problems
        var sources: [String: String] = [:]
        var library = MustacheLibrary()
        for item in compiled {
            problems += item.problems
            if let template = item.template {
                library.register(template, named: item.file.name)
                sources[item.file.name] = item.file.text
            }
        }
        for name in required where sources[name] == nil {
            problems.append(Diagnostic(file: (directory as NSString).appendingPathComponent(name + ".html"),
                                         message: "missing template: the site needs it"))
        }
        if folder.assets["style.css"] == nil {
            problems.append(Diagnostic(file: (directory as NSString).appendingPathComponent("style.css"),
                                         message: "missing stylesheet: the site needs it"))
        }
        problems += Self.checkPartials(sources, directory: directory)
        guard problems.isEmpty else { throw BuildFailure(problems) }
        return TemplateSet(directory: directory, library: library, sources: sources, assets: folder.assets)
    }

    /// Every `{{> name}}` must name a template of the folder.
    static func checkPartials(_ sources: [String: String], directory: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for (name, text) in sources.sorted(by: { $0.key < $1.key }) {
            // Templates are ASCII around their partial tags; anything else goes to the regular expression.
            guard let tags = partialTags(in: text) else { return checkPartialsWithRegularExpression(sources, directory: directory) }
            for tag in tags where sources[tag.name] == nil {
                let (line, column) = Self.position(of: tag.utf16Offset, in: text as NSString)
                problems.append(Diagnostic(file: (directory as NSString).appendingPathComponent(name + ".html"),
                                             line: line, column: column,
                                             message: "partial '\(tag.name)' does not exist (no \(tag.name).html in the templates folder)"))
            }
        }
        return problems
    }

    /// The matches of `\{\{>\s*([^}\s]+)\s*\}\}` in `text`, found without ICU: the partial's name and
    /// the UTF-16 offset of the match. Nil when a candidate tag holds a character on which ASCII and
    /// ICU's `\s` might disagree (non-ASCII, or a control character other than tab, LF, FF, CR).
    static func partialTags(in text: String) -> [(utf16Offset: Int, name: String)]? {
        let bytes = Array(text.utf8)
        let count = bytes.count
        // 0: whitespace for `\s`; 1: undecided here; 2: anything else.
        func kind(_ byte: UInt8) -> Int {
            switch byte {
            case 0x09, 0x0A, 0x0C, 0x0D, 0x20: return 0
            case 0x00...0x1F, 0x7F...0xFF: return 1
            default: return 2
            }
        }
        var result: [(utf16Offset: Int, name: String)] = []
        var index = 0
        while index + 2 < count {
            guard bytes[index] == UInt8(ascii: "{"), bytes[index + 1] == UInt8(ascii: "{"), bytes[index + 2] == UInt8(ascii: ">") else {
                index += 1
                continue
            }
            var position = index + 3
            while position < count, kind(bytes[position]) == 0 { position += 1 }
            let nameStart = position
            while position < count, bytes[position] != UInt8(ascii: "}") {
                let k = kind(bytes[position])
                if k == 1 { return nil }
                if k == 0 { break }
                position += 1
            }
            let nameEnd = position
            while position < count, kind(bytes[position]) == 0 { position += 1 }
            if position < count, kind(bytes[position]) == 1 { return nil }
            if nameEnd > nameStart, position + 1 < count, bytes[position] == UInt8(ascii: "}"), bytes[position + 1] == UInt8(ascii: "}") {
                let offset = String(decoding: bytes[..<index], as: UTF8.self).utf16.count
                result.append((offset, String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)))
                index = position + 2
            } else {
                index += 1
            }
        }
        return result
    }

    /// `checkPartials` with ICU's regular expressions, for templates `partialTags` leaves undecided.
    static func checkPartialsWithRegularExpression(_ sources: [String: String], directory: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let pattern = try! NSRegularExpression(pattern: #"\{\{>\s*([^}\s]+)\s*\}\}"#)
        for (name, text) in sources.sorted(by: { $0.key < $1.key }) {
            let ns = text as NSString
            for match in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let partial = ns.substring(with: match.range(at: 1))
                if sources[partial] == nil {
                    let (line, column) = Self.position(of: match.range.location, in: ns)
                    problems.append(Diagnostic(file: (directory as NSString).appendingPathComponent(name + ".html"),
                                                 line: line, column: column,
                                                 message: "partial '\(partial)' does not exist (no \(partial).html in the templates folder)"))
                }
            }
        }
        return problems
    }

    static func position(of offset: Int, in text: NSString) -> (Int, Int) {
        let before = text.substring(to: offset)
        let lines = before.components(separatedBy: "\n")
        return (lines.count, (lines.last?.count ?? 0) + 1)
    }

    /// Renders a template; a missing template or a value the template names but the context
    /// lacks is an error naming the template file.
    public func render(_ name: String, _ context: [String: Any]) throws(BuildFailure) -> String {
        let file = (directory as NSString).appendingPathComponent(name + ".html")
        let root = StrictContext(context)
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
    private(set) var missingKeys: [String] = []

    init(_ values: [String: Any]) { self.values = values }

    func child(named name: String) -> Any? {
        if let value = values[name] { return value }
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
