import Checkpoints

/// What `sitegen train` is asked to do; the defaults are issue 15's.
public struct TrainingOptions: Sendable, Equatable {
    public var tokenizer: TrainedTokenizer.Kind = .bpe
    public var vocabSize = 512
    public var dModel = 64
    public var layers = 2
    public var heads = 4
    public var context = 64
    public var steps = 2000
    public var batch = 16
    public var learningRate = 3e-3
    public var seed: UInt64 = 0
    public var valFraction = 0.1
    /// Write a checkpoint every this many steps (0: only at the start and the end).
    public var checkpointEvery = 200

    public init() {}

    /// The options as training.json records them.
    var json: [(String, String)] {
        [("tokenizer", "\"\(tokenizer.rawValue)\""), ("vocab_size", "\(vocabSize)"), ("d_model", "\(dModel)"),
         ("layers", "\(layers)"), ("heads", "\(heads)"), ("context", "\(context)"), ("steps", "\(steps)"),
         ("batch", "\(batch)"), ("learning_rate", "\(learningRate)"), ("seed", "\(seed)"),
         ("val_fraction", "\(valFraction)"), ("checkpoint_every", "\(checkpointEvery)")]
    }

    /// The GPT-2 these options describe, for a vocabulary of `vocabularySize` ids.
    public func config(vocabularySize: Int) -> GPT2Config {
        GPT2Config(nEmbd: dModel, nLayer: layers, nHead: heads, nPositions: context, vocabSize: vocabularySize,
                   layerNormEpsilon: 1e-5, activation: .geluTanh)
    }
}
