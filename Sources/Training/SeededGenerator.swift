import FoundationEssentials
import TransformerEngine
import Glibc

/// The one random-number generator of training: the engine's SplitMix64 (Steele, Lea and
/// Flood, 2014), started at `state = seed`, the same generator the sampled continuation uses.
/// Written out there, not taken from the standard library, so the same seed draws the same
/// numbers with every Swift version.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var splitMix: SplitMix64

    public init(seed: UInt64) { splitMix = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { splitMix.next() }

    /// A whole number in 0..<n: the next output modulo n (the bias, at most n / 2⁶⁴, is negligible).
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0, "below(\(n))")
        return Int(next() % UInt64(n))
    }

    /// A number in [0, 1): the top 53 bits of the next output, over 2⁵³.
    public mutating func unit() -> Double { splitMix.nextUnit() }

    /// A standard normal by the Box–Muller transform: √(−2 ln u₁)·cos(2π u₂), u₁ in (0, 1].
    public mutating func normal() -> Double {
        let u1 = 1 - unit(), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
