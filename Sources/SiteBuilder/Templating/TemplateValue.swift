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
        if let list = value as? [Any] {
            // A list of plain values (or an empty one) stays the list it is.
            guard let first = list.first, !isPlain(first) else { return value }
            return list.map(of)
        }
        if let dictionary = value as? [String: Any] { return dictionary.mapValues(of) }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .struct else { return value }
        var fields: [String: Any] = [:]
        for child in mirror.children {
            guard let label = child.label, let field = unwrapped(child.value) else { continue }
            fields[label] = of(field)
        }
        return fields
    }

    /// The value inside an optional (nil for none); any other value as it is.
    static func unwrapped(_ value: Any) -> Any? {
        guard let optional = value as? any OptionalValue else { return value }
        return optional.wrapped
    }

    static func isPlain(_ value: Any) -> Bool {
        value is String || value is Int || value is Bool || value is Double || value is any MustacheParent
    }
}

/// An optional, whatever it wraps.
protocol OptionalValue {
    var wrapped: Any? { get }
}

extension Optional: OptionalValue {
    var wrapped: Any? { self.map { $0 } }
}
