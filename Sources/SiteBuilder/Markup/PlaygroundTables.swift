/// The playground's tables, as `label-row.html` and `heat-table.html` draw them: the same
/// markup playground.js writes when it reruns the model in the browser, so the page reads the
/// same before and after (the browser check compares the two).

/// A row of a plain table: its header, then its cells' text, already formatted
/// (`<tr><th scope="row">mat</th><td>61.2%</td></tr>`).
struct LabeledRow: TemplateValues {
    var label: String
    var cells: [String]

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "label": .text(label)
        case "cells": .list(cells)
        default: nil
        }
    }
}

/// One head's attention weights as a table whose cells are shaded by weight.
struct HeatTable: TemplateValues {
    /// Counted from 1, as the caption says them.
    var layer: Int
    var head: Int
    var tokens: [String]
    var rows: [Row]

    struct Row: TemplateValues {
        var label: String
        var cells: [Cell]

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "label": .text(label)
            case "cells": .list(cells)
            default: nil
            }
        }
    }

    /// A weight: its text, and the opacity of its shade (0.65 × the weight), both formatted.
    struct Cell: TemplateValues {
        var text: String
        var alpha: String

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "text": .text(text)
            case "alpha": .text(alpha)
            default: nil
            }
        }
    }

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "layer": .number(layer)
        case "head": .number(head)
        case "tokens": .list(tokens)
        case "rows": .list(rows)
        default: nil
        }
    }
}
