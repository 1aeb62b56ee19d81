/// Reads typed keys from a JSON object, naming the key and the file when one is missing or of
/// the wrong type.
struct KeyReader {
    let file: String

    func fail(_ key: String, _ message: String, isKey: Bool = true) -> CheckpointError {
        CheckpointError(file: file, subject: isKey ? "key \(key)" : key, message: message)
    }

    func object(_ fields: [String: JSONValue], _ key: String, path: String? = nil) throws -> [String: JSONValue] {
        guard let value = fields[key] else { throw fail(path ?? key, "is missing, expected an object") }
        guard let object = value.objectValue else { throw fail(path ?? key, "is \(value.kind), expected an object") }
        return object
    }

    func string(_ fields: [String: JSONValue], _ key: String, path: String) throws -> String {
        guard let value = fields[key] else { throw fail(path, "is missing, expected a string") }
        guard let text = value.stringValue else { throw fail(path, "is \(value.kind), expected a string") }
        return text
    }

    func optionalString(_ fields: [String: JSONValue], _ key: String, path: String) throws -> String? {
        guard let value = fields[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw fail(path, "is \(value.kind), expected a string or null") }
        return text
    }

    func integer(_ fields: [String: JSONValue], _ key: String, path: String) throws -> Int {
        guard let value = fields[key] else { throw fail(path, "is missing, expected a whole number ≥ 0") }
        guard let number = value.integerValue, number >= 0 else { throw fail(path, "is \(value.kind), expected a whole number ≥ 0") }
        return number
    }

    func bool(_ fields: [String: JSONValue], _ key: String, default fallback: Bool, path: String) throws -> Bool {
        guard let value = fields[key], value != .null else { return fallback }
        guard let flag = value.boolValue else { throw fail(path, "is \(value.kind), expected true or false") }
        return flag
    }
}
