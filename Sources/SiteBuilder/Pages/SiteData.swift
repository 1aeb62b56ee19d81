import ModelFormats
import TransformerEngine

/// Everything a page may show: the model, its trace, and the labels derived from them.
/// Pages format these numbers; they never compute new ones beyond what the trace holds
/// (the worked sums re-add the trace's own terms to show the arithmetic).
struct SiteData {
    let model: Model
    let trace: Trace
    let modelBytes: [UInt8]
    let modelFile: String
    /// The checkpoint the model was read from; nil for a model file.
    let checkpoint: CheckpointSummary?
    /// The run that trained the checkpoint (its training.json); nil without one.
    let training: TrainingRecord?
    /// The learning chapter's numbers (nil without a target): the gradients of this pass,
    /// the forward pass after one gradient step, and the short training run.
    let learning: Learning?

    struct Learning {
        let gradients: Gradients
        /// What the pages and the trace read of each weight gradient, from one pass over it.
        let digests: GradientDigests
        let learningRate: Double
        let steppedTrace: Trace
        let run: TrainingRun
    }

    /// The generation chapter's continuations of the prompt.
    let generation: Generation

    init(loaded: ModelInput, trace: Trace, generation: Generation, displayPath: String, learning: Learning?,
         followed: [Int]? = nil) {
        self.followed = followed ?? Array(trace.tokens.indices)
        self.generation = generation
        self.model = loaded.model
        self.trace = trace
        self.learning = learning
        self.modelBytes = loaded.bytes
        self.checkpoint = loaded.checkpoint
        self.training = loaded.training
        self.modelFile = displayPath
        self.tokenClasses = trace.tokens.indices.map(Self.tokenClassName)
        self.tokenLabels = trace.tokens.enumerated().map { "\($0) · \($1)" }
        self.modelDimensions = Self.labels(loaded.model.config.dModel, prefix: "d")
        self.hiddenUnits = Self.labels(loaded.model.config.dFF, prefix: "u")
        let multiLayer = loaded.model.config.nLayers > 1, last = trace.tokens.count - 1
        let stages = Stage.all(layers: loaded.model.config.nLayers)
        self.stages = stages
        self.stageMapLabels = stages.map { stage in (stage.layer.map { multiLayer ? "L\($0 + 1) " : "" } ?? "") + stage.label }
        self.linkKeys = stages.filter { $0.layer == nil || $0.layer == 0 }.map { stage in
            ("href_" + String(stage.template.map { $0 == "-" ? "_" : $0 }), stage)
        }
        self.fileNames = Dictionary(uniqueKeysWithValues: stages.map { stage in
            (stage, (0...max(last, 0)).map { stage.fileName(multiLayer: multiLayer, focus: $0, lastToken: last) })
        })
        let followedSet = Set(self.followed)
        self.isFollowed = trace.tokens.indices.map { followedSet.contains($0) || $0 == last }
    }

    /// The model file's SHA-256, for the overview page (worked out only there: it costs as much
    /// as a dozen pages for a big model file).
    var sha256: String { SHA256Digest.hex(modelBytes) }

    /// A checkpoint's vocabulary entry for a tooltip: `id 261, token Ġthe` (the raw spelling
    /// beside the readable one the page shows); "" for a model file's word (no tooltip).
    func tokenNote(id: Int) -> String {
        guard let raw = checkpoint?.rawTokens[id] else { return "" }
        return raw.isEmpty ? "id \(id), no token (padding)" : "id \(id), token \(raw)"
    }

    var count: Int { trace.tokens.count }
    var lastToken: Int { count - 1 }
    var multiLayer: Bool { model.config.nLayers > 1 }
    var siteName: String { model.name?.isEmpty == false ? model.name! : "A transformer, step by step" }
    /// The stages in stage-map order.
    let stages: [Stage]
    /// Each stage's name on the stage map ("L2 Attention" when there are several layers).
    let stageMapLabels: [String]
    /// The `href_…` keys pages link onward with (`{{href_attention}}`: the first layer's view),
    /// and their stages.
    let linkKeys: [(key: String, stage: Stage)]

    /// The colour class of prompt token i: each token keeps one Okabe–Ito hue on every page.
    func tokenClass(_ i: Int) -> String { Self.tokenClassName(i) }
    private static func tokenClassName(_ i: Int) -> String { "tok tok-\(i % 8)" }
    let tokenClasses: [String]

    /// Row labels for per-token tables: "0 · the".
    let tokenLabels: [String]

    func dimensionLabels(_ n: Int, prefix: String = "d") -> [String] {
        if prefix == "d", n == model.config.dModel { return modelDimensions }
        if prefix == "u", n == model.config.dFF { return hiddenUnits }
        return Self.labels(n, prefix: prefix)
    }
    /// d0…d(d_model − 1) and u0…u(d_ff − 1), made once: every page labels its columns with them.
    private let modelDimensions: [String]
    private let hiddenUnits: [String]
    private static func labels(_ n: Int, prefix: String) -> [String] { (0..<n).map { "\(prefix)\($0)" } }

    /// The tokens with views of their own on the stages that follow one (`--follow`), in
    /// order, the last included.
    let followed: [Int]
    /// By position: whether the token has views of its own.
    let isFollowed: [Bool]

    /// The file of `stage`'s view that follows `focus` (the last token's when `focus` has no
    /// views of its own).
    func file(_ stage: Stage, focus: Int? = nil) -> String {
        var focus = focus ?? lastToken
        if stage.followsFocus, isFollowed.indices.contains(focus), !isFollowed[focus] { focus = lastToken }
        if let names = fileNames[stage], names.indices.contains(focus) { return names[focus] }
        return stage.fileName(multiLayer: multiLayer, focus: focus, lastToken: lastToken)
    }

    /// Every page's file name by stage and focus token, made once: each page's navigation
    /// links to dozens of them.
    private let fileNames: [Stage: [String]]

    /// Whether a focus-independent figure of `cells` cells is drawn on the view that follows
    /// token `focus`. Small ones always are; big ones only on the last token's (default) view,
    /// which the others link to, so a long prompt does not repeat them once per token.
    func drawsSharedFigure(cells: Int, focus: Int) -> Bool { focus == lastToken || cells <= 1024 }

    /// Long prompts (more tokens than a table shows at once) make the views that follow a
    /// token other than the last *lean*: their all-token tables show that token's row only and
    /// their weight tables are left to the last token's view, which they link to. A 32-token
    /// prompt then does not repeat every table on 32 pages per stage.
    func isLeanView(focus: Int) -> Bool { count > MatrixTable.limit && focus != lastToken }

    /// An all-token table (one row per prompt token) for the view of `stage` that follows
    /// `focus`: the focus row highlighted, or alone on a lean view.
    func tokenTable(_ caption: String, _ values: [[Double?]], columns: [String], focus: Int, stage: Stage) -> MatrixTable {
        // A lean view's table reads one row: the others stay empty rather than copied.
        let rows = isLeanView(focus: focus) ? values.indices.map { $0 == focus ? values[$0] : [] } : values
        return tokenTable(MatrixTable(caption: caption, optionalValues: rows, rowLabels: tokenLabels, columnLabels: columns),
                          focus: focus, stage: stage)
    }

    func tokenTable(_ caption: String, _ values: [[Double]], columns: [String], focus: Int, stage: Stage) -> MatrixTable {
        let lean = isLeanView(focus: focus)
        return tokenTable(caption, values.indices.map { i in lean && i != focus ? [] : values[i].map { Optional($0) } },
                          columns: columns, focus: focus, stage: stage)
    }

    /// The same of a tensor, read in place: only the cells shown are read (GPT-2's logits and
    /// probabilities are 24 × 50,257; as rows of optionals they took 30 MB a page).
    func tokenTable(_ caption: String, _ matrix: Tensor, columns: [String], focus: Int, stage: Stage) -> MatrixTable {
        tokenTable(MatrixTable(caption: caption, matrix: matrix, rowLabels: tokenLabels, columnLabels: columns),
                   focus: focus, stage: stage)
    }

    /// A table with a row per position: labelled and coloured by token, the focus row
    /// highlighted; on a lean view only the focus row, and a note where the others are.
    private func tokenTable(_ table: MatrixTable, focus: Int, stage: Stage) -> MatrixTable {
        var table = table
        table.corner = "position · token"
        table.rowClasses = tokenClasses
        table.highlightRows = [focus]
        if isLeanView(focus: focus) {
            table.onlyRows = [focus]
            let shown = table.columnLabels.count > MatrixTable.limit ? "part of " : ""
            table.rowsNote = Note(text: "\(shown)the row of \(quoted(focus)); all \(count) rows are on ",
                                  link: ("the view of \(quoted(lastToken))", file(stage)), tail: " and in trace.json")
        }
        return table
    }

    /// A table that does not depend on the focus (a weight matrix): in full, or on a lean view
    /// a line that links to it on the last token's view.
    /// The table is made only when it is shown (a lean view does not copy a big weight matrix).
    func sharedTable(_ table: @autoclosure () -> MatrixTable, name: String, focus: Int, stage: Stage) -> TableContext {
        guard isLeanView(focus: focus) else { return table().render() }
        return TableContext(elsewhere: Note(text: "The table of \(name) is on ", link: ("the view of \(quoted(lastToken))", file(stage)), tail: "."))
    }

    /// The word at position i, quoted: “on”.
    func quoted(_ i: Int) -> String { "“" + trace.tokens[i] + "”" }
}
