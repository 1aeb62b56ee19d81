import FoundationEssentials
import Glibc

/// AdamW (Loshchilov and Hutter): Adam with bias correction and weight decay decoupled from the
/// gradient. At step t (from 1), for each entry θ with gradient g:
///
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
///     m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ)
///     θ ← θ − η·λ·θ − η·m̂ / (√v̂ + ε)      (λ only for matrices)
///
/// with β₁ = 0.9, β₂ = 0.95, ε = 1e-8, λ = 0.1 (nanoGPT's settings; the order of the two
/// updates is PyTorch's: decay first, from the same θ).
public struct AdamW: Sendable {
    public var beta1 = 0.9
    public var beta2 = 0.95
    public var epsilon = 1e-8
    public var weightDecay = 0.1
    public private(set) var step = 0
    var m: [[Double]]
    var v: [[Double]]

    public init(for parameters: GPT2Parameters) {
        m = parameters.tensors.map { [Double](repeating: 0, count: $0.values.count) }
        v = m
    }

    /// One update of `parameters` by `gradients` (layout order) at learning rate `eta`.
    public mutating func update(_ parameters: inout GPT2Parameters, gradients: [[Double]], learningRate eta: Double) {
        step += 1
        let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
        let settings = (beta1: beta1, beta2: beta2, epsilon: epsilon, learningRate: eta,
                        corrections: (correction1, correction2))
        // Each tensor's update reads only its own θ, g, m and v, so the tensors are shared out
        // whole between the cores (two groups of about equal size): the same bits for any split.
        let before = parameters, gradients = gradients, moments = (m: m, v: v), weightDecay = weightDecay
        let groups = Self.groups(parameters.tensors.map(\.values.count), parts: SequenceLoss.cores)
        let updated = inParallel(groups.count) { g in
            groups[g].map { k in
                var theta = before.tensors[k].values, m = moments.m[k], v = moments.v[k]
                Self.update(&theta, m: &m, v: &v, gradient: gradients[k], decay: before.tensors[k].isMatrix ? weightDecay : 0,
                            settings: settings)
                return (theta: theta, m: m, v: v)
            }
        }
        for (group, results) in zip(groups, updated) {
            for (k, result) in zip(group, results) {
                parameters.tensors[k].values = result.theta
                m[k] = result.m
                v[k] = result.v
            }
        }
    }

    /// The tensor indices 0..<sizes.count in at most `parts` groups of about equal total size:
    /// each tensor (largest first) joins the group with the least so far.
    static func groups(_ sizes: [Int], parts: Int) -> [[Int]] {
        var groups = [[Int]](repeating: [], count: max(1, min(parts, sizes.count)))
        var totals = [Int](repeating: 0, count: groups.count)
        for k in sizes.indices.sorted(by: { (sizes[$0], $1) > (sizes[$1], $0) }) {
            let smallest = totals.indices.min { (totals[$0], $0) < (totals[$1], $1) }!
            groups[smallest].append(k)
            totals[smallest] += sizes[k]
        }
        return groups
    }

    /// The update of one tensor θ, entry by entry, with its moments m and v.
    private static func update(_ theta: inout [Double], m: inout [Double], v: inout [Double], gradient: [Double], decay: Double,
                               settings: (beta1: Double, beta2: Double, epsilon: Double, learningRate: Double, corrections: (Double, Double))) {
        let (beta1, beta2, epsilon, eta, corrections) = settings
        for j in theta.indices {
            let g = gradient[j]
            m[j] = beta1 * m[j] + (1 - beta1) * g
            v[j] = beta2 * v[j] + (1 - beta2) * g * g
            let mHat = m[j] / corrections.0, vHat = v[j] / corrections.1
            theta[j] -= eta * decay * theta[j]
            theta[j] -= eta * mHat / (vHat.squareRoot() + epsilon)
        }
    }
}

/// Scales `gradients` so their global L2 norm (over every entry of every tensor) is at most
/// `maxNorm`; returns the norm before clipping.
public func clipGradients(_ gradients: inout [[Double]], maxNorm: Double = 1.0) -> Double {
    let norm = gradients.reduce(0) { total, g in g.reduce(total) { $0 + $1 * $1 } }.squareRoot()
    if norm > maxNorm {
        let scale = maxNorm / norm
        for k in gradients.indices { for j in gradients[k].indices { gradients[k][j] *= scale } }
    }
    return norm
}
