import FoundationEssentials
import Glibc

/// Formats SVG coordinates deterministically: at most `decimals` decimals (default 2),
/// trailing zeros trimmed, ASCII hyphen-minus (SVG syntax, not the typographic minus),
/// never "-0", non-finite values become "0". Does not depend on locale or printf.
public enum SVGNumber {
    public static func format(_ value: Double, decimals: Int = 2) -> String {
        guard let (units, places) = units(value, decimals: decimals) else { return "0" }
        return FixedPointText.make(units, places: places, trimZeros: true, minus: units < 0 ? "-" : nil)
    }

    /// The value · 10^places, rounded to an integer (clamped to ±10^15), and the places; nil
    /// when the number is written "0" (zero after rounding, or not finite).
    static func units(_ value: Double, decimals: Int) -> (units: Int64, places: Int)? {
        guard value.isFinite else { return nil }
        let places = max(0, min(decimals, 6))
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        let limit = 1e15 / factor
        let clamped = max(-limit, min(limit, value))
        let scaled = Int64((clamped * factor).rounded(.toNearestOrAwayFromZero))
        return scaled == 0 ? nil : (scaled, places)
    }
}

/// How values are written on bar and line charts.
public enum FigureValueFormat: Sendable, Equatable {
    /// `NumberFormat.short` (two decimals, true minus).
    case number
    /// value × 100 with one decimal and a "%" sign (for probabilities 0…1).
    case percent

    func label(_ value: Double) -> String {
        switch self {
        case .number: return NumberFormat.short(value)
        case .percent: return NumberFormat.percent(value)
        }
    }
}

/// Small text helpers shared by the figure builders.
enum FigureText {
    /// Rough advance width of `text` at `fontSize` (viewBox units); used only for layout.
    static func width(_ text: String, fontSize: Double, bold: Bool = false) -> Double {
        var em = 0.0
        // ASCII text (labels, numbers) is measured byte by byte; anything else by character.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "i"), UInt8(ascii: "l"), UInt8(ascii: "j"), UInt8(ascii: "!"), UInt8(ascii: "|"),
                     UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "'"),
                     UInt8(ascii: "I"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "r"), UInt8(ascii: " "),
                     UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"):
                    em += 0.34
                case UInt8(ascii: "m"), UInt8(ascii: "w"), UInt8(ascii: "M"), UInt8(ascii: "W"), UInt8(ascii: "@"), UInt8(ascii: "%"):
                    em += 0.9
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    em += 0.72
                default:
                    em += 0.6
                }
            }
            return em * fontSize * (bold ? 1.1 : 1.0)
        }
        for ch in text {
            guard let scalar = ch.unicodeScalars.first else { continue }
            let v = scalar.value
            if v < 0x80 {
                switch ch {
                case "i", "l", "j", "!", "|", ".", ",", ":", ";", "'", "I", "t", "f", "r", " ", "(", ")", "[", "]":
                    em += 0.34
                case "m", "w", "M", "W", "@", "%":
                    em += 0.9
                case "A"..."Z":
                    em += 0.72
                default:
                    em += 0.6
                }
            } else if v >= 0x1100 {
                em += 1.0 // CJK, emoji and other wide symbols
            } else {
                em += 0.65
            }
        }
        return em * fontSize * (bold ? 1.1 : 1.0)
    }

    /// Cut to fit `maxWidth` (as `width` measures it), ending in "…" when cut.
    static func fitted(_ text: String, maxWidth: Double, fontSize: Double, bold: Bool = false) -> String {
        guard width(text, fontSize: fontSize, bold: bold) > maxWidth else { return text }
        var kept = text
        while kept.count > 1 && width(kept + "…", fontSize: fontSize, bold: bold) > maxWidth { kept.removeLast() }
        return kept + "…"
    }

    /// Truncates to at most `maxCharacters` grapheme clusters, ending in "…" when cut.
    static func truncated(_ text: String, maxCharacters: Int) -> String {
        guard text.count > maxCharacters, maxCharacters >= 2 else { return text }
        return String(text.prefix(maxCharacters - 1)) + "…"
    }
}

/// Builds the SVG markup; every attribute value that is not a number goes through `Escape.html`.
struct SVGWriter {
    private let buffer: MarkupBuffer

    /// Room for a typical figure up front, so appending rarely copies what is already written.
    init(capacity: Int = 16_384) {
        buffer = MarkupBuffer(capacity: capacity)
    }

    var output: String { buffer.string }

    static func n(_ value: Double) -> String { SVGNumber.format(value) }

    mutating func raw(_ text: String) { buffer.append(text: text) }
    mutating func raw(_ literal: StaticString) { buffer.append(literal) }
    mutating func raw(_ markup: MarkupBuffer) { buffer.append(markup) }
    /// A coordinate, as `n` writes it.
    mutating func number(_ value: Double) { buffer.append(svgNumber: value) }
    mutating func escaped(_ text: String) { buffer.append(escaped: text) }

    /// Opens the root element and writes `<title>` and `<desc>` first. `keepsWidthOnPhones`
    /// records the natural width as `--natural-width`: on a phone, a figure that scrolls
    /// (`figure[tabindex]`) keeps such a drawing at that width, so its 11-unit text is 11 px.
    mutating func open(id: String, classes: String, width: Double, height: Double,
                       title: String, description: String, role: String = "img", keepsWidthOnPhones: Bool = false) {
        let eid = Escape.html(id)
        raw("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        number(width)
        raw(" ")
        number(height)
        // Never wider than 1.5× its natural size, never narrower than 0.8× (its figure scrolls
        // instead, so text stays readable on a phone).
        raw("\" style=\"max-width: ")
        number((width * 1.5).rounded())
        raw("px; min-width: ")
        number((width * 0.8).rounded())
        if keepsWidthOnPhones {
            raw("px; --natural-width: ")
            number(width.rounded(.up))
        }
        raw("px\" role=\"")
        raw(role)
        raw("\" aria-labelledby=\"")
        raw(eid)
        raw("-title ")
        raw(eid)
        raw("-desc\" class=\"")
        escaped(classes)
        raw("\"><title id=\"")
        raw(eid)
        raw("-title\">")
        escaped(title)
        raw("</title><desc id=\"")
        raw(eid)
        raw("-desc\">")
        escaped(description)
        raw("</desc>")
    }

    mutating func close() { raw("</svg>") }

    /// `<text>` with escaped content; `attributes` must already be escaped/numeric.
    /// When `fullText` differs from `text`, a `<title>` child carries the full string.
    mutating func text(_ text: String, x: Double, y: Double, fontSize: Double,
                       anchor: String? = nil, attributes: String = "", fullText: String? = nil) {
        open("text", x: x, y: y)
        raw(" font-size=\"")
        number(fontSize)
        raw("\"")
        if let anchor {
            raw(" text-anchor=\"")
            raw(anchor)
            raw("\"")
        }
        closeText(text, attributes: attributes, fullText: fullText)
    }

    /// `<text>` whose font size and anchor come from its group (a run of axis labels).
    mutating func label(_ text: String, x: Double, y: Double, attributes: String = "", fullText: String? = nil) {
        open("text", x: x, y: y)
        closeText(text, attributes: attributes, fullText: fullText)
    }

    /// `<rect x="…" y="…" width="…" height="…"`, for the caller to go on with attributes.
    mutating func openRect(x: Double, y: Double, width: Double, height: Double) {
        open("rect", x: x, y: y)
        raw(" width=\"")
        number(max(0, width))
        raw("\" height=\"")
        number(max(0, height))
        raw("\"")
    }

    /// `<name x="…" y="…"`.
    private mutating func open(_ name: StaticString, x: Double, y: Double) {
        raw("<")
        raw(name)
        raw(" x=\"")
        number(x)
        raw("\" y=\"")
        number(y)
        raw("\"")
    }

    private mutating func closeText(_ text: String, attributes: String, fullText: String?) {
        if !attributes.isEmpty {
            raw(" ")
            raw(attributes)
        }
        raw(">")
        if let fullText, fullText != text {
            raw("<title>")
            escaped(fullText)
            raw("</title>")
        }
        escaped(text)
        raw("</text>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, attributes: String) {
        raw("<line x1=\"")
        number(x1)
        raw("\" y1=\"")
        number(y1)
        raw("\" x2=\"")
        number(x2)
        raw("\" y2=\"")
        number(y2)
        raw("\" ")
        raw(attributes)
        raw("/>")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, attributes: String, title: String? = nil) {
        openRect(x: x, y: y, width: width, height: height)
        if !attributes.isEmpty {
            raw(" ")
            raw(attributes)
        }
        if let title {
            raw("><title>")
            escaped(title)
            raw("</title></rect>")
        } else {
            raw("/>")
        }
    }
}

/// A linear value axis with "nice" tick values (1, 2, 5 × 10ⁿ steps).
struct LinearAxis {
    let lo: Double
    let hi: Double
    let step: Double
    let ticks: [Double]
    let decimals: Int

    init(min minValue: Double, max maxValue: Double, targetTicks: Int = 4, integerSteps: Bool = false) {
        var a = minValue.isFinite ? minValue : 0
        var b = maxValue.isFinite ? maxValue : 0
        if a > b { swap(&a, &b) }
        if a == b {
            if a == 0 { b = 1 } else { let d = Swift.abs(a) * 0.1; a -= d; b += d }
        }
        var step = LinearAxis.niceStep(range: b - a, targetTicks: targetTicks)
        if integerSteps { step = Swift.max(1, step.rounded(.up)) }
        let first = (a / step + 1e-9).rounded(.down)
        let last = (b / step - 1e-9).rounded(.up)
        let count = Int(last - first)
        var ticks: [Double] = []
        for k in 0...Swift.max(1, count) {
            let v = (first + Double(k)) * step
            ticks.append(v == 0 ? 0 : v)
        }
        self.lo = ticks.first ?? a
        self.hi = ticks.last ?? b
        self.step = step
        self.ticks = ticks
        let exponent = Int((log10(step) + 1e-9).rounded(.down))
        self.decimals = Swift.max(0, -exponent)
    }

    static func niceStep(range: Double, targetTicks: Int) -> Double {
        let raw = range / Double(Swift.max(1, targetTicks))
        let magnitude = pow(10, (log10(raw) + 1e-12).rounded(.down))
        let normalized = raw / magnitude
        let nice: Double
        if normalized <= 1 + 1e-9 { nice = 1 } else if normalized <= 2 + 1e-9 { nice = 2 } else if normalized <= 5 + 1e-9 { nice = 5 } else { nice = 10 }
        return nice * magnitude
    }

    /// Maps `value` from [lo, hi] onto [start, end].
    func position(_ value: Double, from start: Double, to end: Double) -> Double {
        let v = value.isFinite ? Swift.max(lo, Swift.min(hi, value)) : lo
        return start + (v - lo) / (hi - lo) * (end - start)
    }

    func label(_ value: Double, format: FigureValueFormat = .number) -> String {
        switch format {
        case .number:
            return NumberFormat.short(value, decimals: decimals)
        case .percent:
            return NumberFormat.short(value * 100, decimals: Swift.max(0, decimals - 2)) + "%"
        }
    }
}

extension SVGWriter {
    /// The horizontal value axis of a bar chart: grid lines from `gridTop`, ticks and their
    /// labels under `axisY`, the axis line and its caption.
    mutating func valueAxis(_ axis: LinearAxis, xOf: (Double) -> Double, gridTop: Double, axisY: Double,
                            plotX: Double, plotWidth: Double, format: FigureValueFormat, label: String) {
        raw("<g class=\"figure-axis\" fill=\"currentColor\">")
        for t in axis.ticks {
            let x = xOf(t)
            if t != 0 {
                line(x1: x, y1: gridTop, x2: x, y2: axisY, attributes: "class=\"figure-grid\" stroke=\"currentColor\" stroke-opacity=\"0.15\"")
            }
            line(x1: x, y1: axisY, x2: x, y2: axisY + 4, attributes: "stroke=\"currentColor\"")
            text(axis.label(t, format: format), x: x, y: axisY + 16, fontSize: 12.5, anchor: "middle",
                 attributes: "class=\"figure-num\"")
        }
        line(x1: plotX, y1: axisY, x2: plotX + plotWidth, y2: axisY, attributes: "stroke=\"currentColor\"")
        text(label, x: plotX + plotWidth / 2, y: axisY + 32, fontSize: 12.5, anchor: "middle",
             attributes: "class=\"figure-axis-label\"")
        raw("</g>")
    }
}
