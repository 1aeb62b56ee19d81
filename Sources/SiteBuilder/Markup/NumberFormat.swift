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
        let negative = value < 0 && units != 0
        // Digits written right to left into a small buffer (this runs for every table cell).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            var end = 40
            var rest = units
            for _ in 0..<places {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            if places > 0 {
                end -= 1
                buffer[end] = UInt8(ascii: ".")
            }
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if negative {
                // U+2212 MINUS SIGN in UTF-8.
                end -= 3
                buffer[end] = 0xE2; buffer[end + 1] = 0x88; buffer[end + 2] = 0x92
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[end..<40]), as: UTF8.self)
        }
    }

    /// The exact value as Swift prints a Double (shortest representation that round-trips),
    /// with a true minus sign. Used in `title` tooltips.
    public static func exact(_ value: Double) -> String {
        guard value.isFinite else { return short(value) }
        if value == 0 { return "0" }
        let text = value.description
        return value < 0 ? "−" + text.dropFirst() : text
    }
}
