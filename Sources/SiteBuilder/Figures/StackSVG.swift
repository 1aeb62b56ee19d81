/// The whole model in one picture, drawn from its real shape: the prompt's tokens at the
/// bottom, token and position embeddings adding into the residual stream, the stream running
/// up through every block as the spine, and in each block attention (left) and the MLP (right)
/// branching off the stream and adding back at ⊕ (the stream itself is the skip path), then
/// the final LayerNorm, the LM head and the prediction at the top.
///
/// - The viewBox is 380 units wide, so on a 390-px phone (about 366 px for the figure) a unit is
///   nearly a pixel: the smallest text, 11.5 units, is read at 11 px or more.
///   `minimumFontSize` is that floor; beside the text on a wide page the picture is drawn larger.
/// - Many blocks are collapsed: the first and the last are drawn, the ones between are one band
///   (`rows` decides what is drawn; `OverviewPage` collapses more than 3 blocks).
/// - Each part with an `href` is an `<a>` with a `<title>` (its accessible name), so every part
///   is a focusable link to its page; the root is a `group` with a title and a description.
/// - Colours come from the stylesheet (`svg.figure-stack …`), so dark mode follows.
public struct StackSVG: Sendable {
    /// One labelled box (or ⊕) of the picture and the page it links to.
    public struct Part: Sendable, Equatable {
        public var label: String
        public var sublabel: String
        public var href: String?

        public init(_ label: String, _ sublabel: String = "", href: String? = nil) {
            self.label = label
            self.sublabel = sublabel
            self.href = href
        }
    }

    /// One transformer block: LN1 → attention → ⊕, then LN2 → MLP → ⊕.
    public struct Block: Sendable, Equatable {
        public var name: String
        public var layerNorm1: Part
        public var attention: Part
        public var heads: Int
        public var attentionAdd: Part
        public var layerNorm2: Part
        public var mlp: Part
        public var mlpAdd: Part

        public init(name: String, layerNorm1: Part, attention: Part, heads: Int, attentionAdd: Part, layerNorm2: Part, mlp: Part, mlpAdd: Part) {
            self.name = name
            self.layerNorm1 = layerNorm1
            self.attention = attention
            self.heads = heads
            self.attentionAdd = attentionAdd
            self.layerNorm2 = layerNorm2
            self.mlp = mlp
            self.mlpAdd = mlpAdd
        }
    }

    /// What the spine passes through, bottom to top.
    public enum Row: Sendable, Equatable {
        case block(Block)
        /// Blocks drawn as one band: "blocks 2–11, the same shape".
        case collapsed(Part)
    }

    public var id: String
    public var title: String
    public var description: String
    public var tokens: Part
    public var tokenEmbedding: Part
    public var positionEmbedding: Part
    /// The label beside the spine, e.g. "residual stream: 4 numbers per token".
    public var streamLabel: String
    public var rows: [Row]
    public var finalNorm: Part?
    public var lmHead: Part
    public var prediction: Part
    public var learning: Part?

    public init(id: String, title: String, description: String, tokens: Part, tokenEmbedding: Part, positionEmbedding: Part,
                streamLabel: String, rows: [Row], finalNorm: Part?, lmHead: Part, prediction: Part, learning: Part?) {
        self.id = id
        self.title = title
        self.description = description
        self.tokens = tokens
        self.tokenEmbedding = tokenEmbedding
        self.positionEmbedding = positionEmbedding
        self.streamLabel = streamLabel
        self.rows = rows
        self.finalNorm = finalNorm
        self.lmHead = lmHead
        self.prediction = prediction
        self.learning = learning
    }

    // Layout, in viewBox units.
    static let width = 380.0
    static let spineX = 190.0
    /// No text in the picture is smaller than this (user units).
    static let minimumFontSize = 11.5
    static let boxHeight = 40.0
    static let arrowGap = 22.0
    static let blockHeight = 210.0
    static let bandHeight = 46.0
    static let leftX = 92.0, rightX = 288.0, branchWidth = 150.0

    public func render() -> String {
        let w = Self.width, x0 = Self.spineX
        let topParts = [learning, prediction, lmHead, finalNorm].compactMap { $0 }
        let rowsHeight = rows.reduce(0.0) { total, row in
            if case .block = row { return total + Self.blockHeight + 12 }
            return total + Self.bandHeight + 12
        }
        let bottomHeight = 48 + Self.boxHeight + 30 + Self.boxHeight + 8
        let height = 8 + Double(topParts.count) * (Self.boxHeight + Self.arrowGap) + rowsHeight + bottomHeight

        var svg = SVGWriter()
        svg.open(id: id, classes: "figure figure-stack", width: w, height: height, title: title, description: description, role: "group")
        svg.raw("<defs><marker id=\"\(Escape.html(id))-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"currentColor\"/></marker></defs>")
        let arrow = "stroke=\"currentColor\" stroke-width=\"1.4\" fill=\"none\" marker-end=\"url(#\(Escape.html(id))-arrow)\""

        // The spine first, so every box and ⊕ is drawn over it.
        let spineTop = 8 + Double(topParts.count) * (Self.boxHeight + Self.arrowGap) - Self.arrowGap
        let addY = spineTop + Self.arrowGap + rowsHeight + 18
        svg.line(x1: x0, y1: addY - 9, x2: x0, y2: spineTop + 2,
                 attributes: "class=\"stack-spine\" stroke=\"currentColor\" stroke-width=\"5\" stroke-linecap=\"round\" marker-end=\"url(#\(Escape.html(id))-arrow)\"")

        // Top: learning, prediction, LM head, final LayerNorm, each on the spine; the arrow from
        // the prediction up to learning is dashed (the gradients flow back down the same path).
        var y = 8.0
        for (i, part) in topParts.enumerated() {
            let isLearning = learning != nil && i == 0
            box(&svg, part, centerX: x0, y: y, width: 260, height: Self.boxHeight, dashed: isLearning)
            y += Self.boxHeight + Self.arrowGap
            if i < topParts.count - 1 {
                svg.line(x1: x0, y1: y - 2, x2: x0, y2: y - Self.arrowGap + 2,
                         attributes: isLearning ? arrow + " stroke-dasharray=\"4 3\"" : arrow)
            }
        }

        // The blocks, top (last) to bottom (first).
        for row in rows.reversed() {
            switch row {
            case .block(let block):
                drawBlock(&svg, block, top: y, arrow: arrow)
                y += Self.blockHeight + 12
            case .collapsed(let part):
                svg.rect(x: 10, y: y, width: w - 20, height: Self.bandHeight, attributes: "rx=\"6\" class=\"stack-block\"")
                let text = FigureText.truncated(part.label, maxCharacters: 30)
                open(&svg, part)
                svg.rect(x: 20, y: y + 7, width: 150, height: 32, attributes: "rx=\"6\" class=\"stack-box\" stroke-width=\"1.2\"")
                svg.text(text, x: 95, y: y + 27, fontSize: 12.5, anchor: "middle", attributes: "fill=\"currentColor\"")
                close(&svg, part)
                svg.text(FigureText.truncated(part.sublabel, maxCharacters: 28), x: 185, y: y + 27, fontSize: Self.minimumFontSize,
                         attributes: "class=\"stack-muted\"")
                y += Self.bandHeight + 12
            }
        }

        // Bottom: x = token embedding + position embedding, from the tokens.
        svg.text(FigureText.fitted(streamLabel, maxWidth: x0 - 14, fontSize: Self.minimumFontSize), x: x0 - 14, y: addY - 12, fontSize: Self.minimumFontSize, anchor: "end", attributes: "class=\"stack-muted\"")
        plus(&svg, Part("+", "x = token embedding + position embedding"), x: x0, y: addY)
        let embY = addY + 30
        box(&svg, tokenEmbedding, centerX: Self.leftX, y: embY, width: 160, height: Self.boxHeight)
        box(&svg, positionEmbedding, centerX: Self.rightX, y: embY, width: 160, height: Self.boxHeight)
        svg.raw("<path d=\"M\(SVGWriter.n(Self.leftX)),\(SVGWriter.n(embY)) V\(SVGWriter.n(addY)) H\(SVGWriter.n(x0 - 11))\" \(arrow)/>")
        svg.raw("<path d=\"M\(SVGWriter.n(Self.rightX)),\(SVGWriter.n(embY)) V\(SVGWriter.n(addY)) H\(SVGWriter.n(x0 + 11))\" \(arrow)/>")
        let tokY = embY + Self.boxHeight + 30
        box(&svg, tokens, centerX: x0, y: tokY, width: Self.width - 20, height: Self.boxHeight)
        svg.line(x1: Self.leftX, y1: tokY, x2: Self.leftX, y2: embY + Self.boxHeight + 2, attributes: arrow)
        svg.line(x1: Self.rightX, y1: tokY, x2: Self.rightX, y2: embY + Self.boxHeight + 2, attributes: arrow)
        svg.close()
        return svg.output
    }

    /// One block: its frame and name, attention on the left and the MLP on the right, each
    /// forking off the spine and adding back into it at ⊕.
    private func drawBlock(_ svg: inout SVGWriter, _ block: Block, top: Double, arrow: String) {
        let x0 = Self.spineX, bottom = top + Self.blockHeight, bw = Self.branchWidth
        svg.rect(x: 10, y: top, width: Self.width - 20, height: Self.blockHeight, attributes: "rx=\"8\" class=\"stack-block\"")
        svg.text(FigureText.truncated(block.name, maxCharacters: 24), x: 20, y: top + 18, fontSize: 12.5,
                 attributes: "class=\"stack-muted\" font-weight=\"700\"")

        // Attention branch: fork, LN1, attention (its heads as slots), → ⊕ on the spine.
        let fork1 = bottom - 14, add1 = bottom - 94
        svg.raw("<path d=\"M\(SVGWriter.n(x0)),\(SVGWriter.n(fork1)) H\(SVGWriter.n(Self.leftX)) V\(SVGWriter.n(bottom - 40))\" \(arrow)/>")
        box(&svg, block.layerNorm1, centerX: Self.leftX, y: bottom - 62, width: bw, height: 22, small: true)
        svg.line(x1: Self.leftX, y1: bottom - 62, x2: Self.leftX, y2: bottom - 72, attributes: arrow)
        let attnTop = bottom - 124
        box(&svg, block.attention, centerX: Self.leftX, y: attnTop, width: bw, height: 52)
        headSlots(&svg, count: block.heads, centerX: Self.leftX, y: attnTop + 40, width: bw - 20)
        svg.line(x1: Self.leftX + bw / 2, y1: add1, x2: x0 - 11, y2: add1, attributes: arrow)
        plus(&svg, block.attentionAdd, x: x0, y: add1)
        svg.text("skip", x: x0 + 6, y: (fork1 + add1) / 2 + 4, fontSize: Self.minimumFontSize, attributes: "class=\"stack-muted\"")

        // MLP branch: fork above the first ⊕, LN2, MLP, → ⊕.
        let fork2 = add1 - 18, add2 = top + 31
        svg.raw("<path d=\"M\(SVGWriter.n(x0)),\(SVGWriter.n(fork2)) H\(SVGWriter.n(Self.rightX)) V\(SVGWriter.n(fork2 - 12))\" \(arrow)/>")
        box(&svg, block.layerNorm2, centerX: Self.rightX, y: fork2 - 34, width: bw, height: 22, small: true)
        svg.line(x1: Self.rightX, y1: fork2 - 34, x2: Self.rightX, y2: top + 54, attributes: arrow)
        box(&svg, block.mlp, centerX: Self.rightX, y: top + 10, width: bw, height: 42)
        svg.line(x1: Self.rightX - bw / 2, y1: add2, x2: x0 + 11, y2: add2, attributes: arrow)
        plus(&svg, block.mlpAdd, x: x0, y: add2)
        svg.text("skip", x: x0 - 6, y: (fork2 + add2) / 2 + 4, fontSize: Self.minimumFontSize, anchor: "end", attributes: "class=\"stack-muted\"")
    }

    /// The heads of an attention box as small slots (at most 16 drawn; more end in "…").
    private func headSlots(_ svg: inout SVGWriter, count: Int, centerX: Double, y: Double, width: Double) {
        guard count > 1 else { return }
        let shown = min(count, 16)
        let step = min(12, width / Double(shown)), size = step * 0.7
        let start = centerX - step * Double(shown) / 2
        svg.raw("<g aria-hidden=\"true\">")
        for k in 0..<shown {
            svg.rect(x: start + Double(k) * step + (step - size) / 2, y: y, width: size, height: 6, attributes: "rx=\"1\" class=\"stack-head-slot\"")
        }
        svg.raw("</g>")
    }

    private func open(_ svg: inout SVGWriter, _ part: Part) {
        let name = part.sublabel.isEmpty ? part.label : part.label + " — " + part.sublabel
        if let href = part.href {
            svg.raw("<a href=\"\(Escape.html(href))\"><title>\(Escape.html(name))</title>")
        } else {
            svg.raw("<g><title>\(Escape.html(name))</title>")
        }
    }

    private func close(_ svg: inout SVGWriter, _ part: Part) {
        svg.raw(part.href == nil ? "</g>" : "</a>")
    }

    /// A labelled box centred at `centerX`, linking to its page.
    private func box(_ svg: inout SVGWriter, _ part: Part, centerX: Double, y: Double, width: Double, height: Double,
                     small: Bool = false, dashed: Bool = false) {
        open(&svg, part)
        svg.rect(x: centerX - width / 2, y: y, width: width, height: height,
                 attributes: "rx=\"6\" class=\"stack-box\" stroke-width=\"1.2\"" + (dashed ? " stroke-dasharray=\"4 3\"" : ""))
        let characters = Int(width / 7.6)
        if small || part.sublabel.isEmpty {
            svg.text(FigureText.truncated(part.label, maxCharacters: characters), x: centerX, y: y + height / 2 + 4.4,
                     fontSize: small ? 12 : 13.5, anchor: "middle", attributes: "fill=\"currentColor\"")
        } else {
            svg.text(FigureText.truncated(part.label, maxCharacters: characters), x: centerX, y: y + 16, fontSize: 13.5,
                     anchor: "middle", attributes: "fill=\"currentColor\" font-weight=\"600\"")
            svg.text(FigureText.truncated(part.sublabel, maxCharacters: Int(width / 6.6)), x: centerX, y: y + 32, fontSize: Self.minimumFontSize,
                     anchor: "middle", attributes: "class=\"stack-muted\"")
        }
        close(&svg, part)
    }

    /// ⊕ on the spine: where a branch (or the position embedding) adds into the stream.
    private func plus(_ svg: inout SVGWriter, _ part: Part, x: Double, y: Double) {
        open(&svg, part)
        svg.raw("<circle cx=\"\(SVGWriter.n(x))\" cy=\"\(SVGWriter.n(y))\" r=\"10\" class=\"stack-box\" stroke-width=\"1.6\"/>")
        svg.raw("<path d=\"M\(SVGWriter.n(x - 6)),\(SVGWriter.n(y)) H\(SVGWriter.n(x + 6)) M\(SVGWriter.n(x)),\(SVGWriter.n(y - 6)) V\(SVGWriter.n(y + 6))\" stroke=\"currentColor\" stroke-width=\"1.8\"/>")
        close(&svg, part)
    }
}
