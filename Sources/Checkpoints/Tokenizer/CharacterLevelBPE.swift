/// A BPE model over characters rather than bytes (no ByteLevel step): with no merges, one
/// token per character, the unknown token (or nothing, as in `tokenizers`) for a character
/// outside the vocabulary.
public struct CharacterLevelBPE: TextTokenizer {
    let model: BPEModel
    let splitter: WordSplitter
    let added: AddedVocabulary
    let tokenOfId: [Int: String]

    init(model: BPEModel, splitter: WordSplitter, addedTokens: [AddedToken]) {
        self.model = model
        self.splitter = splitter
        added = AddedVocabulary(addedTokens)
        tokenOfId = added.spellings(over: model.idOfToken)
    }

    public var idCount: Int { (tokenOfId.keys.max() ?? -1) + 1 }

    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in added.segments(of: text) {
            switch segment {
            case .added(let id): ids.append(id)
            case .text(let scalars):
                for word in splitter.words(scalars) {
                    ids += model.encode(String(String.UnicodeScalarView(word)))
                }
            }
        }
        return ids
    }

    public func raw(id: Int) -> String? { tokenOfId[id] }

    public func display(id: Int) -> String {
        guard let raw = tokenOfId[id] else { return "<id \(id)>" }
        return added.token(id: id) != nil ? raw : TokenDisplay.readable(Array(raw.utf8))
    }
}
