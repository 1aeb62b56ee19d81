import TransformerEngine

/// lm-head.html: logits = h2 · W_lm (+ b_lm), one score per vocabulary word.
enum LMHeadPage {
    static let kind = PageKind(template: "lm-head", label: "LM head", followsFocus: true, builtIn: PackageResources.lm_head_html) { s, v in context(s, focus: v.focus) }

    struct Context: PageContext {
        var finalTable: TableContext
        var wlmTable: TableContext
        var logitTable: TableContext
        var heatmap: String
        var hasHeatmap: Bool
        var figureHref: String
        var chart: String
        var finalName: String
        /// " + b_lm" when the model has the LM head's bias.
        var lmBias: String
        var hasFinalNorm: Bool
        var focusWord: String
        var focusCls: String
        var topWord: String
        var topLogit: String
        var workedLogit: WorkedSum
        var vocabSize: String
        var dModel: Int
        /// Why the top word wins (nil fields when the vocabulary has one word).
        var hasRunnerUp: Bool
        var runnerUp: String
        var runnerUpLogit: String
        var lead: String
        var columnRows: Int
        var columnEverywhere: Bool
        /// No row has the top word's weight as its largest.
        var columnNowhere: Bool
        var leadTerms: [LeadTerm]
        var contributionTable: TableContext
        var hasContributionTable: Bool
        var hasWLMTable: Bool
        var wlmShape: String
        var hasTarget: Bool
        var targetWord: String
        var targetRank: String
        var targetLogit: String
        var targetProbability: String
        var targetIsTop: Bool
    }
    /// One dimension's part in the top word's lead over the runner-up.
    struct LeadTerm: Encodable {
        var dimension: String
        var worked: String
        var helps: Bool
    }

    /// A W_lm table bigger than this many cells is left to the pooled heatmap (a GPT-2 head is
    /// 768 × 50,257): a 16 × 16 corner of it says nothing.
    static let tableCellLimit = 16 * 1024
    /// How many dimensions the lead sentence names.
    static let leadTermCount = 3

    static func context(_ s: SiteData, focus f: Int) -> Context {
        let t = s.trace, c = s.model.config, w = s.model.weights
        let dims = s.dimensionLabels(c.dModel)
        let finalName = inputName(c)
        let finalTable = s.tokenTable("\(finalName): the last block's output\(c.finalLayerNorm ? ", after the final LayerNorm" : "")",
                                      t.final, columns: dims, focus: f, stage: .lmHead)
        let predicted = argmax(t.logits.row(f))
        var wlm = MatrixTable(caption: "W_lm (\(c.dModel) × \(s.model.vocab.count)): each column is a word's signature",
                              matrix: w.wLM, rowLabels: dims, columnLabels: s.model.vocab)
        wlm.corner = "dimension \\ word"
        wlm.highlightColumns = [predicted]
        let logits = s.tokenTable("logits = \(finalName) · W_lm\(w.bLM == nil ? "" : " + b_lm") (one row per position)",
                                  t.logits, columns: s.model.vocab, focus: f, stage: .lmHead)
        let hasHeatmap = s.drawsSharedFigure(cells: c.dModel * s.model.vocab.count, focus: f)
        let heatmap = !hasHeatmap ? "" : HeatmapSVG(
                id: "wlm-heatmap", title: "Heatmap of W_lm",
                description: "Rows are the \(c.dModel) dimensions, columns the \(s.model.vocab.count) vocabulary words; a word scores high when the token's vector is large where its column is large.\(c.dModel > 64 || s.model.vocab.count > 64 ? " Each cell is the mean of a block of weights, on the means' own colour scale." : "")",
                matrix: w.wLM, rowLabels: dims, columnLabels: s.model.vocab,
                showValues: c.dModel <= 16 && s.model.vocab.count <= 16, rowHeader: "dimension", columnHeader: "word",
                legendLabel: "weight").render()
        let target = f == s.lastToken ? t.targetID : t.ids[f + 1]
        let bars = ProbabilityBars.top(values: t.logits.row(f), words: s.model.vocab, argmax: predicted, target: target)
        let chart = BarChartSVG(
            id: "logit-bars", title: "Logits after “\(t.tokens[f])”",
            description: "The highest logit is “\(s.model.vocab[predicted])” (\(NumberFormat.short(t.logits[f, predicted]))).\(bars.note)",
            bars: bars.bars, valueAxisLabel: "logit", categoryAxisLabel: "word").render()
        let column = (0..<c.dModel).map { w.wLM[$0, predicted] }
        let vocab = s.model.vocab, h = t.final.row(f), logitRow = t.logits.row(f)
        // The runner-up: the highest logit after the top one.
        let runnerUp = logitRow.indices.filter { $0 != predicted }.max { logitRow[$0] != logitRow[$1] ? logitRow[$0] < logitRow[$1] : $0 > $1 }
        var leadTerms: [LeadTerm] = []
        if let r = runnerUp {
            let parts = (0..<c.dModel).map { i in h[i] * (w.wLM[i, predicted] - w.wLM[i, r]) }
            let order = parts.indices.sorted { abs(parts[$0]) != abs(parts[$1]) ? abs(parts[$0]) > abs(parts[$1]) : $0 < $1 }
            // Digits enough that the shown factors multiply out to the shown product (four
            // decimals): h at four decimals, the weights at four significant digits (GPT-2's
            // are ~0.02: at two decimals 0.03 − (−0.03) had to make 0.1571).
            let shown = Array(order.prefix(Self.leadTermCount))
            let largestWeight = shown.flatMap { [abs(w.wLM[$0, predicted]), abs(w.wLM[$0, r])] }.max() ?? 0
            let weightDecimals = Swift.max(4, NumberFormat.decimals(showing: 4, of: largestWeight))
            leadTerms = shown.map { i in
                LeadTerm(dimension: dims[i],
                         worked: "\(WorkedSum.signed(h[i], decimals: 4)) × (\(NumberFormat.short(w.wLM[i, predicted], decimals: weightDecimals)) − \(WorkedSum.signed(w.wLM[i, r], decimals: weightDecimals))) = \(NumberFormat.short(parts[i], decimals: 4))",
                         helps: parts[i] > 0)
            }
        }
        // In how many rows of W_lm the top word's weight is the largest (ties included): each
        // row's largest entry, taken word by word down W_lm's stored transpose.
        var rowLargest = [Double](repeating: -.infinity, count: c.dModel)
        for word in 0..<vocab.count {
            for i in 0..<c.dModel where w.wLM[i, word] > rowLargest[i] { rowLargest[i] = w.wLM[i, word] }
        }
        let columnRows = (0..<c.dModel).filter { i in w.wLM[i, predicted] >= (vocab.isEmpty ? 0 : rowLargest[i]) }.count
        // Each dimension's term of each logit, for the words with the highest logits.
        let words = vocab.count <= MatrixTable.limit ? Array(vocab.indices) : Ranking.largest(6, of: logitRow)
        var contributions = MatrixTable(
            caption: "\(finalName)ᵢ × W_lm[i, word]: each dimension's term of each logit (a column adds up to the word's logit)",
            values: (0..<c.dModel).map { i in words.map { h[i] * w.wLM[i, $0] } },
            rowLabels: dims, columnLabels: words.map { vocab[$0] })
        contributions.corner = "dimension \\ word"
        contributions.highlightColumns = Set(words.indices.filter { words[$0] == predicted })
        let hasContributionTable = c.dModel <= MatrixTable.limit
        let targetRank = target.map { id in logitRow.filter { $0 > logitRow[id] }.count + 1 } ?? 0
        let hasWLMTable = c.dModel * vocab.count <= Self.tableCellLimit
        return Context(
            finalTable: finalTable.render(),
            wlmTable: c.dModel * s.model.vocab.count <= Self.tableCellLimit ? s.sharedTable(wlm, name: "W_lm", focus: f, stage: .lmHead) : TableContext(),
            logitTable: logits.render(),
            heatmap: heatmap, hasHeatmap: hasHeatmap, figureHref: s.file(.lmHead),
            chart: chart,
            finalName: finalName,
            lmBias: FormulaTerms.bias(w.bLM, "b_lm"),
            hasFinalNorm: c.finalLayerNorm,
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            topWord: s.model.vocab[predicted],
            topLogit: NumberFormat.short(t.logits[f, predicted]),
            workedLogit: WorkedSum.dot(t.final.row(f), column, bias: w.bLM?[predicted], result: t.logits[f, predicted]),
            vocabSize: NumberFormat.grouped(s.model.vocab.count), dModel: c.dModel,
            hasRunnerUp: runnerUp != nil,
            runnerUp: runnerUp.map { vocab[$0] } ?? "",
            runnerUpLogit: runnerUp.map { NumberFormat.short(logitRow[$0]) } ?? "",
            lead: runnerUp.map { NumberFormat.short(logitRow[predicted] - logitRow[$0], decimals: 4) } ?? "",
            columnRows: columnRows, columnEverywhere: columnRows == c.dModel, columnNowhere: columnRows == 0,
            leadTerms: leadTerms,
            contributionTable: hasContributionTable ? contributions.render() : TableContext(),
            hasContributionTable: hasContributionTable,
            hasWLMTable: hasWLMTable,
            wlmShape: "\(c.dModel) × \(NumberFormat.grouped(vocab.count))",
            hasTarget: target != nil,
            targetWord: target.map { vocab[$0] } ?? "",
            targetRank: Self.ordinal(targetRank),
            targetLogit: target.map { NumberFormat.short(logitRow[$0]) } ?? "",
            targetProbability: target.map { NumberFormat.percent(t.probs[f, $0]) } ?? "",
            targetIsTop: target == predicted
        )
    }
}

extension LMHeadPage {
    /// 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st.
    static func ordinal(_ n: Int) -> String {
        let suffix = (11...13).contains(n % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(NumberFormat.grouped(n))\(suffix)"
    }

    /// The LM head's input, by one name on every page: h2 (the last block's output), or
    /// LNf(h2) after a final LayerNorm.
    static func inputName(_ c: ModelConfig) -> String { c.finalLayerNorm ? "LNf(h2)" : "h2" }
}

/// Bars for a vocabulary-sized vector: all of them when the vocabulary is small, otherwise the
/// top 20 plus the target; `ids` are the bars' word ids (labels can repeat, ids cannot).
enum ProbabilityBars {
    static func top(values: [Double], words: [String], argmax: Int, target: Int?, limit: Int = 20) -> (bars: [BarChartSVG.Bar], note: String, ids: [Int]) {
        var order = Array(values.indices)
        var note = ""
        if values.count > limit {
            let top = Ranking.largest(limit, of: values)
            order = top
            if let target, !top.contains(target) { order.append(target) }
            note = " Showing the top \(limit) of \(values.count) words\(target.map { order.contains($0) && !top.contains($0) ? " plus the target" : "" } ?? "")."
        }
        let bars = order.map { i in
            BarChartSVG.Bar(label: words[i], value: values[i], isArgmax: i == argmax, isTarget: i == target)
        }
        return (bars, note, order)
    }
}

extension Stage {
    static let lmHead = Stage(LMHeadPage.kind)
}
