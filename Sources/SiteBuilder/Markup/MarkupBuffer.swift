/// Markup written as UTF-8 bytes. Tables and figures append to one of these piece by piece,
/// numbers are written as digits straight into it, and the whole becomes one String at the
/// end: far cheaper than growing a String through interpolations (a wide model's site has
/// about a million table cells and figure coordinates). Most pieces are a few bytes long, so
/// the buffer is its own: a short piece is copied byte by byte, without a call.
///
/// A class: one buffer is written by whoever holds it (a figure's writer, a table's render).
final class MarkupBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    /// The `length` bytes at `bytes`.
    @inline(__always)
    private func append(_ bytes: UnsafePointer<UInt8>, _ length: Int) {
        if count + length > capacity { grow(to: count + length) }
        let end = base + count
        if length <= 16 {
            for index in 0..<length { end[index] = bytes[index] }
        } else {
            end.update(from: bytes, count: length)
        }
        count += length
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    private func append(byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    /// Markup that needs no escaping.
    func append(_ literal: StaticString) {
        if literal.hasPointerRepresentation {
            append(literal.utf8Start, literal.utf8CodeUnitCount)
        } else {
            literal.withUTF8Buffer { append($0.baseAddress!, $0.count) }
        }
    }

    /// Text that needs no escaping (numbers, markup made elsewhere, escaped already).
    func append(text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            if let start = utf8.baseAddress { append(start, utf8.count) }
        }
        if done == nil {
            for byte in text.utf8 { append(byte: byte) }
        }
    }

    func append(_ other: MarkupBuffer) { append(other.base, other.count) }

    /// Text as `Escape.html` escapes it.
    func append(escaped text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 { appendEscaped(byte) }
        }
        if done == nil {
            for byte in text.utf8 { appendEscaped(byte) }
        }
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
        FixedPointText.digits(units, places: places, trimZeros: trimZeros, minus: minus) { digits in
            if let start = digits.baseAddress { append(start, digits.count) }
        }
    }
}
