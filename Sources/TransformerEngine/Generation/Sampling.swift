/// One step of the sampled continuation, in the order transformers applies its warpers:
///
///     p = softmax(z / T)
///     keep the K largest pᵢ (ties: the lower id), renormalise          (top-k, K = 0: all)
///     keep the smallest prefix whose mass reaches P, renormalise     (top-p, P = 1: all)
///     cⱼ = p₁ + … + pⱼ over the kept tokens in descending order;
///     the chosen token is the j with cⱼ₋₁ ≤ u < cⱼ.
public struct SamplingStep: Sendable, Equatable {
    /// The last position's logits z, over the whole vocabulary.
    public var logits: [Double]
    /// softmax(z / T), over the whole vocabulary.
    public var tempered: [Double]
    /// Ids in descending probability (ties: lower id first) after top-k.
    public var topK: [Int]
    /// Their renormalised probabilities, same order.
    public var topKProbs: [Double]
    /// Ids kept after top-p: a prefix of `topK`.
    public var kept: [Int]
    /// Their renormalised probabilities, same order.
    public var probs: [Double]
    /// The uniform number drawn for this step.
    public var u: Double
    /// The chosen id: `kept[j]` for the interval [cⱼ₋₁, cⱼ) holding u.
    public var id: Int
}

public enum Sampling {
    /// Ids ordered by descending value, ties by ascending id.
    public static func descendingOrder(_ p: [Double]) -> [Int] {
        p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
    }

    /// x / Σx.
    public static func renormalised(_ x: [Double]) -> [Double] {
        let sum = x.reduce(0, +)
        return x.map { $0 / sum }
    }

    /// The first `k` entries of `order` (all of them for k = 0).
    public static func topK(_ order: [Int], k: Int) -> [Int] {
        k == 0 ? order : Array(order.prefix(k))
    }

    /// How many leading entries of `probs` (descending) it takes for their sum to reach `p`;
    /// at least one, all of them when p = 1 or rounding keeps the sum below p.
    public static func topPCount(_ probs: [Double], p: Double) -> Int {
        guard p < 1 else { return probs.count }
        var mass = 0.0
        for (j, q) in probs.enumerated() {
            mass += q
            if mass >= p { return j + 1 }
        }
        return probs.count
    }

    /// The index j of the interval [cⱼ₋₁, cⱼ) that holds u, with cⱼ = probs[0] + … + probs[j]
    /// (the last index when rounding leaves u at or above the final sum).
    public static func interval(holding u: Double, probs: [Double]) -> Int {
        var c = 0.0
        for (j, q) in probs.enumerated() {
            c += q
            if u < c { return j }
        }
        return probs.count - 1
    }

    /// One step on the logits z of the last position, with the uniform number u.
    public static func step(logits z: [Double], u: Double, settings s: GenerationSettings) -> SamplingStep {
        let tempered = softmax(z.map { $0 / s.temperature })                         // softmax(z / T)
        let topK = topK(descendingOrder(tempered), k: s.topK)                        // K most likely
        let topKProbs = renormalised(topK.map { tempered[$0] })
        let keptCount = topPCount(topKProbs, p: s.topP)                              // smallest prefix with mass ≥ P
        let kept = Array(topK.prefix(keptCount))
        let probs = renormalised(Array(topKProbs.prefix(keptCount)))
        let id = kept[interval(holding: u, probs: probs)]
        return SamplingStep(logits: z, tempered: tempered, topK: topK, topKProbs: topKProbs,
                            kept: kept, probs: probs, u: u, id: id)
    }
}
