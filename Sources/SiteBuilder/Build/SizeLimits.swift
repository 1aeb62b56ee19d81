/// The size limits of one build: `ModelLimits`' defaults, each lifted by its `--max-…` option
/// (`sitegen --max-layers 200 …`). A lifted limit builds a bigger site, in more time and
/// memory; the messages of a refused model name the option that lifts its limit.
public struct SizeLimits: Sendable, Equatable {
    /// `--max-layers`: config.n_layers.
    public var layers = ModelLimits.maxLayers
    /// `--max-d-model`, `--max-d-ff`: the widths.
    public var dModel = ModelLimits.maxDModel
    public var dFF = ModelLimits.maxDFF
    /// `--max-vocab`: vocabulary words.
    public var vocab = ModelLimits.maxVocab
    /// `--max-positions`: config.max_positions.
    public var positions = ModelLimits.maxPositions
    /// `--max-prompt-tokens`: the prompt's tokens (and its characters, 16 a token, at least 4,096).
    public var promptTokens = ModelLimits.maxPromptTokens
    /// `--max-layer-tokens`: layers × prompt tokens, which bounds the page count.
    public var layerTokens = ModelLimits.maxLayerTokens
    /// `--max-model-file-mb`: a model file (JSON), in bytes.
    public var modelFileBytes = ModelLimits.maxModelFileBytes

    public init() {}

    /// The prompt's length in characters.
    public var promptLength: Int {
        let perToken = ModelLimits.promptCharactersPerToken
        return max(ModelLimits.maxPromptLength, promptTokens > Int.max / perToken ? Int.max : promptTokens * perToken)
    }
}
