import ArgumentParser
import SiteBuilder

/// The `--max-…` options: each lifts one of the size limits a model is checked against
/// (`SizeLimits`), for a model the defaults refuse. A lifted limit means a bigger site, more
/// time and more memory.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("max-layers"), parsing: .unconditional, help: help("config.n_layers"))
    var layers: Int = ModelLimits.maxLayers

    @Option(name: .customLong("max-d-model"), parsing: .unconditional, help: help("config.d_model"))
    var dModel: Int = ModelLimits.maxDModel

    @Option(name: .customLong("max-d-ff"), parsing: .unconditional, help: help("config.d_ff"))
    var dFF: Int = ModelLimits.maxDFF

    @Option(name: .customLong("max-vocab"), parsing: .unconditional, help: help("vocabulary (in words)"))
    var vocab: Int = ModelLimits.maxVocab

    @Option(name: .customLong("max-positions"), parsing: .unconditional, help: help("config.max_positions"))
    var positions: Int = ModelLimits.maxPositions

    @Option(name: .customLong("max-prompt-tokens"), parsing: .unconditional,
            help: ArgumentHelp("Refuse a prompt of more than n tokens, or of more than \(ModelLimits.promptCharactersPerToken)·n characters (at least \(ModelLimits.maxPromptLength)).", valueName: "n"))
    var promptTokens: Int = ModelLimits.maxPromptTokens

    @Option(name: .customLong("max-layer-tokens"), parsing: .unconditional,
            help: ArgumentHelp("Refuse a model whose layers × prompt tokens are over n (the site has pages for every layer and token).", valueName: "n"))
    var layerTokens: Int = ModelLimits.maxLayerTokens

    @Option(name: .customLong("max-model-file-mb"), parsing: .unconditional,
            help: ArgumentHelp("Refuse a model file (JSON) of more than n MB before reading it (a checkpoint's binary weights are not bound by it).", valueName: "n"))
    var modelFileMB: Int = ModelLimits.maxModelFileBytes >> 20

    static func help(_ what: String) -> ArgumentHelp {
        ArgumentHelp("Refuse a model whose \(what) is over n.", valueName: "n")
    }

    /// Every limit must be a whole number ≥ 1.
    func validate() throws {
        let all = [("--max-layers", layers), ("--max-d-model", dModel), ("--max-d-ff", dFF), ("--max-vocab", vocab),
                   ("--max-positions", positions), ("--max-prompt-tokens", promptTokens), ("--max-layer-tokens", layerTokens),
                   ("--max-model-file-mb", modelFileMB)]
        for (option, value) in all where value < 1 {
            throw ValidationError("\(option) is \(value), expected a whole number ≥ 1")
        }
        if modelFileMB > Int.max >> 20 { throw ValidationError("--max-model-file-mb is \(modelFileMB), expected at most \(Int.max >> 20)") }
    }

    var sizeLimits: SizeLimits {
        var limits = SizeLimits()
        (limits.layers, limits.dModel, limits.dFF, limits.vocab) = (layers, dModel, dFF, vocab)
        (limits.positions, limits.promptTokens, limits.layerTokens) = (positions, promptTokens, layerTokens)
        limits.modelFileBytes = modelFileMB << 20
        return limits
    }
}
