/// Arithmetic written out with the real numbers, term by term, ending in the value the
/// tables show: `0.20 × 0.50 + (−0.10) × 0.20 + … = 0.08`.
enum WorkedSum {
    /// Σᵢ aᵢ·bᵢ (+ bias) written out; long sums keep their first 6 and last 2 terms.
    static func dot(_ a: [Double], _ b: [Double], bias: Double? = nil, result: Double) -> String {
        let n = min(a.count, b.count)
        func term(_ i: Int) -> String { "\(signed(a[i])) × \(signed(b[i]))" }
        var terms = n > 10
            ? (0..<6).map(term) + ["… (\(n - 8) more terms)"] + (n - 2..<n).map(term)
            : (0..<n).map(term)
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
        let n = values.count
        func part(_ i: Int) -> String { NumberFormat.short(values[i], decimals: decimals) }
        let parts = n > 12
            ? (0..<8).map(part) + ["… \(n - 10) more"] + (n - 2..<n).map(part)
            : (0..<n).map(part)
        return "[ " + parts.joined(separator: ", ") + " ]"
    }
}

extension WorkedSum {
    /// `0.20 + (−0.10) + 0.70` with long lists shortened.
    static func joinedSum(_ values: [Double], decimals: Int = 2) -> String {
        let n = values.count
        func part(_ i: Int) -> String { signed(values[i], decimals: decimals) }
        let parts = n > 10
            ? (0..<6).map(part) + ["… \(n - 8) more"] + (n - 2..<n).map(part)
            : (0..<n).map(part)
        return parts.joined(separator: " + ")
    }

    /// `(−0.3750)² + 0.1250² + …`: each value squared, long lists shortened like `joinedSum`.
    static func squares(_ values: [Double], decimals: Int = 2) -> String {
        let n = values.count
        func part(_ i: Int) -> String { signed(values[i], decimals: decimals) + "²" }
        let parts = n > 10
            ? (0..<6).map(part) + ["… \(n - 8) more"] + (n - 2..<n).map(part)
            : (0..<n).map(part)
        return parts.joined(separator: " + ")
    }

    /// Parts joined by `separator`; more than 10 keep their first 6 and last 2.
    static func shortened(_ parts: [String], separator: String) -> String {
        let n = parts.count
        let shown = n > 10 ? Array(parts.prefix(6)) + ["… \(n - 8) more"] + Array(parts.suffix(2)) : parts
        return shown.joined(separator: separator)
    }
}
