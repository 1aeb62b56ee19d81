import Diagnostics
import FoundationEssentials
import TransformerEngine

/// A model file read from disk: the exact bytes (the site publishes them as `model.json`)
/// and the validated model.
public struct LoadedModel: Sendable {
    public var path: String
    /// The model file's bytes; empty for a checkpoint, whose files are listed, not published.
    public var bytes: [UInt8]
    public var model: Model
    /// What the site says about a checkpoint; nil for a model file.
    public var checkpoint: CheckpointSummary? = nil
}

public enum ModelLoader {
    /// Reads and validates a model file. Every problem becomes a `Diagnostic` naming the
    /// file, the position and the field; nothing traps, whatever the file holds.
    public static func load(path: String) throws(Diagnostic) -> LoadedModel {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Diagnostic(file: path, message: "not found: no model file at this path")
        }
        guard !isDirectory else {
            throw Diagnostic(file: path, message: "is a folder, expected a model file (JSON)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic(file: path, message: "cannot be read (check its permissions)")
        }
        let bytes = [UInt8](data)
        return LoadedModel(path: path, bytes: bytes, model: try parse(bytes, file: path))
    }

    /// Parses and validates model-file bytes; `file` names the source in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(Diagnostic) -> Model {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Diagnostic(file: file, message: "is not UTF-8 text, expected a JSON model file")
        }
        return try ModelReader(file: file).read(try JSONParser.parse(bytes, file: file))
    }
}

/// Walks the JSON tree of a model file, checking every field against the format.
struct ModelReader {
    let file: String

    static let topLevelKeys = ["name", "description", "vocab", "tokenizer", "config", "weights", "prompt", "training"]
    static let configKeys = ["d_model", "n_heads", "n_layers", "d_ff", "max_positions", "activation", "layer_norm_eps", "final_layer_norm"]
    static let weightKeys = ["tok_emb", "pos_emb", "layers", "W_lm", "b_lm", "lnf_gamma", "lnf_beta"]
    static let layerKeys = ["W_q", "W_k", "W_v", "W_o", "W_1", "W_2", "b_q", "b_k", "b_v", "b_o", "b_1", "b_2",
                            "ln1_gamma", "ln1_beta", "ln2_gamma", "ln2_beta"]
    static let promptKeys = ["text", "target"]
    static let trainingKeys = ["learning_rate", "steps"]

    func fail(_ node: JSONNode?, _ field: String?, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: node?.line, column: node?.column, field: field, message: message)
    }

    func read(_ root: JSONNode) throws(Diagnostic) -> Model {
        let top = try object(root, nil, Self.topLevelKeys)
        let name = try optionalString(root, "name")
        let vocab = try readVocab(root)
        let tokenizer = try readTokenizer(root)
        try checkVocab(vocab, tokenizer: tokenizer, node: root["vocab"]!)
        let config = try readConfig(try require(root, "config", nil))
        let weights = try readWeights(try require(root, "weights", nil), config: config, vocabSize: vocab.count)
        _ = top
        let promptNode = try require(root, "prompt", nil)
        _ = try object(promptNode, "prompt", Self.promptKeys)
        let textNode = try require(promptNode, "text", "prompt")
        guard case let .string(text) = textNode.value else {
            throw fail(textNode, "prompt.text", "is \(textNode.value.kindName), expected a string")
        }
        var target: String? = nil
        var targetNode: JSONNode? = nil
        if let node = promptNode["target"] {
            targetNode = node
            switch node.value {
            case .null: target = nil
            case .string(let s): target = s
            default: throw fail(node, "prompt.target", "is \(node.value.kindName), expected a vocabulary word or null")
            }
        }
        let prompt = try PromptBuilder(file: file, vocab: vocab, tokenizer: tokenizer, maxPositions: config.maxPositions)
            .make(text: text, target: target,
                  textSource: ("prompt.text", textNode.line, textNode.column),
                  targetSource: ("prompt.target", targetNode?.line, targetNode?.column))
        let training = try readTraining(root)
        return Model(name: name, vocab: vocab, tokenizer: tokenizer, config: config, weights: weights, prompt: prompt,
                     training: training)
    }

    // MARK: - Sections

    func readVocab(_ root: JSONNode) throws(Diagnostic) -> [String] {
        let node = try require(root, "vocab", nil)
        guard case let .array(items) = node.value else {
            throw fail(node, "vocab", "is \(node.value.kindName), expected an array of words")
        }
        guard !items.isEmpty else { throw fail(node, "vocab", "is empty, expected at least one word") }
        var words: [String] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            guard case let .string(word) = item.value else {
                throw fail(item, "vocab[\(i)]", "is \(item.value.kindName), expected a string")
            }
            guard !word.isEmpty else { throw fail(item, "vocab[\(i)]", "is an empty string, expected a word") }
            if let first = seen[word] {
                throw fail(item, "vocab[\(i)]", "\"\(word)\" is a duplicate of vocab[\(first)], expected unique words")
            }
            seen[word] = i
            words.append(word)
        }
        return words
    }

    func readTokenizer(_ root: JSONNode) throws(Diagnostic) -> Tokenizer {
        guard let node = root["tokenizer"] else { return .words }
        guard case let .string(name) = node.value, let tokenizer = Tokenizer(rawValue: name),
              Tokenizer.modelFileTokenizers.contains(tokenizer) else {
            let found = if case let .string(s) = node.value { "\"\(s)\"" } else { node.value.kindName }
            throw fail(node, "tokenizer", "is \(found), expected \"words\" or \"chars\"")
        }
        return tokenizer
    }

    func checkVocab(_ vocab: [String], tokenizer: Tokenizer, node: JSONNode) throws(Diagnostic) {
        guard case let .array(items) = node.value else { return }
        for (i, word) in vocab.enumerated() {
            switch tokenizer {
            case .words where word.contains(where: { $0.isWhitespace }):
                throw fail(items[i], "vocab[\(i)]", "\"\(word)\" contains whitespace, which the words tokenizer splits on")
            case .chars where word.unicodeScalars.count != 1:
                throw fail(items[i], "vocab[\(i)]", "\"\(word)\" is not a single character, expected one per entry with the chars tokenizer")
            default: break
            }
        }
    }

    func readConfig(_ node: JSONNode) throws(Diagnostic) -> ModelConfig {
        _ = try object(node, "config", Self.configKeys)
        let dModel = try positiveInt(node, "d_model", "config")
        let nHeads = try positiveInt(node, "n_heads", "config")
        let nLayers = try positiveInt(node, "n_layers", "config")
        let dFF = try positiveInt(node, "d_ff", "config")
        let maxPositions = try positiveInt(node, "max_positions", "config")
        guard dModel % nHeads == 0 else {
            throw fail(node["n_heads"], "config.n_heads", "is \(nHeads), which does not divide d_model (\(dModel)); expected a divisor of d_model")
        }
        var activation = Activation.relu
        if let act = node["activation"] {
            guard case let .string(name) = act.value, let value = Activation(rawValue: name) else {
                let found = if case let .string(s) = act.value { "\"\(s)\"" } else { act.value.kindName }
                throw fail(act, "config.activation", "is \(found), expected \"relu\", \"gelu\" (tanh approximation) or \"gelu_exact\" (erf)")
            }
            activation = value
        }
        var eps = 1e-5
        if let epsNode = node["layer_norm_eps"] {
            eps = try number(epsNode, "config.layer_norm_eps")
            guard eps > 0 else { throw fail(epsNode, "config.layer_norm_eps", "is \(eps), expected a number > 0") }
        }
        var finalLN = false
        if let f = node["final_layer_norm"] {
            guard case let .bool(b) = f.value else {
                throw fail(f, "config.final_layer_norm", "is \(f.value.kindName), expected true or false")
            }
            finalLN = b
        }
        return ModelConfig(dModel: dModel, nHeads: nHeads, nLayers: nLayers, dFF: dFF, maxPositions: maxPositions,
                           activation: activation, layerNormEps: eps, finalLayerNorm: finalLN)
    }

    func readWeights(_ node: JSONNode, config c: ModelConfig, vocabSize v: Int) throws(Diagnostic) -> Weights {
        _ = try object(node, "weights", Self.weightKeys)
        let p = "weights"
        let tokEmb = try matrix(node, "tok_emb", p, rows: (v, "vocab size"), cols: (c.dModel, "d_model"))
        let posEmb = try matrix(node, "pos_emb", p, rows: (c.maxPositions, "max_positions"), cols: (c.dModel, "d_model"))
        let layersNode = try require(node, "layers", p)
        guard case let .array(layerNodes) = layersNode.value else {
            throw fail(layersNode, "weights.layers", "is \(layersNode.value.kindName), expected an array of \(c.nLayers) layer(s)")
        }
        guard layerNodes.count == c.nLayers else {
            throw fail(layersNode, "weights.layers", "has \(layerNodes.count) layer(s), expected \(c.nLayers) (config.n_layers)")
        }
        var layers: [LayerWeights] = []
        for (i, ln) in layerNodes.enumerated() {
            layers.append(try readLayer(ln, path: "weights.layers[\(i)]", config: c))
        }
        let wLM = try matrix(node, "W_lm", p, rows: (c.dModel, "d_model"), cols: (v, "vocab size"))
        let bLM = try optionalVector(node, "b_lm", p, (v, "vocab size"))
        let lnf = LayerNormParameters(gamma: try optionalVector(node, "lnf_gamma", p, (c.dModel, "d_model")),
                                      beta: try optionalVector(node, "lnf_beta", p, (c.dModel, "d_model")))
        return Weights(tokEmb: tokEmb, posEmb: posEmb, layers: layers, wLM: TransposedMatrix(wLM), bLM: bLM, lnf: lnf)
    }

    func readLayer(_ node: JSONNode, path p: String, config c: ModelConfig) throws(Diagnostic) -> LayerWeights {
        _ = try object(node, p, Self.layerKeys)
        let d = (c.dModel, "d_model"), ff = (c.dFF, "d_ff")
        return LayerWeights(
            wQ: try matrix(node, "W_q", p, rows: d, cols: d),
            wK: try matrix(node, "W_k", p, rows: d, cols: d),
            wV: try matrix(node, "W_v", p, rows: d, cols: d),
            wO: try matrix(node, "W_o", p, rows: d, cols: d),
            w1: try matrix(node, "W_1", p, rows: d, cols: ff),
            w2: try matrix(node, "W_2", p, rows: ff, cols: d),
            bQ: try optionalVector(node, "b_q", p, d),
            bK: try optionalVector(node, "b_k", p, d),
            bV: try optionalVector(node, "b_v", p, d),
            bO: try optionalVector(node, "b_o", p, d),
            b1: try optionalVector(node, "b_1", p, ff),
            b2: try optionalVector(node, "b_2", p, d),
            ln1: LayerNormParameters(gamma: try optionalVector(node, "ln1_gamma", p, d), beta: try optionalVector(node, "ln1_beta", p, d)),
            ln2: LayerNormParameters(gamma: try optionalVector(node, "ln2_gamma", p, d), beta: try optionalVector(node, "ln2_beta", p, d)))
    }

    /// The optional `"training"` object; absent or null gives nil, absent keys inside take the defaults.
    func readTraining(_ root: JSONNode) throws(Diagnostic) -> TrainingConfig? {
        guard let node = root["training"] else { return nil }
        if case .null = node.value { return nil }
        _ = try object(node, "training", Self.trainingKeys)
        var config = TrainingConfig()
        if let rateNode = node["learning_rate"] {
            let rate = try number(rateNode, "training.learning_rate")
            guard rate > 0 else { throw fail(rateNode, "training.learning_rate", "is \(rate), expected a number > 0") }
            config.learningRate = rate
        }
        if let stepsNode = node["steps"] {
            let range = "a whole number from 1 to \(TrainingConfig.maxSteps)"
            guard case let .number(value) = stepsNode.value else {
                throw fail(stepsNode, "training.steps", "is \(stepsNode.value.kindName), expected \(range)")
            }
            guard value.isFinite, value == value.rounded(), value >= 1, value <= Double(TrainingConfig.maxSteps) else {
                throw fail(stepsNode, "training.steps", "is \(JSONOut.format(value)), expected \(range)")
            }
            config.steps = Int(value)
        }
        return config
    }

    // MARK: - Field readers

    private func join(_ parent: String?, _ key: String) -> String { parent.map { "\($0).\(key)" } ?? key }

    @discardableResult
    func object(_ node: JSONNode, _ path: String?, _ allowed: [String]) throws(Diagnostic) -> [(key: String, value: JSONNode)] {
        guard case let .object(members) = node.value else {
            throw fail(node, path, "is \(node.value.kindName), expected an object")
        }
        var seen = Set<String>()
        for (key, value) in members {
            if !seen.insert(key).inserted {
                throw fail(value, join(path, key), "appears twice, expected each key once")
            }
            if !allowed.contains(key) {
                throw fail(value, join(path, key), "is not a known key; expected one of: \(allowed.joined(separator: ", "))")
            }
        }
        return members
    }

    func require(_ node: JSONNode, _ key: String, _ parent: String?) throws(Diagnostic) -> JSONNode {
        guard let child = node[key] else {
            throw fail(node, join(parent, key), "is missing")
        }
        return child
    }

    func optionalString(_ node: JSONNode, _ key: String) throws(Diagnostic) -> String? {
        guard let child = node[key] else { return nil }
        switch child.value {
        case .null: return nil
        case .string(let s): return s
        default: throw fail(child, key, "is \(child.value.kindName), expected a string")
        }
    }

    /// A finite number. The field's path is spelled out only for an error (a weight matrix
    /// has thousands of numbers).
    func number(_ node: JSONNode, _ path: @autoclosure () -> String) throws(Diagnostic) -> Double {
        guard case let .number(value) = node.value else {
            throw fail(node, path(), "is \(node.value.kindName), expected a number")
        }
        guard value.isFinite else {
            throw fail(node, path(), "is too large to be a finite number, expected a finite number")
        }
        return value
    }

    func positiveInt(_ node: JSONNode, _ key: String, _ parent: String) throws(Diagnostic) -> Int {
        let child = try require(node, key, parent)
        let path = join(parent, key)
        guard case let .number(value) = child.value else {
            throw fail(child, path, "is \(child.value.kindName), expected a whole number ≥ 1")
        }
        guard value.isFinite, value == value.rounded(), value >= 1, value <= 1_000_000 else {
            throw fail(child, path, "is \(JSONOut.format(value)), expected a whole number from 1 to 1000000")
        }
        return Int(value)
    }

    func matrix(_ parent: JSONNode, _ key: String, _ parentPath: String,
                rows: (Int, String), cols: (Int, String)) throws(Diagnostic) -> Tensor {
        let node = try require(parent, key, parentPath)
        let path = join(parentPath, key)
        let expected = "\(rows.0)×\(cols.0) (\(rows.1) × \(cols.1))"
        guard case let .array(rowNodes) = node.value else {
            throw fail(node, path, "is \(node.value.kindName), expected a \(expected) matrix (an array of rows)")
        }
        var result: [[Double]] = []
        result.reserveCapacity(rowNodes.count)
        var widths: [Int] = []
        for (r, rowNode) in rowNodes.enumerated() {
            guard case let .array(cells) = rowNode.value else {
                throw fail(rowNode, "\(path)[\(r)]", "is \(rowNode.value.kindName), expected a row of \(cols.0) numbers (\(cols.1))")
            }
            var row: [Double] = []
            row.reserveCapacity(cells.count)
            for (j, cell) in cells.enumerated() {
                row.append(try number(cell, "\(path)[\(r)][\(j)]"))
            }
            widths.append(cells.count)
            result.append(row)
        }
        if let firstWidth = widths.first, let ragged = widths.firstIndex(where: { $0 != firstWidth }) {
            throw fail(rowNodes[ragged], "\(path)[\(ragged)]",
                       "has \(widths[ragged]) numbers but row 0 has \(firstWidth): rows are ragged, expected \(cols.0) numbers (\(cols.1)) in every row")
        }
        let width = widths.first ?? 0
        guard rowNodes.count == rows.0, width == cols.0 else {
            throw fail(node, path, "is \(rowNodes.count)×\(width), expected \(expected)")
        }
        return Tensor(result)
    }

    func optionalVector(_ parent: JSONNode, _ key: String, _ parentPath: String, _ size: (Int, String)) throws(Diagnostic) -> [Double]? {
        guard let node = parent[key] else { return nil }
        let path = join(parentPath, key)
        if case .null = node.value { return nil }
        guard case let .array(cells) = node.value else {
            throw fail(node, path, "is \(node.value.kindName), expected an array of \(size.0) numbers (\(size.1))")
        }
        var out: [Double] = []
        out.reserveCapacity(cells.count)
        for (j, cell) in cells.enumerated() {
            out.append(try number(cell, "\(path)[\(j)]"))
        }
        guard out.count == size.0 else {
            throw fail(node, path, "has \(out.count) numbers, expected \(size.0) (\(size.1))")
        }
        return out
    }
}
