/// How prompt text becomes tokens.
public enum Tokenizer: String, Sendable, CaseIterable {
    /// Split on whitespace; each piece must be a vocabulary word.
    case words
    /// Each character (Unicode scalar) is a token.
    case chars

    public func split(_ text: String) -> [String] {
        switch self {
        case .words:
            return text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        case .chars:
            return text.unicodeScalars.map { String($0) }
        }
    }
}
