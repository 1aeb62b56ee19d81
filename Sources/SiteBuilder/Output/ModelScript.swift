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
    /// byte-level BPE as `sitegenModel.bpe` in tokenizer.json's shape (engine.js encodes the
    /// reader's text with it): the tokenizer.json itself, or one written from vocab.json and
    /// merges.txt (with `<|endoftext|>` as an added token when the vocabulary has it, as the
    /// Swift tokenizer reads that pair).
    enum Checkpoint {
        /// The script, or why the playground is not offered.
        static func script(model: Model, checkpoint: CheckpointSummary) -> Result<[UInt8], Unavailable> {
            guard let tokenizer = bpeData(checkpoint) else { return .failure(.tokenizer) }
            // Each weight takes at least 2 bytes as text ("0," and more): a model past the limit
            // so counted is refused without writing gigabytes of text to measure them.
            let count = ParameterCount(model).weights
            guard isOffered(modelBytes: 2 * count) else { return .failure(.tooManyWeights(count: count)) }
            let weights = model.modelFileJSON().renderedBytes()
            guard isOffered(modelBytes: weights.count) else { return .failure(.tooBig(bytes: weights.count)) }
            return .success(Array("// The checkpoint's weights (the model file's form) and its byte-level BPE tokenizer, for the playground's in-browser engine.\nconst sitegenModel = ".utf8)
                            + weights + Array(";\nsitegenModel.bpe = ".utf8) + tokenizer + Array(";\n".utf8))
        }

        enum Unavailable: Error {
            case tokenizer, tooBig(bytes: Int), tooManyWeights(count: Int)

            var reason: String {
                switch self {
                case .tokenizer:
                    return "The in-browser playground encodes text with a byte-level BPE tokenizer (GPT-2's kind); this checkpoint's tokenizer.json is another kind, so it is not offered."
                case .tooBig(let bytes):
                    return "The checkpoint's weights are \(NumberFormat.short(Double(bytes) / 1_048_576, decimals: 1)) MB as a script; the in-browser playground is offered for models up to 16 MB."
                case .tooManyWeights(let count):
                    return "The checkpoint holds \(NumberFormat.grouped(count)) weights, over \(NumberFormat.short(Double(2 * count) / 1_048_576, decimals: 0)) MB as a script; the in-browser playground is offered for models up to 16 MB."
                }
            }
        }

        /// The tokenizer as JSON in tokenizer.json's shape, nil when engine.js cannot encode with it.
        static func bpeData(_ checkpoint: CheckpointSummary) -> [UInt8]? {
            func file(_ name: String) -> [UInt8]? { checkpoint.files.first { $0.name == name }?.bytes }
            if let tokenizer = file("tokenizer.json") { return isByteLevelBPE(tokenizer) ? tokenizer : nil }
            guard let vocab = file("vocab.json"), let merges = file("merges.txt"),
                  let vocabulary = try? JSONParser.parse(vocab, file: "vocab.json") else { return nil }
            let endOfText = "<|endoftext|>"
            let added: [JSONOut] = vocabulary[endOfText] == nil ? [] : [.object([("content", .string(endOfText))])]
            return Array("{\"model\": {\"type\": \"BPE\", \"vocab\": ".utf8) + vocab
                + Array(", \"merges\": ".utf8) + JSONOut.array(mergeLines(merges).map(JSONOut.string)).renderedBytes()
                + Array("}, \"added_tokens\": ".utf8) + JSONOut.array(added).renderedBytes() + Array("}".utf8)
        }

        /// merges.txt's merges, "a b" each, read as the checkpoint reader does: lines split at
        /// \n or \r\n, `#version` lines skipped.
        static func mergeLines(_ bytes: [UInt8]) -> [String] {
            var lines = String(decoding: bytes, as: UTF8.self)   // "\r\n" is one Character: a separator too
                .split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
            if lines.last == "" { lines.removeLast() }
            return lines.filter { !$0.hasPrefix("#version") }
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
