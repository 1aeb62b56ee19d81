/// GPT-2's byte-level BPE tokenizer, giving the ids Hugging Face `tokenizers` gives:
/// added tokens split out first; each remaining stretch pre-tokenised with GPT-2's pattern;
/// each piece's UTF-8 bytes mapped to characters by the bytes-to-unicode table; BPE merges
/// applied lowest rank first.
public struct ByteLevelBPE: TextTokenizer {
    let model: BPEModel
    let added: AddedVocabulary
    /// Put a space before each stretch of text that does not start with one (ByteLevel's `add_prefix_space`).
    let addPrefixSpace: Bool
    /// Split with GPT-2's pattern (ByteLevel's `use_regex`); off, each stretch is one word.
    let useRegex: Bool
    let tokenOfId: [Int: String]

    init(model: BPEModel, addedTokens: [AddedToken], addPrefixSpace: Bool, useRegex: Bool) {
        self.model = model
        self.added = AddedVocabulary(addedTokens)
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
        tokenOfId = added.spellings(over: model.idOfToken)
    }

    public var idCount: Int { (tokenOfId.keys.max() ?? -1) + 1 }

    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in added.segments(of: text) {
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

    public func raw(id: Int) -> String? { tokenOfId[id] }

    /// The bytes `id` stands for (an added token's UTF-8), nil for an id without a token.
    public func bytes(id: Int) -> [UInt8]? {
        if let token = added.token(id: id) { return Array(token.content.utf8) }
        guard let raw = tokenOfId[id] else { return nil }
        return ByteToUnicode.bytes(of: raw) ?? Array(raw.utf8)
    }

    /// `␣the`, `↵`, `<0xE2>`, an added token as written, or `<id N>` for an id without a token.
    public func display(id: Int) -> String {
        if let token = added.token(id: id) { return token.content }
        guard let bytes = bytes(id: id) else { return "<id \(id)>" }
        return TokenDisplay.readable(bytes)
    }

    /// The text of `ids` (bytes that are not UTF-8 become U+FFFD).
    public func decode(_ ids: [Int]) -> String {
        String(decoding: ids.flatMap { bytes(id: $0) ?? [] }, as: UTF8.self)
    }
}
