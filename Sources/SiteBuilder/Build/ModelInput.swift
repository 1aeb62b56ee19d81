import Diagnostics
import ModelFormats
import TransformerEngine

/// The model a build shows: the exact bytes (the site publishes them as `model.json`), the
/// validated model, and how messages name it.
struct ModelInput: Sendable {
    var label: String
    var bytes: [UInt8]
    var model: Model

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
}
