import Mustache

/// A page's values as the template engine reads them fastest, made once before rendering.
///
/// The engine looks a name up in a dictionary or a `MustacheParent` directly, but in any
/// other struct by reflecting on all its fields at every lookup (and a lookup inside a loop
/// asks every row of the loop around it first). So every struct a page holds, at any depth,
/// in lists too, becomes a dictionary of its fields, read once here. A field that is nil is
/// left out, as the engine's own reflection treats it: the name is looked up further out.
/// Strings, numbers, Booleans and `MustacheParent` values stay as they are.
enum TemplateValue {
    static func of(_ value: Any) -> Any {
        if isPlain(value) { return value }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?:
            return fields(mirror)
        case .collection?:
            // A list of plain values (or an empty one) stays the list it is.
            guard let first = mirror.children.first, !isPlain(first.value) else { return value }
            return mirror.children.map { of($0.value) }
        case .dictionary?:
            guard let dictionary = value as? [String: Any] else { return value }
            return dictionary.mapValues(of)
        default:
            return value
        }
    }

    /// A struct's stored properties by name, each made a template value; nil ones left out.
    static func fields(_ mirror: Mirror) -> [String: Any] {
        var fields: [String: Any] = [:]
        for child in mirror.children {
            guard let label = child.label, let value = unwrapped(child.value) else { continue }
            fields[label] = of(value)
        }
        return fields
    }

    /// The value inside an optional (nil for none); any other value as it is.
    static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }

    static func isPlain(_ value: Any) -> Bool {
        value is String || value is Int || value is Bool || value is Double || value is any MustacheParent
    }
}
