import CMatrixKernel

/// a·b (+ bias on every row): [m][k]·[k][n] → [m][n], each entry
///
///     c[i, j] = (((bias[j] + a[i, 0]·b[0, j]) + a[i, 1]·b[1, j]) + …) + a[i, k−1]·b[k−1, j]
///
/// summed over k in increasing order with one rounded product and one rounded addition at a
/// time (no fused multiply-add, no reassociation), starting at +0 without a bias: the same
/// bits on every machine. `ProductKernel.plain` is that loop; on processors with AVX2 the C
/// kernel (Sources/CMatrixKernel) does the same operations in the same order, four entries a
/// register, and the tests hold the two to each other bit for bit.
public func matmul(_ a: Tensor, _ b: Tensor, bias: [Double]? = nil) -> Tensor {
    precondition(a.cols == b.rows, "matmul of [\(a.rows)][\(a.cols)] and [\(b.rows)][\(b.cols)]")
    precondition(bias == nil || bias!.count == b.cols, "a bias of \(bias!.count) for \(b.cols) columns")
    return ProductKernel.hasAVX2 ? ProductKernel.avx2(a, b, bias: bias) : ProductKernel.plain(a, b, bias: bias)
}

/// The engine's only code with pointers: the call into the C kernel.
enum ProductKernel {
    static let hasAVX2 = sitegen_has_avx2() != 0

    /// The reference: the plain loop.
    static func plain(_ a: Tensor, _ b: Tensor, bias: [Double]?) -> Tensor {
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

    /// The same sums by the AVX2 kernel (only where `hasAVX2`), written straight into the
    /// result's storage (the kernel writes every entry).
    static func avx2(_ a: Tensor, _ b: Tensor, bias: [Double]?) -> Tensor {
        let (m, k, n) = (a.rows, a.cols, b.cols)
        let values = [Double](unsafeUninitializedCapacity: m * n) { c, count in
            if m > 0 && n > 0 {
                a.values.withUnsafeBufferPointer { a in
                    b.values.withUnsafeBufferPointer { b in
                        func run(_ first: UnsafePointer<Double>?) {
                            // (With k = 0 the kernel reads neither a nor b, whose storage may then be nil.)
                            sitegen_multiply_avx2(c.baseAddress, m, n, a.baseAddress, k, 1, b.baseAddress, n, 1, k, first)
                        }
                        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                    }
                }
            }
            count = m * n
        }
        return Tensor(shape: [m, n], values: values)
    }
}
