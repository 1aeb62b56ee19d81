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
            let foci: [Int] = stage.followsFocus ? data.followed : [data.lastToken]
            for focus in foci { jobs.append(PageJob(index: index, stage: stage, focus: focus)) }
        }
        return jobs
    }

    /// Renders one page (its stage's template inside the layout) and scans it for the checker.
    func render(_ job: PageJob) throws(BuildFailure) -> RenderedPage {
        let sha256 = job.stage == .overview ? data.sha256 : ""
        let links = self.links(focus: job.focus)
        let view = PageView(layer: job.stage.layer ?? 0, focus: job.focus, sha256: sha256)
        let body = try templates.render(job.stage.template, page: job.stage.kind.context(data, view), links: links)
        let page = try templates.render("layout", page: layoutContext(job.stage, index: job.index, focus: job.focus, body: body, sha256: sha256), links: links)
        let bytes = Array(page.utf8)
        return RenderedPage(path: data.file(job.stage, focus: job.focus), bytes: bytes, scan: SiteChecker.scan(bytes))
    }

    /// `href` of every stage for this focus, so prose can link onward: `{{href_attention}}`
    /// (the keys come from the page registry, so they are a dictionary), and the site's name.
    func links(focus: Int) -> [String: String] {
        var links = ["href_model": "model.json", "href_trace": "trace.json", "siteName": data.siteName]
        for (key, stage) in data.linkKeys {
            links[key] = data.file(stage, focus: focus)
        }
        return links
    }

    /// What layout.html shows around every page. The stage map and the token chips come as
    /// markup (`NavigationHTML`): as loops in the template they cost more than the rest of a
    /// page (the template engine spends microseconds on every tag of every item).
    struct LayoutContext: PageContext {
        var pageTitle: String
        var siteName: String
        var stageLabel: String
        var stageNumber: Int
        var stageCount: Int
        var isOverview: Bool
        var stageMapItems: String
        var hasChips: Bool
        var chipLinks: String
        var focusWord: String
        var body: String
        var sha256: String
        /// The checkpoint the weights come from (its files are listed on the overview), else "".
        var hasCheckpoint: Bool
        var checkpointName: String
        var generator: String
        var hasPrev: Bool
        var prevHref = ""
        var prevLabel = ""
        var hasNext: Bool
        var nextHref = ""
        var nextLabel = ""
    }

    func layoutContext(_ stage: Stage, index: Int, focus: Int, body: String, sha256: String) -> LayoutContext {
        let stages = data.stages
        let map = stages.enumerated().map { i, s in
            NavigationHTML.Link(label: data.stageMapLabels[i], href: data.file(s, focus: focus), isCurrent: i == index)
        }
        // A chip for every followed token, when there are several to switch between.
        let chips = stage.followsFocus && data.followed.count > 1 ? data.followed.map { i in
            NavigationHTML.Link(label: data.trace.tokens[i], href: data.file(stage, focus: i), classes: data.tokenClasses[i], isCurrent: i == focus)
        } : []
        let layerTitle = stage.layer.map { data.multiLayer ? " · layer \($0 + 1)" : "" } ?? ""
        let pageTitle = stage == .overview ? data.siteName : "\(stage.label)\(layerTitle) · \(data.siteName)"
        var context = LayoutContext(
            pageTitle: pageTitle,
            siteName: data.siteName,
            stageLabel: stage.label + layerTitle,
            stageNumber: index,
            stageCount: stages.count - 1,
            isOverview: stage == .overview,
            stageMapItems: NavigationHTML.stageItems(map),
            hasChips: !chips.isEmpty,
            chipLinks: NavigationHTML.chips(chips),
            focusWord: data.trace.tokens[focus],
            body: body,
            sha256: sha256,
            hasCheckpoint: data.checkpoint != nil,
            checkpointName: data.checkpoint?.name ?? "",
            generator: Self.generator,
            hasPrev: index > 0,
            hasNext: index + 1 < stages.count)
        if index > 0 {
            context.prevHref = data.file(stages[index - 1], focus: focus)
            context.prevLabel = label(stages[index - 1])
        }
        if index + 1 < stages.count {
            context.nextHref = data.file(stages[index + 1], focus: focus)
            context.nextLabel = label(stages[index + 1])
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
