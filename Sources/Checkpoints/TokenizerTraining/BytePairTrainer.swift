/// Learns GPT-2's byte-level BPE from a text, as `tokenizers`' BpeTrainer does with a ByteLevel
/// pre-tokenizer:
///
/// 1. the text is cut into words by GPT-2's pre-tokenisation pattern (`GPT2PreTokenizer`), and
///    each word is counted as its UTF-8 bytes;
/// 2. the vocabulary starts as the 256 bytes, token b being byte b's character in GPT-2's
///    bytes-to-unicode table (`Ġ` for a space);
/// 3. then, until the vocabulary has `vocabSize` tokens or no word has two symbols left, the
///    adjacent pair of symbols that occurs most often (counting each word as often as it
///    occurs) is merged everywhere, left to right; on a tie the pair with the smaller ids
///    (left first, then right) wins, so the result never depends on hashing or thread timing.
///    The merged token gets the next id (or keeps its id when another pair already made the
///    same string).
enum BytePairTrainer {
    struct Result {
        /// Token strings, by id.
        var tokens: [String]
        /// The merges in rank order, as pairs of token strings.
        var merges: [(String, String)]
    }

    struct Pair: Hashable, Comparable {
        let left: Int
        let right: Int
        static func < (a: Pair, b: Pair) -> Bool { (a.left, a.right) < (b.left, b.right) }
    }

    static func train(_ text: String, vocabSize: Int) -> Result {
        // 1. Distinct words with their counts, in order of first appearance.
        var countOfWord: [[Int]: Int] = [:]
        var order: [[Int]] = []
        for piece in GPT2PreTokenizer.split(Array(text.unicodeScalars)) {
            let bytes = String(String.UnicodeScalarView(piece)).utf8.map(Int.init)
            if countOfWord[bytes] == nil { order.append(bytes) }
            countOfWord[bytes, default: 0] += 1
        }
        var words = order
        let counts = order.map { countOfWord[$0]! }

        // 2. The bytes.
        var tokens = ByteToUnicode.characterOfByte.map(String.init)
        var idOfToken = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0) })
        var merges: [(String, String)] = []

        // 3. Merge the most frequent pair until the vocabulary is full.
        while tokens.count < vocabSize {
            var pairCounts: [Pair: Int] = [:]
            for (word, count) in zip(words, counts) where word.count >= 2 {
                for i in 0..<(word.count - 1) {
                    pairCounts[Pair(left: word[i], right: word[i + 1]), default: 0] += count
                }
            }
            guard let best = pairCounts.max(by: { a, b in a.value != b.value ? a.value < b.value : b.key < a.key })?.key else {
                break
            }
            let merged = tokens[best.left] + tokens[best.right]
            let mergedId: Int
            if let existing = idOfToken[merged] {
                mergedId = existing
            } else {
                mergedId = tokens.count
                tokens.append(merged)
                idOfToken[merged] = mergedId
            }
            merges.append((tokens[best.left], tokens[best.right]))
            for w in words.indices where words[w].count >= 2 {
                words[w] = applying(best, as: mergedId, to: words[w])
            }
        }
        return Result(tokens: tokens, merges: merges)
    }

    /// `word` with every occurrence of `pair`, left to right, replaced by `merged`.
    static func applying(_ pair: Pair, as merged: Int, to word: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(word.count)
        var i = 0
        while i < word.count {
            if i + 1 < word.count, word[i] == pair.left, word[i + 1] == pair.right {
                out.append(merged)
                i += 2
            } else {
                out.append(word[i])
                i += 1
            }
        }
        return out
    }
}
