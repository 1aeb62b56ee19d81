/// A matrix as an HTML table: row and column headers, two-decimal cells with a true minus,
/// each cell's value to 6 significant digits in its `title`, an optional highlighted row, and truncation to
/// 16×16 (with an ellipsis and a note) for large models.
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
    var id: String? = nil
    /// Show exactly these rows (no truncation of rows), e.g. the focus token's row of an
    /// all-token table on a lean view; `rowsNote` then says where the others are.
    var onlyRows: [Int]? = nil
    var rowsNote: Note? = nil
    /// Cells that are exactly 0 get the class `zeroed` and this title (ReLU's zeroed units).
    var zeroTitle: String? = nil
    static let limit = 16

    /// The cells, as the caller has them (a table of a big weight matrix shows only a part,
    /// so nothing is copied up front).
    enum Cells {
        case plain([[Double]])
        case optional([[Double?]])

        var rowCount: Int {
            switch self {
            case .plain(let rows): rows.count
            case .optional(let rows): rows.count
            }
        }

        subscript(row: Int, column: Int) -> Double? {
            switch self {
            case .plain(let rows): rows[row][column]
            case .optional(let rows): rows[row][column]
            }
        }
    }

    init(caption: String, values: [[Double]], rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .plain(values), rowLabels: rowLabels, columnLabels: columnLabels)
    }

    init(caption: String, optionalValues: [[Double?]], rowLabels: [String], columnLabels: [String]) {
        self.init(caption: caption, cells: .optional(optionalValues), rowLabels: rowLabels, columnLabels: columnLabels)
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

    func render() -> String {
        let rows: [Int?] = onlyRows ?? Self.shown(values.rowCount, keep: highlightRows)
        let columns = Self.shown(columnLabels.count, keep: highlightColumns)
        let truncated = onlyRows == nil && (rows.contains(nil) || columns.contains(nil))
        let out = MarkupBuffer(capacity: 1_024 + rows.count * columns.count * 48)
        // A table wider than the phone scrolls inside its box: the box takes the keyboard focus
        // (arrow keys scroll it) and is a region named by the caption.
        out.append("<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"")
        out.append(escaped: caption)
        out.append("\"><table class=\"matrix\"")
        if let id {
            out.append(" id=\"")
            out.append(escaped: id)
            out.append("\"")
        }
        out.append(">\n<caption>")
        out.append(escaped: caption)
        if truncated {
            out.append(text: " <span class=\"note\">(\(values.rowCount)×\(columnLabels.count), showing a part; every value is in trace.json)</span>")
        }
        if let rowsNote {
            out.append(" <span class=\"note\">(")
            rowsNote.write(to: out)
            out.append(")</span>")
        }
        out.append("</caption>\n<thead><tr><th scope=\"col\">")
        out.append(escaped: corner)
        out.append("</th>")
        for column in columns {
            guard let c = column else { out.append("<th scope=\"col\" class=\"gap\">…</th>"); continue }
            let classes = columnClasses?[c] ?? ""
            let focus = highlightColumns.contains(c)
            out.append("<th scope=\"col\"")
            if !classes.isEmpty || focus {
                out.append(" class=\"")
                out.append(text: classes)
                if focus { out.append(classes.isEmpty ? "focus" : " focus") }
                out.append("\"")
            }
            out.append(">")
            out.append(escaped: columnLabels[c])
            out.append("</th>")
        }
        out.append("</tr></thead>\n<tbody>\n")
        let focusColumns = columns.map { column in column.map { highlightColumns.contains($0) } ?? false }
        for row in rows {
            guard let r = row else {
                out.append("<tr class=\"gap\"><th scope=\"row\">⋮</th>")
                for _ in columns { out.append("<td>⋮</td>") }
                out.append("</tr>\n")
                continue
            }
            out.append(highlightRows.contains(r) ? "<tr class=\"focus\">" : "<tr>")
            out.append("<th scope=\"row\"")
            if let rowClass = rowClasses?[r] {
                out.append(" class=\"")
                out.append(text: rowClass)
                out.append("\"")
            }
            out.append(">")
            out.append(escaped: rowLabels[r])
            out.append("</th>")
            for (k, column) in columns.enumerated() {
                guard let c = column else { out.append("<td class=\"gap\">…</td>"); continue }
                if let value = values[r, c], let zeroTitle, value == 0, value.sign == .plus {
                    out.append(focusColumns[k] ? "<td class=\"focus zeroed\" title=\"" : "<td class=\"zeroed\" title=\"")
                    out.append(escaped: zeroTitle)
                    out.append("\">")
                    out.append(short: value)
                    out.append("</td>")
                } else if let value = values[r, c] {
                    out.append(focusColumns[k] ? "<td class=\"focus\" title=\"" : "<td title=\"")
                    out.append(tooltip: value)
                    out.append("\">")
                    out.append(short: value)
                    out.append("</td>")
                } else {
                    out.append("<td class=\"masked\" title=\"")
                    out.append(escaped: nilTitle)
                    out.append("\">")
                    out.append(text: nilText)
                    out.append("</td>")
                }
            }
            out.append("</tr>\n")
        }
        out.append("</tbody>\n</table></div>")
        return out.string
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
/// <a href="…">the view of “mat”</a> and in trace.json`. Page code gives the words; the
/// markup is written (and every part escaped) here.
struct Note {
    var text: String
    var link: (text: String, href: String)? = nil
    var tail: String = ""

    func write(to out: MarkupBuffer) {
        out.append(escaped: text)
        if let link {
            out.append("<a href=\"")
            out.append(escaped: link.href)
            out.append("\">")
            out.append(escaped: link.text)
            out.append("</a>")
        }
        out.append(escaped: tail)
    }

    /// `<p class="note">…</p>`
    var paragraph: String {
        let out = MarkupBuffer(capacity: 256)
        out.append("<p class=\"note\">")
        write(to: out)
        out.append("</p>")
        return out.string
    }
}
