/// The stage navigation every page repeats, as values for `stage-nav.html`: a row of stage
/// chips (the current one marked `aria-current="page"`), previous and next arrows for
/// phones (where only the current chip shows, as "5 / 13 Attention"), a layer selector for a
/// model with several layers (the chips then hold the other stages and one layer's), and the
/// list of every stage, grouped by layer, behind a `<details>`.
///
/// Every value answers through `child(named:)` (see `TableContext`): the template looks
/// names up in every item of these lists on every page.
struct StageNavigation: TemplateValues {
    /// A link to a stage: its number on the map (0 for the overview, which shows none), its
    /// label, and whether it is the page's own stage.
    struct Link: TemplateValues {
        var number: String
        var label: String
        var href: String
        var isCurrent: Bool

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "number": .text(number)
            case "label": .text(label)
            case "href": .text(href)
            default: nil
            }
        }
    }

    /// The stages of one layer (or those outside the layers) in the list of every stage.
    struct Group: TemplateValues {
        var heading: String?
        var links: [Link]

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "layered": .flag(heading != nil)
            case "heading": .text(heading ?? "")
            case "links": .values(AroundCurrent(links, isCurrent: \.isCurrent))
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

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "chips": .values(AroundCurrent(chips, isCurrent: \.isCurrent))
        case "layers": .values(AroundCurrent(layers, isCurrent: \.isCurrent))
        case "hasLayers": .flag(!layers.isEmpty)
        case "groups": .list(groups)
        case "previous": .optional(previous)
        case "next": .optional(next)
        case "lastNumber": .text(lastNumber)
        case "stageCount": .number(stageCount)
        default: nil
        }
    }
}

/// The chips that switch the focus token, for `focus-chips.html`: each shows its position in
/// the prompt (a word may occur more than once), and the current one is marked
/// `aria-current="true"`.
struct FocusChip: TemplateValues {
    var position: Int
    var label: String
    var href: String
    var classes: String
    var isCurrent: Bool

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "position": .number(position)
        case "label": .text(label)
        case "href": .text(href)
        case "classes": .text(classes)
        default: nil
        }
    }
}

/// A list with its current item singled out (if it has one): the template writes that one
/// apart (`{{#before}}…{{/before}}{{#current}}…{{/current}}{{#after}}…{{/after}}`) rather
/// than asking every item whether it is the current one.
struct AroundCurrent<Item: TemplateValues>: TemplateValues {
    var before: [Item]
    var current: Item?
    var after: [Item]

    init(_ items: [Item], isCurrent: (Item) -> Bool) {
        guard let k = items.firstIndex(where: isCurrent) else {
            (before, current, after) = (items, nil, [])
            return
        }
        (before, current, after) = (Array(items[..<k]), items[k], Array(items[(k + 1)...]))
    }

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "before": .list(before)
        case "current": .optional(current)
        case "after": .list(after)
        default: nil
        }
    }
}
