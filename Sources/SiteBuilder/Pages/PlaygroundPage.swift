import TransformerEngine

/// playground.html: the precomputed prompt's results, which playground.js recomputes in the
/// browser (engine.js) for the reader's own prompt and temperature. The markup here and the
/// script's are the same, so the page reads the same before and after a rerun.
enum PlaygroundPage {
    static let kind = PageKind(template: "playground", label: "Playground", builtIn: PackageResources.playground_html) { s, _ in context(s) }

    struct Context: PageContext {
        var offered: Bool
        /// Why the in-browser playground is not offered ("" when it is).
        var unavailableReason: String
        /// A checkpoint site: the script loads its weights and tokenizer.json (no model.json to link).
        var fromCheckpoint: Bool
        var promptText: String
        /// The sentence that stands in for maps too big for the page.
    static func mapsLeftOut(count: Int, layers: Int, heads: Int, tokens: Int, drawn: Bool) -> String {
        let one = count == 1
        let what = one ? "The attention map (\(tokens) × \(tokens)) is too big for this page"
            : "The \(count) attention maps (\(layers) layer\(layers == 1 ? "" : "s") × \(heads) heads, \(tokens) × \(tokens) each) are too many for this page"
        let then = drawn ? "the script draws \(one ? "it" : "them") here from the weights." : "\(one ? "it is" : "they are") not shown here."
        return what + ": " + then
    }

    /// How the reader's text becomes tokens, for this model's tokenizer.
        var tokenizerSentence: String
        var lastWord: String
        /// The next-token list's heading: "All 6 tokens" when the vocabulary fits the 10 rows, else "Top 10".
        var listedHeading: String
        var listedLabel: String
        /// softmax(z) of the last position, the ten most likely.
        var nextRows: [LabeledRow]
        /// softmax(z / T) of the last position, the ten most likely: what the slider redraws.
        var temperedRows: [LabeledRow]
        var heatmaps: [HeatTable]
        /// The maps are in the page (small enough); otherwise the script draws them on load.
        var mapsInPage: Bool
        /// "yes" when the script draws the maps on load (they are not in the page).
        var drawnByScript: String
        /// Which maps are left out of the page (when they are).
        var mapsLeftOut: String
        var maxPositions: Int
        var multiLayer: Bool
        /// The columns of the vector table, d0 …
        var dims: [Int]
        var vectorRows: [LabeledRow]
        /// The table shows only the first `shownDimensions` of a wide model's vectors.
        var vectorsCut: Bool
        var shownDimensionCount: Int
        var dModel: Int
        var temperature: String
        var seed: String
        var topK: String
        var topP: String
        /// The numbers the script reads (data-top-k, data-top-p).
        var topKValue: String
        var topPValue: String
        /// New tokens in the sampled continuation (--generate).
        var count: Int
        /// The sampled continuation: the prompt, then the new tokens (shown bold).
        var sampledPrompt: String
        var sampledNew: String
        var canNudge: Bool
        /// The matrices "nudge a weight" offers.
        var matrices: [MatrixOption]
        /// The first option's entry [0, 0], as the script shows it before the slider moves.
        var nudgeShown: String
        var nudgeValue: String
    }
    /// A matrix "nudge a weight" offers: its name in model.json, and the reader's ("W_q (layer 2)").
    struct MatrixOption: Encodable {
        var value: String
        var label: String
    }

    /// Models up to this width get "nudge a weight".
    static let nudgeWidth = 16
    /// The page holds the attention maps when all of them together have at most this many
    /// cells (layers × heads × T²); bigger ones the script draws from model.js, so the page
    /// stays small (the 64-wide benchmark's 8 maps of 32 × 32 were 540 KB of HTML).
    static let largestMapCells = 2048

    /// The sentence that stands in for maps too big for the page.
    static func mapsLeftOut(count: Int, layers: Int, heads: Int, tokens: Int, drawn: Bool) -> String {
        let one = count == 1
        let what = one ? "The attention map (\(tokens) × \(tokens)) is too big for this page"
            : "The \(count) attention maps (\(layers) layer\(layers == 1 ? "" : "s") × \(heads) heads, \(tokens) × \(tokens) each) are too many for this page"
        let then = drawn ? "the script draws \(one ? "it" : "them") here from the weights." : "\(one ? "it is" : "they are") not shown here."
        return what + ": " + then
    }

    /// How the reader's text becomes tokens (exact sentences; tests hold them).
    static func tokenizerSentence(_ tokenizer: Tokenizer, vocabularySize n: Int) -> String {
        switch tokenizer {
        case .words:
            "Type words separated by spaces: the words tokenizer splits your text at whitespace, and each word must be one of the vocabulary's \(n) words."
        case .chars:
            "Type any text made of the vocabulary's \(n) characters: the chars tokenizer makes each character one token, spaces included."
        case .checkpoint:
            "Type any text: the checkpoint's byte-level BPE tokenizer splits it into pieces from its \(n)-token vocabulary, as GPT-2's does (a space belongs to the piece after it, shown as ␣)."
        }
    }

    /// The site's name for a weight the script knows by its model-file path: "layers.1.W_q" is
    /// "W_q (layer 2)" (just "W_q" with one layer), as the layer pages' kickers count layers.
    static func readerName(ofMatrix path: String, multiLayer: Bool) -> String {
        let parts = path.split(separator: ".")
        guard parts.count == 3, parts[0] == "layers", let l = Int(parts[1]) else { return path }
        return multiLayer ? "\(parts[2]) (layer \(l + 1))" : String(parts[2])
    }

    static func context(_ s: SiteData) -> Context {
        let t = s.trace, vocab = s.model.vocab, c = s.model.config, last = s.lastToken
        let probs = t.probs.row(last)
        let top = Sampling.descendingOrder(probs).prefix(10)
        let nextRows = top.map { id in LabeledRow(label: vocab[id], cells: [NumberFormat.percent(probs[id])]) }
        let tempered = softmax(t.logits.row(last).map { $0 / s.generation.settings.temperature })
        let temperedRows = Sampling.descendingOrder(tempered).prefix(10).map { id in
            LabeledRow(label: vocab[id], cells: [NumberFormat.percent(tempered[id])])
        }
        var maps: [HeatTable] = []
        let mapCells = c.nLayers * c.nHeads * t.count * t.count
        for (l, layer) in t.layers.enumerated() where mapCells <= largestMapCells {
            for (h, weights) in layer.weights.enumerated() {
                maps.append(heatmap(weights, tokens: t.tokens, layer: l, head: h))
            }
        }
        var vectors: [(String, [Double])] = [("embedding x", t.x.row(last))]
        for (l, layer) in t.layers.enumerated() {
            let p = s.multiLayer ? "L\(l + 1) " : ""
            vectors += [(p + "LN1", layer.ln1Out.row(last)), (p + "attention out", layer.attnOut.row(last)),
                        (p + "h1", layer.residMid.row(last)), (p + "MLP out", layer.mlpOut.row(last)), (p + "h2", layer.residOut.row(last))]
        }
        vectors.append(("final", t.final.row(last)))
        let shown = min(c.dModel, Self.shownDimensions)
        let vectorRows = vectors.map { name, v in LabeledRow(label: name, cells: v.prefix(shown).map { NumberFormat.short($0) }) }
        let separator = s.model.tokenizer == .words ? " " : ""
        let g = s.generation
        let firstEntry = s.model.weights.layers.first.map { $0.wQ[0, 0] } ?? 0       // layers.0.W_q [0, 0]
        let matrices: [String] = (0..<c.nLayers).flatMap { l in ["W_q", "W_k", "W_v", "W_o", "W_1", "W_2"].map { "layers.\(l).\($0)" } } + ["tok_emb", "pos_emb", "W_lm"]
        let offered: Bool, unavailableReason: String
        if let checkpoint = s.checkpoint {
            let script = ModelScript.Checkpoint.script(model: s.model, checkpoint: checkpoint)
            offered = (try? script.get()) != nil
            if case .failure(let why) = script { unavailableReason = why.reason } else { unavailableReason = "" }
        } else {
            offered = ModelScript.isOffered(modelBytes: s.modelBytes.count)
            let megabytes = NumberFormat.short(Double(s.modelBytes.count) / 1_048_576, decimals: 1)
            unavailableReason = offered ? "" : "The model file is \(megabytes) MB; the in-browser playground is offered for models up to 16 MB (the page would have to load all the weights as a script)."
        }
        return Context(
            offered: offered,
            unavailableReason: unavailableReason,
            fromCheckpoint: s.checkpoint != nil,
            // A checkpoint's tokens are shown with ␣ for a space: the text box gets the text itself.
            promptText: s.checkpoint == nil ? t.tokens.joined(separator: separator) : s.model.prompt.text,
            tokenizerSentence: tokenizerSentence(s.model.tokenizer, vocabularySize: vocab.count),
            lastWord: t.tokens[last],
            listedHeading: top.count == vocab.count ? "All \(top.count) tokens" : "Top \(top.count)",
            listedLabel: top.count == vocab.count ? "all \(top.count) tokens" : "top \(top.count)",
            nextRows: nextRows,
            temperedRows: temperedRows,
            heatmaps: maps,
            mapsInPage: mapCells <= largestMapCells,
            drawnByScript: mapCells <= largestMapCells || !offered ? "no" : "yes",
            mapsLeftOut: mapsLeftOut(count: c.nLayers * c.nHeads, layers: c.nLayers, heads: c.nHeads, tokens: t.count, drawn: offered),
            maxPositions: c.maxPositions,
            multiLayer: s.multiLayer,
            dims: Array(0..<shown),
            vectorRows: vectorRows,
            vectorsCut: shown < c.dModel,
            shownDimensionCount: shown,
            dModel: c.dModel,
            temperature: NumberFormat.exact(g.settings.temperature),
            seed: String(g.settings.seed),
            topK: g.settings.topK == 0 ? "off" : String(g.settings.topK),
            topP: g.settings.topP == 1 ? "off" : NumberFormat.exact(g.settings.topP),
            topKValue: String(g.settings.topK), topPValue: NumberFormat.exact(g.settings.topP),
            count: g.settings.count,
            sampledPrompt: t.tokens.joined(separator: separator),
            sampledNew: g.sampledIDs.map { separator + vocab[$0] }.joined(),
            canNudge: offered && c.dModel <= nudgeWidth,
            matrices: matrices.map { MatrixOption(value: $0, label: Self.readerName(ofMatrix: $0, multiLayer: s.multiLayer)) },
            nudgeShown: NumberFormat.short(firstEntry, decimals: 3),
            nudgeValue: String(firstEntry))
    }

    /// The stage-by-stage table shows at most this many dimensions (GPT-2 small's 63 stages ×
    /// 768 made a 660 KB table); playground.js fills as many as the header has.
    static let shownDimensions = 64

    /// One head's attention weights, each cell shaded by its weight.
    static func heatmap(_ w: Tensor, tokens: [String], layer: Int, head: Int) -> HeatTable {
        let rows = (0..<w.rows).map { i in
            HeatTable.Row(label: tokens[i], cells: (0..<w.cols).map { j in
                HeatTable.Cell(text: NumberFormat.short(w[i, j]), alpha: NumberFormat.short(w[i, j] * 0.65, decimals: 2))
            })
        }
        return HeatTable(layer: layer + 1, head: head + 1, tokens: tokens, rows: rows)
    }
}
