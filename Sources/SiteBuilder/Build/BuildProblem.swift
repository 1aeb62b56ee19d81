import PageValidation
import TransformerEngine

/// One problem that stops a build: the file, where in it, and what is wrong.
public struct BuildProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public init(_ error: ModelError) {
        let field = error.field.map { $0 + " " } ?? ""
        self.init(file: error.file, line: error.line, column: error.column, message: field + error.message)
    }

    public init(_ diagnostic: Diagnostic) {
        self.init(file: diagnostic.file, line: diagnostic.line, column: diagnostic.column, message: diagnostic.message)
    }

    /// `file:line:col: message`
    public var description: String {
        var out = file
        if let line {
            out += ":\(line)"
            if let column { out += ":\(column)" }
        }
        return out + ": " + message
    }
}

/// A build that failed, with every problem found.
public struct BuildFailure: Error, Sendable, CustomStringConvertible {
    public var problems: [BuildProblem]

    public init(_ problems: [BuildProblem]) { self.problems = problems }
    public init(_ problem: BuildProblem) { self.problems = [problem] }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
