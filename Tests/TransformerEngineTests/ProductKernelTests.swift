import Testing
@testable import TransformerEngine

/// The matrix product is bit for bit the plain loop `sum = sum + a[i][k] · b[k][j]` over k in
/// order, whichever kernel runs it: the AVX2 kernel (on processors that have it) and the plain
/// loop are both checked against a loop written here, on random shapes with and without bias.
@Suite struct ProductKernelTests {
    /// The loop as the documentation states it, on plain arrays.
    static func loop(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, bias: [Double]?) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = bias?[j] ?? 0
                for kk in 0..<k { sum = sum + a[i * k + kk] * b[kk * n + j] }
                c[i * n + j] = sum
            }
        }
        return c
    }

    /// The same sums with fused multiply-adds: what the kernels must not compute.
    static func fused(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        (0..<m * n).map { e in
            (0..<k).reduce(0.0) { sum, kk in sum.addingProduct(a[(e / n) * k + kk], b[kk * n + e % n]) }
        }
    }

    static func products() -> [(Tensor, Tensor, [Double]?)] {
        var rng = KernelTestRandom(seed: 0x6B65726E)
        return (0..<600).map { _ in
            let m = rng.int(1...9), n = rng.int(1...21), k = rng.int(0...20)
            let a = Tensor(shape: [m, k], values: (0..<(m * k)).map { _ in rng.value() })
            let b = Tensor(shape: [k, n], values: (0..<(k * n)).map { _ in rng.value() })
            let bias = rng.int(0...1) == 1 ? (0..<n).map { _ in rng.value() } : nil
            return (a, b, bias)
        }
    }

    @Test func thePlainKernelIsTheLoop() {
        for (a, b, bias) in Self.products() {
            let expected = Self.loop(a.values, b.values, m: a.rows, k: a.cols, n: b.cols, bias: bias)
            let c = ProductKernel.plain(a, b, bias: bias)
            #expect(c.shape == [a.rows, b.cols])
            #expect(Self.same(c.values, expected), "plain \(a.shape)·\(b.shape) bias \(bias != nil)")
        }
    }

    @Test(.enabled(if: ProductKernel.hasAVX2, "this processor has no AVX2"))
    func theAVX2KernelIsTheLoop() {
        var differsFromFused = 0
        for (a, b, bias) in Self.products() {
            let expected = Self.loop(a.values, b.values, m: a.rows, k: a.cols, n: b.cols, bias: bias)
            let c = ProductKernel.avx2(a, b, bias: bias)
            #expect(Self.same(c.values, expected), "AVX2 \(a.shape)·\(b.shape) bias \(bias != nil)")
            if bias == nil && !Self.same(c.values, Self.fused(a.values, b.values, m: a.rows, k: a.cols, n: b.cols)) {
                differsFromFused += 1
            }
        }
        // The comparison is fine enough to see a fused multiply-add: most products differ from one.
        #expect(differsFromFused > 100, "only \(differsFromFused) products tell the loop from its fused version")
    }

    @Test func matmulUsesTheKernelAndChecksShapes() {
        let a = Tensor([[1, 2], [3, 4], [5, 6]]), b = Tensor([[1, 0, -1], [2, 1, 0]])
        #expect(matmul(a, b) == Tensor([[5, 2, -1], [11, 4, -3], [17, 6, -5]]))
        #expect(matmul(a, b, bias: [10, 20, 30]) == Tensor([[15, 22, 29], [21, 24, 27], [27, 26, 25]]))
        #expect(matmul(Tensor(zeros: [2, 0]), Tensor(zeros: [0, 3])) == Tensor(zeros: [2, 3]))
    }

    /// Big enough to be shared between threads: the bits are the loop's for 1, 2, 3 and 5
    /// threads (column ranges of whole panels, and a ragged last range).
    @Test(.enabled(if: ProductKernel.hasAVX2, "this processor has no AVX2"))
    func theBitsDoNotDependOnTheThreadCount() {
        var rng = KernelTestRandom(seed: 0x74687264)
        for (m, k, n) in [(24, 96, 1003), (5, 160, 3000), (1, 512, 4101), (9, 256, 1024)] {
            #expect(m * n * k >= ProductKernel.parallelWork, "\(m)×\(k)×\(n) would run on one thread")
            let a = Tensor(shape: [m, k], values: (0..<(m * k)).map { _ in rng.value() })
            let b = Tensor(shape: [k, n], values: (0..<(k * n)).map { _ in rng.value() })
            let bias = (0..<n).map { _ in rng.value() }
            let expected = Self.loop(a.values, b.values, m: m, k: k, n: n, bias: bias)
            for threads in [1, 2, 3, 5] {
                let c = ProductKernel.avx2(a, b, bias: bias, threads: threads)
                #expect(Self.same(c.values, expected), "\(m)×\(k)×\(n) on \(threads) threads")
            }
        }
    }

    @Test func columnRangesCoverTheColumnsInWholePanels() {
        for n in [0, 1, 7, 8, 9, 50257, 768, 3072] {
            for parts in [1, 2, 3, 8] {
                let ranges = ProductKernel.columnRanges(n, parts: parts)
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == n, "n \(n), \(parts) parts")
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.dropLast().allSatisfy { $0.lowerBound % 8 == 0 && $0.count % 8 == 0 && !$0.isEmpty })
                #expect(ranges.count == max(1, min(parts, n / 8)))
            }
        }
    }

    /// a·bᵀ reads b as stored and gives the bits of a·(b.T), for both kernels.
    @Test func theTransposedProductIsTheProductWithTheTranspose() {
        var rng = KernelTestRandom(seed: 0x7472616E)
        for (m, k, n) in [(3, 5, 7), (4, 16, 33), (24, 64, 300), (1, 0, 4)] {
            let a = Tensor(shape: [m, k], values: (0..<(m * k)).map { _ in rng.value() })
            let bt = Tensor(shape: [n, k], values: (0..<(n * k)).map { _ in rng.value() })
            let bias = (0..<n).map { _ in rng.value() }
            let expected = Self.loop(a.values, bt.T.values, m: m, k: k, n: n, bias: bias)
            #expect(Self.same(matmul(a, transposed: bt, bias: bias).values, expected), "\(m)×\(k)×\(n)")
            #expect(Self.same(ProductKernel.plain(a, .init(bt, transposed: true), bias: bias).values, expected))
        }
    }

    /// aᵀ·b reads a as stored and gives the bits of (a.T)·b, for both kernels, on one thread or more.
    @Test func theProductWithATransposedLeftIsTheProductWithTheTranspose() {
        var rng = KernelTestRandom(seed: 0x6C656674)
        for (m, k, n) in [(3, 5, 7), (4, 16, 33), (9, 1, 8), (64, 512, 96), (1, 0, 4)] {
            let at = Tensor(shape: [k, m], values: (0..<(k * m)).map { _ in rng.value() })
            let b = Tensor(shape: [k, n], values: (0..<(k * n)).map { _ in rng.value() })
            let expected = Self.loop(at.T.values, b.values, m: m, k: k, n: n, bias: nil)
            #expect(Self.same(matmul(transposed: at, b).values, expected), "\(m)×\(k)×\(n)")
            let left = ProductKernel.Left(at, transposed: true), right = ProductKernel.Right(b, transposed: false)
            #expect(Self.same(ProductKernel.plain(left, right, bias: nil).values, expected))
            if ProductKernel.hasAVX2 {
                for threads in [1, 2, 3] {
                    #expect(Self.same(ProductKernel.avx2(left, right, bias: nil, threads: threads).values, expected), "\(threads) threads")
                }
            }
        }
    }

    /// A right operand held as binary32 (a checkpoint's weight) gives the bits of the same
    /// numbers held as Doubles: straight, transposed, with few rows (read in place) and many
    /// (copied into panels), on one thread or more, by both kernels.
    @Test func aBinary32RightOperandGivesTheBitsOfItsDoubles() {
        var rng = KernelTestRandom(seed: 0x66333220)
        func float() -> Float { Float(rng.value()) }
        for (m, k, n) in [(1, 5, 7), (2, 16, 33), (3, 9, 8), (8, 12, 17), (24, 64, 300), (2, 512, 4101), (1, 0, 4)] {
            let a = Tensor(shape: [m, k], values: (0..<(m * k)).map { _ in rng.value() })
            let b = Tensor(shape: [k, n], binary32: (0..<(k * n)).map { _ in float() })
            let bt = Tensor(shape: [n, k], binary32: (0..<(n * k)).map { _ in float() })
            let bias = (0..<n).map { _ in rng.value() }
            #expect(b.isBinary32 == (k * n > 0) && !b.widened.isBinary32 && b == b.widened)
            let expected = Self.loop(a.values, b.widened.values, m: m, k: k, n: n, bias: bias)
            let expectedT = Self.loop(a.values, bt.widened.T.values, m: m, k: k, n: n, bias: bias)
            #expect(Self.same(matmul(a, b, bias: bias).values, expected), "\(m)×\(k)×\(n)")
            #expect(Self.same(matmul(a, transposed: bt, bias: bias).values, expectedT), "\(m)×\(k)×\(n) transposed")
            #expect(Self.same(ProductKernel.plain(a, b, bias: bias).values, expected))
            if ProductKernel.hasAVX2 {
                for threads in [1, 2, 3] {
                    #expect(Self.same(ProductKernel.avx2(a, b, bias: bias, threads: threads).values, expected), "\(threads) threads")
                }
            }
        }
    }

    /// `linearBackward` leaves out the positions whose row of ∂L/∂y is zero (the LM head's but
    /// the last, for the prompt's loss): the same bits as both whole products, for finite x and W
    /// with ±0 and mixed magnitudes, whichever rows are zero (none, some, all but one, all); and
    /// ∂L/∂W formed a block of rows or columns, or an entry, at a time gives the same bits.
    @Test func linearBackwardSkipsZeroRowsWithTheSameBits() {
        var rng = KernelTestRandom(seed: 0x7A65726F)
        func finite() -> Double { var v = rng.value(); while !v.isFinite || abs(v) > 1e200 { v = rng.value() }; return v }
        for trial in 0..<300 {
            let t = rng.int(1...7), n = rng.int(1...13), m = rng.int(1...17)
            let zeroRows: Set<Int> = trial % 5 == 0 ? [] : trial % 5 == 1 ? Set(0..<t) : trial % 5 == 2 ? Set(0..<t - 1)
                : Set((0..<t).filter { _ in rng.int(0...1) == 0 })
            let dy = Tensor(shape: [t, m], values: (0..<t * m).map { e in
                zeroRows.contains(e / m) ? (rng.int(0...1) == 0 ? 0 : -0.0) : finite()
            })
            let x = Tensor(shape: [t, n], values: (0..<t * n).map { _ in finite() })
            let w = Tensor(shape: [n, m], values: (0..<n * m).map { _ in finite() })
            let g = linearBackward(dy: dy, x: x, w: w)
            #expect(g.dx.shape == [t, n] && g.dW.shape == [n, m])
            #expect(Self.same(g.dx.values, matmul(dy, transposed: w).values), "dx, \(zeroRows.count) of \(t) rows zero")
            let dW = matmul(transposed: x, dy)
            #expect(Self.same(g.dW.dense.values, dW.values), "dW, \(zeroRows.count) of \(t) rows zero")
            // Any block of its rows or columns, and any entry, formed on its own: the same bits.
            let rows = rng.int(0...n - 1)..<n, columns = 0..<rng.int(1...m)
            #expect(Self.same(g.dW.block(rows: rows).values, dW[rows: rows].values), "dW rows \(rows)")
            #expect(Self.same(g.dW.block(columns: columns).values, dW[columns: columns].values), "dW columns \(columns)")
            #expect(Self.same([g.dW[rows.lowerBound, columns.upperBound - 1]], [dW[rows.lowerBound, columns.upperBound - 1]]))
            #expect(Self.same(g.db, sumRows(dy)))
        }
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
