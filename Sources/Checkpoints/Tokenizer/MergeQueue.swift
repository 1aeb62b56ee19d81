/// The candidate merges of one word, lowest rank first and, on equal ranks, leftmost first:
/// a binary min-heap, as tokenizers' `BinaryHeap<Merge>`.
struct MergeQueue {
    struct Candidate {
        let rank: Int
        /// The left symbol's index in the word.
        let position: Int
        let merged: Int

        func precedes(_ other: Candidate) -> Bool {
            (rank, position) < (other.rank, other.position)
        }
    }

    private var items: [Candidate] = []

    mutating func push(_ candidate: Candidate) {
        items.append(candidate)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Candidate? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count && items[left].precedes(items[smallest]) { smallest = left }
                if right < items.count && items[right].precedes(items[smallest]) { smallest = right }
                guard smallest != parent else { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
