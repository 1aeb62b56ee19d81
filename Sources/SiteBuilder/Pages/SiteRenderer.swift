import PageValidation
import TransformerEngine

/// Renders every page of the site: each stage's template inside the shared layout, once per
/// focus token for the stages that follow one.
struct SiteRenderer: @unchecked Sendable {
    let data: SiteData
    let templates: TemplateSet
    static let generator = "sitegen \(SitegenVersion.string)"

    /// One page to render: a stage, seen from one focus token.
    struct PageJob: Sendable {
        let index: Int          // the stage's place in the stage map
        let stage: Stage
        let focus: Int
    }

    /// A rendered page, already parsed and walked by the checker.
    struct RenderedPage: Sendable {
        let path: String
        let bytes: [UInt8]
        let scan: SiteChecker.ScannedPage
    }

    /// Every page of the stages `include` accepts, once per focus token for the stages that
    /// follow one, in stage-map order.
    func jobs(where include: (Stage) -> Bool) -> [PageJob] {
        var jobs: [PageJob] = []
        for (index, stage) in data.stages.enumerated() where include(stage) {
            let foci: [Int] = stage.followsFocus ? Array(0..<data.count) : [data.lastToken]
            for focus in foci { jobs.append(PageJob(index: index, stage: stage, focus: focus)) }
        }
        return jobs
    }

    /// Renders one page (its stage's template inside the layout) and scans it for the checker.
    func render(_ job: PageJob) throws(BuildFailure) -> RenderedPage {
        let sha256 = job.stage == .overview ? data.sha256 : ""
        let body = try templates.render(job.stage.template, pageContext(job.stage, focus: job.focus, sha256: sha256))
        let page = try templates.render("layout", layoutContext(job.stage, index: job.index, focus: job.focus, body: body, sha256: sha256))
        let bytes = Array(page.utf8)
        return RenderedPage(path: data.file(job.stage, focus: job.focus), bytes: bytes, scan: SiteChecker.scan(bytes))
    }

    /// `sha256`: the model file's, on the overview page (the only one that shows it).
    func pageContext(_ stage: Stage, focus: Int, sha256: String) -> [String: Any] {
        var context: [String: Any]
        switch stage {
        case .overview: context = OverviewPage.context(data, sha256: sha256)
        case .tokens: context = TokensPage.context(data)
        case .embeddings: context = EmbeddingsPage.context(data)
        case .positions: context = PositionsPage.context(data, focus: focus)
        case .layerNorm(let l): context = LayerNormPage.context(data, layer: l, focus: focus)
        case .attention(let l): context = AttentionPage.context(data, layer: l, focus: focus)
        case .residual(let l): context = ResidualPage.context(data, layer: l, focus: focus)
        case .mlp(let l): context = MLPPage.context(data, layer: l, focus: focus)
        case .lmHead: context = LMHeadPage.context(data, focus: focus)
        case .prediction: context = PredictionPage.context(data, focus: focus)
        case .generate: context = GeneratePage.context(data)
        case .playground: context = PlaygroundPage.context(data)
        case .gradient: context = GradientPage.context(data)
        case .backprop: context = BackpropPage.context(data)
        case .step: context = StepPage.context(data)
        case .training: context = TrainingPage.context(data)
        }
        // Links to the neighbouring stages, keeping the focus token.
        for (key, value) in linkContext(focus: focus) { context[key] = value }
        return context
    }

    /// `href` of every stage for this focus, so prose can link onward: `{{href_attention}}`.
    func linkContext(focus: Int) -> [String: Any] {
        var links: [String: Any] = ["href_model": "model.json", "href_trace": "trace.json", "siteName": data.siteName]
        for (key, stage) in data.linkKeys {
            links[key] = data.file(stage, focus: focus)
        }
        return links
    }

    func layoutContext(_ stage: Stage, index: Int, focus: Int, body: String, sha256: String) -> [String: Any] {
        let stages = data.stages
        let map = stages.enumerated().map { i, s -> NavigationHTML.Link in
            .init(label: data.stageMapLabels[i], href: data.file(s, focus: focus), isCurrent: i == index)
        }
        let chips = stage.followsFocus ? data.trace.tokens.enumerated().map { i, word -> NavigationHTML.Link in
            .init(label: word, href: data.file(stage, focus: i), classes: data.tokenClasses[i], isCurrent: i == focus)
        } : []
        let layerTitle = stage.layer.map { data.multiLayer ? " · layer \($0 + 1)" : "" } ?? ""
        let pageTitle = stage == .overview ? data.siteName : "\(stage.label)\(layerTitle) · \(data.siteName)"
        var context: [String: Any] = [
            "pageTitle": pageTitle,
            "siteName": data.siteName,
            "stageLabel": stage.label + layerTitle,
            "stageNumber": index,
            "stageCount": stages.count - 1,
            "isOverview": stage == .overview,
            "stageMapItems": NavigationHTML.stageItems(map),
            "hasChips": !chips.isEmpty,
            "chipLinks": NavigationHTML.chips(chips),
            "focusWord": data.trace.tokens[focus],
            "body": body,
            "sha256": sha256,
            "generator": Self.generator,
            "hasPrev": index > 0, "prevHref": "", "prevLabel": "",
            "hasNext": index + 1 < stages.count, "nextHref": "", "nextLabel": "",
        ]
        if index > 0 {
            context["prevHref"] = data.file(stages[index - 1], focus: focus)
            context["prevLabel"] = label(stages[index - 1])
        }
        if index + 1 < stages.count {
            context["nextHref"] = data.file(stages[index + 1], focus: focus)
            context["nextLabel"] = label(stages[index + 1])
        }
        return context
    }

    func label(_ stage: Stage) -> String {
        stage.label + (stage.layer.map { data.multiLayer ? " (layer \($0 + 1))" : "" } ?? "")
    }
}

public enum SitegenVersion {
    public static let string = "0.1.0"
}
