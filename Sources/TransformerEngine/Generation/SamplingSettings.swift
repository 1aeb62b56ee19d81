/// How the sampled continuation chooses its tokens, and how long both continuations are.
public struct GenerationSettings: Sendable, Equatable {
    /// New tokens to append, 0 … `largestCount`; past max_positions each step sees the last
    /// max_positions tokens.
    public var count: Int
    /// T in softmax(logits / T); finite and > 0.
    public var temperature: Double
    /// Keep the K most likely tokens; 0 keeps all.
    public var topK: Int
    /// Keep the smallest prefix whose mass reaches P; 1 keeps all. In (0, 1].
    public var topP: Double
    /// The SplitMix64 seed, 0 … 2⁵³ − 1 (so JSON and JavaScript hold it exactly).
    public var seed: UInt64

    public init(count: Int = 8, temperature: Double = 0.8, topK: Int = 0, topP: Double = 1, seed: UInt64 = 0) {
        (self.count, self.temperature, self.topK, self.topP, self.seed) = (count, temperature, topK, topP, seed)
    }

    public static let `default` = GenerationSettings()
    public static let largestSeed: UInt64 = (1 << 53) - 1
    /// The most new tokens a build generates (each is a forward pass per continuation).
    public static let largestCount = 256

    /// What is wrong with the settings, as (option, expected) pairs; empty when they are fine.
    public var problems: [(option: String, message: String)] {
        var found: [(String, String)] = []
        if !(0...GenerationSettings.largestCount).contains(count) { found.append(("--generate", "is \(count), expected a count from 0 to \(GenerationSettings.largestCount)")) }
        if !(temperature.isFinite && temperature > 0) { found.append(("--temperature", "is \(temperature), expected a finite number > 0")) }
        if topK < 0 { found.append(("--top-k", "is \(topK), expected 0 (off) or a count ≥ 1")) }
        if !(topP > 0 && topP <= 1) { found.append(("--top-p", "is \(topP), expected a number in (0, 1] (1 = off)")) }
        if seed > GenerationSettings.largestSeed { found.append(("--seed", "is \(seed), expected 0 … \(GenerationSettings.largestSeed)")) }
        return found
    }
}
