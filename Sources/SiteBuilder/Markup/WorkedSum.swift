/// Arithmetic written out with the real numbers, term by term, ending in the value the
/// tables show: `0.20 × 0.50 + (−0.10) × 0.20 + … = 0.08`. `worked-sum.html` writes it out;
/// this holds the terms, every number already formatted.
struct WorkedSum: TemplateValues {
    /// One term: a product `a × b`, or a text such as `… (4 more terms)` or `(−0.50) (bias)`.
    struct Term: TemplateValues {
        var left: String
        var right: String? = nil
        /// Whether a `+` comes before it (all but the first).
        var plus = true

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "left": .text(left)
            case "right": .optional(right)
            case "plus": .flag(plus)
            default: nil
            }
        }
    }

    var terms: [Term]
    var result: String

    init(terms: [Term], result: String) {
        self.terms = terms
        for k in self.terms.indices { self.terms[k].plus = k > 0 }
        self.result = result
    }

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "terms": .list(terms)
        case "result": .text(result)
        default: nil
        }
    }

    /// Σᵢ aᵢ·bᵢ (+ bias) written out; long sums keep their first 6 and last 2 terms.
    /// `eachLeftItsOwn`: each aᵢ gets the decimals for its own two significant digits, for
    /// factors of very different sizes (backprop's dL/dlogit: −1.0 for the target beside
    /// 0.000020 for every other word, which one shared rule would show as 0.00).
    static func dot(_ a: [Double], _ b: [Double], bias: Double? = nil, result: Double,
                    eachLeftItsOwn: Bool = false) -> WorkedSum {
        let n = min(a.count, b.count)
        let (da, db) = (decimals(showing: a, count: n), decimals(showing: b, count: n))
        func left(_ i: Int) -> Int { eachLeftItsOwn ? decimals(forTwoDigitsOf: a[i]) : da }
        var terms = shortened(n, gap: { Term(left: "… (\($0) more terms)") }) { i in
            Term(left: signed(a[i], decimals: left(i)), right: signed(b[i], decimals: db))
        }
        if let bias { terms.append(Term(left: "\(signed(bias)) (bias)")) }
        return WorkedSum(terms: terms, result: NumberFormat.short(result, decimals: 4))
    }

    /// The parts 0..<count of a long sum or list as written out: all of up to 10, else the
    /// first 6, a gap (given how many are left out) and the last 2; only the shown parts are
    /// made. Every shortened sum on the site follows this one rule.
    static func shortened<Part>(_ count: Int, gap: (Int) -> Part, _ part: (Int) -> Part) -> [Part] {
        guard count > 10 else { return (0..<count).map(part) }
        return (0..<6).map(part) + [gap(count - 8)] + (count - 2..<count).map(part)
    }

    /// Decimals for the first `count` of `values` as a sum writes them out: 2, or more when the
    /// largest shown one needs them for two significant digits (GPT-2's weights are ~0.02: at
    /// 2 decimals 0.015 read 0.02).
    static func decimals(showing values: [Double], count: Int) -> Int {
        decimals(forTwoDigitsOf: shortened(count).map { abs(values[$0]) }.max() ?? 0)
    }

    /// 2, or more when `value` needs them for two significant digits.
    static func decimals(forTwoDigitsOf value: Double) -> Int {
        Swift.max(2, NumberFormat.decimals(showing: 2, of: value))
    }

    /// The indices `shortened` writes out.
    static func shortened(_ count: Int) -> [Int] {
        shortened(count, gap: { _ in nil }) { Optional($0) }.compactMap { $0 }
    }

    /// A number for use inside a sum: negatives in parentheses.
    static func signed(_ value: Double, decimals: Int = 2) -> String {
        let text = NumberFormat.short(value, decimals: decimals)
        return text.hasPrefix("−") ? "(\(text))" : text
    }

    /// A vector as `[ −0.20, 0.30, 0.50, 0.10 ]`, long ones shortened.
    static func vector(_ values: [Double], decimals: Int = 2) -> String {
        let n = values.count
        func part(_ i: Int) -> String { NumberFormat.short(values[i], decimals: decimals) }
        let parts = n > 12
            ? (0..<8).map(part) + ["… \(n - 10) more"] + (n - 2..<n).map(part)
            : (0..<n).map(part)
        return "[ " + parts.joined(separator: ", ") + " ]"
    }
}

extension WorkedSum {
    /// `0.20 + (−0.10) + 0.70` with long lists shortened; by default at the decimals
    /// `decimals(showing:count:)` gives.
    static func joinedSum(_ values: [Double], decimals: Int? = nil) -> String {
        let decimals = decimals ?? Self.decimals(showing: values, count: values.count)
        return shortened(values.count, separator: " + ") { signed(values[$0], decimals: decimals) }
    }

    /// `(−0.3750)² + 0.1250² + …`: each value squared, long lists shortened like `joinedSum`.
    static func squares(_ values: [Double], decimals: Int = 2) -> String {
        shortened(values.count, separator: " + ") { signed(values[$0], decimals: decimals) + "²" }
    }

    /// The parts 0..<count joined by `separator`: all of up to 10, else the first 6,
    /// "… N more" and the last 2. Only the shown parts are made (a GPT-2 softmax has 50,257).
    static func shortened(_ count: Int, separator: String, _ part: (Int) -> String) -> String {
        shortened(count, gap: { "… \($0) more" }, part).joined(separator: separator)
    }
}
