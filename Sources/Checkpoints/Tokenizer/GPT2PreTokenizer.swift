/// GPT-2's pre-tokenisation, the regular expression
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// written out as the matcher it is: at each position the first alternative that matches wins,
/// each run is greedy, and `\s+(?!\S)` gives back the last whitespace of a run that a
/// non-space follows (so that space can lead the next word). Works on Unicode scalars, as the
/// Oniguruma engine Hugging Face `tokenizers` runs it.
enum GPT2PreTokenizer {
    static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// `\p{N}`: Nd, Nl, No.
    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    /// `\s`: the White_Space property (tab … carriage return, U+0085, the space separators, U+2028, U+2029).
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }

    /// `[^\s\p{L}\p{N}]`
    static func isOther(_ c: Unicode.Scalar) -> Bool { !isSpace(c) && !isLetter(c) && !isNumber(c) }

    /// The pieces of `text`, in order; together they are all of it.
    static func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var pieces: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        while start < text.count {
            let end = matchEnd(in: text, at: start)
            pieces.append(text[start..<end])
            start = end
        }
        return pieces
    }

    /// Where the match starting at `i` ends (always after `i`).
    static func matchEnd(in s: [Unicode.Scalar], at i: Int) -> Int {
        let n = s.count
        // 's|'t|'re|'ve|'m|'ll|'d
        if s[i] == "'" {
            for suffix in contractions where i + 1 + suffix.count <= n {
                if Array(s[(i + 1)..<(i + 1 + suffix.count)]) == suffix { return i + 1 + suffix.count }
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+` (without the space, a space matches none of them)
        let first = s[i] == " " ? i + 1 : i
        for inClass in [isLetter, isNumber, isOther] where first < n && inClass(s[first]) {
            var end = first + 1
            while end < n && inClass(s[end]) { end += 1 }
            return end
        }
        // \s+(?!\S) | \s+
        var end = i
        while end < n && isSpace(s[end]) { end += 1 }
        if end < n && end - i >= 2 { return end - 1 }
        return max(end, i + 1)
    }
}
