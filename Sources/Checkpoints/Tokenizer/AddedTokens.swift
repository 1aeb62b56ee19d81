/// A token matched in the raw text before pre-tokenisation (`<|endoftext|>`), as tokenizers'
/// added vocabulary: leftmost-longest matches, optionally only as a whole word, optionally taking
/// the whitespace to their left (`lstrip`) or right (`rstrip`) with them.
struct AddedToken: Sendable, Equatable {
    let id: Int
    let content: String
    let singleWord: Bool
    let lstrip: Bool
    let rstrip: Bool
    /// Matched against the normalised text (the same text here: sitegen reads tokenizers without a normaliser).
    let normalized: Bool
    let special: Bool
}

/// A stretch of the input: an added token, or text still to be pre-tokenised.
enum Segment: Equatable {
    case added(Int)
    case text([Unicode.Scalar])
}

enum AddedTokenSplitter {
    /// `\w` as the Rust regex crate defines it: Alphabetic, marks, decimal digits, connector punctuation, Join_Control.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        let p = c.properties
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return p.isAlphabetic || p.isJoinControl
        }
    }

    /// Splits the text segments of `segments` on `tokens` (the added segments pass through).
    static func split(_ segments: [Segment], on tokens: [AddedToken]) -> [Segment] {
        guard !tokens.isEmpty else { return segments }
        let patterns = tokens.map { Array($0.content.unicodeScalars) }
        var out: [Segment] = []
        for segment in segments {
            guard case .text(let s) = segment else { out.append(segment); continue }
            var pieceStart = 0  // start of text not yet emitted
            var at = 0
            while at < s.count {
                // The longest token starting at `at`; the first listed on equal length.
                var found: (token: Int, end: Int)?
                for (index, pattern) in patterns.enumerated() where !pattern.isEmpty && at + pattern.count <= s.count {
                    if (found == nil || pattern.count > found!.end - at), s[at..<(at + pattern.count)].elementsEqual(pattern) {
                        found = (index, at + pattern.count)
                    }
                }
                guard let (index, matchEnd) = found else { at += 1; continue }
                let token = tokens[index]
                var start = at, stop = matchEnd
                if token.singleWord {
                    let wordBefore = start > 0 && isWordCharacter(s[start - 1])
                    let wordAfter = stop < s.count && isWordCharacter(s[stop])
                    if wordBefore || wordAfter { at = matchEnd; continue }
                }
                if token.lstrip {
                    while start > pieceStart && s[start - 1].properties.isWhitespace { start -= 1 }
                }
                if token.rstrip {
                    while stop < s.count && s[stop].properties.isWhitespace { stop += 1 }
                }
                if pieceStart < start { out.append(.text(Array(s[pieceStart..<start]))) }
                out.append(.added(token.id))
                pieceStart = stop
                at = stop
            }
            if pieceStart < s.count { out.append(.text(Array(s[pieceStart...]))) }
        }
        return out
    }
}

/// The added tokens of a tokenizer: the ones matched in the raw text first, then the
/// `normalized` ones in what is left (one text here, as sitegen reads no normaliser).
struct AddedVocabulary: Sendable {
    let tokens: [AddedToken]
    private let byId: [Int: AddedToken]

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        var byId: [Int: AddedToken] = [:]
        for token in tokens { byId[token.id] = token }
        self.byId = byId
    }

    func token(id: Int) -> AddedToken? { byId[id] }

    /// `text` cut into added tokens and the stretches between them.
    func segments(of text: String) -> [Segment] {
        var segments = [Segment.text(Array(text.unicodeScalars))]
        segments = AddedTokenSplitter.split(segments, on: tokens.filter { !$0.normalized })
        segments = AddedTokenSplitter.split(segments, on: tokens.filter { $0.normalized })
        return segments
    }

    /// The spelling of every id: the vocabulary's, then the added tokens' over it.
    func spellings(over vocabulary: [String: Int]) -> [Int: String] {
        var tokenOfId: [Int: String] = [:]
        for (token, id) in vocabulary.sorted(by: { $0.key < $1.key }) where tokenOfId[id] == nil {
            tokenOfId[id] = token
        }
        for token in tokens { tokenOfId[token.id] = token.content }
        return tokenOfId
    }
}
