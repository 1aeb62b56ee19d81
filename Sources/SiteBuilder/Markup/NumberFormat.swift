import Foundation

/// How numbers are shown on the site: two decimals with a true minus sign in tables,
/// the exact (shortest round-trip) value in tooltips.
public enum NumberFormat {
    /// `-0.3012` → `−0.30`; a value that rounds to zero never shows a sign.
    public static func short(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "−∞" : "∞") }
        let places = max(0, min(decimals, 9))
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        let scaled = (abs(value) * factor).rounded(.toNearestOrEven)
        // Integer arithmetic (printf is slow on Linux); huge values fall back to it.
        guard scaled < 9e15 else {
            let text = String(format: "%.\(places)f", abs(value))
            return (value < 0 ? "−" : "") + text
        }
        let units = Int64(scaled)
        let unit = Int64(factor)
        var text = String(units / unit)
        if places > 0 {
            let fraction = String(units % unit)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return value < 0 && units != 0 ? "−" + text : text
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
