import FoundationEssentials
import TransformerEngine

/// What to build and where.
public struct BuildOptions: Sendable {
    /// The model file; nil: the built-in seed model (see `BuiltInDefaults`).
    public var modelPath: String?
    public var outputPath: String = "Site"
    /// The templates folder; nil: the built-in templates.
    public var templatesPath: String?
    /// Override the model file's prompt and target.
    public var text: String? = nil
    public var target: String? = nil
    /// Override the model file's `"training"` settings for the learning chapter.
    public var learningRate: Double? = nil
    public var steps: Int? = nil
    /// The generation chapter's continuations (--generate, --temperature, --top-k, --top-p, --seed).
    public var generation: GenerationSettings = .default
    /// The tokens whose views of the per-token stages are written (`--follow`; default: the last).
    public var follow: FollowedTokens = .last
    /// The size limits a model must be within (`--max-layers` …; default `ModelLimits`').
    public var limits = SizeLimits()
    /// The size past which trace.json is split into layer files (tests lower it).
    var traceInlineLimit = TraceFiles.inlineLimit

    public init(modelPath: String? = nil, outputPath: String = "Site", templatesPath: String? = nil,
                text: String? = nil, target: String? = nil, learningRate: Double? = nil, steps: Int? = nil,
                generation: GenerationSettings = .default, follow: FollowedTokens = .last, limits: SizeLimits = SizeLimits()) {
        self.generation = generation
        self.limits = limits
        self.follow = follow
        self.learningRate = learningRate
        self.steps = steps
        self.modelPath = modelPath
        self.outputPath = outputPath
        self.templatesPath = templatesPath
        self.text = text
        self.target = target
    }

    /// How messages name the model file.
    public var modelLabel: String { modelPath ?? BuiltInDefaults.modelLabel }
    /// How messages name the templates folder.
    public var templatesLabel: String { templatesPath ?? BuiltInDefaults.templatesLabel }
}

/// What a build did.
public struct BuildReport: Sendable {
    public var pageCount: Int
    public var fileCount: Int
    public var totalBytes: Int
    public var prediction: String
    public var target: String?
    public var loss: Double?
    public var steps: [(name: String, seconds: Double)]
    public var seconds: Double
}
