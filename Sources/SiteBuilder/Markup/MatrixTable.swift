import TransformerEngine

/// A matrix as a table (`matrix-table.html` draws it): row and column headers, two-decimal
/// cells with a true minus, each cell's value to 6 significant digits in its `title`, an
/// optional highlighted row, and truncation to 16×16 (with an ellipsis and a note) for large
/// models. `render()` gives the template its values.
struct MatrixTable {
    var caption: String
    var values: Cells
    var rowLabels: [String]
    var columnLabels: [String]
    /// Header of the row-label column, e.g. "token" or "id · word".
    var corner: String = ""
    /// A CSS class per row header (the prompt token colours), or nil.
    var rowClasses: [String]? = nil
    var columnClasses: [String]? = nil
    var highlightRows: Set<Int> = []
    var highlightColumns: Set<Int> = []
    /// Shown for a nil cell (a masked attention score).
    var nilText: String = "−∞"
    var nilTitle: String = "masked: a later token"
    /// Show exactly these rows (no truncation of rows), e.g. the focus token's row of an
    /// all-token table on a lean view; `rowsNote` then says where the others are.
    var onlyRows: [Int]? = nil
    var rowsNote: Note? = nil
    /// Cells that are exactly 0 get the class `zeroed` and this title (ReLU's zeroed units).
    var zeroTitle: String? = nil
    /// With `zeroTitle`: the values those zeros replaced, shown before them ("−0.42 → 0").
    var zeroedFrom: [[Double]]? = nil
    static let limit = 16

    /// The cells, as the caller has them (a table of a big weight matrix shows only a part,
    /// so nothing is copied up front).
    enum Cells {
        case plain([[Double]])
        case optional([[Double?]])
        /// A weight matrix as the engine holds it: only the shown cells are read.
        case tensor(Tensor)
        /// A weight after one gradient step, W − η·∇W as `Model.applying` computes each entry,
        /// from the weight and its gradient: only the shown cells are computed.
        case stepped(TransposedMatrix, gradient: WeightGradient, learningRate: Double)
        /// A matrix held as its transpose (W_lm), read in place.
        case transposed(TransposedMatrix)
        /// A weight's gradient: only the shown cells are formed.
        case gradient(WeightGradient)

        var rowCount: Int {
            switch self {
            case .plain(let rows): rows.count
            case .optional(let rows): rows.count
            case .tensor(let matrix): matrix.rows
            case .stepped(let matrix, _, _): matrix.rows
            case .gradient(let g): g.rows
            case .transposed(let matrix): matrix.rows
            }
        }

        subscript(row: Int, column: Int) -> Double? {
            switch self {
            case .plain(let rows): rows[row][column]
            case .optional(let rows): rows[row][column]
            case .tensor(let matrix): matrix[row, column]
            case .stepped(let w, let dw, let eta): w[row, column] - eta * dw[row, column]
            case .gradient(let g): g[row, column]
            case .transposed(let matrix): matrix[row, column]
            }
        }
    }

    init(caption: String, values: [[Double]], rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .plain(values), rowLabels: rowLabels, columnLabels: columnLabels)
    }

    init(caption: String, optionalValues: [[Double?]], rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .optional(optionalValues), rowLabels: rowLabels, columnLabels: columnLabels)
    }

    /// A matrix table of a tensor, read in place (a 768 × 50,257 W_lm is not copied into rows).
    init(caption: String, matrix: Tensor, rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .tensor(matrix), rowLabels: rowLabels, columnLabels: columnLabels)
    }

    /// A matrix table of W_lm, read in place from its stored transpose.
    init(caption: String, matrix: TransposedMatrix, rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .transposed(matrix), rowLabels: rowLabels, columnLabels: columnLabels)
    }

    /// A table of a weight's gradient, each shown cell formed on its own.
    init(caption: String, gradient: WeightGradient, rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .gradient(gradient), rowLabels: rowLabels, columnLabels: columnLabels)
    }

    /// A table of W − η·∇W, each shown cell computed from W and ∇W.
    init(caption: String, stepping matrix: TransposedMatrix, gradient: WeightGradient, learningRate: Double, rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .stepped(matrix, gradient: gradient, learningRate: learningRate),
                  rowLabels: rowLabels, columnLabels: columnLabels)
    }

    private init(caption: String, cells: Cells, rowLabels: [String], columnLabels: [String]) {
        self.caption = caption
        self.values = cells
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
    }

    /// Indices shown along one axis: all when ≤ 16, otherwise the first 12, a gap, the last 3,
    /// always keeping the highlighted ones.
    static func shown(_ count: Int, keep: Set<Int>) -> [Int?] {
        guard count > limit else { return Array(0..<count) }
        var picked = Set(0..<12).union(count - 3..<count).union(keep.filter { $0 < count })
        if picked.count > limit + 2 { picked = Set(picked.sorted().prefix(limit + 2)) }
        var out: [Int?] = []
        var previous = -1
        for index in picked.sorted() {
            if index != previous + 1 { out.append(nil) }
            out.append(index)
            previous = index
        }
        return out
    }

    /// The table's values for `matrix-table.html`: the shown rows and columns, every number
    /// already formatted (two decimals in the cell, 6 significant digits in its title).
    func render() -> TableContext {
        let rows: [Int?] = onlyRows ?? Self.shown(values.rowCount, keep: highlightRows)
        let columns = Self.shown(columnLabels.count, keep: highlightColumns)
        let truncated = onlyRows == nil && (rows.contains(nil) || columns.contains(nil))
        let headers = columns.map { column -> TableContext.Header in
            guard let c = column else { return TableContext.Header(label: "…", classes: "gap") }
            let classes = [columnClasses?[c] ?? "", highlightColumns.contains(c) ? "focus" : ""].filter { !$0.isEmpty }
            return TableContext.Header(label: columnLabels[c], classes: classes.joined(separator: " "))
        }
        let focusColumns = columns.map { column in column.map { highlightColumns.contains($0) } ?? false }
        let shownRows = rows.map { row -> TableContext.Row in
            guard let r = row else { return TableContext.Row(gapCells: columns.count) }
            let cells = columns.enumerated().map { k, column -> TableContext.Cell in
                guard let c = column else { return TableContext.Cell(text: "…", classes: "gap") }
                let focus = focusColumns[k] ? "focus" : ""
                guard let value = values[r, c] else {
                    return TableContext.Cell(text: nilText, title: nilTitle, classes: "masked")
                }
                if let zeroTitle, value == 0, value.sign == .plus {
                    let text = zeroedFrom.map { "\(NumberFormat.short($0[r][c])) → 0" } ?? NumberFormat.short(value)
                    return TableContext.Cell(text: text, title: zeroTitle, classes: focus.isEmpty ? "zeroed" : "focus zeroed")
                }
                return TableContext.Cell(text: NumberFormat.short(value), title: NumberFormat.tooltip(value), classes: focus)
            }
            return TableContext.Row(label: rowLabels[r], labelClasses: rowClasses?[r] ?? "", isFocus: highlightRows.contains(r), cells: cells)
        }
        return TableContext(
            caption: caption,
            sizeNote: truncated ? "\(values.rowCount)×\(columnLabels.count), showing a part; every value is in trace.json" : nil,
            rowsNote: rowsNote, corner: corner, columns: headers, rows: shownRows)
    }
}

/// A single vector as a one-row table, e.g. `h1_on` with columns d0…d3.
extension MatrixTable {
    static func vector(caption: String, label: String, values: [Double], columnLabels: [String], rowClass: String? = nil) -> MatrixTable {
        var table = MatrixTable(caption: caption, values: [values], rowLabels: [label], columnLabels: columnLabels)
        if let rowClass { table.rowClasses = [rowClass] }
        return table
    }
}

/// A short note in text, with at most one link: `the row of “on”; all 40 rows are on
/// <a href="…">the view of “mat”</a> and in trace.json`. Page code gives the words;
/// `note.html` writes the markup.
struct Note: TemplateValues {
    var text: String
    var link: (text: String, href: String)? = nil
    var tail: String = ""

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "text": .text(text)
        case "textPhrases": .list(Phrase.split(text))
        case "link": .optional(link.map { Link(label: $0.text, href: $0.href) })
        case "tail": .text(tail)
        case "tailPhrases": .list(Phrase.split(tail))
        default: nil
        }
    }

    struct Link: TemplateValues {
        var label: String
        var href: String

        func child(named name: String) -> TemplateValue? {
            switch name {
            case "label": .text(label)
            case "labelPhrases": .list(Phrase.split(label))
            case "href": .text(href)
            default: nil
            }
        }
    }
}
