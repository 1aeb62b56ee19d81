/// Double → text in exactly the form of Swift's `description` ("0.1", "1e-05", "12.0"), without
/// building a String per number: the trace has hundreds of thousands of them.
///
/// The digits are the shortest that read back as the same Double, and of those the closest to
/// it (an exact tie going to the even digit) — what `description` promises — found with the
/// Schubfach algorithm (R. Giulietti, "The Schubfach way to render doubles", 2020). This path
/// covers the normal doubles of magnitude below 2^50, where no decimal of 17 digits or fewer
/// lies exactly on the edge of a double's rounding interval, so whether an edge counts never
/// matters; any other value (subnormal, huge, zero, non-finite) takes `description` itself.
/// (Checked against `description` on millions of doubles: random bit patterns, short decimals
/// and their neighbours, every power of two.)
enum ShortestDigits {
    /// Writes `description` of `d` (at most 64 bytes) to `text`; returns how many bytes it wrote.
    /// `powers` is `ShortestDigits.powers` (passed in by a caller that writes many numbers).
    static func write(_ d: Double, to text: UnsafeMutablePointer<UInt8>, powers: [(UInt64, UInt64)] = powers) -> Int {
        guard let (digits, exponent) = decompose(d, powers: powers) else {
            var count = 0
            for byte in d.description.utf8 { text[count] = byte; count += 1 }
            return count
        }
        return format(negative: d < 0, digits: digits, exponent: exponent, into: text)
    }

    /// d = ±digits · 10^exponent with the fewest digits (no trailing zeros); nil outside the range.
    static func decompose(_ d: Double, powers: [(UInt64, UInt64)] = powers) -> (UInt64, Int)? {
        let biased = Int(d.exponentBitPattern), fraction = d.significandBitPattern
        guard biased > 0, biased < 1023 + 50 else { return nil }
        let c = fraction | (1 << 52)                    // d = c · 2^q
        let q = biased - 1075
        if q < 0 && q > -53 && (c >> UInt64(-q)) << UInt64(-q) == c {
            return stripped(c >> UInt64(-q), 0)         // an integer
        }
        let (f, e) = schubfach(q: q, c: c, powers: powers)
        return stripped(f, e)
    }

    private static func stripped(_ f: UInt64, _ e: Int) -> (UInt64, Int) {
        var f = f, e = e
        while f % 10 == 0 { f /= 10; e += 1 }
        return (f, e)
    }

    // MARK: - Schubfach

    private static let mask63: UInt64 = (1 << 63) - 1

    /// ⌊q·log10 2⌋, ⌊log10(¾·2^q)⌋ and ⌊e·log2 10⌋ for the exponents in use.
    private static func flog10pow2(_ q: Int) -> Int { (q * 661_971_961_083) >> 41 }
    private static func flog10threeQuartersPow2(_ q: Int) -> Int { (q * 661_971_961_083 - 274_743_187_321) >> 41 }
    private static func flog2pow10(_ e: Int) -> Int { (e * 913_124_641_741) >> 38 }

    /// The value of a double c·2^q (normal, q < 0) as the shortest, closest f·10^e.
    private static func schubfach(q: Int, c: UInt64, powers: [(UInt64, UInt64)]) -> (UInt64, Int) {
        let out: UInt64 = c & 1
        let cb = c << 2, cbr = cb + 2
        let cbl: UInt64, k: Int
        if c != 1 << 52 {
            cbl = cb - 2
            k = flog10pow2(q)
        } else {
            cbl = cb - 1
            k = flog10threeQuartersPow2(q)
        }
        let h = q + flog2pow10(-k) + 2
        let (g1, g0) = powers[-k]
        let vb = roundToOdd(g1, g0, cb << UInt64(h))
        let vbl = roundToOdd(g1, g0, cbl << UInt64(h))
        let vbr = roundToOdd(g1, g0, cbr << UInt64(h))

        let s = vb >> 2
        if s >= 100 {
            let sp10 = 10 * (s / 10), tp10 = sp10 + 10
            let upin = vbl + out <= sp10 << 2
            let wpin = (tp10 << 2) + out <= vbr
            if upin != wpin { return (upin ? sp10 : tp10, k) }
        }
        let t = s + 1
        let uin = vbl + out <= s << 2
        let win = (t << 2) + out <= vbr
        if uin != win { return (uin ? s : t, k) }
        let twice = (s + t) << 1
        return (vb < twice || (vb == twice && s & 1 == 0) ? s : t, k)
    }

    /// ⌊g·cp / 2^127⌋, with its lowest bit set when the remainder is not 0 (as the paper's rop).
    private static func roundToOdd(_ g1: UInt64, _ g0: UInt64, _ cp: UInt64) -> UInt64 {
        let x1 = g0.multipliedFullWidth(by: cp).high
        let (y1, y0) = g1.multipliedFullWidth(by: cp)
        let z = (y0 >> 1) &+ x1
        let vbp = y1 &+ (z >> 63)
        return vbp | (((z & mask63) &+ mask63) >> 63)
    }

    /// For e = 0 ... 324: g = ⌊10^e · 2^−r⌋ + 1 with 2^125 ≤ 10^e · 2^−r < 2^126, as
    /// (g >> 63, g & (2^63 − 1)); computed once with exact integer arithmetic.
    static let powers: [(UInt64, UInt64)] = {
        var power: [UInt32] = [1]                       // 10^e, little-endian 32-bit limbs
        var entries: [(UInt64, UInt64)] = []
        for _ in 0...324 {
            // The top 126 bits of 10^e (shifted up when it has fewer), then + 1.
            let bits = (power.count - 1) * 32 + (32 - power.last!.leadingZeroBitCount)
            var g1: UInt64 = 0, g0: UInt64 = 0          // bits 125...63 and 62...0 of the window
            for bit in 0..<126 {
                let source = bits - 126 + bit           // the bit of 10^e landing at `bit`
                guard source >= 0, (power[source / 32] >> UInt32(source % 32)) & 1 == 1 else { continue }
                if bit >= 63 { g1 |= 1 << UInt64(bit - 63) } else { g0 |= 1 << UInt64(bit) }
            }
            g0 += 1
            if g0 > mask63 { g0 = 0; g1 += 1 }
            entries.append((g1, g0))
            var carry: UInt64 = 0
            for i in power.indices {
                let product = UInt64(power[i]) * 10 + carry
                power[i] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry > 0 { power.append(UInt32(carry)) }
        }
        return entries
    }()

    // MARK: - The text

    /// `description`'s layout of ±digits·10^exponent: exponential ("1.5e-07", at least two
    /// exponent digits) below 10^−4, otherwise positional with at least one digit after the
    /// point ("0.001", "12.5", "100.0"). Uses up to 64 bytes at `text`; returns the length of
    /// the text.
    static func format(negative: Bool, digits: UInt64, exponent: Int, into text: UnsafeMutablePointer<UInt8>) -> Int {
        let zero = UInt8(ascii: "0"), dot = UInt8(ascii: ".")
        let count = decimalCount(digits)
        var n = 0
        if negative { text[0] = UInt8(ascii: "-"); n = 1 }
        let point = count + exponent                    // digits before the decimal point
        if point - 1 < -4 {                             // "d.ddde-XX"
            writeDigits(digits, count, to: text + n, pointAfter: 1)
            n += count > 1 ? count + 1 : 1
            text[n] = UInt8(ascii: "e"); text[n + 1] = UInt8(ascii: "-"); n += 2
            let e = 1 - point
            if e >= 100 { text[n] = zero + UInt8(e / 100); n += 1 }
            text[n] = zero + UInt8(e / 10 % 10); text[n + 1] = zero + UInt8(e % 10); n += 2
        } else if point <= 0 {                          // "0.000ddd"
            text[n] = zero; text[n + 1] = dot; n += 2
            for _ in 0..<(-point) { text[n] = zero; n += 1 }
            writeDigits(digits, count, to: text + n, pointAfter: count)
            n += count
        } else if point >= count {                      // "ddd000.0"
            writeDigits(digits, count, to: text + n, pointAfter: count)
            n += count
            for _ in 0..<(point - count) { text[n] = zero; n += 1 }
            text[n] = dot; text[n + 1] = zero; n += 2
        } else {                                        // "ddd.ddd"
            writeDigits(digits, count, to: text + n, pointAfter: point)
            n += count + 1
        }
        return n
    }

    /// The number of decimal digits of v ≥ 1.
    private static func decimalCount(_ v: UInt64) -> Int {
        if v >= 10_000_000_000_000_000 { return v >= 100_000_000_000_000_000 ? (v >= 1_000_000_000_000_000_000 ? 19 : 18) : 17 }
        if v >= 1_000_000_000_000_000 { return 16 }
        var count = 1, power: UInt64 = 10
        while v >= power { count += 1; power *= 10 }
        return count
    }

    /// The `count` digits of v at `text`, with a point after the first `split` of them when
    /// split < count (split ≥ 1). May write up to 24 bytes past the end of the result.
    private static func writeDigits(_ v: UInt64, _ count: Int, to text: UnsafeMutablePointer<UInt8>, pointAfter split: Int) {
        // v as 24 digits with leading zeros, eight at a time; its own digits are the last `count`.
        let high = v / 100_000_000, low = v - high * 100_000_000
        let top = high / 100_000_000, middle = high - top * 100_000_000
        var words = (eightDigits(top), eightDigits(middle), eightDigits(low), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeBytes(of: &words) { digits in
            // Copied a word at a time: the digits, then (with the point) those after it, moved on by one.
            func copy(from: Int, to: Int) {
                for word in 0..<3 {
                    let bytes = digits.loadUnaligned(fromByteOffset: from + 8 * word, as: UInt64.self)
                    UnsafeMutableRawPointer(text + to + 8 * word).storeBytes(of: bytes, as: UInt64.self)
                }
            }
            let first = 24 - count
            copy(from: first, to: 0)
            if split < count {
                copy(from: first + split, to: split + 1)
                text[split] = UInt8(ascii: ".")
            }
        }
    }

    /// The eight decimal digits of n < 10^8 as ASCII bytes (the first digit in the lowest byte),
    /// split in lanes: into two 4-digit halves, each into 2-digit quarters, each into digits.
    @inline(__always)
    private static func eightDigits(_ n: UInt64) -> UInt64 {
        let upper = n / 10_000
        var x = upper | (n - upper * 10_000) << 32                              // two lanes < 10^4
        let hundreds = ((x &* 5243) >> 19) & 0x0000_007F_0000_007F              // lane / 100
        x = hundreds | (x &- hundreds &* 100) << 16                             // four lanes < 100
        let tens = ((x &* 103) >> 10) & 0x000F_000F_000F_000F                   // lane / 10
        x = tens | (x &- tens &* 10) << 8                                       // eight digits
        return x | 0x3030_3030_3030_3030
    }
}
