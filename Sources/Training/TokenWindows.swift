/// The token stream split for training, and the windows drawn from it.
///
/// The last `valFraction` of the ids (⌊n·fraction⌋ of them) is held out for validation; the
/// rest is the training split. A batch is B windows of context + 1 consecutive ids from the
/// training split, each starting at `generator.below(trainCount − context)`, drawn in order
/// from the one `SeededGenerator` of the run. Validation uses fixed windows: the held-out ids
/// cut into consecutive windows of context + 1 (at most `maxValidationWindows`; a held-out
/// part shorter than that is one shorter window).
public struct TokenWindows: Sendable {
    public let train: [Int]
    public let validation: [Int]
    public let context: Int
    public static let maxValidationWindows = 16

    public init(ids: [Int], valFraction: Double, context: Int) {
        let held = Int(Double(ids.count) * valFraction)
        train = Array(ids[..<(ids.count - held)])
        validation = Array(ids[(ids.count - held)...])
        self.context = context
    }

    public func batch(_ size: Int, using generator: inout SeededGenerator) -> [ArraySlice<Int>] {
        (0..<size).map { _ in
            let start = generator.below(train.count - context)
            return train[start..<(start + context + 1)]
        }
    }

    public var validationWindows: [ArraySlice<Int>] {
        guard validation.count >= 2 else { return [] }
        if validation.count < context + 1 { return [validation[...]] }
        let count = min(Self.maxValidationWindows, validation.count / (context + 1))
        return (0..<count).map { k in validation[(k * (context + 1))..<((k + 1) * (context + 1))] }
    }
}
