/// What `matrix-table.html` (and its `matrix-row.html`) draws: a caption, the column headers,
/// and the rows of formatted cells with their classes and titles; or, on a lean view, only a
/// note that links to the table (`elsewhere`).
///
/// The template looks each name up in these values thousands of times a page, so they answer
/// through `child(named:)`, a switch, as the template reaches each name, rather than being
/// encoded whole, every property of every cell, as a page context is. A name a value does
/// not have is nil: it then reaches the page's root, which reports it as a misspelled key.
/// A value that may be absent (a note, a class) answers `false`, so `{{#name}}` skips it
/// without looking further out.
struct TableContext: TemplateValues {
    var caption = ""
    /// "40×30, showing a part; every value is in trace.json" for a truncated table.
    var sizeNote: String? = nil
    var rowsNote: Note? = nil
    var corner = ""
    var columns: [Header] = []
    var rows: [Row] = []
    /// Instead of the table: a line that says where it is.
    var elsewhere: Note? = nil

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "caption": .text(caption)
        case "captionPhrases": .list(Phrase.split(caption))
        case "sizeNote": .optional(sizeNote)
        case "rowsNote": .optional(rowsNote)
        case "corner": .text(corner)
        case "columns": .list(HeaderRun.runs(columns))
        case "rows": .list(rows)
        case "elsewhere": .optional(elsewhere)
        default: nil
        }
    }

    /// A column header, `<th scope="col" class="…">`.
    struct Header: TemplateValues {
        var label: String
        var classes: String = ""

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "label": .text(label)
            case "classes": .text(classes)
            default: nil
            }
        }
    }

    /// A row: its header and cells, highlighted when it is the focus token's; or the `⋮` row
    /// that stands for rows left out.
    struct Row: TemplateValues {
        var label = ""
        var labelClasses = ""
        var isFocus = false
        var isGap = false
        var cells: [Cell] = []
        /// How many `⋮` cells a gap row has.
        var gapCells = 0

        init(label: String, labelClasses: String, isFocus: Bool, cells: [Cell]) {
            self.label = label
            self.labelClasses = labelClasses
            self.isFocus = isFocus
            self.cells = cells
        }

        init(gapCells: Int) {
            self.isGap = true
            self.gapCells = gapCells
        }

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "label": .text(label)
            case "labelClasses": .text(labelClasses)
            case "labelClassed": .flag(!labelClasses.isEmpty)
            case "gap": .flag(isGap)
            case "focus": .flag(isFocus && !isGap)
            case "plain": .flag(!isFocus && !isGap)
            case "runs": .list(CellRun.runs(cells))
            case "gapCells": .list(Array(repeating: true, count: gapCells))
            default: nil
            }
        }
    }

    /// A cell: its text, and a title (the value to 6 significant digits, or why it is
    /// masked) and classes when it has them. The template writes its text as `{{.}}`, the
    /// cell itself: the renderer finds that without looking a name up (a table's cells are most
    /// of a page's lookups), and the cell renders as its text.
    struct Cell: TemplateValues {
        var text: String
        var title = ""
        var classes = ""

        /// Which of the three kinds of `<td>` the template writes for it.
        enum Shape { case titled, classed, bare }
        var shape: Shape { classes.isEmpty ? .titled : title.isEmpty ? .bare : .classed }

        var templateText: String { text }

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "text": .text(text)
            case "title": .text(title)
            case "classes": .text(classes)
            default: nil
            }
        }
    }

    /// Consecutive cells of one shape. A template's tags may not stand between the attributes
    /// of a start tag, so the template has a branch per shape; choosing it once per run
    /// rather than once per cell keeps the renderer's lookups to the cell's own text
    /// and title (most rows are one run of titled cells).
    struct CellRun: TemplateValues {
        var shape: Cell.Shape
        var cells: [Cell]

        static func runs(_ cells: [Cell]) -> [CellRun] {
            var runs: [CellRun] = []
            for cell in cells {
                if runs.last?.shape == cell.shape { runs[runs.count - 1].cells.append(cell) }
                else { runs.append(CellRun(shape: cell.shape, cells: [cell])) }
            }
            return runs
        }

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "titled": .flag(shape == .titled)
            case "classed": .flag(shape == .classed)
            case "bare": .flag(shape == .bare)
            case "cells": .list(cells)
            default: nil
            }
        }
    }

    /// Consecutive column headers with classes or without (see `CellRun`).
    struct HeaderRun: TemplateValues {
        var classed: Bool
        var headers: [Header]

        static func runs(_ headers: [Header]) -> [HeaderRun] {
            var runs: [HeaderRun] = []
            for header in headers {
                let classed = !header.classes.isEmpty
                if runs.last?.classed == classed { runs[runs.count - 1].headers.append(header) }
                else { runs.append(HeaderRun(classed: classed, headers: [header])) }
            }
            return runs
        }

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "classed": .flag(classed)
            case "plain": .flag(!classed)
            case "headers": .list(headers)
            default: nil
            }
        }
    }
}
