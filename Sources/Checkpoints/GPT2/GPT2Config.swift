/// The keys of a GPT-2 `config.json` that decide the computation.
public struct GPT2Config: Sendable, Equatable {
    public enum Activation: String, Sendable {
        /// The tanh approximation GPT-2 was trained with (`gelu_new`, also `gelu_pytorch_tanh`).
        case geluTanh = "gelu_new"
        /// The exact erf form (`gelu`, as nanoGPT).
        case geluExact = "gelu"
        case relu
    }

    public var nEmbd: Int
    public var nLayer: Int
    public var nHead: Int
    public var nPositions: Int
    public var vocabSize: Int
    public var layerNormEpsilon: Double
    /// The MLP's hidden width: `n_inner`, or 4·n_embd when it is null or absent.
    public var nInner: Int
    public var activation: Activation
    /// `lm_head` shares `wte` (absent means tied).
    public var tieWordEmbeddings: Bool

    public var headSize: Int { nEmbd / nHead }

    /// The largest size a key may give (2³¹ − 1), so that shapes such as 3·n_embd and
    /// vocab_size × n_embd are computed without overflow.
    public static let largestSize = Int(Int32.max)

    public init(nEmbd: Int, nLayer: Int, nHead: Int, nPositions: Int, vocabSize: Int,
                layerNormEpsilon: Double, nInner: Int? = nil, activation: Activation, tieWordEmbeddings: Bool = true) {
        self.nEmbd = nEmbd
        self.nLayer = nLayer
        self.nHead = nHead
        self.nPositions = nPositions
        self.vocabSize = vocabSize
        self.layerNormEpsilon = layerNormEpsilon
        self.nInner = nInner ?? 4 * nEmbd
        self.activation = activation
        self.tieWordEmbeddings = tieWordEmbeddings
    }

    public static func read(path: String, shownAs file: String? = nil) throws -> GPT2Config {
        let file = file ?? path
        return try GPT2Config(object: readJSONObject(path, shownAs: file), file: file)
    }

    /// Checks every key it uses; other keys are ignored.
    init(object: [String: JSONValue], file: String) throws {
        func fail(_ key: String, _ message: String) -> CheckpointError {
            CheckpointError(file: file, subject: "key \(key)", message: message)
        }
        func required(_ key: String, _ expected: String) throws -> JSONValue {
            guard let value = object[key] else { throw fail(key, "is missing, expected \(expected)") }
            return value
        }
        func positive(_ key: String) throws -> Int {
            let value = try required(key, "a whole number ≥ 1")
            guard let number = value.integerValue else { throw fail(key, "is \(value.kind), expected a whole number ≥ 1") }
            guard number >= 1, number <= Self.largestSize else {
                throw fail(key, "is \(number), expected a whole number from 1 to \(Self.largestSize)")
            }
            return number
        }

        let modelType = try required("model_type", "\"gpt2\"")
        guard let typeName = modelType.stringValue else { throw fail("model_type", "is \(modelType.kind), expected \"gpt2\"") }
        guard typeName == "gpt2" else {
            throw fail("model_type", "is \"\(typeName)\", expected \"gpt2\" (sitegen reads GPT-2 checkpoints only)")
        }
        nEmbd = try positive("n_embd")
        nLayer = try positive("n_layer")
        nHead = try positive("n_head")
        guard nEmbd % nHead == 0 else {
            throw fail("n_head", "is \(nHead), which does not divide n_embd (\(nEmbd)); expected a divisor of n_embd")
        }
        nPositions = try positive("n_positions")
        vocabSize = try positive("vocab_size")

        let epsilon = try required("layer_norm_epsilon", "a number > 0")
        guard let epsilonValue = epsilon.numberValue else { throw fail("layer_norm_epsilon", "is \(epsilon.kind), expected a number > 0") }
        guard epsilonValue > 0, epsilonValue.isFinite else { throw fail("layer_norm_epsilon", "is \(epsilonValue), expected a number > 0") }
        layerNormEpsilon = epsilonValue

        switch object["n_inner"] {
        case nil, .null?: nInner = 4 * nEmbd
        case .integer(let width)? where width >= 1 && width <= Self.largestSize: nInner = width
        case let other?: throw fail("n_inner", "is \(other.kind == "a whole number" ? "\(other.integerValue!)" : other.kind), expected null or a whole number from 1 to \(Self.largestSize)")
        }

        let activationValue = try required("activation_function", "\"gelu_new\", \"gelu\" or \"relu\"")
        guard let activationName = activationValue.stringValue else {
            throw fail("activation_function", "is \(activationValue.kind), expected \"gelu_new\", \"gelu\" or \"relu\"")
        }
        switch activationName {
        case "gelu_new", "gelu_pytorch_tanh": activation = .geluTanh
        case "gelu": activation = .geluExact
        case "relu": activation = .relu
        default: throw fail("activation_function", "is \"\(activationName)\", expected \"gelu_new\", \"gelu_pytorch_tanh\", \"gelu\" or \"relu\"")
        }

        switch object["tie_word_embeddings"] {
        case nil: tieWordEmbeddings = true
        case .bool(let tied)?: tieWordEmbeddings = tied
        case let other?: throw fail("tie_word_embeddings", "is \(other.kind), expected true or false")
        }

        // Options that would change the attention from the one sitegen computes.
        if let value = object["scale_attn_weights"], value != .bool(true) {
            throw fail("scale_attn_weights", "is \(value == .bool(false) ? "false" : value.kind), expected true (scores divided by √head size)")
        }
        if let value = object["scale_attn_by_inverse_layer_idx"], value != .bool(false) {
            throw fail("scale_attn_by_inverse_layer_idx", "is \(value == .bool(true) ? "true" : value.kind), expected false")
        }
    }
}
