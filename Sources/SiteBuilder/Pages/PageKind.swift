/// One kind of page: its template, its name on the stage map, where it repeats, and how its
/// context is made. Each page file declares its kind; `SitePages.all` lists them in order.
struct PageKind: Hashable, Sendable {
    enum Repeats: Sendable { case once, perLayer }
    enum Chapter: Sendable { case forwardPass, learning }

    /// The template's name (its file name without `.html`), which is also the page's.
    let template: String
    /// Short name in the stage map and the pager.
    let label: String
    var repeats: Repeats = .once
    /// Whether the page has a view per prompt token (the token chips switch between them).
    var followsFocus = false
    var chapter: Chapter = .forwardPass
    /// The template as built into the binary.
    let builtIn: [UInt8]
    /// The page's values for its template.
    let context: @Sendable (SiteData, PageView) -> any PageContext

    init(template: String, label: String, repeats: Repeats = .once, followsFocus: Bool = false, chapter: Chapter = .forwardPass,
         builtIn: [UInt8], context: @escaping @Sendable (SiteData, PageView) -> any PageContext) {
        self.template = template
        self.label = label
        self.repeats = repeats
        self.followsFocus = followsFocus
        self.chapter = chapter
        self.builtIn = builtIn
        self.context = context
    }

    static func == (a: PageKind, b: PageKind) -> Bool { a.template == b.template }
    func hash(into hasher: inout Hasher) { hasher.combine(template) }
}

/// Which view of a page is being rendered.
struct PageView {
    /// The block, for a page that repeats per layer (0 otherwise).
    let layer: Int
    /// The prompt token the page follows (the last one for pages that follow none).
    let focus: Int
    /// The model file's SHA-256, on the overview page only (it costs as much as a dozen pages
    /// for a big model file), "" elsewhere.
    let sha256: String
}

/// The values a page's template names, as a struct: each stored property is a `{{name}}`
/// (its `Encodable` conformance, which Swift writes, hands them to the template typed). A
/// property marked `@PagePart` (the learning chapter's common values) lends its properties
/// directly. Rendering looks every name up strictly: a name no property has is an error
/// naming the template (see `TemplateSet.render`).
protocol PageContext: Encodable {}

/// A part of a page context whose properties are the page's own names, as if declared there.
@propertyWrapper
struct PagePart<Part: Encodable>: Encodable {
    var wrappedValue: Part

    func encode(to encoder: any Encoder) throws {
        (encoder as? TemplateEncoder)?.lendsNames = true
        try wrappedValue.encode(to: encoder)
    }
}
