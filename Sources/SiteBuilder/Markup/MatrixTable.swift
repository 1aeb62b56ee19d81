/// A matrix as an HTML table: row and column headers, two-decimal cells with a true minus,
/// the exact value in each cell's `title`, an optional highlighted row, and truncation to
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
    /// all-token table on a lean view; `rowsNote` (HTML) then says where the others are.
    var onlyRows: [Int]? = nil
    var rowsNote: String? = nil
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
        var out = ""
        out.reserveCapacity(1_024 + rows.count * columns.count * 48)
        out += "<div class=\"table-scroll\"><table class=\"matrix\""
        if let id { out += " id=\"\(Escape.html(id))\"" }
        out += ">\n<caption>\(Escape.html(caption))"
        if truncated {
            out += " <span class=\"note\">(\(values.rowCount)×\(columnLabels.count), showing a part; every value is in trace.json)</span>"
        }
        if let rowsNote {
            out += " <span class=\"note\">(\(rowsNote))</span>"
        }
        out += "</caption>\n<thead><tr><th scope=\"col\">\(Escape.html(corner))</th>"
        for column in columns {
            guard let c = column else { out += "<th scope=\"col\" class=\"gap\">…</th>"; continue }
            var classes = columnClasses?[c] ?? ""
            if highlightColumns.contains(c) { classes += classes.isEmpty ? "focus" : " focus" }
            out += "<th scope=\"col\"" + (classes.isEmpty ? "" : " class=\"\(classes)\"") + ">\(Escape.html(columnLabels[c]))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        // What each shown column's cells open with, worked out once.
        let cellOpenings = columns.map { column in
            column.map { highlightColumns.contains($0) ? "<td class=\"focus\" title=\"" : "<td title=\"" }
        }
        for row in rows {
            guard let r = row else {
                out += "<tr class=\"gap\"><th scope=\"row\">⋮</th>" + String(repeating: "<td>⋮</td>", count: columns.count) + "</tr>\n"
                continue
            }
            out += highlightRows.contains(r) ? "<tr class=\"focus\">" : "<tr>"
            let rowClass = rowClasses?[r]
            out += "<th scope=\"row\"" + (rowClass.map { " class=\"\($0)\"" } ?? "") + ">\(Escape.html(rowLabels[r]))</th>"
            for (k, column) in columns.enumerated() {
                guard let c = column, let opening = cellOpenings[k] else { out += "<td class=\"gap\">…</td>"; continue }
                if let value = values[r, c] {
                    out += opening
                    out += NumberFormat.exact(value)
                    out += "\">"
                    out += NumberFormat.short(value)
                    out += "</td>"
                } else {
                    out += "<td class=\"masked\" title=\"\(Escape.html(nilTitle))\">\(nilText)</td>"
                }
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>"
        return out
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
