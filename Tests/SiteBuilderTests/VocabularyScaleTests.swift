import Testing
import TransformerEngine
@testable import SiteBuilder

/// The vocabulary-sized pages read big matrices in place (no nested copies) and rank only the
/// top entries: each shortcut gives the same numbers, and the same markup, as the long way.
@Suite struct VocabularyScaleTests {
    /// A deterministic matrix with negatives, repeats and exact ties.
    static func matrix(rows: Int, columns: Int) -> Tensor {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let values = (0..<rows * columns).map { _ -> Double in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(Int64(bitPattern: state >> 40) % 2001 - 1000) / 997
        }
        return Tensor(shape: [rows, columns], values: values)
    }

    @Test(arguments: [(3, 5, 64), (70, 130, 64), (100, 33, 16), (64, 64, 64), (65, 1000, 16)])
    func poolingInPlaceEqualsPoolingNestedRows(rows: Int, columns: Int, maxSize: Int) {
        let m = Self.matrix(rows: rows, columns: columns)
        let expected = HeatmapSVG.pooled(m.nested.map { $0.map { Optional($0) } }, maxSize: maxSize)
        #expect(m.pooledBlocks(maxSize: maxSize) == expected)
        // Held as its transpose (W_lm), the blocks are visited column by column: the same bits.
        #expect(TransposedMatrix(m).pooledBlocks(maxSize: maxSize) == expected)
    }

    @Test func largestMagnitudesEqualTheNestedOnes() {
        var m = Self.matrix(rows: 40, columns: 77)
        #expect(m.largestMagnitude == m.nested.flatMap { $0 }.map(abs).max())
        #expect(ColorScale.diverging(for: m) == ColorScale.diverging(for: m.nested))
        m[3, 4] = .infinity
        m[5, 6] = .nan
        #expect(ColorScale.diverging(for: m) == ColorScale.diverging(for: m.nested))
        #expect(Tensor(zeros: [0, 3]).largestMagnitude == 0)
    }

    @Test func heatmapOfATensorIsTheHeatmapOfItsRows() {
        for (rows, columns) in [(6, 9), (90, 200)] {
            let m = Self.matrix(rows: rows, columns: columns)
            let labels = (0..<max(rows, columns)).map { "w\($0)" }
            let rowLabels = Array(labels.prefix(rows)), columnLabels = Array(labels.prefix(columns))
            let scale = ColorScale.diverging(for: m)
            let nested = HeatmapSVG(id: "h", title: "T", description: "D", values: m.nested.map { $0.map { Optional($0) } },
                                    rowLabels: rowLabels, columnLabels: columnLabels, scale: scale, rowHeader: "dimension",
                                    columnHeader: "word", legendLabel: "weight", maxSize: 16).render()
            let inPlace = HeatmapSVG(id: "h", title: "T", description: "D", matrix: m,
                                     rowLabels: rowLabels, columnLabels: columnLabels, scale: scale, rowHeader: "dimension",
                                     columnHeader: "word", legendLabel: "weight", maxSize: 16).render()
            #expect(inPlace == nested)
        }
    }

    @Test func tableOfATensorIsTheTableOfItsRows() {
        let m = Self.matrix(rows: 30, columns: 500)
        let labels = (0..<500).map { "w\($0)" }
        var nested = MatrixTable(caption: "W", values: m.nested, rowLabels: Array(labels.prefix(30)), columnLabels: labels)
        var inPlace = MatrixTable(caption: "W", matrix: m, rowLabels: Array(labels.prefix(30)), columnLabels: labels)
        nested.highlightColumns = [250]
        inPlace.highlightColumns = [250]
        #expect(String(describing: inPlace.render()) == String(describing: nested.render()))
        #expect(inPlace.render().rows.count == nested.render().rows.count)
    }

    @Test(arguments: [0, 1, 6, 20, 999, 1000, 1500])
    func topOfARankingIsThePrefixOfTheSortedOrder(count: Int) {
        // Many exact ties: the order breaks them by index, as the sort does.
        let values = Self.matrix(rows: 1, columns: 1000).row(0).map { ($0 * 4).rounded() }
        let sorted = values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        #expect(Ranking.largest(count, of: values) == Array(sorted.prefix(count)))
        let bySize = values.indices.sorted { abs(values[$0]) != abs(values[$1]) ? abs(values[$0]) > abs(values[$1]) : $0 < $1 }
        #expect(Ranking.top(count, of: values.count) { abs(values[$0]) != abs(values[$1]) ? abs(values[$0]) > abs(values[$1]) : $0 < $1 }
                == Array(bySize.prefix(count)))
    }
}
