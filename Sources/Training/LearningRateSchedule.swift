import FoundationEssentials
import Glibc

/// Linear warmup, then cosine decay to a tenth. With peak rate η, S steps and
/// W = min(100, ⌊S/10⌋) warmup steps, step t (1…S) uses
///
///     η·t/W                                         for t ≤ W
///     η·(0.1 + 0.9·½·(1 + cos(π·(t − W)/(S − W))))  for t > W
///
/// so the rate climbs to η at step W and falls to 0.1·η at step S.
public struct LearningRateSchedule: Sendable, Equatable {
    public let peak: Double
    public let steps: Int
    public var warmup: Int { min(100, steps / 10) }

    public init(peak: Double, steps: Int) {
        self.peak = peak
        self.steps = steps
    }

    public func rate(at t: Int) -> Double {
        if t <= warmup { return peak * Double(t) / Double(warmup) }
        let progress = Double(t - warmup) / Double(max(1, steps - warmup))
        return peak * (0.1 + 0.9 * 0.5 * (1 + cos(Double.pi * progress)))
    }
}
