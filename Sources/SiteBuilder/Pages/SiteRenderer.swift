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
    var jobs: [PageJob] {
        var jobs: [PageJob] = []
        for (index, stage) in data.stages.enumerated() {
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

    /// What layout.html shows around every page; `stage-nav.html` and `focus-chips.html` draw
    /// its navigation.
    struct LayoutContext: PageContext {
        var pageTitle: String
        var siteName: String
        var stageLabel: String
        var isOverview: Bool
        var navigation: StageNavigation
        var hasChips: Bool
        var chips: AroundCurrent<FocusChip>
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
        // A chip for every followed token, when there are several to switch between.
        let chips = stage.followsFocus && data.followed.count > 1 ? data.followed.map { i in
            FocusChip(position: i, label: data.trace.tokens[i], href: data.file(stage, focus: i), classes: data.tokenClasses[i], isCurrent: i == focus)
        } : []
        let layerTitle = stage.layer.map { data.multiLayer ? " · layer \($0 + 1)" : "" } ?? ""
        let pageTitle = stage == .overview ? data.siteName : "\(stage.label)\(layerTitle) · \(data.siteName)"
        var context = LayoutContext(
            pageTitle: pageTitle,
            siteName: data.siteName,
            stageLabel: stage.label + layerTitle,
            isOverview: stage == .overview,
            navigation: navigation(index: index, focus: focus),
            hasChips: !chips.isEmpty,
            chips: AroundCurrent(chips, isCurrent: \.isCurrent),
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

    /// The stage navigation of the page of stage `index`, seen from token `focus`. With one
    /// layer the chips are every stage; with several, the stages outside the layers and those
    /// of the page's layer (the first layer's on other pages), with a selector for the layer.
    func navigation(index: Int, focus: Int) -> StageNavigation {
        let stages = data.stages
        func link(_ i: Int) -> StageNavigation.Link {
            StageNavigation.Link(number: String(i), label: data.stageMapLabels[i],
                                 href: data.file(stages[i], focus: focus), isCurrent: i == index)
        }
        let current = stages[index]
        let shownLayer = current.layer ?? 0
        let chips = stages.indices.filter { stages[$0].layer == nil || stages[$0].layer == shownLayer }.map(link)
        var layers: [StageNavigation.Link] = []
        var groups: [StageNavigation.Group] = []
        if data.multiLayer {
            // The same kind of page in every layer (the layer's first page from a page outside them).
            let kind = current.layer == nil ? stages.first { $0.layer != nil }?.kind : current.kind
            layers = (0..<data.model.config.nLayers).map { layer in
                let target = stages.firstIndex { $0.layer == layer && $0.kind == kind } ?? index
                return StageNavigation.Link(number: String(layer + 1), label: "layer \(layer + 1)",
                                            href: data.file(stages[target], focus: focus), isCurrent: current.layer == layer)
            }
        }
        for i in stages.indices {
            let heading = data.multiLayer ? stages[i].layer.map { "Layer \($0 + 1)" } : nil
            if let last = groups.last, last.heading == heading {
                groups[groups.count - 1].links.append(link(i))
            } else {
                groups.append(StageNavigation.Group(heading: heading, links: [link(i)]))
            }
        }
        return StageNavigation(
            chips: chips, layers: layers, groups: groups,
            previous: index > 0 ? link(index - 1) : nil,
            next: index + 1 < stages.count ? link(index + 1) : nil,
            lastNumber: String(stages.count - 1), stageCount: stages.count)
    }

    func label(_ stage: Stage) -> String {
        stage.label + (stage.layer.map { data.multiLayer ? " (layer \($0 + 1))" : "" } ?? "")
    }
}

public enum SitegenVersion {
    public static let string = "0.1.0"
}
