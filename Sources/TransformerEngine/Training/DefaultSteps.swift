/// How many steps the learning chapter's training run takes when neither the model file nor
/// `--steps` says: 40 (`TrainingConfig.default`) for a small model, fewer as the model grows,
/// so that the default build stays within its time budget. The gradient and the first step are
/// always computed exactly, so a run never has fewer than 1 step.
extension TrainingConfig {
    /// Multiply-adds the default training run may spend: about a second of this engine's
    /// products on one core.
    public static let defaultRunWork = 2_000_000_000

    /// The multiply-adds of one forward pass of `config` on `tokens` tokens and a vocabulary of
    /// `vocabSize`: per layer q, k, v, o (4·T·d²), the MLP (2·T·d·d_ff) and the attention
    /// scores and sums (2·T²·d), then the LM head (T·d·V).
    public static func forwardWork(_ config: ModelConfig, tokens t: Int, vocabSize v: Int) -> Int {
        let d = config.dModel
        let layer = 4 * t * d * d + 2 * t * d * config.dFF + 2 * t * t * d
        return config.nLayers * layer + t * d * v
    }

    /// `TrainingConfig.default.steps`, or as many steps as `defaultRunWork` allows when a step
    /// (a forward pass, the backward pass at about twice its work) costs more; at least 1.
    public static func defaultSteps(_ config: ModelConfig, tokens: Int, vocabSize: Int) -> Int {
        let step = 3 * max(1, forwardWork(config, tokens: tokens, vocabSize: vocabSize))
        return max(1, min(TrainingConfig.default.steps, defaultRunWork / step))
    }
}
