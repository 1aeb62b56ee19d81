import CMatrixKernel

/// The matrix products of the engine, all of one kind:
///
///     C[i][j] = (((start[i][j] + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + …) + A[i][K−1]·B[K−1][j]
///
/// Every entry is summed over k in increasing order, one rounded product and one rounded
/// addition at a time: bit for bit the plain loop `for k { c[i][j] += a[i][k] * b[k][j] }`
/// (no fused multiply-add, no reassociation). The speed comes only from doing independent sums
/// side by side: a 4×4 block of C lives in registers, two entries per SIMD register (a 4×8
/// block, four per register, in `CMatrixKernel` with AVX2), while k runs; no two entries ever
/// share an accumulator.
enum Product {
    private typealias D2 = SIMD2<Double>

    /// An operand read through strides, so a transposed matrix needs no copy: element [i][k]
    /// is at `base[i * rowStride + k * colStride]`.
    struct Operand {
        let base: UnsafePointer<Double>
        let rowStride: Int
        let colStride: Int
        /// Where row i starts: [i][0].
        @inline(__always) func row(_ i: Int) -> UnsafePointer<Double> { base + i * rowStride }
    }

    /// Whether the processor has AVX2: then `CMatrixKernel` does the products, four entries per
    /// register and the same operations in the same order (bit for bit the same results).
    static let hasAVX2 = sitegen_has_avx2() != 0

    /// Where each entry's sum starts: at +0, or at row[j] for column j (a bias).
    enum Start {
        case zero
        case row(UnsafePointer<Double>)
    }

    /// c = start + a·b for c [M][N] row-major, a [M][K] and b [K][N] read through their strides.
    /// c's old contents are not read (it may be uninitialised).
    static func multiply(_ c: UnsafeMutablePointer<Double>, rows m: Int, cols n: Int, _ a: Operand, _ b: Operand,
                         inner kCount: Int, start: Start) {
        if m == 0 || n == 0 { return }
        if hasAVX2 {
            let first: UnsafePointer<Double>? = if case .row(let row) = start { row } else { nil }
            sitegen_multiply_avx2(c, m, n, a.base, a.rowStride, a.colStride, b.base, b.rowStride, b.colStride, kCount, first)
            return
        }
        multiplyPortably(c, rows: m, cols: n, a, b, inner: kCount, start: start)
    }

    /// `multiply` without AVX2: two entries per SSE2 register (also what the tests compare the
    /// AVX2 kernel with).
    static func multiplyPortably(_ c: UnsafeMutablePointer<Double>, rows m: Int, cols n: Int, _ a: Operand, _ b: Operand,
                                 inner kCount: Int, start: Start) {
        if m == 0 || n == 0 { return }
        // The first values of the sums, as rows of a matrix with row stride `stride` (0: the
        // same row for all), or nil for +0.
        let first: (values: UnsafePointer<Double>, stride: Int)?
        switch start {
        case .zero: first = nil
        case .row(let row): first = (row, 0)
        }
        let blocks = m / 4
        // A's entries for each block of 4 rows, k-major, each duplicated into both lanes; and a
        // panel of 4 columns of B, k-major, when B's rows are not contiguous.
        let packedA = UnsafeMutablePointer<D2>.allocate(capacity: max(1, blocks * kCount * 4))
        let panel = UnsafeMutablePointer<Double>.allocate(capacity: kCount * 4)
        defer { packedA.deallocate(); panel.deallocate() }
        // (Pointers walk the operands, as plain index arithmetic is checked for overflow.)
        for block in 0..<blocks {
            var p = packedA + block * kCount * 4
            var a0 = a.row(block * 4)
            let a1 = a.rowStride, a2 = 2 &* a.rowStride, a3 = 3 &* a.rowStride
            for _ in 0..<kCount {
                p[0] = D2(repeating: a0[0]); p[1] = D2(repeating: a0[a1])
                p[2] = D2(repeating: a0[a2]); p[3] = D2(repeating: a0[a3])
                p += 4
                a0 += a.colStride
            }
        }
        var j = 0
        while j + 4 <= n && blocks > 0 {
            // Columns j..<j+4 of B as rows of 4, one per k.
            let rows: UnsafePointer<Double>, stride: Int
            if b.colStride == 1 {
                rows = b.base + j
                stride = b.rowStride
            } else {
                var bk = b.base + j * b.colStride, p = panel
                let b1 = b.colStride, b2 = 2 &* b.colStride, b3 = 3 &* b.colStride
                for _ in 0..<kCount {
                    p[0] = bk[0]; p[1] = bk[b1]; p[2] = bk[b2]; p[3] = bk[b3]
                    p += 4
                    bk += b.rowStride
                }
                rows = UnsafePointer(panel)
                stride = 4
            }
            for block in 0..<blocks {
                let i = block * 4
                fourByFour(c + i * n + j, n: n, first.map { ($0.values + i * $0.stride + j, $0.stride) },
                           packedA + block * kCount * 4, rows, stride: stride, kCount: kCount)
            }
            j += 4
        }
        // What the 4×4 blocks leave: the last columns, and the last rows (all of them when M < 4).
        for i in 0..<m {
            let columns = i < blocks * 4 ? j..<n : 0..<n
            oneRow(c + i * n, first.map { $0.values + i * $0.stride }, a, row: i, b, columns: columns, kCount: kCount)
        }
    }

    /// c = a·b for one row a [K] and b [K][N] row-major: `multiply` with M = 1, without its
    /// scratch space.
    static func rowTimesMatrix(_ c: UnsafeMutablePointer<Double>, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                               inner kCount: Int, cols n: Int) {
        if hasAVX2 {
            sitegen_multiply_avx2(c, 1, n, a, kCount, 1, b, n, 1, kCount, nil)
            return
        }
        oneRow(c, nil, Operand(base: a, rowStride: kCount, colStride: 1), row: 0,
               Operand(base: b, rowStride: n, colStride: 1), columns: 0..<n, kCount: kCount)
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Double>) -> D2 { UnsafeRawPointer(p).loadUnaligned(as: D2.self) }

    @inline(__always)
    private static func store(_ v: D2, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: D2.self)
    }

    /// The 4×4 block of c at `c` (row stride n): rows from `packed`, columns from `b` (4 per k,
    /// the next k `stride` further).
    @inline(__always)
    private static func fourByFour(_ c: UnsafeMutablePointer<Double>, n: Int, _ first: (UnsafePointer<Double>, Int)?,
                                   _ packed: UnsafePointer<D2>, _ b: UnsafePointer<Double>, stride: Int, kCount: Int) {
        let c0 = c, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n
        var x00 = D2(), x01 = D2(), x10 = D2(), x11 = D2(), x20 = D2(), x21 = D2(), x30 = D2(), x31 = D2()
        if let (f, s) = first {
            x00 = load(f); x01 = load(f + 2); x10 = load(f + s); x11 = load(f + s + 2)
            x20 = load(f + 2 * s); x21 = load(f + 2 * s + 2); x30 = load(f + 3 * s); x31 = load(f + 3 * s + 2)
        }
        var bk = b, p = packed
        // One k: every entry of the block adds its own product.
        @inline(__always) func step(_ b: UnsafePointer<Double>, _ p: UnsafePointer<D2>) {
            let b0 = load(b), b1 = load(b + 2)
            x00 += p[0] * b0; x01 += p[0] * b1
            x10 += p[1] * b0; x11 += p[1] * b1
            x20 += p[2] * b0; x21 += p[2] * b1
            x30 += p[3] * b0; x31 += p[3] * b1
        }
        // Two k at a time (in order), for less loop overhead.
        var remaining = kCount
        while remaining >= 2 {
            step(bk, p)
            step(bk + stride, p + 4)
            bk += 2 &* stride
            p += 8
            remaining &-= 2
        }
        if remaining == 1 { step(bk, p) }
        store(x00, c0); store(x01, c0 + 2); store(x10, c1); store(x11, c1 + 2)
        store(x20, c2); store(x21, c2 + 2); store(x30, c3); store(x31, c3 + 2)
    }

    /// Row i of c, the given columns: sixteen or eight at a time when B's rows are contiguous,
    /// else four dot products side by side.
    private static func oneRow(_ c: UnsafeMutablePointer<Double>, _ first: UnsafePointer<Double>?, _ a: Operand, row i: Int,
                               _ b: Operand, columns: Range<Int>, kCount: Int) {
        @inline(__always) func start(_ j: Int) -> Double { first?[j] ?? 0 }
        @inline(__always) func start2(_ j: Int) -> D2 { first.map { load($0 + j) } ?? D2() }
        let aRow = a.row(i), aStep = a.colStride
        var j = columns.lowerBound
        if b.colStride == 1 {
            while j + 16 <= columns.upperBound {
                var x0 = start2(j), x1 = start2(j + 2), x2 = start2(j + 4), x3 = start2(j + 6)
                var x4 = start2(j + 8), x5 = start2(j + 10), x6 = start2(j + 12), x7 = start2(j + 14)
                var ak = aRow, bk = b.base + j
                for _ in 0..<kCount {
                    let s = D2(repeating: ak[0])
                    x0 += s * load(bk); x1 += s * load(bk + 2); x2 += s * load(bk + 4); x3 += s * load(bk + 6)
                    x4 += s * load(bk + 8); x5 += s * load(bk + 10); x6 += s * load(bk + 12); x7 += s * load(bk + 14)
                    ak += aStep
                    bk += b.rowStride
                }
                store(x0, c + j); store(x1, c + j + 2); store(x2, c + j + 4); store(x3, c + j + 6)
                store(x4, c + j + 8); store(x5, c + j + 10); store(x6, c + j + 12); store(x7, c + j + 14)
                j += 16
            }
            while j + 8 <= columns.upperBound {
                var x0 = start2(j), x1 = start2(j + 2), x2 = start2(j + 4), x3 = start2(j + 6)
                var ak = aRow, bk = b.base + j
                for _ in 0..<kCount {
                    let s = D2(repeating: ak[0])
                    x0 += s * load(bk); x1 += s * load(bk + 2); x2 += s * load(bk + 4); x3 += s * load(bk + 6)
                    ak += aStep
                    bk += b.rowStride
                }
                store(x0, c + j); store(x1, c + j + 2); store(x2, c + j + 4); store(x3, c + j + 6)
                j += 8
            }
        } else {
            let b1 = b.colStride, b2 = 2 &* b.colStride, b3 = 3 &* b.colStride
            while j + 4 <= columns.upperBound {
                var x0 = start(j), x1 = start(j + 1), x2 = start(j + 2), x3 = start(j + 3)
                var ak = aRow, bk = b.base + j * b.colStride
                for _ in 0..<kCount {
                    let s = ak[0]
                    x0 += s * bk[0]; x1 += s * bk[b1]; x2 += s * bk[b2]; x3 += s * bk[b3]
                    ak += aStep
                    bk += b.rowStride
                }
                c[j] = x0; c[j + 1] = x1; c[j + 2] = x2; c[j + 3] = x3
                j += 4
            }
        }
        while j < columns.upperBound {
            var sum = start(j)
            var ak = aRow, bk = b.base + j * b.colStride
            for _ in 0..<kCount {
                sum += ak[0] * bk[0]
                ak += aStep
                bk += b.rowStride
            }
            c[j] = sum
            j += 1
        }
    }
}

extension Mat {
    /// The operand view of this matrix, or of its transpose.
    func withOperand<R>(transposed: Bool = false, _ body: (Product.Operand) -> R) -> R {
        values.withUnsafeBufferPointer { v in
            let base = v.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Double>.alignment)!   // never read when empty
            return body(transposed ? .init(base: base, rowStride: 1, colStride: cols)
                                   : .init(base: base, rowStride: cols, colStride: 1))
        }
    }

    /// A rows×cols matrix whose entries `fill` writes, all of them (no zeroing first).
    static func filled(rows: Int, cols: Int, _ fill: (UnsafeMutablePointer<Double>) -> Void) -> Mat {
        let values = Vector(unsafeUninitializedCapacity: rows * cols) { buffer, count in
            if rows * cols > 0 { fill(buffer.baseAddress!) }
            count = rows * cols
        }
        return Mat(rows: rows, cols: cols, values: values)
    }

    /// x·W + b: [T][n] · [n][m] → [T][m]; each entry starts at b[j] (at 0 without a bias).
    static func linear(_ x: Mat, _ w: Mat, bias: Vector?) -> Mat {
        let bias = bias ?? Vector(repeating: 0, count: w.cols)
        return filled(rows: x.rows, cols: w.cols) { out in
            x.withOperand { a in
                w.withOperand { b in
                    bias.withUnsafeBufferPointer { start in
                        Product.multiply(out, rows: x.rows, cols: w.cols, a, b, inner: w.rows, start: .row(start.baseAddress!))
                    }
                }
            }
        }
    }

    /// a·bᵀ: [T][m] · ([n][m])ᵀ → [T][n], each entry the dot product of a row of a and a row of b.
    /// With `rows`, only those rows of the result are computed; the others are 0.
    static func timesTransposed(_ a: Mat, _ b: Mat, rows: Range<Int>? = nil) -> Mat {
        let rows = rows ?? 0..<a.rows
        return filled(rows: a.rows, cols: b.rows) { out in
            let n = b.rows
            out.update(repeating: 0, count: rows.lowerBound * n)
            (out + rows.upperBound * n).update(repeating: 0, count: (a.rows - rows.upperBound) * n)
            a.withOperand { aOp in
                b.withOperand(transposed: true) { bT in
                    Product.multiply(out + rows.lowerBound * n, rows: rows.count, cols: n,
                                        .init(base: aOp.base + rows.lowerBound * aOp.rowStride, rowStride: aOp.rowStride, colStride: 1),
                                        bT, inner: b.cols, start: .zero)
                }
            }
        }
    }

    /// aᵀ·b: ([T][n])ᵀ · [T][m] → [n][m], each entry summed over t = 0, 1, … in order; with
    /// `rows`, over those t only.
    static func transposedTimes(_ a: Mat, _ b: Mat, rows: Range<Int>? = nil) -> Mat {
        let rows = rows ?? 0..<a.rows
        return filled(rows: a.cols, cols: b.cols) { out in
            a.withOperand(transposed: true) { aT in
                b.withOperand { bOp in
                    Product.multiply(out, rows: a.cols, cols: b.cols,
                                        .init(base: aT.base + rows.lowerBound * aT.colStride, rowStride: 1, colStride: aT.colStride),
                                        .init(base: bOp.base + rows.lowerBound * bOp.rowStride, rowStride: bOp.rowStride, colStride: 1),
                                        inner: rows.count, start: .zero)
                }
            }
        }
    }
}
