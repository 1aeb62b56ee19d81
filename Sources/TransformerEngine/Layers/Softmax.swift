import Foundation

public enum Softmax {
    /// softmax(zᵢ) = e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z). Entries that are nil (masked) get exactly 0.
    /// Subtracting the max keeps it finite for logits of ±1000.
    public static func apply(_ z: [Double?]) -> Vector {
        let present = z.compactMap { $0 }
        guard let maxValue = present.max() else { return z.map { _ in 0 } }
        let exps = z.map { $0.map { exp($0 - maxValue) } ?? 0 }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    public static func apply(_ z: Vector) -> Vector {
        if z.isEmpty { return [] }
        var out = Vector(repeating: 0, count: z.count)
        z.withUnsafeBufferPointer { zp in
            out.withUnsafeMutableBufferPointer { op in
                causalRow(zp.baseAddress!, visible: z.count, total: z.count, into: op.baseAddress!)
            }
        }
        return out
    }

    /// ln Σⱼ e^(zⱼ), computed stably.
    public static func logSumExp(_ z: Vector) -> Double {
        guard let maxValue = z.max() else { return -.infinity }
        return maxValue + log(z.reduce(0) { $0 + exp($1 - maxValue) })
    }

    /// `apply` on every row of z.
    static func rows(_ z: Mat) -> Mat {
        var p = z
        let (rows, n) = (z.rows, z.cols)
        if z.values.isEmpty { return p }
        z.values.withUnsafeBufferPointer { z in
            p.values.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows {
                    causalRow(z.baseAddress! + r * n, visible: n, total: n, into: out.baseAddress! + r * n)
                }
            }
        }
        return p
    }

    /// `apply` for a row whose first `visible` entries are present and the rest masked, as in
    /// causal attention, written to `out[0..<total]` — the same numbers as `apply(_: [Double?])`:
    /// the max the way `Sequence.max()` finds it, the sum from 0 left to right (the masked
    /// zeros at its end change nothing), and each masked entry 0 / sum.
    static func causalRow(_ z: UnsafePointer<Double>, visible: Int, total: Int, into out: UnsafeMutablePointer<Double>) {
        guard visible > 0 else {
            for j in 0..<total { out[j] = 0 }
            return
        }
        var maxValue = z[0]
        for j in 1..<visible where maxValue < z[j] { maxValue = z[j] }
        var sum = 0.0
        for j in 0..<visible {
            let e = exp(z[j] - maxValue)
            out[j] = e
            sum += e
        }
        for j in 0..<visible { out[j] = out[j] / sum }
        for j in visible..<total { out[j] = 0 / sum }
    }
}
