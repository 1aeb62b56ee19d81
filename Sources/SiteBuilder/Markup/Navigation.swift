import Mustache

/// The stage navigation every page repeats, as values for `stage-nav.html`: a row of stage
/// chips (the current one marked `aria-current="page"`), previous and next arrows for
/// phones (where only the current chip shows, as "5 / 13 Attention"), a layer selector for a
/// model with several layers (the chips then hold the other stages and one layer's), and the
/// list of every stage, grouped by layer, behind a `<details>`.
///
/// Every value answers through `child(named:)` (see `TableContext`): the template looks
/// names up in every item of these lists on every page.
struct StageNavigation: MustacheParent {
    /// A link to a stage: its number on the map ("" for the overview), its label, and whether
    /// it is the page's own stage.
    struct Link: MustacheParent {
        var number: String
        var label: String
        var href: String
        var isCurrent: Bool

        func child(named name: String) -> Any? {
            switch name {
            case "number": number.isEmpty ? false : number
            case "label": label
            case "href": href
            case "current": isCurrent
            case "other": !isCurrent
            default: nil
            }
        }
    }

    /// The stages of one layer (or those outside the layers) in the list of every stage.
    struct Group: MustacheParent {
        var heading: String?
        var links: [Link]

        func child(named name: String) -> Any? {
            switch name {
            case "heading": heading ?? false
            case "links": links
            default: nil
            }
        }
    }

    var chips: [Link]
    /// One link per layer (to the same kind of page in that layer); empty for one layer.
    var layers: [Link]
    var groups: [Group]
    var previous: Link?
    var next: Link?
    /// The number of the last stage ("13" in "5 / 13").
    var lastNumber: String
    var stageCount: Int

    func child(named name: String) -> Any? {
        switch name {
        case "chips": chips
        case "layers": layers
        case "hasLayers": !layers.isEmpty
        case "groups": groups
        case "previous": previous ?? false
        case "next": next ?? false
        case "lastNumber": lastNumber
        case "stageCount": stageCount
        default: nil
        }
    }
}

/// The chips that switch the focus token, for `focus-chips.html`: each shows its position in
/// the prompt (a word may occur more than once), and the current one is marked
/// `aria-current="true"`.
struct FocusChip: MustacheParent {
    var position: Int
    var label: String
    var href: String
    var classes: String
    var isCurrent: Bool

    func child(named name: String) -> Any? {
        switch name {
        case "position": position
        case "label": label
        case "href": href
        case "classes": classes
        case "current": isCurrent
        case "other": !isCurrent
        default: nil
        }
    }
}
