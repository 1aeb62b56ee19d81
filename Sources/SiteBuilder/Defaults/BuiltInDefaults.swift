import FoundationEssentials

/// The templates, stylesheet and seed model compiled into the binary (SwiftPM's `embedInCode`
/// resources: `Defaults/Templates` and `Defaults/seed.json` are symlinks to the repository's
/// Templates/ and Models/seed.json). An installed `sitegen` builds the seed site with no other
/// file; a test holds this list to the Templates/ folder, file by file and byte for byte.
public enum BuiltInDefaults {
    /// Where the defaults are looked for in the working folder before the built-in copies.
    public static let modelPath = "Models/seed.json"
    public static let templatesPath = "Templates"

    /// How messages name the built-in copies.
    public static let modelLabel = "Models/seed.json (built in)"
    public static let templatesLabel = "Templates (built in)"

    /// The seed model file.
    public static var seedModel: [UInt8] { PackageResources.seed_json }

    /// The templates folder: file name → bytes. Each page's template comes with its kind
    /// (`PageKind.builtIn`); the layout, the partials and the stylesheet are listed here.
    public static let templateFiles: [String: [UInt8]] = {
        var files: [String: [UInt8]] = [
            "layout.html": PackageResources.layout_html,
            "learning-no-target.html": PackageResources.learning_no_target_html,
            "worked-note.html": PackageResources.worked_note_html,
            "worked-sum.html": PackageResources.worked_sum_html,
            "attention-head.html": PackageResources.attention_head_html,
            "position-sum.html": PackageResources.position_sum_html,
            "sampled-step.html": PackageResources.sampled_step_html,
            "gradient-heatmap.html": PackageResources.gradient_heatmap_html,
            "matrix-table.html": PackageResources.matrix_table_html,
            "matrix-row.html": PackageResources.matrix_row_html,
            "note.html": PackageResources.note_html,
            "phrase.html": PackageResources.phrase_html,
            "label-row.html": PackageResources.label_row_html,
            "heat-table.html": PackageResources.heat_table_html,
            "stage-nav.html": PackageResources.stage_nav_html,
            "stage-link.html": PackageResources.stage_link_html,
            "stage-list-links.html": PackageResources.stage_list_links_html,
            "focus-chip.html": PackageResources.focus_chip_html,
            "focus-chips.html": PackageResources.focus_chips_html,
            "style.css": PackageResources.style_css,
            "engine.js": PackageResources.engine_js,
            "playground.js": PackageResources.playground_js,
        ]
        for page in SitePages.all { files[page.template + ".html"] = page.builtIn }
        return files
    }()

    /// The model and templates a build uses when none is given: the working folder's
    /// Models/seed.json and Templates/ when they exist (so a project folder, like this
    /// repository, builds from its own files; a path of the wrong kind is then reported, not
    /// skipped), else the built-in copies (nil).
    public static func resolve(model: String?, templates: String?) -> (model: String?, templates: String?) {
        func existing(_ path: String) -> String? { FileManager.default.fileExists(atPath: path) ? path : nil }
        return (model ?? existing(modelPath), templates ?? existing(templatesPath))
    }
}
