import FoundationEssentials
import Glibc

/// How numbers are shown on the site: two decimals with a true minus sign in tables,
/// 6 significant digits in tooltips (the exact values are in trace.json).
public enum NumberFormat {
    /// A count with its thousands grouped: `50257` → `50,257`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (k, digit) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `-0.3012` → `−0.30`; a value that rounds to zero never shows a sign; NaN and ±∞ as
    /// `NaN`, `∞`, `−∞`; a huge value as `1.80e+308`.
    public static func short(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "−∞" : "∞") }
        // Integer arithmetic (printf is slow on Linux); values too big for it (|value| ≥ 9·10¹⁵
        // over 10^decimals) are shown in scientific notation, `1.80e+308`, not 310 digits.
        guard let (units, places, negative) = shortUnits(value, decimals: decimals) else {
            let places = max(0, min(decimals, 9))
            let text = scientific(abs(value), places: places)
            return (value < 0 ? "−" : "") + text
        }
        return FixedPointText.make(units, places: places, trimZeros: false, minus: negative ? "−" : nil)
    }

    /// `value` as printf's `%.{places}e` writes it (`1.23457e-05`), rounded exactly by the C library.
    public static func scientific(_ value: Double, places: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 48)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(places)e", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Fixed decimals for the terminal (timings, losses): `2.9`, right-aligned in `width`; a
    /// value too big for them (or NaN, or ±∞) as Swift prints it.
    public static func fixed(_ value: Double, decimals: Int, width: Int = 0) -> String {
        let scaled = (abs(value) * pow(10, Double(decimals))).rounded()
        let text = scaled < 9e15 ? FixedPointText.make(Int64(scaled), places: decimals, trimZeros: false, minus: value < 0 ? "-" : nil)
                                 : value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// `short`'s number as |value| · 10^places rounded to an integer, and whether it takes a
    /// minus (a value that rounds to zero takes none); nil when the value is not finite or too
    /// big for integer arithmetic.
    static func shortUnits(_ value: Double, decimals: Int) -> (units: Int64, places: Int, negative: Bool)? {
        guard value.isFinite else { return nil }
        let places = max(0, min(decimals, 9))
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        let scaled = (abs(value) * factor).rounded(.toNearestOrEven)
        guard scaled < 9e15 else { return nil }
        let units = Int64(scaled)
        return (units, places, value < 0 && units != 0)
    }

    /// A probability as a percentage: one decimal (`0.4480` → `44.8%`), or two significant
    /// digits when that would read 0.0% (`0.0000199` → `0.0020%`): over a vocabulary of 50,257
    /// tokens most probabilities are far below 0.05%, and 0.0% would say nothing. Zero is `0.0%`.
    public static func percent(_ probability: Double) -> String {
        let value = probability * 100
        guard value != 0, let (units, _, _) = shortUnits(value, decimals: 1), units == 0 else {
            return short(value, decimals: 1) + "%"
        }
        let exponent = Int(log10(abs(value)).rounded(.down))   // 0.0020 → −3
        return short(value, decimals: Swift.min(9, 1 - exponent)) + "%"
    }

    /// `short` with `decimals` decimals, or more below 10^(1 − decimals) so that two significant
    /// digits show (`0.000196` → `0.00020`, `0.0000059` → `0.0000059`, not `0.0002` and `0.0000`):
    /// a probability or a gradient over a vocabulary of 50,257 tokens is far below 0.0001.
    /// Zero is all zeros (`0.0000`).
    public static func atLeastTwoDigits(_ value: Double, decimals: Int = 4) -> String {
        guard value.isFinite, value != 0 else { return short(value, decimals: decimals) }
        let exponent = Int(log10(abs(value)).rounded(.down))   // 0.000196 → −4
        return short(value, decimals: Swift.min(9, Swift.max(decimals, 1 - exponent)))
    }

    /// The decimals that show `digits` significant digits of `value` (`0.0577`, 4 → 5); 0 for
    /// zero, at most 9.
    public static func decimals(showing digits: Int, of value: Double) -> Int {
        guard value.isFinite, value != 0 else { return 0 }
        let exponent = Int(log10(abs(value)).rounded(.down))
        return Swift.min(9, Swift.max(0, digits - 1 - exponent))
    }

    /// Significant digits of a tooltip.
    public static let tooltipDigits = 6

    /// A tooltip's value: 6 significant digits, trailing zeros dropped, a true minus sign
    /// (`0.30000000000000004` → `0.3`, `−0.33213417` → `−0.332134`); below 10⁻⁴ and from 10⁶ on
    /// in scientific notation (`1.23457e−05`, `2.5e+06`).
    public static func tooltip(_ value: Double) -> String {
        guard value.isFinite else { return short(value) }
        if value == 0 { return "0" }
        let exponent = Int(log10(abs(value)).rounded(.down))
        if (-4...5).contains(exponent),
           let (units, places, negative) = shortUnits(value, decimals: tooltipDigits - 1 - exponent) {
            return FixedPointText.make(units, places: places, trimZeros: true, minus: negative ? "−" : nil)
        }
        let parts = scientific(abs(value), places: tooltipDigits - 1).split(separator: "e")   // 1.23457e-05
        var mantissa = String(parts[0])
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        let power = String(parts[1]).replacing("-", with: "−")
        return (value < 0 ? "−" : "") + mantissa + "e" + power
    }

    /// The exact value as Swift prints a Double (shortest representation that round-trips),
    /// with a true minus sign: the inputs the text quotes as given (η, ε).
    public static func exact(_ value: Double) -> String {
        guard value.isFinite else { return short(value) }
        if value == 0 { return "0" }
        let text = value.description
        return value < 0 ? "−" + text.dropFirst() : text
    }
}

/// `units / 10^places` written out, digits right to left (this runs for every table cell and
/// every SVG coordinate): optionally without trailing fraction zeros, with `minus` (a hyphen or
/// a true minus) in front when given.
enum FixedPointText {
    static func make(_ units: Int64, places: Int, trimZeros: Bool, minus: StaticString?) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(units, places: places, trimZeros: trimZeros, minus: minus, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the UTF-8 bytes of the number to `out`.
    static func append(_ units: Int64, places: Int, trimZeros: Bool, minus: StaticString?, to out: inout [UInt8]) {
        var magnitude = units < 0 ? -units : units
        var unit: Int64 = 1
        for _ in 0..<places { unit *= 10 }
        var fraction = magnitude % unit
        magnitude /= unit
        var digits = places
        while trimZeros && digits > 0 && fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        if let minus { minus.withUTF8Buffer { out.append(contentsOf: $0) } }
        let start = out.count
        // Written last digit first, then turned around.
        for _ in 0..<digits {
            out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
            fraction /= 10
        }
        if digits > 0 { out.append(UInt8(ascii: ".")) }
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }
}
