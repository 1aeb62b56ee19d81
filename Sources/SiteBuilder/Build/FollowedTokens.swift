import FoundationEssentials

/// Which prompt tokens get their own views of the stages that follow one token (`--follow`):
/// the last token always does (its views have the plain file names), so `last` writes one
/// view a stage, `all` one per token, and `0,3` the views of tokens 0 and 3 beside the last's.
/// Every link to a token without views goes to the last token's view.
public enum FollowedTokens: Sendable, Equatable {
    case last
    case all
    /// Positions from 0, in the prompt's tokens.
    case positions([Int])

    /// `--follow`'s value: `all`, `last`, or positions such as `0,3,5`; nil when it is none
    /// of those.
    public init?(argument: String) {
        switch argument {
        case "last": self = .last
        case "all": self = .all
        default:
            let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            let positions = parts.map { part in
                // One number, spaces around it allowed: " 3" but not "1 2".
                let words = part.split(whereSeparator: \.isWhitespace)
                return words.count == 1 ? Int(words[0]) : nil
            }
            guard !parts.isEmpty, positions.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
            self = .positions(positions.map { $0! })
        }
    }

    /// The followed positions of a prompt of `count` tokens, in order, the last included; nil
    /// when a position is past the prompt's end.
    public func positions(count: Int) -> [Int]? {
        let last = count - 1
        switch self {
        case .last: return [last]
        case .all: return Array(0..<count)
        case .positions(let given):
            guard given.allSatisfy({ $0 < count }) else { return nil }
            return Array(Set(given + [last])).sorted()
        }
    }

    /// How many positions it follows in a prompt of `count` tokens (at most `count`).
    public func count(prompt count: Int) -> Int { positions(count: count)?.count ?? count }
}
