import Testing
@testable import TransformerEngine

/// The matrix product is bit for bit the plain loop `sum = sum + a[i][k] · b[k][j]` over k in
/// order, whichever kernel runs it: the AVX2 one (on processors that have it) and the portable
/// one are both checked against that loop on random shapes, strides and starts.
@Suite struct ProductKernelTests {
    @Test func everyKernelIsThePlainLoop() {
        var rng = KernelTestRandom(seed: 0x6B65726E)
        var cases = 0
        for _ in 0..<600 {
            let m = rng.int(1...9), n = rng.int(1...21), k = rng.int(0...20)
            let a = (0..<(m * k)).map { _ in rng.value() }
            let b = (0..<(k * n)).map { _ in rng.value() }
            let bias = (0..<n).map { _ in rng.value() }
            let withBias = rng.int(0...1) == 1
            let transposedB = rng.int(0...1) == 1                       // b read through strides
            let stored = transposedB ? (0..<(n * k)).map { i in b[(i % k) * n + i / k] } : b
            var expected = [Double](repeating: 0, count: m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var sum = withBias ? bias[j] : 0.0
                    for kk in 0..<k { sum = sum + a[i * k + kk] * b[kk * n + j] }
                    expected[i * n + j] = sum
                }
            }
            a.withUnsafeBufferPointer { a in
            stored.withUnsafeBufferPointer { b in
            bias.withUnsafeBufferPointer { bias in
                let left = Product.Operand(base: a.baseAddress ?? UnsafePointer(bitPattern: 8)!, rowStride: k, colStride: 1)
                let right = transposedB
                    ? Product.Operand(base: b.baseAddress ?? UnsafePointer(bitPattern: 8)!, rowStride: 1, colStride: k)
                    : Product.Operand(base: b.baseAddress ?? UnsafePointer(bitPattern: 8)!, rowStride: n, colStride: 1)
                let start: Product.Start = withBias ? .row(bias.baseAddress!) : .zero
                var fast = [Double](repeating: .nan, count: m * n), portable = fast
                fast.withUnsafeMutableBufferPointer { Product.multiply($0.baseAddress!, rows: m, cols: n, left, right, inner: k, start: start) }
                portable.withUnsafeMutableBufferPointer {
                    Product.multiplyPortably($0.baseAddress!, rows: m, cols: n, left, right, inner: k, start: start)
                }
                #expect(Self.same(fast, expected), "multiply \(m)×\(k)·\(k)×\(n) bias \(withBias) transposed \(transposedB)")
                #expect(Self.same(portable, expected), "portable \(m)×\(k)·\(k)×\(n) bias \(withBias) transposed \(transposedB)")
            }}}
            cases += 1
        }
        #expect(cases == 600)
        print("product kernels: 600 random products checked bit for bit (AVX2 kernel \(Product.hasAVX2 ? "used" : "not available here"))")
    }

    /// Equal bit patterns (any NaN equals any NaN).
    static func same(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }
}

/// SplitMix64, with values that stress rounding: mixed signs and magnitudes, ±0, and
/// now and then an infinity.
struct KernelTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }

    mutating func value() -> Double {
        switch next() % 40 {
        case 0: return 0
        case 1: return -0.0
        case 2: return next() % 2 == 0 ? .infinity : 1e300
        default:
            let unit = Double(next() >> 11) / Double(1 << 53) * 2 - 1
            return unit * [1e-8, 1e-3, 1, 7, 1e4][Int(next() % 5)]
        }
    }
}
