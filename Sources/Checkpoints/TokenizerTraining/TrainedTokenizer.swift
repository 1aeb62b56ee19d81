/// A tokenizer learnt from a corpus by `sitegen train`, as the `tokenizer.json` that
/// Hugging Face `tokenizers` loads, and the same file read back by sitegen's own reader.
public struct TrainedTokenizer: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// GPT-2's byte-level BPE (`BytePairTrainer`): the 256 bytes, then merges up to the vocabulary size.
        case bpe
        /// WordLevel over the `Whitespace` pre-tokenizer (`\w+|[^\w\s]+`, so "mat." is "mat" and
        /// "."): `[UNK]` is id 0, then every word of the corpus, most frequent first (ties in
        /// order of Unicode scalars).
        case words
        /// BPE over characters without merges: one token per character. `[UNK]` is id 0, then
        /// every character (Unicode scalar) of the corpus in scalar order.
        case chars
    }

    /// The unknown token of the words and chars kinds.
    public static let unknownToken = "[UNK]"
    /// The vocabulary a byte-level BPE needs at least: one token per byte.
    public static let byteCount = 256

    public let kind: Kind
    /// The text of `tokenizer.json`.
    public let json: String
    /// `json` as sitegen reads it.
    public let tokenizer: any TextTokenizer
    /// The number of ids (the model's vocab_size).
    public var vocabularySize: Int { tokenizer.idCount }

    /// Learns a tokenizer of `kind` from `text`; `vocabSize` bounds the BPE vocabulary (at least 256).
    public static func train(_ kind: Kind, on text: String, vocabSize: Int) throws -> TrainedTokenizer {
        let json: String
        switch kind {
        case .bpe:
            guard vocabSize >= byteCount else {
                throw CheckpointError(file: "--vocab-size", message: "is \(vocabSize), expected at least \(byteCount): a byte-level BPE has one token for each of the 256 bytes before any merge")
            }
            let result = BytePairTrainer.train(text, vocabSize: vocabSize)
            json = TokenizerJSON.byteLevelBPE(tokens: result.tokens, merges: result.merges)
        case .words:
            var count: [String: Int] = [:]
            for word in WordSplitter.whitespace.words(Array(text.unicodeScalars)) {
                count[String(String.UnicodeScalarView(word)), default: 0] += 1
            }
            let words = count.keys.sorted { a, b in
                count[a]! != count[b]! ? count[a]! > count[b]! : a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
            }
            json = TokenizerJSON.wordLevel(tokens: [unknownToken] + words.filter { $0 != unknownToken }, unknown: unknownToken)
        case .chars:
            let scalars = Set(text.unicodeScalars).sorted { $0.value < $1.value }
            json = TokenizerJSON.characters(tokens: [unknownToken] + scalars.map { String($0) }, unknown: unknownToken)
        }
        let tokenizer = try TokenizerFiles.read(tokenizerJSONText: json, shownAs: "tokenizer.json")
        return TrainedTokenizer(kind: kind, json: json, tokenizer: tokenizer)
    }
}
