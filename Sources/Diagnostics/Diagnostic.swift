/// One problem with an input, for every part of sitegen: the file, where in it (1-based line
/// and column, when known), the field (a path such as `weights.layers[0].W_q`, when the problem
/// is in one field) and what was expected.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `Models/x.json:31:15: weights.layers[0].W_q is 4×3, expected 4×4 (d_model × d_model)`:
    /// `file:line:col: message`, the format compilers and editors understand.
    public var description: String {
        var out = file
        if let line {
            out += ":\(line)"
            if let column { out += ":\(column)" }
        }
        return out + ": " + (field.map { $0 + " " } ?? "") + message
    }
}

extension Diagnostic {
    /// The deterministic order of every list of diagnostics: file, line, column, message.
    public static func precedes(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return (a.line ?? 0) < (b.line ?? 0) }
        if a.column != b.column { return (a.column ?? 0) < (b.column ?? 0) }
        return a.description < b.description
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by file, line, column, message; exact duplicates removed
    /// (libxml2 sometimes reports the same error twice at the same place).
    public func sortedUnique() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return self.filter { seen.insert($0).inserted }.sorted(by: Diagnostic.precedes)
    }
}
