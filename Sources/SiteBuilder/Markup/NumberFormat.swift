import Foundation

/// How numbers are shown on the site: two decimals with a true minus sign in tables,
/// the exact (shortest round-trip) value in tooltips.
public enum NumberFormat {
    /// `-0.3012` → `−0.30`; a value that rounds to zero never shows a sign.
    public static func short(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "−∞" : "∞") }
        var text = String(format: "%.\(decimals)f", value)
        if text.hasPrefix("-") {
            let magnitude = text.dropFirst()
            if magnitude.allSatisfy({ $0 == "0" || $0 == "." }) {
                text = String(magnitude)
            } else {
                text = "−" + magnitude
            }
        }
        return text
    }

    /// The exact value as Swift prints a Double (shortest representation that round-trips),
    /// with a true minus sign. Used in `title` tooltips.
    public static func exact(_ value: Double) -> String {
        guard value.isFinite else { return short(value) }
        if value == 0 { return "0" }
        let text = "\(value)"
        return text.hasPrefix("-") ? "−" + text.dropFirst() : text
    }
}
