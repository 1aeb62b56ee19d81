import Foundation

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
        for k in parameters.tensors.indices {
            let decay = parameters.tensors[k].isMatrix ? weightDecay : 0
            for j in parameters.tensors[k].values.indices {
                let g = gradients[k][j]
                m[k][j] = beta1 * m[k][j] + (1 - beta1) * g
                v[k][j] = beta2 * v[k][j] + (1 - beta2) * g * g
                let mHat = m[k][j] / correction1, vHat = v[k][j] / correction2
                var theta = parameters.tensors[k].values[j]
                theta -= eta * decay * theta
                theta -= eta * mHat / (vHat.squareRoot() + epsilon)
                parameters.tensors[k].values[j] = theta
            }
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
