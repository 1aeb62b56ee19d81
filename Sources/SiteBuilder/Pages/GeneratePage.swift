import TransformerEngine

/// generate.html: the prompt continued token by token, greedily and by sampling.
enum GeneratePage {
    static let kind = PageKind(template: "generate", label: "Generation", builtIn: PackageResources.generate_html) { s, _ in context(s) }

    struct Context: PageContext {
        var promptText: String
        var count: Int
        var maxPositions: Int
        var promptLength: Int
        var onePromptToken: Bool
        var hasSteps: Bool
        /// Whether the window is cropped over the continuation, and from which step (1-based).
        var windowCrops: Bool
        var firstCroppedStep: Int
        var positions: Int
        var lastPosition: Int
        var greedyText: String
        var sampledText: String
        var greedySteps: [GreedyRow]
        /// What each greedy chart shows: "the 5 most likely of the 6 tokens" or "all 4 tokens".
        var greedyChartsShow: String
        var sampledSteps: [SampledStep]
        var temperature: String
        var topK: String
        var topP: String
        var seed: String
        var temperatureText: [Phrase]
        var cutText: String
    }
    struct GreedyRow: Encodable {
        var number: Int
        var chart: String
        var token: String
        var p: String
        var cropsHere: Bool
        var cropNote: [Phrase]
        var windowCaption: [Phrase]
    }
    /// What a step conditions on: the note where cropping starts, the window on cropped steps.
    struct Window: Encodable {
        var cropsHere: Bool
        /// Cut at its quoted words (`Phrase.split`), so the template isolates them in `<bdi>`.
        var cropNote: [Phrase]
        /// " The model sees …" on a cropped step, nothing otherwise.
        var caption: [Phrase]
    }
    struct SampledStep: Encodable {
        var number: Int
        var rows: [TokenRow]
        var chart: String
        var u: String
        var uExact: String
        var token: String
        /// What the draw was among: “12 kept”, or “all 50,257 tokens in the draw” when nothing was cut.
        var drawnFrom: String
        var more: String
        var cropsHere: Bool
        var cropNote: [Phrase]
        var windowCaption: [Phrase]
        /// Folded under its heading into a closed <details> (`foldsSampledSteps`).
        var folded: Bool
    }
    struct TokenRow: Encodable {
        var token: String
        var logit: String
        var scaled: String
        var softmax: String
        var topK: String
        var topP: String
        var interval: String
        var rowClass: String
    }
    /// Bars in each greedy step's chart: the most likely tokens.
    static let greedyBars = 5
    /// Tokens shown in each sampled step's table: the kept ones, then the next most likely.
    static let shownTokens = 6

    /// With a vocabulary larger than a step's table shows, every sampled step after the first
    /// folds under its heading (GPT-2 small's eight steps were 930 px each on a phone); the
    /// first shows the method, the summaries say what each draw chose.
    static func foldsSampledStep(_ n: Int, vocabularySize: Int, shown: Int) -> Bool {
        n > 0 && vocabularySize > shown
    }

    static func context(_ s: SiteData) -> Context {
        let g = s.generation, vocab = s.model.vocab, settings = g.settings
        let percent = { (p: Double) in NumberFormat.percent(p) }
        let separator = s.model.tokenizer == .words ? " " : ""
        let promptText = s.trace.tokens.joined(separator: separator)
        // One scale for every greedy chart, so that bar lengths compare across the steps.
        let greedyReach = g.greedy.map { $0.probs[$0.id] }.max() ?? 0
        let greedySteps: [GreedyRow] = g.greedy.enumerated().map { n, step in
            let bars = ProbabilityBars.top(values: step.probs, words: vocab, argmax: step.id, target: nil, limit: greedyBars)
            var chart = BarChartSVG(
                id: "greedy-\(n + 1)", title: "Greedy step \(n + 1): the most likely next tokens",
                description: "The argmax “\(vocab[step.id])” gets \(percent(step.probs[step.id])) and is appended.\(bars.note)",
                bars: bars.bars, valueAxisLabel: "probability", categoryAxisLabel: "token", valueFormat: .percent,
                argmaxText: "▲ appended")
            chart.axisReach = greedyReach
            let w = window(g, step: n, text: s.trace.tokens + g.greedyIDs.map { vocab[$0] }, separator: separator)
            return GreedyRow(number: n + 1, chart: chart.render(), token: vocab[step.id], p: percent(step.probs[step.id]),
                             cropsHere: w.cropsHere, cropNote: w.cropNote, windowCaption: w.caption)
        }
        let sampledSteps: [SampledStep] = g.sampled.enumerated().map { n, step in
            var context = stepContext(n, step, vocab: vocab, settings: settings)
            let w = window(g, step: n, text: s.trace.tokens + g.sampledIDs.map { vocab[$0] }, separator: separator)
            (context.cropsHere, context.cropNote, context.windowCaption) = (w.cropsHere, w.cropNote, w.caption)
            context.folded = foldsSampledStep(n, vocabularySize: vocab.count, shown: context.rows.count)
            return context
        }
        let first = g.sampled.first
        let hottest = first.map { step -> String in
            let top = step.topK[0]                          // the most likely token (top-k keeps it)
            let plain = softmax(step.logits)[top]
            return "At step 1 the most likely token, “\(vocab[top])”, has \(percent(plain)) at T = 1 and \(percent(step.tempered[top])) at T = \(NumberFormat.exact(settings.temperature)): a temperature below 1 sharpens the distribution, above 1 flattens it."
        } ?? ""
        let cutText = first.map { step -> String in
            var parts: [String] = []
            if settings.topK > 0 { parts.append("top-k kept \(NumberFormat.grouped(step.topK.count)) of \(NumberFormat.grouped(vocab.count)) tokens") }
            if settings.topP < 1 { parts.append("top-p (P = \(NumberFormat.exact(settings.topP))) then kept \(step.kept.count)") }
            return parts.isEmpty
                ? "With top-k and top-p off, every one of the \(NumberFormat.grouped(vocab.count)) tokens stays in the draw at every step."
                : "At step 1 " + parts.joined(separator: "; ") + ", and the rest get probability 0."
        } ?? ""
        return Context(
            promptText: promptText,
            count: g.greedy.count,
            maxPositions: s.model.config.maxPositions,
            promptLength: s.count,
            onePromptToken: s.count == 1,
            hasSteps: !g.greedy.isEmpty,
            windowCrops: g.firstCroppedStep != nil, firstCroppedStep: (g.firstCroppedStep ?? 0) + 1,
            positions: g.positions, lastPosition: g.positions - 1,
            greedyText: (s.trace.tokens + g.greedyIDs.map { vocab[$0] }).joined(separator: separator),
            sampledText: (s.trace.tokens + g.sampledIDs.map { vocab[$0] }).joined(separator: separator),
            greedySteps: greedySteps,
            greedyChartsShow: vocab.count > greedyBars
                ? "the \(greedyBars) most likely of the \(NumberFormat.grouped(vocab.count)) tokens" : "all \(NumberFormat.grouped(vocab.count)) tokens",
            sampledSteps: sampledSteps,
            temperature: NumberFormat.exact(settings.temperature),
            topK: settings.topK == 0 ? "off" : String(settings.topK),
            topP: settings.topP == 1 ? "off" : NumberFormat.exact(settings.topP),
            seed: String(settings.seed),
            temperatureText: Phrase.split(hottest),
            cutText: cutText)
    }

    /// One sampled step: a table of the same tokens through logits → ÷T → softmax → top-k →
    /// top-p, the cumulative intervals, u and the chosen token.
    static func stepContext(_ n: Int, _ step: SamplingStep, vocab: [String], settings: GenerationSettings) -> SampledStep {
        // The most likely tokens, in the order the step ranked them: top-k is the first k of
        // that order and the kept tokens the first of top-k, so the token in row i is entry i
        // of each list it is in.
        let count = max(shownTokens, min(step.kept.count, 12))
        let order = step.topK.count >= count ? step.topK : Sampling.descendingOrder(step.tempered)
        let shown = Array(order.prefix(count))
        let f = { (x: Double) in NumberFormat.short(x, decimals: 3) }
        var start = 0.0                                     // the kept probabilities before row i
        let rows: [TokenRow] = shown.enumerated().map { i, id in
            let isKept = i < step.kept.count
            let interval = isKept ? "[\(f(start)), \(f(start + step.probs[i])))" : "—"
            if isKept { start += step.probs[i] }
            return TokenRow(
                token: vocab[id],
                logit: NumberFormat.short(step.logits[id]),
                scaled: NumberFormat.short(step.logits[id] / settings.temperature),
                softmax: f(step.tempered[id]),
                topK: i < step.topK.count ? f(step.topKProbs[i]) : "0 (cut)",
                topP: isKept ? f(step.probs[i]) : "0 (cut)",
                interval: interval,
                rowClass: id == step.id ? "chosen focus" : "kept")
        }
        let bars = step.kept.prefix(12).enumerated().map { j, id in
            BarChartSVG.Bar(label: vocab[id], value: step.probs[j], isArgmax: id == step.id)
        }
        let chart = BarChartSVG(
            id: "sampled-\(n + 1)", title: "Sampled step \(n + 1): the kept tokens after the cut-offs",
            description: "u = \(NumberFormat.exact(step.u)) falls in the interval of “\(vocab[step.id])”.",
            bars: Array(bars), valueAxisLabel: "probability", categoryAxisLabel: "token", valueFormat: .percent,
            argmaxText: "▲ chosen").render()
        return SampledStep(
            number: n + 1, rows: rows, chart: chart,
            u: NumberFormat.short(step.u, decimals: 4), uExact: NumberFormat.tooltip(step.u),
            token: vocab[step.id], drawnFrom: step.kept.count == vocab.count ? "all \(NumberFormat.grouped(vocab.count)) tokens in the draw" : "\(NumberFormat.grouped(step.kept.count)) kept",
            more: vocab.count > shown.count ? "\(NumberFormat.grouped(vocab.count - shown.count)) less likely tokens are not shown." : "",
            cropsHere: false, cropNote: [], windowCaption: [], folded: false)
    }

    /// Step `step`'s window over `text` (the prompt and that continuation's tokens).
    static func window(_ g: Generation, step: Int, text: [String], separator: String) -> Window {
        let start = g.windowStarts[step], length = text.count - g.windowStarts.count + step
        guard start > 0 else { return Window(cropsHere: false, cropNote: [], caption: []) }
        let seen = text[start..<length].joined(separator: separator)
        let dropped = text[0..<start].joined(separator: separator)
        let note = "From this step on the text (\(length) tokens) is longer than the model's \(g.positions) positions: the step conditions on the last \(g.positions) tokens only, “\(seen)”, at positions 0 to \(g.positions - 1), and “\(dropped)” drops out of view (nanoGPT's generate does the same)."
        return Window(cropsHere: step == g.firstCroppedStep, cropNote: Phrase.split(note),
                      caption: Phrase.split(" The model sees the last \(g.positions) tokens: “\(seen)”."))
    }
}
