/// The plain pre-tokenizers of `tokenizers` that WordLevel and character-level tokenizers use.
enum WordSplitter: Sendable {
    /// No pre-tokenizer: each stretch of text is one word.
    case none
    /// `Whitespace`: the pattern `\w+|[^\w\s]+`; whitespace is dropped.
    case whitespace
    /// `WhitespaceSplit`: split on whitespace, which is dropped.
    case whitespaceSplit

    func words(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        switch self {
        case .none:
            return text.isEmpty ? [] : [text[...]]
        case .whitespaceSplit:
            return text.split(whereSeparator: { $0.properties.isWhitespace })
        case .whitespace:
            var words: [ArraySlice<Unicode.Scalar>] = []
            var start = 0
            while start < text.count {
                let c = text[start]
                if c.properties.isWhitespace { start += 1; continue }
                let isWord = AddedTokenSplitter.isWordCharacter(c)
                var end = start + 1
                while end < text.count, !text[end].properties.isWhitespace,
                      AddedTokenSplitter.isWordCharacter(text[end]) == isWord {
                    end += 1
                }
                words.append(text[start..<end])
                start = end
            }
            return words
        }
    }
}
