/// How prompt text becomes tokens.
public enum Tokenizer: String, Sendable, CaseIterable {
    /// Split on whitespace; each piece must be a vocabulary word.
    case words
    /// Each character (Unicode scalar) is a token.
    case chars
    /// A checkpoint's own tokenizer (byte-level BPE as GPT-2, or what its tokenizer.json names).
    /// ModelFormats encodes the prompt with it, so a model's prompt arrives as ids; `split`
    /// has nothing to offer for it.
    case checkpoint

    /// The model-file tokenizers, the ones a model file may name.
    public static let modelFileTokenizers: [Tokenizer] = [.words, .chars]

    public func split(_ text: String) -> [String] {
        switch self {
        case .words:
            return text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        case .chars:
            return text.unicodeScalars.map { String($0) }
        case .checkpoint:
            return []
        }
    }
}
