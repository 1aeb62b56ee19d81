import Diagnostics

/// A build that failed, with every problem found.
public struct BuildFailure: Error, Sendable, CustomStringConvertible {
    public var problems: [Diagnostic]

    public init(_ problems: [Diagnostic]) { self.problems = problems }
    public init(_ problem: Diagnostic) { self.problems = [problem] }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
