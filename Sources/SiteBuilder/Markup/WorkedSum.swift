/// Arithmetic written out with the real numbers, term by term, ending in the value the
/// tables show: `0.20 × 0.50 + (−0.10) × 0.20 + … = 0.08`.
enum WorkedSum {
    /// Σᵢ aᵢ·bᵢ (+ bias) written out; long sums keep their first 6 and last 2 terms.
    static func dot(_ a: [Double], _ b: [Double], bias: Double? = nil, result: Double) -> String {
        var terms = zip(a, b).map { "\(signed($0)) × \(signed($1))" }
        if terms.count > 10 {
            let hidden = terms.count - 8
            terms = Array(terms.prefix(6)) + ["… (\(hidden) more terms)"] + Array(terms.suffix(2))
        }
        if let bias { terms.append("\(signed(bias)) (bias)") }
        return terms.joined(separator: " + ") + " = " + NumberFormat.short(result, decimals: 4)
    }

    /// A number for use inside a sum: negatives in parentheses.
    static func signed(_ value: Double, decimals: Int = 2) -> String {
        let text = NumberFormat.short(value, decimals: decimals)
        return text.hasPrefix("−") ? "(\(text))" : text
    }

    /// A vector as `[ −0.20, 0.30, 0.50, 0.10 ]`, long ones shortened.
    static func vector(_ values: [Double], decimals: Int = 2) -> String {
        var parts = values.map { NumberFormat.short($0, decimals: decimals) }
        if parts.count > 12 {
            parts = Array(parts.prefix(8)) + ["… \(values.count - 10) more"] + Array(parts.suffix(2))
        }
        return "[ " + parts.joined(separator: ", ") + " ]"
    }
}

extension WorkedSum {
    /// `0.20 + (−0.10) + 0.70` with long lists shortened.
    static func joinedSum(_ values: [Double], decimals: Int = 2) -> String {
        var parts = values.map { signed($0, decimals: decimals) }
        if parts.count > 10 { parts = Array(parts.prefix(6)) + ["… \(values.count - 8) more"] + Array(parts.suffix(2)) }
        return parts.joined(separator: " + ")
    }
}
