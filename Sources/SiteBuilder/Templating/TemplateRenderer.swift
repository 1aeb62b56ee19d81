/// Renders parsed templates against a stack of values: a name is looked up from the
/// innermost value (a section's item) outwards to the page's own values. A name no value
/// has is written as nothing and recorded in `missing`, with the tag that named it, so the
/// caller reports it as the misspelling it almost always is.
struct TemplateRenderer {
    struct Missing {
        var template: String
        var tag: Template.Tag
    }

    let templates: [String: Template]
    private(set) var output = ""
    /// Names no value had, the first tag of each.
    private(set) var missing: [Missing] = []
    /// Partials that are not among `templates` (a checked set has none).
    private(set) var missingPartials: [String] = []
    /// The values names are looked up in, innermost last.
    private var stack: [TemplateValue]

    /// `values` at the bottom of the stack; `top` (if any) is asked first.
    init(templates: [String: Template], values: [String: TemplateValue], top: TemplateValue? = nil) {
        self.templates = templates
        stack = [.names(values)] + (top.map { [$0] } ?? [])
    }

    mutating func render(_ nodes: [Template.Node], template: String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .value(let tag, let escaped):
                guard let value = lookUp(tag, in: template) else { continue }
                output += escaped ? Escape.html(value.written) : value.written
            case .section(let tag, let inverted, let body):
                renderSection(body, value: lookUp(tag, in: template), inverted: inverted, template: template)
            case .partial(let name, let indentation):
                guard let partial = templates[name] else {
                    missingPartials.append(name)
                    continue
                }
                guard !indentation.isEmpty else {
                    render(partial.nodes, template: name)
                    continue
                }
                let before = output
                output = ""
                render(partial.nodes, template: name)
                output = before + Self.indented(output, by: indentation)
            }
        }
    }

    /// A section: a list once per item (each innermost in turn), a Bool once if true, any
    /// other value once with it innermost; an inverted one once where the value is false,
    /// an empty list, or absent.
    private mutating func renderSection(_ body: [Template.Node], value: TemplateValue?, inverted: Bool, template: String) {
        switch value {
        case .items(let items):
            if inverted {
                if items.isEmpty { render(body, template: template) }
            } else {
                for item in items { render(body, with: item, template: template) }
            }
        case .flag(let flag):
            if flag != inverted { render(body, template: template) }
        case let value?:
            if !inverted { render(body, with: value, template: template) }
        case nil:
            if inverted { render(body, template: template) }
        }
    }

    private mutating func render(_ body: [Template.Node], with value: TemplateValue, template: String) {
        stack.append(value)
        defer { stack.removeLast() }
        render(body, template: template)
    }

    /// The value a tag names: `.` is the innermost value; `a.b` is `b` inside the nearest
    /// value that has an `a`.
    private mutating func lookUp(_ tag: Template.Tag, in template: String) -> TemplateValue? {
        if tag.name == "." { return stack.last }
        for frame in stack.reversed() {
            guard var value = frame.child(named: tag.path[0]) else { continue }
            for name in tag.path.dropFirst() {
                guard let child = value.child(named: name) else { return nil }
                value = child
            }
            return value
        }
        if !missing.contains(where: { $0.tag.name == tag.name }) { missing.append(Missing(template: template, tag: tag)) }
        return nil
    }

    /// A partial's output with every line after its first indented.
    static func indented(_ text: String, by indentation: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for k in lines.indices.dropFirst() where !lines[k].isEmpty || k < lines.count - 1 {
            lines[k] = Substring(indentation) + lines[k]
        }
        return lines.joined(separator: "\n")
    }
}
