import CMatrixKernel
import FoundationEssentials
import TransformerEngine
import Glibc

/// exp and tanh over a stretch of an array at once, for training only: on processors with AVX2,
/// glibc's vector functions (libmvec, four lanes a register, through Sources/CMatrixKernel),
/// else the C library's scalar ones. Each entry's result depends on that entry alone (lanes
/// never mix; the last, partial register is padded), so a row's numbers do not depend on how
/// a batch is cut, and training stays deterministic and independent of the thread count.
/// The vector functions are within a few units in the last place of the scalar ones, not
/// bit for bit (VectorMathTests prints the largest difference): the explainer, whose numbers
/// are exact on every machine, keeps the scalar functions.
enum VectorMath {
    static let hasAVX2 = sitegen_has_avx2() != 0

    /// x[i] = exp(x[i]) for i in `range`.
    static func exp(_ x: inout [Double], _ range: Range<Int>) {
        if hasAVX2 {
            sitegen_exp_avx2(&x, range.lowerBound, range.upperBound)
        } else {
            for i in range { x[i] = Glibc.exp(x[i]) }
        }
    }

    /// x[i] = tanh(x[i]) for i in `range`.
    static func tanh(_ x: inout [Double], _ range: Range<Int>) {
        if hasAVX2 {
            sitegen_tanh_avx2(&x, range.lowerBound, range.upperBound)
        } else {
            for i in range { x[i] = Glibc.tanh(x[i]) }
        }
    }
}

/// GPT-2's gelu (the tanh form) and its slope at every entry, the engine's formulas
/// (`Activation.gelu.applyAndDerivative`) with the tanh of `VectorMath`:
///
///     u = √(2/π)·(x + 0.044715·x³),  gelu(x) = ½·x·(1 + tanh u),
///     gelu′(x) = ½·(1 + tanh u) + ½·x·(1 − tanh²u)·√(2/π)·(1 + 3·0.044715·x²)
func geluAndSlope(_ pre: Tensor) -> (value: Tensor, slope: Tensor) {
    let c = (2 / Double.pi).squareRoot()
    var th = pre.values.map { x in c * (x + 0.044715 * x * x * x) }
    VectorMath.tanh(&th, th.indices)
    var value = th, slope = th
    for (i, x) in pre.values.enumerated() {
        let t = th[i]
        value[i] = 0.5 * x * (1 + t)
        slope[i] = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
    }
    return (Tensor(shape: pre.shape, values: value), Tensor(shape: pre.shape, values: slope))
}

/// p[j] = exp(z[j] − max z) / Σ exp(z[k] − max z) over j in `row` of `values`, in place: the
/// engine's `softmax` (−∞ entries give 0) with the exp of `VectorMath`.
func softmaxInPlace(_ values: inout [Double], _ row: Range<Int>) {
    guard var largest = row.first.map({ values[$0] }) else { return }
    for j in row where largest < values[j] { largest = values[j] }
    for j in row { values[j] = values[j] == -.infinity ? -.infinity : values[j] - largest }
    VectorMath.exp(&values, row)
    var sum = 0.0
    for j in row { sum += values[j] }
    for j in row { values[j] /= sum }
}
