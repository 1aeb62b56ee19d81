/// index.html: the journey at a glance.
enum OverviewPage {
    static let kind = PageKind(template: "index", label: "Overview", showsLearning: true, builtIn: PackageResources.index_html) { s, v in context(s, sha256: v.sha256) }

    struct Context: PageContext {
        var promptText: String
        var promptChips: [Chip]
        var pipeline: String
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
        var dFF: Int
        var vocabSize: Int
        var maxPositions: Int
        var activation: String
        var tokenCount: Int
        var parameterCount: Int
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
    struct CheckpointFile {
        var name: String
        var size: Int
        var sha256: String
    }
    struct Chip {
        var word: String
        var cls: String
        var id: Int
        var position: Int
    }

    static func context(_ s: SiteData, sha256: String) -> Context {
        let t = s.trace, c = s.model.config
        var boxes: [PipelineSVG.Stage] = [
            .init(label: "text", sublabel: "“\(ellipsized(s.model.prompt.text, 28))”", href: s.file(.tokens)),
            .init(label: "token ids", sublabel: "stoi lookup", href: s.file(.tokens)),
            .init(label: "token embeddings", sublabel: "tok_emb[id]", href: s.file(.embeddings)),
            .init(label: "+ positions", sublabel: "x = tok + pos", href: s.file(.positions)),
        ]
        for l in 0..<c.nLayers {
            let p = s.multiLayer ? "L\(l + 1) " : ""
            boxes += [
                .init(label: p + "LayerNorm", sublabel: "LN1(x)", href: s.file(.layerNorm(l))),
                .init(label: p + "attention", sublabel: "\(c.nHeads) head\(c.nHeads == 1 ? "" : "s"), causal", href: s.file(.attention(l))),
                .init(label: p + "W_o + residual", sublabel: "h1 = x + attn_out", href: s.file(.residual(l))),
                .init(label: p + "LayerNorm → MLP", sublabel: "LN2(h1) → \(c.activation.rawValue)", href: s.file(.mlp(l))),
                .init(label: p + "+ residual", sublabel: "h2 = h1 + mlp_out", href: s.file(.mlp(l))),
            ]
        }
        boxes += [
            .init(label: "LM head", sublabel: "logits = h2 · W_lm", href: s.file(.lmHead)),
            .init(label: "softmax", sublabel: "probabilities", href: s.file(.prediction)),
            .init(label: "prediction and loss", sublabel: lossSublabel(s), href: s.file(.prediction)),
            .init(label: "learning", sublabel: learningSublabel(s), href: s.file(.gradient)),
        ]
        let pipeline = PipelineSVG(
            id: "pipeline", title: "The forward pass, stage by stage",
            description: "From the text “\(s.model.prompt.text)” through \(c.nLayers) transformer block\(c.nLayers == 1 ? "" : "s") to the prediction “\(t.prediction)”. Each box links to its page.",
            stages: boxes).render()
        let chips = t.tokens.enumerated().map { i, word -> Chip in
            Chip(word: word, cls: s.tokenClass(i), id: t.ids[i], position: i)
        }
        var parameterCount = s.model.vocab.count * c.dModel * 2 + c.maxPositions * c.dModel
        parameterCount += c.nLayers * (4 * c.dModel * c.dModel + 2 * c.dModel * c.dFF)
        return Context(
            promptText: s.model.prompt.text,
            promptChips: chips,
            pipeline: pipeline,
            prediction: t.prediction,
            hasTarget: t.target != nil,
            target: t.target ?? "",
            correct: t.target != nil && t.target == t.prediction,
            loss: t.loss.map { NumberFormat.short($0, decimals: 4) } ?? "",
            lossExact: t.loss.map(NumberFormat.tooltip) ?? "",
            pTarget: t.targetID.map { NumberFormat.short(t.probs[s.lastToken, $0] * 100, decimals: 1) + "%" } ?? "",
            pPrediction: NumberFormat.short(t.probs[s.lastToken, t.predictionID] * 100, decimals: 1) + "%",
            dModel: c.dModel, nHeads: c.nHeads, nLayers: c.nLayers, dFF: c.dFF,
            vocabSize: s.model.vocab.count, maxPositions: c.maxPositions,
            activation: c.activation.rawValue, tokenCount: s.count,
            parameterCount: parameterCount,
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
