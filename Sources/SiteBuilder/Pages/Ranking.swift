/// The first few entries of a vocabulary-sized ranking (the 20 highest logits of 50,257),
/// without sorting all of them.
enum Ranking {
    /// The first `count` of the indices 0..<n in the total order `ranksAhead` (ties already
    /// broken, by index say): the same indices in the same order as
    /// `(0..<n).sorted(by: ranksAhead).prefix(count)`. One pass keeps the best so far in order.
    static func top(_ count: Int, of n: Int, ranksAhead: (Int, Int) -> Bool) -> [Int] {
        guard count > 0 else { return [] }
        var kept: [Int] = []
        kept.reserveCapacity(count + 1)
        for i in 0..<n {
            if kept.count == count, !ranksAhead(i, kept[count - 1]) { continue }
            // The first kept index that i ranks ahead of is where i goes.
            var low = 0, high = kept.count
            while low < high {
                let middle = (low + high) / 2
                if ranksAhead(i, kept[middle]) { high = middle } else { low = middle + 1 }
            }
            kept.insert(i, at: low)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }

    /// The indices of the `count` largest values, largest first, ties to the lower index.
    static func largest(_ count: Int, of values: [Double]) -> [Int] {
        top(count, of: values.count) { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
    }
}
