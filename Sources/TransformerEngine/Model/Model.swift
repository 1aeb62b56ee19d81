/// A decoder-only pre-norm transformer, as read from a model file.
public struct Model: Sendable {
    public var name: String?
    public var vocab: [String]
    public var tokenizer: Tokenizer
    public var config: ModelConfig
    public var weights: Weights
    public var prompt: Prompt
    /// The file's optional `"training"` object; nil when absent (then `TrainingConfig.default` applies).
    public var training: TrainingConfig? = nil

    public init(name: String?, vocab: [String], tokenizer: Tokenizer, config: ModelConfig, weights: Weights,
                prompt: Prompt, training: TrainingConfig? = nil) {
        (self.name, self.vocab, self.tokenizer, self.config) = (name, vocab, tokenizer, config)
        (self.weights, self.prompt, self.training) = (weights, prompt, training)
    }

    /// Vocabulary word → id (the seed's "stoi").
    public var stoi: [String: Int] {
        Dictionary(vocab.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

public struct ModelConfig: Sendable {
    public var dModel: Int
    public var nHeads: Int
    public var nLayers: Int
    public var dFF: Int
    public var maxPositions: Int
    public var activation: Activation
    public var layerNormEps: Double
    public var finalLayerNorm: Bool

    public var dHead: Int { dModel / nHeads }

    public init(dModel: Int, nHeads: Int, nLayers: Int, dFF: Int, maxPositions: Int, activation: Activation,
                layerNormEps: Double, finalLayerNorm: Bool) {
        (self.dModel, self.nHeads, self.nLayers, self.dFF, self.maxPositions) = (dModel, nHeads, nLayers, dFF, maxPositions)
        (self.activation, self.layerNormEps, self.finalLayerNorm) = (activation, layerNormEps, finalLayerNorm)
    }
}

public struct LayerWeights: Sendable {
    public var wQ, wK, wV, wO: Tensor      // [d_model][d_model]
    public var w1: Tensor                  // [d_model][d_ff]
    public var w2: Tensor                  // [d_ff][d_model]
    public var bQ, bK, bV, bO: [Double]?   // [d_model]
    public var b1: [Double]?               // [d_ff]
    public var b2: [Double]?               // [d_model]
    public var ln1: LayerNormParameters
    public var ln2: LayerNormParameters

    public init(wQ: Tensor, wK: Tensor, wV: Tensor, wO: Tensor, w1: Tensor, w2: Tensor,
                bQ: [Double]?, bK: [Double]?, bV: [Double]?, bO: [Double]?, b1: [Double]?, b2: [Double]?,
                ln1: LayerNormParameters, ln2: LayerNormParameters) {
        (self.wQ, self.wK, self.wV, self.wO, self.w1, self.w2) = (wQ, wK, wV, wO, w1, w2)
        (self.bQ, self.bK, self.bV, self.bO, self.b1, self.b2) = (bQ, bK, bV, bO, b1, b2)
        (self.ln1, self.ln2) = (ln1, ln2)
    }
}

public struct Weights: Sendable {
    public var tokEmb: Tensor              // [vocab][d_model]
    public var posEmb: Tensor              // [max_positions][d_model]
    public var layers: [LayerWeights]
    public var wLM: TransposedMatrix       // [d_model][vocab], held as [vocab][d_model] (a checkpoint's layout)
    public var bLM: [Double]?              // [vocab]
    public var lnf: LayerNormParameters

    public init(tokEmb: Tensor, posEmb: Tensor, layers: [LayerWeights], wLM: TransposedMatrix, bLM: [Double]?, lnf: LayerNormParameters) {
        (self.tokEmb, self.posEmb, self.layers, self.wLM, self.bLM, self.lnf) = (tokEmb, posEmb, layers, wLM, bLM, lnf)
    }
}

/// The text the forward pass runs on, already split into vocabulary ids.
public struct Prompt: Sendable {
    public var text: String
    public var tokens: [String]
    public var ids: [Int]
    public var target: String?
    public var targetID: Int?

    public init(text: String, tokens: [String], ids: [Int], target: String?, targetID: Int?) {
        (self.text, self.tokens, self.ids, self.target, self.targetID) = (text, tokens, ids, target, targetID)
    }

    /// Ids alone, without text or target (a window of a training corpus).
    public init(ids: [Int]) {
        self.init(text: "", tokens: ids.map { _ in "" }, ids: ids, target: nil, targetID: nil)
    }
}

/// The short training run of the learning chapter: `"training": {"learning_rate": 0.02, "steps": 40}`.
/// Either key may be left out; it then takes the value of `TrainingConfig.default`.
public struct TrainingConfig: Sendable, Equatable {
    /// η in W ← W − η·∇W; finite and > 0.
    public var learningRate: Double
    /// Gradient steps to take, 1…10000.
    public var steps: Int

    public init(learningRate: Double = TrainingConfig.default.learningRate, steps: Int = TrainingConfig.default.steps) {
        self.learningRate = learningRate
        self.steps = steps
    }

    /// η = 0.02, 40 steps: the seed model's prediction flips from "cat" to "mat" at step 10 and
    /// p(mat) climbs from 0.16 to 0.61 (only the matrices it holds train; it has no biases and no
    /// LayerNorm γ/β). With η = 0.5 it flips after the very first step.
    public static let `default` = TrainingConfig(learningRate: 0.02, steps: 40)
    public static let maxSteps = 10_000
}
