/// One place on the stage map: a kind of page (see `SitePages`), for one layer when the kind
/// repeats per layer. A model with several layers gets the per-layer pages once per layer.
struct Stage: Hashable, Sendable {
    let kind: PageKind
    let layer: Int?

    init(_ kind: PageKind, layer: Int? = nil) {
        self.kind = kind
        self.layer = layer
    }

    /// The stage map: the pages in registry order, each run of per-layer pages repeated for
    /// every layer.
    static func all(layers: Int) -> [Stage] {
        var stages: [Stage] = []
        var run: [PageKind] = []
        func flush() {
            for layer in 0..<layers { stages += run.map { Stage($0, layer: layer) } }
            run = []
        }
        for kind in SitePages.all {
            if kind.repeats == .perLayer {
                run.append(kind)
            } else {
                flush()
                stages.append(Stage(kind))
            }
        }
        flush()
        return stages
    }

    var template: String { kind.template }
    var label: String { kind.label }
    var followsFocus: Bool { kind.followsFocus }
    var isLearning: Bool { kind.chapter == .learning }

    /// The page's file name; the default focus (the last token) has the plain name,
    /// other focus tokens a `-tN` suffix (N = position, from 0).
    func fileName(multiLayer: Bool, focus: Int?, lastToken: Int) -> String {
        var base = template
        if let layer, multiLayer { base = "layer\(layer + 1)-" + base }
        if followsFocus, let focus, focus != lastToken { base += "-t\(focus)" }
        return base + ".html"
    }
}
