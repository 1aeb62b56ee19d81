import CMatrixKernel
import Dispatch
import FoundationEssentials

/// a·b (+ bias on every row): [m][k]·[k][n] → [m][n], each entry
///
///     c[i, j] = (((bias[j] + a[i, 0]·b[0, j]) + a[i, 1]·b[1, j]) + …) + a[i, k−1]·b[k−1, j]
///
/// summed over k in increasing order with one rounded product and one rounded addition at a
/// time (no fused multiply-add, no reassociation), starting at +0 without a bias: the same
/// bits on every machine. `ProductKernel.plain` is that loop; on processors with AVX2 the C
/// kernel (Sources/CMatrixKernel) does the same operations in the same order, four entries a
/// register, and the tests hold the two to each other bit for bit. Big products are shared
/// between the cores by columns of c (never by splitting a sum), so the bits do not depend on
/// the number of threads either.
public func matmul(_ a: Tensor, _ b: Tensor, bias: [Double]? = nil) -> Tensor {
    precondition(a.cols == b.rows, "matmul of [\(a.rows)][\(a.cols)] and [\(b.rows)][\(b.cols)]")
    precondition(bias == nil || bias!.count == b.cols, "a bias of \(bias!.count) for \(b.cols) columns")
    return ProductKernel.product(a, ProductKernel.Right(b, transposed: false), bias: bias)
}

/// a·bᵀ (+ bias): [m][k]·([n][k])ᵀ → [m][n], the same sums as `matmul(a, b.T)` bit for bit,
/// without the transposed copy: logits = final·wteᵀ for a tied LM head reads wte as it is.
public func matmul(_ a: Tensor, transposed b: Tensor, bias: [Double]? = nil) -> Tensor {
    precondition(a.cols == b.cols, "matmul of [\(a.rows)][\(a.cols)] and ([\(b.rows)][\(b.cols)])ᵀ")
    precondition(bias == nil || bias!.count == b.rows, "a bias of \(bias!.count) for \(b.rows) columns")
    return ProductKernel.product(a, ProductKernel.Right(b, transposed: true), bias: bias)
}

/// aᵀ·b: ([k][m])ᵀ·[k][n] → [m][n], the same sums as `matmul(a.T, b)` bit for bit, without the
/// transposed copy: a weight's gradient xᵀ·∂L/∂y reads the activations x as they are.
public func matmul(transposed a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rows == b.rows, "matmul of ([\(a.rows)][\(a.cols)])ᵀ and [\(b.rows)][\(b.cols)]")
    return ProductKernel.product(ProductKernel.Left(a, transposed: true), ProductKernel.Right(b, transposed: false), bias: nil)
}

/// The engine's only code with pointers: the call into the C kernel.
enum ProductKernel {
    static let hasAVX2 = sitegen_has_avx2() != 0

    /// The cores the big products use (at most 8).
    static let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// Products with fewer multiply-adds than this run on one thread: below it, handing work to
    /// another core costs about as much as it saves (waking a thread took tens of µs here; at
    /// 1 << 18 the 64-wide benchmark model's build spent 4% of its time in those wake-ups and
    /// ran 10% slower than at 1 << 21; GPT-2 small's build, whose continuations' 2-row
    /// attention products fall between the two, measured the same at both).
    static let parallelWork = 1 << 21

    /// The left operand a of a·b, stored as it is or transposed (then a[i, k] is `tensor[k, i]`).
    struct Left {
        let tensor: Tensor
        let transposed: Bool
        init(_ tensor: Tensor, transposed: Bool) { (self.tensor, self.transposed) = (tensor, transposed) }

        var rows: Int { transposed ? tensor.cols : tensor.rows }
        var cols: Int { transposed ? tensor.rows : tensor.cols }
        subscript(i: Int, k: Int) -> Double { transposed ? tensor[k, i] : tensor[i, k] }
        /// Steps between a[i, k] and a[i + 1, k], and between a[i, k] and a[i, k + 1], in storage.
        var strides: (row: Int, col: Int) { transposed ? (1, tensor.cols) : (tensor.cols, 1) }
    }

    /// The right operand b of a·b, stored as it is or transposed (then b[k, j] is `tensor[j, k]`).
    struct Right {
        let tensor: Tensor
        let transposed: Bool
        init(_ tensor: Tensor, transposed: Bool) { (self.tensor, self.transposed) = (tensor, transposed) }

        var rows: Int { transposed ? tensor.cols : tensor.rows }
        var cols: Int { transposed ? tensor.rows : tensor.cols }
        subscript(k: Int, j: Int) -> Double { transposed ? tensor[j, k] : tensor[k, j] }
        /// Steps between b[k, j] and b[k + 1, j], and between b[k, j] and b[k, j + 1], in storage.
        var strides: (row: Int, col: Int) { transposed ? (1, tensor.cols) : (tensor.cols, 1) }
    }

    /// (A binary32 left operand, which the engine's products never have, is widened first; a
    /// binary32 right one, a checkpoint's weight, is read as it is held.)
    static func product(_ a: Left, _ b: Right, bias: [Double]?, threads: Int = threads) -> Tensor {
        let a = a.tensor.isBinary32 ? Left(a.tensor.widened, transposed: a.transposed) : a
        return hasAVX2 ? avx2(a, b, bias: bias, threads: threads) : plain(a, b, bias: bias)
    }

    static func product(_ a: Tensor, _ b: Right, bias: [Double]?, threads: Int = threads) -> Tensor {
        product(Left(a, transposed: false), b, bias: bias, threads: threads)
    }

    /// The reference: the plain loop.
    static func plain(_ a: Left, _ b: Right, bias: [Double]?) -> Tensor {
        var c = Tensor(zeros: [a.rows, b.cols])
        for i in 0..<a.rows {
            for j in 0..<b.cols {
                var sum = bias?[j] ?? 0
                for k in 0..<a.cols { sum += a[i, k] * b[k, j] }
                c[i, j] = sum
            }
        }
        return c
    }

    static func plain(_ a: Tensor, _ b: Right, bias: [Double]?) -> Tensor { plain(Left(a, transposed: false), b, bias: bias) }

    static func plain(_ a: Tensor, _ b: Tensor, bias: [Double]?) -> Tensor { plain(a, Right(b, transposed: false), bias: bias) }

    /// c's columns 0..<n cut into at most `parts` ranges of whole 8-column panels (the last
    /// takes the columns left over): each range is one call of the kernel.
    static func columnRanges(_ n: Int, parts: Int) -> [Range<Int>] {
        let panels = n / 8, parts = max(1, min(parts, panels))
        var ranges: [Range<Int>] = []
        var begin = 0
        for part in 0..<parts {
            let end = part == parts - 1 ? n : (panels * (part + 1) / parts) * 8
            ranges.append(begin..<end)
            begin = end
        }
        return ranges
    }

    /// The same sums by the AVX2 kernel (only where `hasAVX2`), written straight into the
    /// result's storage (the kernel writes every entry), on up to `threads` cores when the
    /// product is big enough, each writing its own columns.
    static func avx2(_ a: Left, _ b: Right, bias: [Double]?, threads: Int = threads) -> Tensor {
        let (m, k, n) = (a.rows, a.cols, b.cols)
        let (aRow, aCol) = a.strides, (bRow, bCol) = b.strides
        let parts = m * n * k >= parallelWork ? threads : 1
        let ranges = columnRanges(n, parts: parts)
        let values = [Double](unsafeUninitializedCapacity: m * n) { c, count in
            if m > 0 && n > 0 {
                a.tensor.values.withUnsafeBufferPointer { a in
                    b.tensor.values.withUnsafeBufferPointer { b64 in
                        b.tensor.binary32.withUnsafeBufferPointer { b32 in
                            func run(_ first: UnsafePointer<Double>?) {
                                // (With k = 0 the kernel reads neither a nor b, whose storage may then be nil.
                                // A b held as binary32 is read from b32 only; an empty array's storage
                                // is not nil, so b32 is passed only then.)
                                let call = KernelCall(c: c.baseAddress, m: m, n: n, k: k, a: a.baseAddress, aRow: aRow, aCol: aCol,
                                                      b: b64.baseAddress, bBinary32: b.tensor.isBinary32 ? b32.baseAddress : nil,
                                                      bRow: bRow, bCol: bCol, first: first)
                                if ranges.count == 1 {
                                    call.columns(ranges[0])
                                } else {
                                    DispatchQueue.concurrentPerform(iterations: ranges.count) { call.columns(ranges[$0]) }
                                }
                            }
                            if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                        }
                    }
                }
            }
            count = m * n
        }
        return Tensor(shape: [m, n], values: values)
    }

    /// One product's storage, for the threads that write its column ranges: calls on disjoint
    /// ranges write disjoint entries of c and only read a, b and the bias, which outlive them.
    struct KernelCall: @unchecked Sendable {
        let c: UnsafeMutablePointer<Double>?
        let m, n, k: Int
        let a: UnsafePointer<Double>?
        let aRow, aCol: Int
        let b: UnsafePointer<Double>?
        let bBinary32: UnsafePointer<Float>?
        let bRow, bCol: Int
        let first: UnsafePointer<Double>?

        func columns(_ r: Range<Int>) {
            sitegen_multiply_avx2(c, n, m, r.lowerBound, r.upperBound, a, aRow, aCol, b, bBinary32, bRow, bCol, k, first)
        }
    }

    static func avx2(_ a: Tensor, _ b: Right, bias: [Double]?, threads: Int = threads) -> Tensor {
        avx2(Left(a, transposed: false), b, bias: bias, threads: threads)
    }

    static func avx2(_ a: Tensor, _ b: Tensor, bias: [Double]?, threads: Int = threads) -> Tensor {
        avx2(a, Right(b, transposed: false), bias: bias, threads: threads)
    }
}
