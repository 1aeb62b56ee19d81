/// One token of an encoded text.
public struct Token: Sendable, Equatable {
    public let id: Int
    /// The token as the vocabulary spells it (`Ġthe`), or the added token's text (`<|endoftext|>`).
    public let raw: String
    /// The token for reading (`␣the`); see `TokenDisplay`.
    public let display: String
}

/// A tokenizer read from a checkpoint: byte-level BPE (GPT-2), character-level BPE, or WordLevel.
public protocol TextTokenizer: Sendable {
    /// The token ids of `text`, as Hugging Face `tokenizers` gives them.
    func encode(_ text: String) -> [Int]
    /// The vocabulary's spelling of `id`, nil for an id without a token (a padded vocabulary).
    func raw(id: Int) -> String?
    /// `id` for reading: `␣the`, `↵`, `<0xE2>`, an added token as written, `<id N>` for an id without a token.
    func display(id: Int) -> String
    /// One more than the largest id: the rows of wte this tokenizer can name.
    var idCount: Int { get }
}

extension TextTokenizer {
    /// The tokens of `text`, with their spelling and readable form.
    public func tokens(_ text: String) -> [Token] {
        encode(text).map { Token(id: $0, raw: raw(id: $0) ?? "", display: display(id: $0)) }
    }
}
