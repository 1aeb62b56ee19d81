import Checkpoints
import Diagnostics
import FoundationEssentials
import TransformerEngine
import Dispatch

/// What the site says about a checkpoint it was built from: its name, its files (listed, not
/// copied into the site), the dtypes of its weights, and each id's raw token (the vocabulary's
/// own spelling, `Ġthe`, beside the readable `␣the` of `Model.vocab`).
public struct CheckpointSummary: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        /// The name in the checkpoint folder (`model.safetensors`).
        public var name: String
        /// The size and SHA-256 of the bytes read, which the site shows.
        public var size: Int
        public var sha256: String
        /// The bytes themselves, for the small files (config.json, tokenizer.json); [] for the
        /// weights (`.safetensors`), which are hashed in pieces and never held whole.
        public var bytes: [UInt8]
    }

    /// The folder's name (`gpt2-f32`).
    public var name: String
    public var files: [File]
    /// `F32`, or `F16, F32` when the weights mix dtypes.
    public var dtypes: [String]
    /// The raw token of every id, "" for an id without a token (a padded vocabulary).
    public var rawTokens: [String]
    /// True when the LM head is wte (no lm_head.weight of its own).
    public var lmHeadIsTied: Bool
}

/// Reads a Hugging Face GPT-2 checkpoint (a folder, or its `model.safetensors`) as the engine's
/// `Model`: the same maths as transformers' GPT2LMHeadModel, so every page and figure works as
/// for a model file.
public enum CheckpointLoader {
    /// A folder, or a `.safetensors` / `.safetensors.index.json` file, is read as a checkpoint.
    public static func isCheckpoint(_ path: String) -> Bool {
        var isFolder = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder { return true }
        return path.hasSuffix(".safetensors") || path.hasSuffix(".safetensors.index.json")
    }

    /// The checkpoint at `path` with the prompt `text` (required: a checkpoint holds none) and the
    /// optional one-token `target`, both tokenized by the checkpoint's tokenizer.
    public static func load(path: String, text: String?, target: String?) throws(Diagnostic) -> LoadedModel {
        let checkpoint: GPT2Checkpoint
        // The files' SHA-256 (0.5 GB for GPT-2 small) on a core of its own, beside the conversion
        // of the weights; `read` returns once it is done.
        nonisolated(unsafe) var hashed: Result<[CheckpointSummary.File], Diagnostic>? = nil
        do {
            checkpoint = try GPT2Checkpoint.read(path, beside: { files in
                hashed = Result { () throws(Diagnostic) in try Self.hashed(files) }
            })
        } catch let error as CheckpointError {
            throw Diagnostic(file: error.file, field: error.subject, message: error.message)
        } catch {
            throw Diagnostic(file: path, message: "cannot be read: \(error)")
        }
        // A checkpoint read whole has had its files listed, so they were hashed.
        let files = try hashed!.get()
        nonisolated(unsafe) var summary: CheckpointSummary? = nil
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { summary = Self.summary(of: checkpoint, files: files) }
        let mapped = Result { () throws(Diagnostic) in try model(of: checkpoint, path: path, text: text, target: target) }
        group.wait()
        // The group waited for the block, which always sets the summary.
        return LoadedModel(path: path, bytes: [], model: try mapped.get(), checkpoint: summary!)
    }

    /// The mapping of a checkpoint onto the engine's model (Tests/Reference/checkpoints.py's
    /// `as_site_model` is the same in NumPy): W_q | W_k | W_v are the column blocks of c_attn,
    /// W_o = attn.c_proj, W_1 = mlp.c_fc, W_2 = mlp.c_proj, LN1/LN2/LNf = ln_1/ln_2/ln_f,
    /// W_lm = lm_headᵀ (wteᵀ when tied), no b_lm; the final LayerNorm is always on.
    public static func model(of checkpoint: GPT2Checkpoint, path: String, text: String?, target: String?) throws(Diagnostic) -> Model {
        let c = checkpoint.config, w = checkpoint.weights
        let config = ModelConfig(dModel: c.nEmbd, nHeads: c.nHead, nLayers: c.nLayer, dFF: c.nInner,
                                 maxPositions: c.nPositions, activation: activation(c.activation),
                                 layerNormEps: c.layerNormEpsilon, finalLayerNorm: true)
        let layers = w.blocks.map { b in
            LayerWeights(wQ: matrix(b.query), wK: matrix(b.key), wV: matrix(b.value), wO: matrix(b.attnProj),
                         w1: matrix(b.fc), w2: matrix(b.mlpProj),
                         bQ: b.queryBias.values, bK: b.keyBias.values, bV: b.valueBias.values, bO: b.attnProjBias.values,
                         b1: b.fcBias.values, b2: b.mlpProjBias.values,
                         ln1: LayerNormParameters(gamma: b.ln1Weight.values, beta: b.ln1Bias.values),
                         ln2: LayerNormParameters(gamma: b.ln2Weight.values, beta: b.ln2Bias.values))
        }
        let weights = Weights(tokEmb: matrix(w.tokenEmbedding), posEmb: matrix(w.positionEmbedding), layers: layers,
                              wLM: TransposedMatrix(transpose: matrix(w.lmHead)), bLM: nil,
                              lnf: LayerNormParameters(gamma: w.lnFWeight.values, beta: w.lnFBias.values))
        let tokenizer = checkpoint.tokenizer
        let vocab = (0..<c.vocabSize).map { tokenizer.display(id: $0) }
        let prompt = try self.prompt(text: text, target: target, tokenizer: tokenizer, maxPositions: c.nPositions, file: path)
        return Model(name: checkpoint.name, vocab: vocab, tokenizer: .checkpoint, config: config, weights: weights, prompt: prompt)
    }

    /// `--text` encoded by the checkpoint's tokenizer; `--target` must encode to exactly one token.
    static func prompt(text: String?, target: String?, tokenizer: any TextTokenizer, maxPositions: Int,
                       file: String) throws(Diagnostic) -> Prompt {
        guard let text else {
            throw Diagnostic(file: file, field: "--text",
                             message: "is required with a checkpoint, which holds no prompt: sitegen --model \(file) --text \"some prompt\"")
        }
        let tokens = tokenizer.tokens(text)
        guard !tokens.isEmpty else {
            throw Diagnostic(file: file, field: "--text", message: "is empty, expected at least one token")
        }
        guard tokens.count <= maxPositions else {
            throw Diagnostic(file: file, field: "--text",
                             message: "has \(tokens.count) tokens, expected at most \(maxPositions) (config.json's n_positions)")
        }
        var targetID: Int? = nil
        var targetToken: String? = nil
        if let target {
            let pieces = tokenizer.tokens(target)
            guard pieces.count == 1 else {
                let shown = pieces.map { "\($0.display) (id \($0.id))" }.joined(separator: " + ")
                throw Diagnostic(file: file, field: "--target", message: pieces.isEmpty
                    ? "is empty, expected exactly one token"
                    : "\(quoted(target)) is \(pieces.count) tokens, \(shown); expected exactly one token")
            }
            targetID = pieces[0].id
            targetToken = pieces[0].display
        }
        return Prompt(text: text, tokens: tokens.map(\.display), ids: tokens.map(\.id), target: targetToken, targetID: targetID)
    }

    static func activation(_ a: GPT2Config.Activation) -> Activation {
        switch a {
        case .geluTanh: .gelu
        case .geluExact: .geluExact
        case .relu: .relu
        }
    }

    /// A checkpoint matrix (or vector, as one row) as the engine's tensor; an F32 one keeps its
    /// binary32 numbers as they are (the products widen them, exactly).
    static func matrix(_ t: CheckpointTensor) -> Tensor {
        let shape = [t.rows, t.shape.reduce(1, *) / max(t.rows, 1)]
        return t.binary32.isEmpty ? Tensor(shape: shape, values: t.values) : Tensor(shape: shape, binary32: t.binary32)
    }

    /// Each file's size and SHA-256, read 4 MiB at a time; the small files' bytes kept too.
    static func hashed(_ files: [GPT2Checkpoint.File]) throws(Diagnostic) -> [CheckpointSummary.File] {
        var hashed: [CheckpointSummary.File] = []
        for file in files {
            let keepsBytes = !file.name.hasSuffix(".safetensors")
            var hash = SHA256Digest(), size = 0, kept: [UInt8] = []
            do {
                try readFile(file.path, shownAs: file.path, inPiecesOf: 4 << 20) { piece in
                    hash.update(piece)
                    size += piece.count
                    if keepsBytes { kept += piece }
                }
            } catch let error as CheckpointError {
                throw Diagnostic(file: error.file, message: error.message)
            } catch {
                throw Diagnostic(file: file.path, message: "cannot be read (\(error))")
            }
            hashed.append(.init(name: file.name, size: size, sha256: hash.hexDigest(), bytes: kept))
        }
        return hashed
    }

    static func summary(of checkpoint: GPT2Checkpoint, files: [CheckpointSummary.File]) -> CheckpointSummary {
        let tokenizer = checkpoint.tokenizer
        return CheckpointSummary(name: checkpoint.name, files: files, dtypes: checkpoint.weights.dtypes.map(\.rawValue),
                                 rawTokens: (0..<checkpoint.config.vocabSize).map { tokenizer.raw(id: $0) ?? "" },
                                 lmHeadIsTied: checkpoint.weights.lmHeadIsTied)
    }

    static func quoted(_ text: String) -> String { "\"" + text + "\"" }
}
