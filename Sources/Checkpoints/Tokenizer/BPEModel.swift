/// A BPE vocabulary and its merges, applied as Hugging Face `tokenizers` applies them: the
/// word starts as one symbol per character (a character outside the vocabulary becomes the
/// unknown token, or is dropped when there is none), then the adjacent pair with the lowest
/// merge rank is merged, the leftmost on a tie, until no pair has a merge (in O(n log n)).
struct BPEModel: Sendable {
    struct Pair: Hashable, Sendable {
        let left: Int
        let right: Int
    }

    struct Merge: Sendable {
        let rank: Int
        let merged: Int
    }

    let idOfToken: [String: Int]
    let merges: [Pair: Merge]
    let unknownId: Int?
    let fuseUnknown: Bool
    /// A word that is itself in the vocabulary is taken whole, without merging.
    let ignoreMerges: Bool

    /// `merges` in rank order; `describe(i)` names merge i in messages (`merges[3]`).
    init(vocabulary: [String: Int], merges list: [(String, String)], unknownToken: String?, fuseUnknown: Bool,
         ignoreMerges: Bool, file: String, describe: (Int) -> String) throws {
        idOfToken = vocabulary
        var merges: [Pair: Merge] = [:]
        for (rank, (left, right)) in list.enumerated() {
            func fail(_ message: String) -> CheckpointError {
                CheckpointError(file: file, subject: describe(rank), message: message)
            }
            guard let leftId = vocabulary[left] else {
                throw fail("(\(quoted(left)) \(quoted(right))) names \(quoted(left)), which is not in the vocabulary; expected merges of known symbols")
            }
            guard let rightId = vocabulary[right] else {
                throw fail("(\(quoted(left)) \(quoted(right))) names \(quoted(right)), which is not in the vocabulary; expected merges of known symbols")
            }
            guard let mergedId = vocabulary[left + right] else {
                throw fail("(\(quoted(left)) \(quoted(right))) makes \(quoted(left + right)), which is not in the vocabulary; expected every merge's result in it")
            }
            // As in tokenizers, a repeated merge takes the rank of its last line.
            merges[Pair(left: leftId, right: rightId)] = Merge(rank: rank, merged: mergedId)
        }
        self.merges = merges
        if let unknownToken {
            guard let id = vocabulary[unknownToken] else {
                throw CheckpointError(file: file, subject: "key model.unk_token", message: "is \(quoted(unknownToken)), which is not in the vocabulary")
            }
            unknownId = id
        } else {
            unknownId = nil
        }
        self.fuseUnknown = fuseUnknown
        self.ignoreMerges = ignoreMerges
    }

    /// The ids of one pre-tokenised word (already in byte-level characters).
    func encode(_ word: String) -> [Int] {
        if ignoreMerges, let id = idOfToken[word] { return [id] }
        var symbols: [Int] = []
        // One symbol per Unicode scalar (Rust's `char`), not per Swift Character.
        for scalar in word.unicodeScalars {
            if let id = idOfToken[String(scalar)] {
                symbols.append(id)
            } else if let unknownId {
                if fuseUnknown, symbols.last == unknownId { continue }
                symbols.append(unknownId)
            }
        }
        return merge(symbols)
    }

    /// Applies the merges as tokenizers' `Word::merge_all` does: a queue of candidate pairs,
    /// lowest rank (then leftmost) first; a candidate is stale when its symbols have since
    /// changed (the pair now there would not make the same token).
    private func merge(_ start: [Int]) -> [Int] {
        guard start.count > 1 else { return start }
        var symbols = start
        var next = Array(1...symbols.count)        // symbols.count: no next symbol
        var previous = Array(-1..<(symbols.count - 1))  // -1: no previous symbol
        var alive = [Bool](repeating: true, count: symbols.count)
        var queue = MergeQueue()
        func consider(_ left: Int) {
            let right = next[left]
            guard right < symbols.count, let merge = merges[Pair(left: symbols[left], right: symbols[right])] else { return }
            queue.push(.init(rank: merge.rank, position: left, merged: merge.merged))
        }
        for position in 0..<(symbols.count - 1) { consider(position) }
        while let candidate = queue.pop() {
            let left = candidate.position, right = next[left]
            guard alive[left], right < symbols.count,
                  merges[Pair(left: symbols[left], right: symbols[right])]?.merged == candidate.merged else { continue }
            symbols[left] = candidate.merged
            alive[right] = false
            next[left] = next[right]
            if next[left] < symbols.count { previous[next[left]] = left }
            if previous[left] >= 0 { consider(previous[left]) }
            consider(left)
        }
        return symbols.indices.filter { alive[$0] }.map { symbols[$0] }
    }
}

/// A token quoted for a message; `CheckpointError` escapes what would not show.
func quoted(_ text: String) -> String {
    "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
}
