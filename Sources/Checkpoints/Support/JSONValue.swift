import FoundationEssentials

/// A parsed JSON value that keeps what the file said apart: a whole number, a fraction, a bool
/// and a string are different cases, so a key of the wrong type can be named as such.
enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        // Each JSON value decodes as one of these types only, so the order changes no result; it
        // puts the common kinds first, as every refused attempt throws (a tokenizer.json's 50,000
        // merges are arrays, its vocabulary ids whole numbers).
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode(Int.self) { self = .integer(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    /// Parses `bytes`; `nil` when they are not JSON.
    static func parse(_ bytes: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: bytes)
    }

    /// "a string", "an array", … for messages such as `key n_embd is a string, expected a whole number`.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a bool"
        case .integer: "a whole number"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    var integerValue: Int? { if case .integer(let value) = self { value } else { nil } }
    var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    var objectValue: [String: JSONValue]? { if case .object(let value) = self { value } else { nil } }
    /// Any number, whole or not.
    var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}
