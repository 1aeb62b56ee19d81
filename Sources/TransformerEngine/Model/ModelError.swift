/// One problem with a model file (or a prompt given on the command line): the file, where in it,
/// the field, and what was expected.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line and column in the file, when known.
    public var line: Int?
    public var column: Int?
    /// A path such as `weights.layers[0].W_q`, when the problem is in one field.
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `Models/x.json:31:15: weights.layers[0].W_q is 4×3, expected 4×4 (d_model × d_model)`
    public var description: String {
        var out = file
        if let line {
            out += ":\(line)"
            if let column { out += ":\(column)" }
        }
        out += ": "
        if let field { out += field + " " }
        return out + message
    }
}
