/// `tokenizers`' WordLevel model: each word of the pre-tokenizer is one token, the unknown
/// token when it is not in the vocabulary.
public struct WordLevelTokenizer: TextTokenizer {
    let idOfToken: [String: Int]
    let unknownId: Int
    let splitter: WordSplitter
    let added: AddedVocabulary
    let tokenOfId: [Int: String]

    init(vocabulary: [String: Int], unknownId: Int, splitter: WordSplitter, addedTokens: [AddedToken]) {
        idOfToken = vocabulary
        self.unknownId = unknownId
        self.splitter = splitter
        added = AddedVocabulary(addedTokens)
        tokenOfId = added.spellings(over: vocabulary)
    }

    public var idCount: Int { (tokenOfId.keys.max() ?? -1) + 1 }

    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in added.segments(of: text) {
            switch segment {
            case .added(let id): ids.append(id)
            case .text(let scalars):
                for word in splitter.words(scalars) {
                    ids.append(idOfToken[String(String.UnicodeScalarView(word))] ?? unknownId)
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
