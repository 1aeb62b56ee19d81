/// The stages of the forward pass, one page each, in the seed's order. A model with several
/// layers gets the four block stages once per layer.
enum Stage: Hashable, Sendable {
    case overview, tokens, embeddings, positions
    case layerNorm(Int), attention(Int), residual(Int), mlp(Int)
    case lmHead, prediction
    /// The generation chapter and the playground: the prompt continued, and the reader's own prompt.
    case generate, playground
    /// The learning chapter: how the loss moves the weights.
    case gradient, backprop, step, training

    static func all(layers: Int) -> [Stage] {
        [.overview, .tokens, .embeddings, .positions]
            + (0..<layers).flatMap { [Stage.layerNorm($0), .attention($0), .residual($0), .mlp($0)] }
            + [.lmHead, .prediction, .generate, .playground, .gradient, .backprop, .step, .training]
    }

    var template: String {
        switch self {
        case .overview: "index"
        case .tokens: "tokens"
        case .embeddings: "embeddings"
        case .positions: "positions"
        case .layerNorm: "layernorm"
        case .attention: "attention"
        case .residual: "residual"
        case .mlp: "mlp"
        case .lmHead: "lm-head"
        case .prediction: "prediction"
        case .generate: "generate"
        case .playground: "playground"
        case .gradient: "gradient"
        case .backprop: "backprop"
        case .step: "step"
        case .training: "training"
        }
    }

    /// Pages that show the learning chapter's numbers (the overview names the training run).
    var needsLearning: Bool { isLearning || self == .overview }

    var layer: Int? {
        switch self {
        case .layerNorm(let l), .attention(let l), .residual(let l), .mlp(let l): l
        default: nil
        }
    }

    /// Short name in the stage map and the pager.
    var label: String {
        switch self {
        case .overview: "Overview"
        case .tokens: "Tokens"
        case .embeddings: "Embeddings"
        case .positions: "Positions"
        case .layerNorm: "LayerNorm"
        case .attention: "Attention"
        case .residual: "W_o + residual"
        case .mlp: "MLP + residual"
        case .lmHead: "LM head"
        case .prediction: "Prediction"
        case .generate: "Generation"
        case .playground: "Playground"
        case .gradient: "Gradient"
        case .backprop: "Backprop"
        case .step: "One step"
        case .training: "Training"
        }
    }

    var isLearning: Bool {
        switch self {
        case .gradient, .backprop, .step, .training: true
        default: false
        }
    }

    /// Pages whose worked examples follow one token of the prompt.
    var followsFocus: Bool {
        switch self {
        case .overview, .tokens, .embeddings, .generate, .playground, .gradient, .backprop, .step, .training: false
        default: true
        }
    }

    /// The page's file name; the default focus (the last token) has the plain name,
    /// other focus tokens a `-tN` suffix (N = position, from 0).
    func fileName(multiLayer: Bool, focus: Int?, lastToken: Int) -> String {
        var base = template
        if let layer, multiLayer { base = "layer\(layer + 1)-" + base }
        if followsFocus, let focus, focus != lastToken { base += "-t\(focus)" }
        return base + ".html"
    }
}
