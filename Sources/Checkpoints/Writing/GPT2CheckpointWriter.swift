import FoundationEssentials

/// Writes a GPT-2 checkpoint folder in the layout `save_pretrained` writes and
/// `GPT2Checkpoint.read` reads: `config.json`, `model.safetensors` (F32, `transformer.`-prefixed
/// names, Conv1D layout, tied embeddings so no `lm_head.weight`) and `tokenizer.json`.
/// Every file is written atomically (`AtomicFile`).
public enum GPT2CheckpointWriter {
    public static let configName = "config.json"
    public static let weightsName = "model.safetensors"
    public static let tokenizerName = "tokenizer.json"

    /// The `config.json` transformers' `GPT2Config` reads: the keys sitegen reads, plus
    /// `architectures`, `n_ctx`, dropouts of 0 (the checkpoint is for inference) and no bos/eos token.
    public static func configJSON(_ c: GPT2Config) -> String {
        JSONText.object([
            ("model_type", JSONText.string("gpt2")),
            ("architectures", JSONText.inlineArray([JSONText.string("GPT2LMHeadModel")])),
            ("n_embd", String(c.nEmbd)),
            ("n_layer", String(c.nLayer)),
            ("n_head", String(c.nHead)),
            ("n_positions", String(c.nPositions)),
            ("n_ctx", String(c.nPositions)),
            ("n_inner", c.nInner == 4 * c.nEmbd ? "null" : String(c.nInner)),
            ("vocab_size", String(c.vocabSize)),
            ("activation_function", JSONText.string(c.activation.rawValue)),
            ("layer_norm_epsilon", JSONText.number(c.layerNormEpsilon)),
            ("tie_word_embeddings", "true"),
            ("scale_attn_weights", "true"),
            ("attn_pdrop", "0"),
            ("embd_pdrop", "0"),
            ("resid_pdrop", "0"),
            // No special tokens: without these transformers assumes GPT-2's 50256, outside the vocabulary.
            ("bos_token_id", "null"),
            ("eos_token_id", "null"),
            ("torch_dtype", JSONText.string("float32")),
        ]) + "\n"
    }

    /// The bytes of `model.safetensors` for `tensors`, named as in the GPT-2 layout without the
    /// prefix (`wte.weight`, `h.0.attn.c_attn.weight`, …). They must be exactly the tensors a
    /// tied GPT-2 of `config` has, with its shapes.
    public static func weightsData(_ tensors: [NamedTensor], config: GPT2Config) throws -> Data {
        guard config.tieWordEmbeddings else {
            throw CheckpointError(file: weightsName, message: "would need an lm_head.weight: sitegen writes tied checkpoints only")
        }
        var expected = GPT2Layout.embeddings(config) + GPT2Layout.finalNorm(config)
        for i in 0..<config.nLayer { expected += GPT2Layout.block(i, config) }
        let given = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        guard given.count == tensors.count else {
            throw CheckpointError(file: weightsName, message: "was given a tensor name twice, expected each tensor once")
        }
        for item in expected {
            guard let tensor = given[item.name] else {
                throw CheckpointError(file: weightsName, subject: "tensor \(item.name)", message: "was not given, expected shape \(shapeText(item.shape)) (\(item.meaning))")
            }
            guard tensor.shape == item.shape else {
                throw CheckpointError(file: weightsName, subject: "tensor \(item.name)", message: "has shape \(shapeText(tensor.shape)), expected \(shapeText(item.shape)) (\(item.meaning))")
            }
        }
        if let extra = tensors.first(where: { tensor in !expected.contains { $0.name == tensor.name } }) {
            throw CheckpointError(file: weightsName, subject: "tensor \(extra.name)", message: "is not a weight of a tied GPT-2")
        }
        let prefixed = tensors.map { NamedTensor(name: GPT2Layout.prefix + $0.name, shape: $0.shape, values: $0.values) }
        return SafeTensorsWriter.data(prefixed)
    }

    /// Every tensor of a tied GPT-2 of `c`, named without the prefix, with its shape: `wte`,
    /// `wpe`, then block by block, then `ln_f`.
    public static func tensorLayout(_ c: GPT2Config) -> [(name: String, shape: [Int])] {
        var expected = GPT2Layout.embeddings(c)
        for i in 0..<c.nLayer { expected += GPT2Layout.block(i, c) }
        return (expected + GPT2Layout.finalNorm(c)).map { ($0.name, $0.shape) }
    }

    public static func writeConfig(_ config: GPT2Config, folder: String) throws {
        try AtomicFile.write(configJSON(config), to: path(folder, configName))
    }

    public static func writeWeights(_ tensors: [NamedTensor], config: GPT2Config, folder: String) throws {
        try AtomicFile.write(weightsData(tensors, config: config), to: path(folder, weightsName))
    }

    public static func writeTokenizer(_ tokenizer: TrainedTokenizer, folder: String) throws {
        try AtomicFile.write(tokenizer.json, to: path(folder, tokenizerName))
    }

    static func path(_ folder: String, _ name: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent(name).path
    }
}
