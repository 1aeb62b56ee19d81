import Diagnostics
import FoundationEssentials
import TransformerEngine
import Glibc

/// What a model may be for sitegen to build its site in bounded time and memory, checked
/// before the model file is read (`checkFile`) and right after (`check`). A valid model over
/// a limit is refused at once with a message naming the limit and what lifts it (a `--max-…`
/// option, `SizeLimits`) or what to change, instead of exhausting the machine halfway
/// through the build.
///
/// The limits are generous enough for GPT-2 small (d_model 768, 12 layers, 12 heads, vocabulary
/// 50,257, 1,024 positions) with a prompt of up to 64 tokens. The README's "Limits" section
/// lists them; the constants here are the defaults of the options.
public enum ModelLimits {
    /// A model file (JSON) at most 128 MiB. A JSON model takes several times its size in
    /// memory while it is read; bigger models belong in a checkpoint.
    public static let maxModelFileBytes = 128 << 20
    /// The model's name, a vocabulary word or the target, in Unicode scalars.
    public static let maxNameLength = 1_000
    public static let maxWordLength = 256
    /// The prompt text in Unicode scalars (at least `promptCharactersPerToken` a token of the
    /// token limit), and in tokens.
    public static let maxPromptLength = 4_096
    public static let promptCharactersPerToken = 16
    public static let maxPromptTokens = 256
    /// Layers × prompt tokens: most of the site's pages are one per layer and token, each with
    /// tables that grow with both, so this bounds the page count and the site's size (at the
    /// limit about 4,300–4,900 pages, 94–148 MB; see the README's "Limits").
    public static let maxLayerTokens = 1_024
    /// The model's size.
    public static let maxLayers = 96
    public static let maxDModel = 2_048
    public static let maxDFF = 8_192
    public static let maxVocab = 65_536
    public static let maxPositions = 8_192
    /// The training run's gradient steps (`--steps`).
    public static let maxTrainingSteps = TrainingConfig.maxSteps

    /// Refuses, before anything is read, a model path that is not a regular file of a
    /// bounded size: a named pipe, `/dev/zero` or `/dev/stdin` would block or never end, a
    /// link loop is not "not found". A missing path or a folder is left to the loader.
    public static func checkFile(_ path: String, limits: SizeLimits = .init()) throws(BuildFailure) {
        func refuse(_ message: String) -> BuildFailure { BuildFailure(Diagnostic(file: path, message: message)) }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let error = errno
            if error == ELOOP { throw refuse("is a symbolic link that loops (\(SiteWriter.describe(error)))") }
            if error == ENOENT {
                // A link to nothing is not "not found"; a missing path is the loader's to report.
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                    throw refuse("is a symbolic link to \(target), which does not exist")
                }
                return
            }
            throw refuse("cannot be examined (\(SiteWriter.describe(error)))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return
        case S_IFIFO: throw refuse("is not a regular file (a named pipe), expected a model file (JSON)")
        case S_IFCHR: throw refuse("is not a regular file (a character device), expected a model file (JSON)")
        case S_IFBLK: throw refuse("is not a regular file (a block device), expected a model file (JSON)")
        case S_IFSOCK: throw refuse("is not a regular file (a socket), expected a model file (JSON)")
        default: throw refuse("is not a regular file, expected a model file (JSON)")
        }
        let size = Int(info.st_size)
        if size > limits.modelFileBytes {
            throw refuse("is \(megabytes(size)), over the limit of \(megabytes(limits.modelFileBytes)) for a model file (--max-model-file-mb lifts it; a JSON model takes several times its size in memory, a checkpoint's binary weights are not bound by it)")
        }
    }

    /// The sizes the limits bound, apart from the weights themselves.
    public struct Shape: Sendable, Equatable {
        public var layers, dModel, dFF, vocab, positions, promptTokens: Int

        public init(layers: Int, dModel: Int, dFF: Int, vocab: Int, positions: Int, promptTokens: Int) {
            (self.layers, self.dModel, self.dFF, self.vocab, self.positions, self.promptTokens) =
                (layers, dModel, dFF, vocab, positions, promptTokens)
        }

        public init(_ model: Model) {
            self.init(layers: model.config.nLayers, dModel: model.config.dModel, dFF: model.config.dFF,
                      vocab: model.vocab.count, positions: model.config.maxPositions, promptTokens: model.prompt.tokens.count)
        }
    }

    /// Every limit `shape` is over, as (field, message); `textField` names the prompt's source.
    public static func sizeProblems(_ shape: Shape, textField: String = "prompt.text",
                                    limits: SizeLimits = .init()) -> [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        func limit(_ field: String, _ value: Int, _ maximum: Int, _ option: String, unit: String = "", or change: String = "") {
            if value > maximum {
                problems.append((field, "is \(NumberFormat.grouped(value))\(unit), over the limit of \(NumberFormat.grouped(maximum))\(unit) (\(option) lifts it\(change))"))
            }
        }
        limit("config.n_layers", shape.layers, limits.layers, "--max-layers")
        limit("config.d_model", shape.dModel, limits.dModel, "--max-d-model")
        limit("config.d_ff", shape.dFF, limits.dFF, "--max-d-ff")
        limit("config.max_positions", shape.positions, limits.positions, "--max-positions")
        limit("vocab", shape.vocab, limits.vocab, "--max-vocab", unit: " words")
        limit(textField, shape.promptTokens, limits.promptTokens, "--max-prompt-tokens", unit: " tokens", or: "; a shorter prompt fits")
        let layerTokens = shape.layers * shape.promptTokens
        if problems.isEmpty && layerTokens > limits.layerTokens {
            problems.append(("config.n_layers × \(textField) tokens",
                             "is \(shape.layers) × \(shape.promptTokens) = \(NumberFormat.grouped(layerTokens)), over the limit of \(NumberFormat.grouped(limits.layerTokens)): the site has pages for every layer and token (--max-layer-tokens lifts it; a shorter prompt or fewer layers fit)"))
        }
        return problems
    }

    /// The first character of `value` no page can hold, or its length over `maximum`, as a
    /// message for its field naming `remedy` (what lifts the limit or what to change); nil when
    /// it is fine.
    public static func textProblem(_ value: String, maximum: Int, remedy: String) -> String? {
        if let bad = value.unicodeScalars.enumerated().first(where: { !isXMLCharacter($0.element) }) {
            return "holds \(codePoint(bad.element)) at character \(bad.offset + 1), which no page can hold (XML 1.0 forbids it)"
        }
        let length = value.unicodeScalars.count
        if length > maximum {
            return "is \(NumberFormat.grouped(length)) characters long, over the limit of \(NumberFormat.grouped(maximum)) (\(remedy))"
        }
        return nil
    }

    /// Every limit `model` is over and every string the pages cannot hold, each naming its
    /// field (`vocab[3]`). `textField` and `targetField` name where the prompt came from
    /// (`prompt.text` or `--text`).
    public static func problems(_ model: Model, file: String, textField: String = "prompt.text",
                                targetField: String = "prompt.target", limits: SizeLimits = .init()) -> [Diagnostic] {
        var found = sizeProblems(Shape(model), textField: textField, limits: limits)
        func text(_ field: String, _ value: String, _ maximum: Int, _ remedy: String) {
            if let message = textProblem(value, maximum: maximum, remedy: remedy) { found.append((field, message)) }
        }
        if let name = model.name { text("name", name, maxNameLength, "a shorter name fits; no page title holds more") }
        // The first 20 bad words are plenty to show what is wrong.
        for (k, word) in model.vocab.enumerated() where found.count < 20 {
            text("vocab[\(k)]", word, maxWordLength, "a shorter word fits; no table cell holds more")
        }
        text(textField, model.prompt.text, limits.promptLength,
             "--max-prompt-tokens lifts it, \(promptCharactersPerToken) characters a token; or a shorter prompt")
        if let target = model.prompt.target { text(targetField, target, maxWordLength, "a shorter word fits; no table cell holds more") }
        return found.map { Diagnostic(file: file, message: "\($0.field) \($0.message)") }
    }

    /// Throws the problems of `problems(_:file:textField:targetField:limits:)`, if any.
    public static func check(_ model: Model, file: String, textField: String = "prompt.text",
                             targetField: String = "prompt.target", limits: SizeLimits = .init()) throws(BuildFailure) {
        let found = problems(model, file: file, textField: textField, targetField: targetField, limits: limits)
        if !found.isEmpty { throw BuildFailure(found) }
    }

    /// XML 1.0's `Char`: tab, line feed, carriage return, and everything from U+0020 but the
    /// noncharacters U+FFFE and U+FFFF (Swift strings hold no lone surrogates).
    static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0x00...0x1F, 0xFFFE, 0xFFFF: false
        default: true
        }
    }

    /// `U+FFFE`
    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// `128 MB` (MiB, as `ls -h` counts)
    static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(NumberFormat.grouped(bytes >> 20)) MB" : "\(NumberFormat.grouped(bytes)) bytes"
    }
}
