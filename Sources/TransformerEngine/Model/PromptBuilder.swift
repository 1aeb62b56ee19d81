import Diagnostics
/// Turns prompt text (from the model file or the command line) into vocabulary ids,
/// with errors that say which word is missing and what the vocabulary holds.
public struct PromptBuilder: Sendable {
    public var file: String
    public var vocab: [String]
    public var tokenizer: Tokenizer
    public var maxPositions: Int

    public init(file: String, vocab: [String], tokenizer: Tokenizer, maxPositions: Int) {
        self.file = file
        self.vocab = vocab
        self.tokenizer = tokenizer
        self.maxPositions = maxPositions
    }

    public init(model: Model, file: String) {
        self.init(file: file, vocab: model.vocab, tokenizer: model.tokenizer, maxPositions: model.config.maxPositions)
    }

    /// `textSource` and `targetSource` name where the text came from (a field of the file with
    /// its position, or a command-line option such as `--text`).
    public func make(text: String, target: String?,
                     textSource: (String, Int?, Int?) = ("prompt.text", nil, nil),
                     targetSource: (String, Int?, Int?) = ("prompt.target", nil, nil)) throws(Diagnostic) -> Prompt {
        func fail(_ source: (String, Int?, Int?), _ message: String) -> Diagnostic {
            Diagnostic(file: file, line: source.1, column: source.2, field: source.0, message: message)
        }
        let tokens = tokenizer.split(text)
        guard !tokens.isEmpty else {
            throw fail(textSource, "is empty, expected at least one token")
        }
        guard tokens.count <= maxPositions else {
            throw fail(textSource, "has \(tokens.count) tokens, expected at most \(maxPositions) (config.max_positions)")
        }
        let stoi = Dictionary(vocab.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var ids: [Int] = []
        for (position, token) in tokens.enumerated() {
            guard let id = stoi[token] else {
                throw fail(textSource, "has \(quote(token)) (token \(position)), which is not in the vocabulary; expected one of: \(vocabularyList())")
            }
            ids.append(id)
        }
        var targetID: Int? = nil
        if let target {
            guard let id = stoi[target] else {
                throw fail(targetSource, "is \(quote(target)), which is not in the vocabulary; expected one of: \(vocabularyList())")
            }
            targetID = id
        }
        return Prompt(text: text, tokens: tokens, ids: ids, target: target, targetID: targetID)
    }

    private func quote(_ word: String) -> String {
        "\"" + word.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined() + "\""
    }

    /// The vocabulary, quoted, shortened for large ones.
    func vocabularyList(limit: Int = 40) -> String {
        let shown = vocab.prefix(limit).map(quote).joined(separator: ", ")
        return vocab.count > limit ? shown + ", … (\(vocab.count) words)" : shown
    }
}
