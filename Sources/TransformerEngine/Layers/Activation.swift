import Foundation

/// The MLP's nonlinearity.
public enum Activation: String, Sendable, CaseIterable {
    case relu
    /// The tanh approximation, as GPT-2.
    case gelu

    /// ReLU: max(0, x). GELU: ½·x·(1 + tanh u) with u = √(2/π)·(x + 0.044715·x³).
    public func apply(_ x: Double) -> Double {
        switch self {
        case .relu: max(0, x)
        case .gelu: 0.5 * x * (1 + Activation.tanhU(x))
        }
    }

    /// act′(x). ReLU: 1 for x > 0, else 0 (at the kink the left derivative, as PyTorch).
    /// GELU: ½·(1 + tanh u) + ½·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²).
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .relu:
            return x > 0 ? 1 : 0
        case .gelu:
            let th = Activation.tanhU(x), c = (2 / Double.pi).squareRoot()
            return 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x)
        }
    }

    private static func tanhU(_ x: Double) -> Double {
        tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))
    }
}
