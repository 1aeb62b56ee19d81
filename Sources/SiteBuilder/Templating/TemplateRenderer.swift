/// A value that templates look names up in: `{{name}}` inside it asks `child(named:)`, and a
/// nil answer sends the lookup on to the values around it. Page parts answer through a
/// switch, so a lookup costs a few string comparisons rather than a reflection.
protocol TemplateValues {
    func child(named name: String) -> Any?
}

extension Dictionary: TemplateValues where Key == String {
    func child(named name: String) -> Any? { self[name] }
}

/// A value that `{{name}}` writes as this text (escaped unless the tag is `{{{name}}}`).
protocol TemplateText {
    var templateText: String { get }
}

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
    private var stack: [Frame]

    /// A value on the stack, sorted once when it is pushed: one that answers names itself,
    /// a struct (its stored properties, read once by reflection), or a value without names
    /// (a string, a number).
    private struct Frame {
        let value: Any
        let names: (any TemplateValues)?

        init(_ value: Any) {
            self.value = value
            if let values = value as? any TemplateValues {
                names = values
                return
            }
            if value is String || value is Int || value is Bool {
                names = nil
                return
            }
            var properties: [String: Any] = [:]
            for child in Mirror(reflecting: value).children {
                guard let label = child.label, properties[label] == nil else { continue }
                // An optional property is its value, or absent when nil.
                properties[label] = if let optional = child.value as? any OptionalValue { optional.wrapped } else { child.value }
            }
            names = properties.isEmpty ? nil : properties
        }

        func child(named name: String) -> Any? { names?.child(named: name) }
    }

    /// `values` at the bottom of the stack; `top` (if any) is asked first.
    init(templates: [String: Template], values: [String: Any], top: (any TemplateValues)? = nil) {
        self.templates = templates
        stack = [Frame(values)] + (top.map { [Frame($0)] } ?? [])
    }

    mutating func render(_ nodes: [Template.Node], template: String) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .value(let tag, let escaped):
                guard let value = lookUp(tag, in: template) else { continue }
                let text = Self.text(of: value)
                output += escaped ? Escape.html(text) : text
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
    private mutating func renderSection(_ body: [Template.Node], value: Any?, inverted: Bool, template: String) {
        // Any array casts to [Any] item by item, with no protocol to look up for its type.
        if let list = value as? [Any] {
            if inverted {
                if list.isEmpty { render(body, with: list, template: template) }
            } else {
                for item in list { render(body, with: item, template: template) }
            }
        } else if let flag = value as? Bool {
            if flag != inverted { render(body, template: template) }
        } else if let value {
            if !inverted { render(body, with: value, template: template) }
        } else if inverted {
            render(body, template: template)
        }
    }

    private mutating func render(_ body: [Template.Node], with value: Any, template: String) {
        stack.append(Frame(value))
        defer { stack.removeLast() }
        render(body, template: template)
    }

    /// The value a tag names: `.` is the innermost value; `a.b` is `b` inside the nearest
    /// value that has an `a`.
    private mutating func lookUp(_ tag: Template.Tag, in template: String) -> Any? {
        if tag.name == "." { return stack.last?.value }
        for frame in stack.reversed() {
            guard var value = frame.child(named: tag.path[0]) else { continue }
            for name in tag.path.dropFirst() {
                guard let child = Frame(value).child(named: name) else { return nil }
                value = child
            }
            return value
        }
        if !missing.contains(where: { $0.tag.name == tag.name }) { missing.append(Missing(template: template, tag: tag)) }
        return nil
    }

    /// What `{{name}}` writes for a value: a string as it is, a number in digits, and
    /// anything else as Swift describes it.
    static func text(of value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? Int { return String(number) }
        if let text = value as? any TemplateText { return text.templateText }
        if let optional = value as? any OptionalValue, let wrapped = optional.wrapped { return String(describing: wrapped) }
        return String(describing: value)
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

/// An optional, seen through `Any`.
protocol OptionalValue {
    var wrapped: Any? { get }
}

extension Optional: OptionalValue {
    var wrapped: Any? { self }
}
