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
}
