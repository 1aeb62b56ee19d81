import ModelFormats
import TransformerEngine

/// `model.js`: the model file as a script the playground loads with a script element
/// (pages opened from file:// cannot fetch model.json). Only for weights up to 16 MB;
/// for bigger models the playground says why it is not offered.
enum ModelScript {
    static let name = "model.js"
    static let largestModelBytes = 16 * 1024 * 1024

    static func isOffered(modelBytes: Int) -> Bool { modelBytes <= largestModelBytes }

    /// `const sitegenModel = <model.json>;` — a JSON object is a JavaScript expression.
    static func bytes(model: [UInt8]) -> [UInt8] {
        Array("// The model file (model.json) for the playground's in-browser engine.\nconst sitegenModel = ".utf8) + model + Array(";\n".utf8)
    }

    /// A checkpoint site's playground: the model in the model file's form, and the checkpoint's
    /// tokenizer.json as `sitegenModel.bpe` (engine.js encodes the reader's text with it).
    enum Checkpoint {
        /// The script, or why the playground is not offered.
        static func script(model: Model, checkpoint: CheckpointSummary) -> Result<[UInt8], Unavailable> {
            guard model.config.activation != .geluExact else { return .failure(.exactGELU) }
            guard let tokenizer = checkpoint.files.first(where: { $0.name == "tokenizer.json" })?.bytes,
                  isByteLevelBPE(tokenizer) else { return .failure(.tokenizer) }
            // Each weight takes at least 2 bytes as text ("0," and more): a model past the limit
            // so counted is refused without writing gigabytes of text to measure them.
            let count = weightCount(model.weights)
            guard isOffered(modelBytes: 2 * count) else { return .failure(.tooManyWeights(count: count)) }
            let weights = model.modelFileJSON().renderedBytes()
            guard isOffered(modelBytes: weights.count) else { return .failure(.tooBig(bytes: weights.count)) }
            return .success(Array("// The checkpoint's weights (the model file's form) and its tokenizer.json, for the playground's in-browser engine.\nconst sitegenModel = ".utf8)
                            + weights + Array(";\nsitegenModel.bpe = ".utf8) + tokenizer + Array(";\n".utf8))
        }

        /// Every number of the model's weights.
        static func weightCount(_ w: Weights) -> Int {
            var n = w.tokEmb.values.count + w.posEmb.values.count + w.wLM.values.count + (w.bLM?.count ?? 0)
            n += (w.lnf.gamma?.count ?? 0) + (w.lnf.beta?.count ?? 0)
            for l in w.layers {
                n += [l.wQ, l.wK, l.wV, l.wO, l.w1, l.w2].reduce(0) { $0 + $1.values.count }
                n += [l.bQ, l.bK, l.bV, l.bO, l.b1, l.b2, l.ln1.gamma, l.ln1.beta, l.ln2.gamma, l.ln2.beta]
                    .reduce(0) { $0 + ($1?.count ?? 0) }
            }
            return n
        }

        enum Unavailable: Error {
            case exactGELU, tokenizer, tooBig(bytes: Int), tooManyWeights(count: Int)

            var reason: String {
                switch self {
                case .exactGELU:
                    return "This checkpoint uses the exact (erf) GELU, which the in-browser engine does not compute, so the playground is not offered."
                case .tokenizer:
                    return "The in-browser playground reads a byte-level BPE tokenizer.json (GPT-2's); this checkpoint has none, so it is not offered."
                case .tooBig(let bytes):
                    return "The checkpoint's weights are \(NumberFormat.short(Double(bytes) / 1_048_576, decimals: 1)) MB as a script; the in-browser playground is offered for models up to 16 MB."
                case .tooManyWeights(let count):
                    return "The checkpoint holds \(ModelLimits.grouped(count)) weights, over \(NumberFormat.short(Double(2 * count) / 1_048_576, decimals: 0)) MB as a script; the in-browser playground is offered for models up to 16 MB."
                }
            }
        }

        /// A tokenizer.json whose model is BPE and whose pre-tokenizer is ByteLevel with GPT-2's
        /// pattern and no prefix space, without a normalizer: the one kind engine.js encodes.
        static func isByteLevelBPE(_ bytes: [UInt8]) -> Bool {
            guard let json = try? JSONParser.parse(bytes, file: "tokenizer.json"),
                  json["model"]?["type"]?.value == .string("BPE"),
                  json["pre_tokenizer"]?["type"]?.value == .string("ByteLevel"),
                  json["pre_tokenizer"]?["add_prefix_space"]?.value != .bool(true),
                  json["pre_tokenizer"]?["use_regex"]?.value != .bool(false),
                  json["normalizer"].map({ $0.value == .null }) ?? true else { return false }
            return true
        }
    }
}
