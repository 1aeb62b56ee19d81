import FoundationEssentials
import Glibc

/// Maps numbers to fill colours (`#rrggbb`).
///
/// - `.diverging(maxAbs:)`: ColorBrewer RdBu (9 classes) reversed, colour-blind safe:
///   −maxAbs = dark blue `#2166ac`, 0 = near-white `#f7f7f7`, +maxAbs = dark red `#b2182b`.
/// - `.sequential(max:)`: ColorBrewer Purples (9 classes): 0 = `#fcfbfd` … max = `#3f007d`.
///
/// Values outside the range are clamped; NaN maps to the neutral grey `#bdbdbd`.
public struct ColorScale: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case diverging
        case sequential
    }

    public let kind: Kind
    /// The value mapped to the first stop (−maxAbs for diverging, 0 for sequential).
    public let minimum: Double
    /// The value mapped to the last stop.
    public let maximum: Double

    /// RdBu reversed: blue (negative) → near-white (0) → red (positive).
    public static let divergingStops: [String] = [
        "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
        "#fddbc7", "#f4a582", "#d6604d", "#b2182b",
    ]
    /// Purples: near-white (0) → dark purple (max).
    public static let sequentialStops: [String] = [
        "#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8",
        "#807dba", "#6a51a3", "#54278f", "#3f007d",
    ]
    public static let nanColor = "#bdbdbd"

    private init(kind: Kind, minimum: Double, maximum: Double) {
        self.kind = kind
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Symmetric around 0; a non-positive or non-finite `maxAbs` becomes 1.
    public static func diverging(maxAbs: Double) -> ColorScale {
        let m = (maxAbs.isFinite && maxAbs > 0) ? maxAbs : 1
        return ColorScale(kind: .diverging, minimum: -m, maximum: m)
    }

    /// 0…max; a non-positive or non-finite `max` becomes 1.
    public static func sequential(max: Double) -> ColorScale {
        let m = (max.isFinite && max > 0) ? max : 1
        return ColorScale(kind: .sequential, minimum: 0, maximum: m)
    }

    /// Diverging scale whose maxAbs is the largest |value|, rounded up to two significant
    /// digits (0.3868 → 0.39, 3.27 → 3.3); 1 when all values are 0 or there are none.
    public static func diverging(for values: [[Double]]) -> ColorScale {
        diverging(maxAbs: roundedUp(values.joined().filter(\.isFinite).map { abs($0) }.max() ?? 0))
    }

    /// Same as `diverging(for:)`, ignoring masked (nil) cells.
    public static func diverging(forMasked values: [[Double?]]) -> ColorScale {
        diverging(maxAbs: roundedUp(values.joined().compactMap { $0 }.filter(\.isFinite).map { abs($0) }.max() ?? 0))
    }

    /// Sequential scale up to the largest value rounded up to two significant digits
    /// (1 when no value is positive).
    public static func sequential(for values: [[Double]]) -> ColorScale {
        sequential(max: roundedUp(values.joined().filter(\.isFinite).max() ?? 0))
    }

    /// Rounds a positive magnitude up to two significant digits; 0 or less → 1.
    public static func roundedUp(_ magnitude: Double) -> Double {
        guard magnitude.isFinite, magnitude > 0 else { return 1 }
        let exponent = (log10(magnitude) + 1e-12).rounded(.down) - 1
        let unit = pow(10, exponent)
        let units = (magnitude / unit - 1e-9).rounded(.up)
        // Divide by a power of ten when possible so 0.39 prints as 0.39, not 0.39000000000000001.
        return exponent < 0 ? units / pow(10, -exponent) : units * unit
    }

    public var stops: [String] {
        kind == .diverging ? ColorScale.divergingStops : ColorScale.sequentialStops
    }

    /// Position of `value` on the scale, 0…1 (clamped); nil for NaN.
    public func fraction(_ value: Double) -> Double? {
        if value.isNaN { return nil }
        let t = (value - minimum) / (maximum - minimum)
        return Swift.max(0, Swift.min(1, t))
    }

    /// Fill colour for `value`, linearly interpolated (in sRGB) between the fixed stops.
    public func color(_ value: Double) -> String {
        guard let t = fraction(value) else { return ColorScale.nanColor }
        return ColorScale.interpolate(kind == .diverging ? ColorScale.divergingRGB : ColorScale.sequentialRGB, at: t)
    }

    /// `#000000` or `#ffffff`, whichever has the higher WCAG contrast ratio on `color(value)`.
    public func textColor(_ value: Double) -> String {
        ColorScale.contrastingText(on: color(value))
    }

    // MARK: - Colour arithmetic

    static func interpolate(_ stops: [(Int, Int, Int)], at t: Double) -> String {
        let position = t * Double(stops.count - 1)
        let index = Swift.min(stops.count - 2, Int(position.rounded(.down)))
        let local = position - Double(index)
        let a = stops[index], b = stops[index + 1]
        func mix(_ x: Int, _ y: Int) -> Int {
            Int((Double(x) + (Double(y) - Double(x)) * local).rounded(.toNearestOrAwayFromZero))
        }
        return hex(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// The scales' stops as numbers, parsed once (every heatmap cell asks for a colour).
    private static let divergingRGB = divergingStops.map(rgb)
    private static let sequentialRGB = sequentialStops.map(rgb)

    static func rgb(_ hex: String) -> (Int, Int, Int) {
        let digits = Array(hex.utf8.dropFirst())
        func byte(_ i: Int) -> Int {
            func nibble(_ c: UInt8) -> Int {
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c - UInt8(ascii: "A")) + 10
                default: return 0
                }
            }
            guard digits.count >= i + 2 else { return 0 }
            return nibble(digits[i]) * 16 + nibble(digits[i + 1])
        }
        return (byte(0), byte(2), byte(4))
    }

    static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        let digits: StaticString = "0123456789abcdef"
        var bytes: [UInt8] = [UInt8(ascii: "#")]
        bytes.reserveCapacity(7)
        digits.withUTF8Buffer { digits in
            for c in [r, g, b] {
                let v = Swift.max(0, Swift.min(255, c))
                bytes.append(digits[v / 16])
                bytes.append(digits[v % 16])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// WCAG 2 relative luminance of a `#rrggbb` colour.
    static func luminance(_ hex: String) -> Double {
        let (r, g, b) = rgb(hex)
        func channel(_ c: Int) -> Double {
            let s = Double(c) / 255
            return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    static func contrastingText(on fill: String) -> String {
        let l = luminance(fill)
        let withBlack = (l + 0.05) / 0.05
        let withWhite = 1.05 / (l + 0.05)
        return withBlack >= withWhite ? "#000000" : "#ffffff"
    }
}
