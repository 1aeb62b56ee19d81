/// One token of an encoded text.
public struct Token: Sendable, Equatable {
    public let id: Int
    /// The token as the vocabulary spells it (`Ġthe`), or the added token's text (`<|endoftext|>`).
    public let raw: String
    /// The token for reading (`␣the`); see `TokenDisplay`.
    public let display: String
}

/// GPT-2's byte-level BPE tokenizer, giving the ids Hugging Face `tokenizers` gives:
/// added tokens split out first; each remaining stretch pre-tokenised with GPT-2's pattern;
/// each piece's UTF-8 bytes mapped to characters by the bytes-to-unicode table; BPE merges
/// applied lowest rank first.
public struct ByteLevelBPE: Sendable {
    let model: BPEModel
    let addedTokens: [AddedToken]
    /// Put a space before each stretch of text that does not start with one (ByteLevel's `add_prefix_space`).
    let addPrefixSpace: Bool
    /// Split with GPT-2's pattern (ByteLevel's `use_regex`); off, each stretch is one word.
    let useRegex: Bool
    let tokenOfId: [Int: String]
    let addedOfId: [Int: AddedToken]

    init(model: BPEModel, addedTokens: [AddedToken], addPrefixSpace: Bool, useRegex: Bool) {
        self.model = model
        self.addedTokens = addedTokens
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
        var tokenOfId: [Int: String] = [:]
        for (token, id) in model.idOfToken.sorted(by: { $0.key < $1.key }) where tokenOfId[id] == nil {
            tokenOfId[id] = token
        }
        var addedOfId: [Int: AddedToken] = [:]
        for token in addedTokens {
            tokenOfId[token.id] = token.content
            addedOfId[token.id] = token
        }
        self.tokenOfId = tokenOfId
        self.addedOfId = addedOfId
    }

    /// One more than the largest id: the rows of wte this tokenizer can name.
    public var idCount: Int { (tokenOfId.keys.max() ?? -1) + 1 }

    /// The token ids of `text`.
    public func encode(_ text: String) -> [Int] {
        var segments = [Segment.text(Array(text.unicodeScalars))]
        segments = AddedTokenSplitter.split(segments, on: addedTokens.filter { !$0.normalized })
        segments = AddedTokenSplitter.split(segments, on: addedTokens.filter { $0.normalized })
        var ids: [Int] = []
        for segment in segments {
            switch segment {
            case .added(let id):
                ids.append(id)
            case .text(var scalars):
                guard !scalars.isEmpty else { continue }
                if addPrefixSpace && scalars.first != " " { scalars.insert(" ", at: 0) }
                let pieces = useRegex ? GPT2PreTokenizer.split(scalars) : [scalars[...]]
                for piece in pieces {
                    let utf8 = String(String.UnicodeScalarView(piece)).utf8
                    ids += model.encode(String(utf8.map { ByteToUnicode.characterOfByte[Int($0)] }))
                }
            }
        }
        return ids
    }

    /// The tokens of `text`, with their spelling and readable form.
    public func tokens(_ text: String) -> [Token] {
        encode(text).map { Token(id: $0, raw: raw(id: $0) ?? "", display: display(id: $0)) }
    }

    /// The vocabulary's spelling of `id`, nil for an id without a token (a padded vocabulary).
    public func raw(id: Int) -> String? { tokenOfId[id] }

    /// The bytes `id` stands for (an added token's UTF-8), nil for an id without a token.
    public func bytes(id: Int) -> [UInt8]? {
        if let added = addedOfId[id] { return Array(added.content.utf8) }
        guard let raw = tokenOfId[id] else { return nil }
        return ByteToUnicode.bytes(of: raw) ?? Array(raw.utf8)
    }

    /// `␣the`, `↵`, `<0xE2>`, an added token as written, or `<id N>` for an id without a token.
    public func display(id: Int) -> String {
        if let added = addedOfId[id] { return added.content }
        guard let bytes = bytes(id: id) else { return "<id \(id)>" }
        return TokenDisplay.readable(bytes)
    }

    /// The text of `ids` (bytes that are not UTF-8 become U+FFFD).
    public func decode(_ ids: [Int]) -> String {
        String(decoding: ids.flatMap { bytes(id: $0) ?? [] }, as: UTF8.self)
    }
}
