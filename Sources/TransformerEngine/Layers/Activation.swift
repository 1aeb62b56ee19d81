import FoundationEssentials
import Glibc

/// The MLP's nonlinearity.
public enum Activation: String, Sendable, CaseIterable {
    case relu
    /// The tanh approximation, as GPT-2 (`gelu_new` in a Hugging Face config).
    case gelu
    /// The exact form x·Φ(x) with the normal CDF Φ, as nanoGPT (`gelu` in a Hugging Face config).
    case geluExact = "gelu_exact"

    /// ReLU: max(0, x). GELU: ½·x·(1 + tanh u) with u = √(2/π)·(x + 0.044715·x³).
    /// Exact GELU: x·Φ(x) = ½·x·(1 + erf(x/√2)).
    public func apply(_ x: Double) -> Double {
        switch self {
        case .relu: max(0, x)
        case .gelu: 0.5 * x * (1 + Activation.tanhU(x))
        case .geluExact: x * Activation.normalCDF(x)
        }
    }

    /// act′(x). ReLU: 1 for x > 0, else 0 (at the kink the left derivative, as PyTorch).
    /// GELU: ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²).
    /// Exact GELU: Φ(x) + x·φ(x), with the normal density φ(x) = e^(−x²/2)/√(2π).
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .relu:
            return x > 0 ? 1 : 0
        case .gelu:
            let th = Activation.tanhU(x), c = (2 / Double.pi).squareRoot()
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x)
        case .geluExact:
            return Activation.normalCDF(x) + x * exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        }
    }

    /// act(x) and act′(x) together, the bits of `apply` and `derivative` (GELU's tanh once).
    public func applyAndDerivative(_ x: Double) -> (value: Double, derivative: Double) {
        guard self == .gelu else { return (apply(x), derivative(x)) }
        let th = Activation.tanhU(x), c = (2 / Double.pi).squareRoot()
        return (0.5 * x * (1 + th), 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x))
    }

    private static func tanhU(_ x: Double) -> Double {
        tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))
    }

    /// Φ(x) = ½·(1 + erf(x/√2)).
    private static func normalCDF(_ x: Double) -> Double {
        0.5 * (1 + erf(x / 2.0.squareRoot()))
    }
}
