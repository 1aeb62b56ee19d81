/// What a template sees of a value: text `{{name}}` writes, a flag `{{#name}}` tests, a list
/// `{{#name}}` repeats for, or a value with names of its own.
///
/// Values reach templates typed, with no reflection and no casts: a page context is an
/// `Encodable` struct whose stored properties are its names (`TemplateEncoder` reads them
/// once), and a value that templates ask thousands of times a page (a table's rows and cells,
/// the navigation's links) answers name by name through `TemplateValues.child(named:)`.
enum TemplateValue {
    case text(String)
    case flag(Bool)
    case items([TemplateValue])
    /// A struct's stored properties, by name (read once, when the page is rendered).
    case names([String: TemplateValue])
    /// A value asked for each name as the template reaches it.
    case values(any TemplateValues)

    static func number(_ value: Int) -> TemplateValue { .text(String(value)) }

    static func list(_ texts: [String]) -> TemplateValue { .items(texts.map(TemplateValue.text)) }

    static func list(_ flags: [Bool]) -> TemplateValue { .items(flags.map(TemplateValue.flag)) }

    static func list(_ items: [some TemplateValues]) -> TemplateValue { .items(items.map { .values($0) }) }

    /// The value, or `false` when there is none, so `{{#name}}` skips it without looking further out.
    static func optional(_ value: (some TemplateValues)?) -> TemplateValue { value.map { .values($0) } ?? .flag(false) }

    static func optional(_ text: String?) -> TemplateValue { text.map(TemplateValue.text) ?? .flag(false) }

    /// Any `Encodable` value as templates see it (a struct by its stored properties).
    static func of(_ value: some Encodable) -> TemplateValue { TemplateEncoder.value(of: value) }

    /// The value `name` names inside this one, if it has names.
    func child(named name: String) -> TemplateValue? {
        switch self {
        case .names(let names): names[name]
        case .values(let values): values.child(named: name)
        case .text, .flag, .items: nil
        }
    }

    /// What `{{name}}` writes: text as it is, a flag as `true` or `false`, a value with names
    /// its `templateText` (a table cell's text).
    var written: String {
        switch self {
        case .text(let text): text
        case .flag(let flag): String(flag)
        case .values(let values): values.templateText
        case .items, .names: ""
        }
    }
}

/// A value that templates look names up in one at a time: `{{name}}` inside it asks
/// `child(named:)`, and a nil answer sends the lookup on to the values around it. It answers
/// through a switch, so a lookup costs a few string comparisons.
///
/// Such a value may stand among a page context's stored properties: its `Encodable`
/// conformance hands it to the template as it is.
protocol TemplateValues: Encodable {
    func child(named name: String) -> TemplateValue?
    /// What `{{.}}` writes for it ("" unless it says).
    var templateText: String { get }
}

extension TemplateValues {
    var templateText: String { "" }

    func encode(to encoder: any Encoder) throws {
        guard let encoder = encoder as? TemplateEncoder else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "template values are for templates only"))
        }
        encoder.store(.values(self))
    }
}
