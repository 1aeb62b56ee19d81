/// The forward-pass overview: one box per stage in a single vertical column, joined by
/// downward arrows. The viewBox is 320 units wide, so it stays readable on a 390-px phone;
/// on a wide page cap its width with CSS (see `svg.figure-pipeline` in Templates/style.css).
///
/// - Box text: `Stage.label` (14 units, cut at 32 characters) and `Stage.sublabel` (11 units,
///   cut at 42 characters); every box has a `<title>` `"LABEL — SUBLABEL"` (or just `LABEL`).
/// - A stage with `href` is wrapped in `<a href="…">` (plain SVG 2 `href`, no xlink).
/// - The current stage gets a thicker outline, a stronger tint, a bold label prefixed with "▸ "
///   and `aria-current="page"` on its link.
/// - The root always has `role="img"` (every figure on the site does). With `role="img"` its links
///   are hidden from assistive technology, so pages that use it also list the same links in HTML
///   (the stage map in every page's header).
public struct PipelineSVG: Sendable {
    public struct Stage: Sendable, Equatable {
        public var label: String
        public var sublabel: String?
        public var href: String?
        public var isCurrent: Bool

        public init(label: String, sublabel: String? = nil, href: String? = nil, isCurrent: Bool = false) {
            self.label = label
            self.sublabel = sublabel
            self.href = href
            self.isCurrent = isCurrent
        }
    }

    public var id: String
    public var title: String
    public var description: String
    public var stages: [Stage]

    public init(id: String, title: String, description: String, stages: [Stage]) {
        self.id = id
        self.title = title
        self.description = description
        self.stages = stages
    }

    public func render() -> String {
        let pad = 8.0
        let width = 320.0
        let boxX = 20.0
        let boxWidth = width - 2 * boxX
        let hasSublabels = stages.contains { $0.sublabel != nil }
        let boxHeight = hasSublabels ? 46.0 : 32.0
        let gap = 24.0
        let height = pad * 2 + Double(stages.count) * boxHeight + Double(Swift.max(0, stages.count - 1)) * gap

        var svg = SVGWriter()
        svg.open(id: id, classes: "figure figure-pipeline", width: width, height: Swift.max(height, 2 * pad),
                 title: title, description: description,
                 // A picture of links is a group of controls, not one image (nested-interactive).
                 role: stages.contains { $0.href != nil } ? "group" : "img")

        for (i, stage) in stages.enumerated() {
            let y = pad + Double(i) * (boxHeight + gap)
            let boxTitle = stage.sublabel.map { stage.label + " — " + $0 } ?? stage.label
            var classes = "figure-stage"
            if stage.isCurrent { classes += " figure-stage-current" }
            if let href = stage.href {
                svg.raw("<a href=\"\(Escape.html(href))\" class=\"\(classes)\"\(stage.isCurrent ? " aria-current=\"page\"" : "")>")
            } else {
                svg.raw("<g class=\"\(classes)\">")
            }
            svg.raw("<title>\(Escape.html(boxTitle))</title>")
            let box = stage.isCurrent
                ? "rx=\"6\" fill=\"currentColor\" fill-opacity=\"0.16\" stroke=\"currentColor\" stroke-width=\"3\""
                : "rx=\"6\" fill=\"currentColor\" fill-opacity=\"0.04\" stroke=\"currentColor\" stroke-width=\"1.2\""
            svg.rect(x: boxX, y: y, width: boxWidth, height: boxHeight, attributes: box)
            let label = (stage.isCurrent ? "▸ " : "") + FigureText.truncated(stage.label, maxCharacters: 32)
            let labelY = stage.sublabel == nil ? y + boxHeight / 2 + 14 * 0.35 : y + 19
            svg.text(label, x: width / 2, y: labelY, fontSize: 14, anchor: "middle",
                     attributes: "fill=\"currentColor\"" + (stage.isCurrent ? " font-weight=\"700\"" : ""))
            if let sublabel = stage.sublabel {
                svg.text(FigureText.truncated(sublabel, maxCharacters: 42), x: width / 2, y: y + 36, fontSize: 11,
                         anchor: "middle", attributes: "class=\"figure-sublabel\" fill=\"currentColor\" fill-opacity=\"0.8\"")
            }
            svg.raw(stage.href == nil ? "</g>" : "</a>")

            if i < stages.count - 1 {
                let x = width / 2
                let y1 = y + boxHeight
                let y2 = y1 + gap
                svg.line(x1: x, y1: y1 + 2, x2: x, y2: y2 - 7, attributes: "class=\"figure-arrow\" stroke=\"currentColor\" stroke-width=\"1.5\"")
                svg.raw("<polygon class=\"figure-arrow\" points=\"\(SVGWriter.n(x - 5)),\(SVGWriter.n(y2 - 8)) \(SVGWriter.n(x + 5)),\(SVGWriter.n(y2 - 8)) \(SVGWriter.n(x)),\(SVGWriter.n(y2 - 2))\" fill=\"currentColor\"/>")
            }
        }
        svg.close()
        return svg.output
    }
}
