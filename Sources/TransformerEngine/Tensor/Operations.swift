import FoundationEssentials
import Glibc

/// The handful of operations the layers are written in, besides `matmul` and the entrywise
/// arithmetic of `Tensor`.

/// softmax(z)ᵢ = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z). Subtracting the max keeps it finite for
/// logits of ±1000; an entry of −∞ (masked) gets exactly 0 (without calling exp: e^−∞ is 0).
public func softmax(_ z: [Double]) -> [Double] {
    guard var largest = z.first else { return [] }
    for value in z where largest < value { largest = value }
    let e = z.map { $0 == -.infinity ? 0 : exp($0 - largest) }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
}

/// `softmax` of every row.
public func softmaxRows(_ z: Tensor) -> Tensor {
    Tensor(shape: z.shape, values: (0..<z.rows).flatMap { softmax(z.row($0)) })
}

/// Scores with every entry above the diagonal set to −∞ (or `value`): query i sees keys 0...i only.
public func causalMask(_ scores: Tensor, with value: Double = -.infinity) -> Tensor {
    var masked = scores
    for i in 0..<scores.rows {
        for j in i + 1..<max(i + 1, scores.cols) { masked[i, j] = value }
    }
    return masked
}

/// ln Σⱼ e^(zⱼ), computed stably.
public func logSumExp(_ z: [Double]) -> Double {
    guard let largest = z.max() else { return -.infinity }
    return largest + log(z.reduce(0) { $0 + exp($1 - largest) })
}

/// The first index of the largest value.
public func argmax(_ v: [Double]) -> Int {
    var best = 0
    for i in v.indices where v[i] > v[best] { best = i }
    return best
}

/// The heads' column blocks: [T][d] → H × [T][d/H].
func splitHeads(_ x: Tensor, count: Int) -> [Tensor] {
    let width = x.cols / count
    return (0..<count).map { h in x[columns: h * width..<(h + 1) * width] }
}

/// The heads side by side again: H × [T][d_head] → [T][d].
func mergeHeads(_ heads: [Tensor]) -> Tensor {
    let t = heads.first?.rows ?? 0
    return Tensor(shape: [t, heads.reduce(0) { $0 + $1.cols }],
                  values: (0..<t).flatMap { i in heads.flatMap { $0.row(i) } })
}

/// Σ over the rows, in order: [T][n] → [n] (the gradient of a bias added to every row).
public func sumRows(_ a: Tensor) -> [Double] {
    var sum = [Double](repeating: 0, count: a.cols)
    for i in 0..<a.rows {
        for j in 0..<a.cols { sum[j] += a[i, j] }
    }
    return sum
}
