/// Every kind of page, in stage-map order: adding a page is a page file (declaring its
/// `PageKind`), a template, and one line here. Consecutive per-layer pages repeat together,
/// once per layer.
enum SitePages {
    static let all: [PageKind] = [
        OverviewPage.kind,
        TokensPage.kind,
        EmbeddingsPage.kind,
        PositionsPage.kind,
        LayerNormPage.kind,
        AttentionPage.kind,
        ResidualPage.kind,
        MLPPage.kind,
        LMHeadPage.kind,
        PredictionPage.kind,
        GeneratePage.kind,
        PlaygroundPage.kind,
        GradientPage.kind,
        BackpropPage.kind,
        StepPage.kind,
        TrainingPage.kind,
    ]

    /// The templates the site needs: the layout and every page's.
    static var templates: [String] { ["layout"] + all.map(\.template) }
}
