import Diagnostics
import ModelFormats
import TransformerEngine

/// The model a build shows: the exact bytes (the site publishes them as `model.json`), the
/// validated model, and how messages name it; or a checkpoint, whose files are listed (size and
/// SHA-256), not published.
struct ModelInput: Sendable {
    var label: String
    var bytes: [UInt8]
    var model: Model
    /// What the site says about a checkpoint; nil for a model file.
    var checkpoint: CheckpointSummary? = nil
    /// The checkpoint folder's training.json, when `sitegen train` wrote one.
    var training: TrainingRecord? = nil

    /// The model file at `path`, or the built-in seed model when `path` is nil.
    static func read(_ path: String?) throws(Diagnostic) -> ModelInput {
        guard let path else {
            let bytes = BuiltInDefaults.seedModel
            return ModelInput(label: BuiltInDefaults.modelLabel, bytes: bytes,
                              model: try ModelLoader.parse(bytes, file: BuiltInDefaults.modelLabel))
        }
        let loaded = try ModelLoader.load(path: path)
        return ModelInput(label: path, bytes: loaded.bytes, model: loaded.model)
    }

    /// The checkpoint at `path` (a folder or its .safetensors), with its prompt from `--text`
    /// and `--target`, encoded by its tokenizer.
    static func readCheckpoint(_ path: String, text: String?, target: String?) throws(Diagnostic) -> ModelInput {
        let loaded = try CheckpointLoader.load(path: path, text: text, target: target)
        return ModelInput(label: path, bytes: [], model: loaded.model, checkpoint: loaded.checkpoint,
                          training: try TrainingRecord.read(folder: path))
    }
}
