/// Markup written as UTF-8 bytes. Tables and figures append to one of these piece by piece,
/// numbers are written as digits straight into it, and the whole becomes one String at the
/// end: far cheaper than growing a String through interpolations (a wide model's site has
/// about a million table cells and figure coordinates).
///
/// A class: one buffer is written by whoever holds it (a figure's writer, a table's render).
final class MarkupBuffer {
    private var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(max(capacity, 64)) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always)
    private func append(byte: UInt8) { bytes.append(byte) }

    /// Markup that needs no escaping.
    func append(_ literal: StaticString) { literal.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    /// Text that needs no escaping (numbers, markup made elsewhere, escaped already).
    func append(text: String) { bytes.append(contentsOf: text.utf8) }

    func append(_ other: MarkupBuffer) { bytes.append(contentsOf: other.bytes) }

    /// Text as `Escape.html` escapes it.
    func append(escaped text: String) {
        for byte in text.utf8 { appendEscaped(byte) }
    }

    /// One UTF-8 byte, escaped as `Escape.html` escapes its scalar: the five markup characters
    /// as entities, an XML-forbidden control character as U+FFFD (every byte below 0x20 is a
    /// whole scalar, and no byte of a longer scalar is one of these).
    private func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "&"): append("&amp;")
        case UInt8(ascii: "<"): append("&lt;")
        case UInt8(ascii: ">"): append("&gt;")
        case UInt8(ascii: "\""): append("&quot;")
        case UInt8(ascii: "'"): append("&#39;")
        case 0x0A, 0x09, 0x0D: append(byte: byte)
        case ..<0x20: append("\u{FFFD}")
        default: append(byte: byte)
        }
    }

    /// `SVGNumber.format(value, decimals:)`.
    func append(svgNumber value: Double, decimals: Int = 2) {
        guard let (units, places) = SVGNumber.units(value, decimals: decimals) else {
            append("0")
            return
        }
        append(fixed: units, places: places, trimZeros: true, minus: units < 0 ? "-" : nil)
    }

    /// `NumberFormat.short(value, decimals:)`.
    func append(short value: Double, decimals: Int = 2) {
        guard let (units, places, negative) = NumberFormat.shortUnits(value, decimals: decimals) else {
            append(text: NumberFormat.short(value, decimals: decimals))
            return
        }
        append(fixed: units, places: places, trimZeros: false, minus: negative ? "−" : nil)
    }

    /// `NumberFormat.tooltip(value)`.
    func append(tooltip value: Double) {
        append(text: NumberFormat.tooltip(value))
    }

    /// `FixedPointText.make(units, places:, trimZeros:, minus:)`.
    func append(fixed units: Int64, places: Int, trimZeros: Bool, minus: StaticString?) {
        FixedPointText.append(units, places: places, trimZeros: trimZeros, minus: minus, to: &bytes)
    }
}
