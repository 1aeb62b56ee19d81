import Diagnostics
import FoundationEssentials
import PageValidation

/// The HTML templates of `Templates/`, checked when they load: each must be well-formed XML
/// (libxml2), parse as mustache, and name only partials that exist. Rendering a template that
/// does not exist, or one that names a value the context does not have, is an error.
public struct TemplateSet: Sendable {
    public let directory: String
    private let templates: [String: Template]
    /// Other files in the folder (the stylesheet, icons), copied to the site as they are.
    public let assets: [String: [UInt8]]

    /// Templates the site needs; a missing one is reported at load.
    static var required: [String] { SitePages.templates }

    /// The templates of the folder at `directory`, or the built-in ones when it is nil.
    public static func load(directory: String?) throws(BuildFailure) -> TemplateSet {
        let folder = try TemplateFolder.read(directory)
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
        /// File names present but not usable (already reported): not also "missing".
        var unreadable: Set<String> = []

        /// The folder at `directory`, or the built-in templates when it is nil.
        static func read(_ directory: String?) throws(BuildFailure) -> TemplateFolder {
            guard let directory else { return builtIn() }
            let fm = FileManager.default
            var isDirectory = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDirectory) else {
                throw BuildFailure(Diagnostic(file: directory, message: "templates folder not found (expected a folder of .html templates and style.css)"))
            }
            guard isDirectory else {
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
                let path = joinedPath(directory, name)
                var isDir = false
                guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
                if isDir {
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
    /// bounded) and parsed; independent of the others, so a build compiles them side by side.
    struct CompiledTemplate: Sendable {
        var file: TemplateFolder.File
        /// The parsed template; nil when it failed.
        var template: Template?
        /// Its `{{> name}}` tags, with the depth of sections around each.
        var partials: [(tag: TemplateTags.Tag, depth: Int)] = []
        var depth = 0
        var problems: [Diagnostic]
    }

    static func compile(_ file: TemplateFolder.File) -> CompiledTemplate {
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
        do throws(TemplateTags.Problem) {
            compiled.template = try Template(tags)
        } catch {
            compiled.problems.append(Diagnostic(file: file.path, line: error.line, column: error.column, message: "is not a template sitegen can render: \(error.message)"))
        }
        return compiled
    }

    /// The set from its compiled templates (in the folder's order); every problem is reported,
    /// then the partials are checked: each must exist, none may include itself (directly or
    /// through others), sections and partials together nest at most `TemplateTags.maxDepth`
    /// deep, and no template grows past `maxExpandedBytes` once its partials are in.
    static func assemble(_ folder: TemplateFolder, compiled: [CompiledTemplate]) throws(BuildFailure) -> TemplateSet {
        let directory = folder.directory
        var problems = folder.problems
        var templates: [String: Template] = [:]
        for item in compiled {
            problems += item.problems
            templates[item.file.name] = item.template
        }
        let names = Set(compiled.map(\.file.name))
        for name in required where !names.contains(name) && !folder.unreadable.contains(name + ".html") {
            problems.append(Diagnostic(file: joinedPath(directory, name + ".html"),
                                         message: "missing template: the site needs it"))
        }
        if folder.assets["style.css"] == nil && !folder.unreadable.contains("style.css") {
            problems.append(Diagnostic(file: joinedPath(directory, "style.css"),
                                         message: "missing stylesheet: the site needs it"))
        }
        problems += PartialGraph(compiled, directory: directory).problems
        guard problems.isEmpty else { throw BuildFailure(problems) }
        return TemplateSet(directory: directory, templates: templates, assets: folder.assets)
    }

    /// Renders a page's template with its typed context and the links every page may use;
    /// a missing template, or a name that neither the context nor the links have, is an error
    /// naming the template file.
    func render(_ name: String, page: some PageContext, links: [String: String]) throws(BuildFailure) -> String {
        var values = links.mapValues(TemplateValue.text)
        if case .names(let names) = TemplateValue.of(page) { values.merge(names) { _, property in property } }
        return try render(name, values, top: nil)
    }

    /// Renders one template (a partial such as `matrix-table`) with `value` as its context,
    /// as a page's section would; names `value` lacks are errors as on a page.
    func render(_ name: String, value: some TemplateValues) throws(BuildFailure) -> String {
        try render(name, [:], top: .values(value))
    }

    public func render(_ name: String, _ context: [String: String]) throws(BuildFailure) -> String {
        try render(name, context.mapValues(TemplateValue.text), top: nil)
    }

    private func render(_ name: String, _ context: [String: TemplateValue], top: TemplateValue?) throws(BuildFailure) -> String {
        func path(_ template: String) -> String { joinedPath(directory, template + ".html") }
        guard let template = templates[name] else {
            throw BuildFailure(Diagnostic(file: path(name), message: "missing template"))
        }
        var renderer = TemplateRenderer(templates: templates, values: context, top: top)
        renderer.render(template.nodes, template: name)
        if let partial = renderer.missingPartials.first {
            throw BuildFailure(Diagnostic(file: path(partial), message: "missing template (a partial of \(name).html)"))
        }
        guard renderer.missing.isEmpty else {
            throw BuildFailure(renderer.missing.map { missing in
                Diagnostic(file: path(missing.template), line: missing.tag.line, column: missing.tag.column,
                           message: "{{\(missing.tag.name)}} names no value (rendering \(name).html); check the spelling")
            })
        }
        return renderer.output
    }
}
