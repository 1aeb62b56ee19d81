/// index.html: the journey at a glance.
enum OverviewPage {
    static let kind = PageKind(template: "index", label: "Overview", builtIn: PackageResources.index_html) { s, v in context(s, sha256: v.sha256) }

    struct Context: PageContext {
        var promptText: String
        var promptChips: [Chip]
        var stack: String
        var prediction: String
        var hasTarget: Bool
        var target: String
        var correct: Bool
        var loss: String
        var lossExact: String
        var pTarget: String
        var pPrediction: String
        var dModel: Int
        var nHeads: Int
        var nLayers: Int
        var multiLayer: Bool
        var multiHead: Bool
        var dFF: Int
        var vocabSize: String
        var maxPositions: Int
        var activation: String
        var tokenCount: Int
        var parameterCount: String
        var tokensHref: String
        var sha256: String
        var predictionHref: String
        /// The checkpoint the weights come from (name, dtype, LM head, files); all empty for a model file.
        var hasCheckpoint: Bool
        var checkpointName: String
        var checkpointDtype: String
        var lmHead: String
        var checkpointFiles: [CheckpointFile]
    }
    struct CheckpointFile: Encodable {
        var name: String
        var size: Int
        var sha256: String
    }
    struct Chip: Encodable {
        var word: String
        var cls: String
        var id: Int
        var position: Int
    }

    static func context(_ s: SiteData, sha256: String) -> Context {
        let t = s.trace, c = s.model.config
        let stackFigure = stack(s).render()
        let chips = t.tokens.enumerated().map { i, word -> Chip in
            Chip(word: word, cls: s.tokenClass(i), id: t.ids[i], position: i)
        }
        return Context(
            promptText: s.model.prompt.text,
            promptChips: chips,
            stack: stackFigure,
            prediction: t.prediction,
            hasTarget: t.target != nil,
            target: t.target ?? "",
            correct: t.target != nil && t.target == t.prediction,
            loss: t.loss.map { NumberFormat.short($0, decimals: 4) } ?? "",
            lossExact: t.loss.map(NumberFormat.tooltip) ?? "",
            pTarget: t.targetID.map { NumberFormat.percent(t.probs[s.lastToken, $0]) } ?? "",
            pPrediction: NumberFormat.percent(t.probs[s.lastToken, t.predictionID]),
            dModel: c.dModel, nHeads: c.nHeads, nLayers: c.nLayers, multiLayer: c.nLayers > 1, multiHead: c.nHeads > 1, dFF: c.dFF,
            vocabSize: NumberFormat.grouped(s.model.vocab.count), maxPositions: c.maxPositions,
            activation: c.activation.rawValue, tokenCount: s.count,
            parameterCount: NumberFormat.grouped(ParameterCount(s.model).matrices),
            tokensHref: s.file(.tokens),
            sha256: sha256,
            predictionHref: s.file(.prediction),
            hasCheckpoint: s.checkpoint != nil,
            checkpointName: s.checkpoint?.name ?? "",
            checkpointDtype: s.checkpoint?.dtypes.joined(separator: " and ") ?? "",
            lmHead: s.checkpoint?.lmHeadIsTied == false ? "its own lm_head.weight" : "tied to the token embeddings (W_lm = wteᵀ)",
            checkpointFiles: (s.checkpoint?.files ?? []).map { file in
                CheckpointFile(name: file.name, size: file.size, sha256: file.sha256)
            }
        )
    }

    /// The whole model as one picture: every block when there are at most 3, else the first,
    /// one band for those between (the same shape) and the last.
    static func stack(_ s: SiteData) -> StackSVG {
        let t = s.trace, c = s.model.config
        let heads = c.nHeads == 1 ? "1 head" : "\(c.nHeads) heads × \(c.dHead)"
        func block(_ l: Int) -> StackSVG.Block {
            StackSVG.Block(
                name: s.multiLayer ? "block \(l + 1) of \(c.nLayers)" : "the block",
                layerNorm1: .init("LayerNorm 1", href: s.file(.layerNorm(l))),
                attention: .init("Attention", heads + ", causal", href: s.file(.attention(l))),
                heads: c.nHeads,
                attentionAdd: .init("W_o and the residual", "h1 = x + attn_out", href: s.file(.residual(l))),
                layerNorm2: .init("LayerNorm 2", href: s.file(.mlp(l))),
                mlp: .init("MLP", "\(c.dModel) → \(c.dFF) → \(c.dModel), \(c.activation.rawValue)", href: s.file(.mlp(l))),
                mlpAdd: .init("the second residual", "h2 = h1 + mlp_out", href: s.file(.mlp(l))))
        }
        var rows: [StackSVG.Row]
        if c.nLayers <= 3 {
            rows = (0..<c.nLayers).map { .block(block($0)) }
        } else {
            rows = [.block(block(0)),
                    .collapsed(.init("blocks 2–\(c.nLayers - 1)", "the same shape, own weights", href: s.file(.attention(1)))),
                    .block(block(c.nLayers - 1))]
        }
        // Up to six tokens, as many as fit the token box (its bold 13.5-unit type measures about as
        // wide as `FigureText.width` says of regular type).
        func firstWords(_ n: Int) -> String { t.tokens.prefix(n).map { "“\($0)”" }.joined(separator: " ") + (s.count > n ? " …" : "") }
        var shownWords = min(6, s.count)
        while shownWords > 1 && FigureText.width(firstWords(shownWords), fontSize: 13.5) > StackSVG.width - 36 { shownWords -= 1 }
        let words = firstWords(shownWords)
        return StackSVG(
            id: "stack", title: "The whole model at once",
            description: "The \(s.count) prompt tokens enter at the bottom; their embeddings and positions add into the residual stream "
                + "of \(c.dModel) numbers per token, which runs up through \(c.nLayers) block\(c.nLayers == 1 ? "" : "s"). "
                + "In each block, attention (\(heads)) and the MLP branch off the stream and add back into it. "
                + "At the top the LM head turns the stream into scores over \(s.model.vocab.count) tokens and the prediction “\(t.prediction)”. Each part links to its page.",
            tokens: .init(words, "\(s.count) token\(s.count == 1 ? "" : "s") → ids", href: s.file(.tokens)),
            tokenEmbedding: .init("Token embedding", "\(s.model.vocab.count) × \(c.dModel)", href: s.file(.embeddings)),
            positionEmbedding: .init("Position embedding", "\(c.maxPositions) × \(c.dModel)", href: s.file(.positions)),
            streamLabel: "residual stream, d_model \(c.dModel)",
            rows: rows,
            finalNorm: c.finalLayerNorm ? .init("Final LayerNorm", href: s.file(.lmHead)) : nil,
            lmHead: .init("LM head", "\(c.dModel) → \(s.model.vocab.count) scores", href: s.file(.lmHead)),
            prediction: .init("Softmax → prediction", lossSublabel(s), href: s.file(.prediction)),
            learning: .init("Learning", learningSublabel(s), href: s.file(.gradient)))
    }

    static func lossSublabel(_ s: SiteData) -> String {
        guard let target = s.trace.target, let loss = s.trace.loss else { return "“\(ellipsized(s.trace.prediction, 16))”" }
        return "“\(ellipsized(s.trace.prediction, 12))”; target “\(ellipsized(target, 12))”, loss \(NumberFormat.short(loss))"
    }

    static func learningSublabel(_ s: SiteData) -> String {
        guard let run = s.learning?.run else { return "needs a target" }
        if let flip = run.flipStep {
            return flip == 0 ? "gradients, \(run.steps) steps" : "gradients; flips at step \(flip)"
        }
        return "gradients, \(run.steps) steps, no flip"
    }

    static func ellipsized(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

extension Stage {
    static let overview = Stage(OverviewPage.kind)
}
