/// One problem found in a template or a page, positioned at `file:line:column`.
public struct Diagnostic: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:col: message`, the format compilers and editors understand.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

extension Diagnostic {
    /// The deterministic order of every list this module returns: file, line, column, message.
    static func precedes(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.file != b.file { return a.file < b.file }
        if a.line != b.line { return a.line < b.line }
        if a.column != b.column { return a.column < b.column }
        return a.message < b.message
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by file, line, column, message; exact duplicates removed
    /// (libxml2 sometimes reports the same error twice at the same place).
    func sortedUnique() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return self.filter { seen.insert($0).inserted }.sorted(by: Diagnostic.precedes)
    }
}
