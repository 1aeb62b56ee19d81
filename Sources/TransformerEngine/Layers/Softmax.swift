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

    public static func apply(_ z: Vector) -> Vector { apply(z.map { Optional($0) }) }

    /// ln Σⱼ e^(zⱼ), computed stably.
    public static func logSumExp(_ z: Vector) -> Double {
        guard let maxValue = z.max() else { return -.infinity }
        return maxValue + log(z.reduce(0) { $0 + exp($1 - maxValue) })
    }
}
