import FoundationEssentials
import TransformerEngine
import Glibc

/// backprop.html: the gradient flowing back through the block, one step of it worked by hand,
/// and dL/dW for every matrix, each on its own colour scale.
enum BackpropPage {
    static let kind = PageKind(template: "backprop", label: "Backprop", chapter: .learning, builtIn: PackageResources.backprop_html) { s, v in context(s) }

    struct Context: PageContext {
        @PagePart var common: LearningPages.Common
        var stageTable: TableContext
        var tokenTable: TableContext
        var heatmaps: [Heatmap]
        /// The heatmaps folded into a closed <details> below the open one (`foldHeatmapsAbove`).
        var foldedHeatmaps: [Heatmap]
        var hasFold: Bool
        var foldedCount: Int
        var foldedNames: String
        /// The open heatmap's matrix when the others are folded.
        var openName: String
        /// Pooled maps (a matrix wider than `overviewSize`) are about 500 units wide: two a row
        /// on a wide screen rather than three, so their labels stay 11 px.
        var wideHeatmaps: Bool
        /// The largest |dL/dW| entry of each layer's six matrices, a row per layer, and W_lm's.
        var blameRows: [BlameRow]
        var lmLargest: String
        var lmIsMostBlamed: Bool
        var mostBlamed: String
        var focusWord: String
        var focusCls: String
        var isRelu: Bool
        var finalName: String
        var dModel: Int
        var vocabSize: String
        var chainEntries: [ChainEntry]
        /// d_model is larger than the entries worked by hand.
        var chainShortened: Bool
        /// The terms are listed largest dL/dlogit first (a long sum shows only some of them).
        var termsByLargest: Bool
        var chainRest: Int
        var chainVector: String
        var steepestDimension: String
        var steepestValue: String
        var steepestRaises: Bool
        var steepestTargetWeight: String
        var steepestAverage: String
        var multiLayer: Bool
        var residualWorked: String
        /// A deep model's heatmaps show only its first and last layers (`drawnLayerLimit`).
        var someLayersDrawn: Bool
        var drawnLayers: String
        var matrixCount: Int
    }
    /// One entry of dL/dh2 = (p − onehot) · W_lmᵀ, written out.
    struct ChainEntry: Encodable {
        var dimension: String
        var sum: WorkedSum
    }
    struct Heatmap: Encodable {
        var name: String
        var svg: String
        var largest: String
        var scale: String
        /// The scale spans the pooled figure's block means, not its entries.
        var scaleOfMeans: Bool
    }
    struct BlameRow: Encodable {
        var layer: Int
        var cells: [BlameCell]
    }
    struct BlameCell: Encodable {
        var largest: String
        /// The largest entry of all the matrices (marked in bold, not by colour alone).
        var isMostBlamed: Bool
    }

    /// How many entries of dL/dh2 are worked by hand.
    static let chainEntryLimit = 4

    /// The gradient heatmaps show every matrix of the model at once, so big matrices are
    /// pooled harder than elsewhere (mean of blocks, said in each figure); every entry is in
    /// trace.json under `grads`.
    /// Up to 8×8, the overview's cells carry their own titles; bigger ones are drawn compactly.
    static let titledCells = 64
    static let overviewSize = 16
    /// Up to this many layers every layer's matrices are drawn; a deeper model's page draws
    /// the first and the last layer (and W_lm), so it stays under its size budget (GPT-2
    /// small's 73 heatmaps made a 1.1 MB page); the table lists every matrix.
    static let drawnLayerLimit = 4
    /// With more heatmaps than one layer's six and W_lm, and pooled (wide) ones, only the drawn
    /// matrix with the largest entry stays open; the others fold below it (GPT-2 small's 13 maps
    /// were 8,894 px on a phone). Small maps stay side by side, the comparison they are for.
    static let foldHeatmapsAbove = 7

    /// The layers whose gradient heatmaps are drawn.
    static func drawnLayers(_ nLayers: Int) -> [Int] {
        nLayers <= drawnLayerLimit ? Array(0..<nLayers) : [0, nLayers - 1]
    }

    static func context(_ s: SiteData) -> any PageContext {
        guard let learning = s.learning, let targetID = s.trace.targetID else { return LearningPages.noTarget(s) }
        let g = learning.gradients, t = s.trace, c = s.model.config, f = s.lastToken
        let dims = s.dimensionLabels(c.dModel)
        // The gradient vectors of the last token, stage by stage, from the output back to the input.
        // With a final LayerNorm the LM head's input differs from the last block's output.
        var labels: [String] = c.finalLayerNorm ? ["dL/dLNf(h2) (LM head input)"] : []
        var rows: [[Double]] = c.finalLayerNorm ? [g.final.row(f)] : []
        for l in stride(from: c.nLayers - 1, through: 0, by: -1) {
            let lg = g.layers[l], p = s.multiLayer ? "L\(l + 1) " : ""
            labels += [p + "dL/dh2 (block output)", p + "dL/dmlp_out", p + "dL/dLN2(h1)", p + "dL/dh1", p + "dL/dattn_out",
                       p + "dL/dcontext", p + "dL/dLN1(x)", p + "dL/d" + (l == 0 ? "x" : "input")]
            rows += [lg.residOut.row(f), lg.mlpOut.row(f), lg.ln2Out.row(f), lg.residMid.row(f), lg.attnOut.row(f), lg.context.row(f), lg.ln1Out.row(f), lg.input.row(f)]
        }
        var stageTable = MatrixTable(caption: "The gradient of the loss with respect to “\(t.tokens[f])”'s vector at each stage, from the output back to the input",
                                     values: rows, rowLabels: labels, columnLabels: dims)
        stageTable.corner = "stage"
        var tokenTable = MatrixTable(caption: "dL/dx for every token: the gradient reaches earlier tokens only through attention",
                                     values: g.x.nested, rowLabels: s.tokenLabels, columnLabels: dims)
        tokenTable.corner = "position · token"
        tokenTable.rowClasses = s.tokenClasses
        tokenTable.highlightRows = [f]
        // Every weight matrix's gradient, as its digest holds it (W_lm's is d_model × vocabulary).
        var matrices: [(name: String, gradient: GradientDigest, rows: [String], columns: [String])] = []
        let drawn = Set(drawnLayers(c.nLayers))
        var drawnMatrices: [Int] = []
        for l in 0..<c.nLayers {
            if drawn.contains(l) { drawnMatrices += matrices.count..<(matrices.count + 6) }
            // "W_q (layer 2)", as the layer pages' kickers say "Layer 2".
            let lg = g.layers[l], suffix = s.multiLayer ? " (layer \(l + 1))" : ""
            let hidden = s.dimensionLabels(c.dFF, prefix: "u")
            func d(_ name: String, _ gradient: WeightGradient) -> GradientDigest {
                learning.digests.digest(GradientDigests.name(layer: l, name), of: gradient)
            }
            matrices += [("W_q" + suffix, d("W_q", lg.wQ), dims, dims), ("W_k" + suffix, d("W_k", lg.wK), dims, dims),
                         ("W_v" + suffix, d("W_v", lg.wV), dims, dims), ("W_o" + suffix, d("W_o", lg.wO), dims, dims),
                         ("W_1" + suffix, d("W_1", lg.w1), dims, hidden), ("W_2" + suffix, d("W_2", lg.w2), hidden, dims)]
        }
        drawnMatrices.append(matrices.count)
        matrices.append(("W_lm", learning.digests.digest("W_lm", of: g.wLM), dims, s.model.vocab))
        let largest = matrices.map(\.gradient.largestMagnitude)
        // Each matrix on its own colour scale: on one shared scale all but the largest are blank.
        // A pooled matrix's colours span its block means (see `HeatmapSVG.init(matrix:)`).
        let heatmaps = drawnMatrices.map { k -> Heatmap in
            let m = matrices[k]
            var figure = HeatmapSVG(
                id: "grad-w\(k)", title: "dL/d\(m.name)", description: "",
                gradient: m.gradient, rowLabels: m.rows, columnLabels: m.columns,
                scale: m.gradient.rows > Self.overviewSize || m.gradient.cols > Self.overviewSize ? nil
                    : ColorScale.diverging(maxAbs: ColorScale.roundedUp(largest[k])),
                showValues: false, legendLabel: "dL/dW", maxSize: Self.overviewSize,
                titledCellLimit: Self.titledCells)
            let scale = figure.scale.maximum
            // Four decimals, or the two significant digits the legend shows of a smaller scale
            // (a deep layer's ±0.000012, which four decimals would call ±0.0000).
            let scaleText = NumberFormat.short(scale, decimals: scale > 0 && scale < 0.001 ? 1 - Int(log10(scale).rounded(.down)) : 4)
            figure.description = "The gradient of \(m.name) on its own colour scale, ±\(scaleText)\(figure.scaleFitsBlockMeans ? " (its block means)" : ""); its largest entry is \(NumberFormat.short(largest[k], decimals: 4)) in size."
            return Heatmap(name: m.name, svg: figure.render(), largest: NumberFormat.short(largest[k], decimals: 4),
                           scale: scaleText, scaleOfMeans: figure.scaleFitsBlockMeans)
        }
        // Many wide heatmaps: the most blamed drawn matrix first and open, the others in model order folded.
        let wideHeatmaps = drawnMatrices.contains { k in
            matrices[k].gradient.rows > Self.overviewSize || matrices[k].gradient.cols > Self.overviewSize
        }
        let folds = heatmaps.count > Self.foldHeatmapsAbove && wideHeatmaps
        let openIndex = drawnMatrices.indices.max { a, b in
            largest[drawnMatrices[a]] != largest[drawnMatrices[b]] ? largest[drawnMatrices[a]] < largest[drawnMatrices[b]] : a > b
        } ?? 0
        let openHeatmaps = folds ? [heatmaps[openIndex]] : heatmaps
        let foldedHeatmaps = folds ? heatmaps.indices.filter { $0 != openIndex }.map { heatmaps[$0] } : []
        // The matrix with the largest entry (ties: the first in model order), marked in the table.
        let mostBlamed = matrices.indices.max { a, b in largest[a] != largest[b] ? largest[a] < largest[b] : a > b } ?? 0
        // matrices holds each layer's six in order, then W_lm: a layer's row is its six.
        let blameRows = (0..<c.nLayers).map { l in
            BlameRow(layer: l + 1, cells: (6 * l..<6 * l + 6).map { k in
                BlameCell(largest: NumberFormat.short(largest[k], decimals: 4), isMostBlamed: k == mostBlamed)
            })
        }
        // One step back by hand: dL/d(LM head input) = (p − onehot) · W_lmᵀ, entry by entry.
        let dLogits = g.logits.row(f), wLM = s.model.weights.wLM, dFinal = g.final.row(f)
        // A long sum keeps only some terms: list the words with the largest dL/dlogit first
        // (the target and the words that took most probability), so the shown terms matter.
        let termsByLargest = dLogits.count > 10
        let order = termsByLargest
            ? dLogits.indices.sorted { abs(dLogits[$0]) != abs(dLogits[$1]) ? abs(dLogits[$0]) > abs(dLogits[$1]) : $0 < $1 }
            : Array(dLogits.indices)
        let chainEntries = (0..<min(c.dModel, Self.chainEntryLimit)).map { i in
            ChainEntry(dimension: dims[i], sum: WorkedSum.dot(order.map { dLogits[$0] }, order.map { wLM[i, $0] }, result: dFinal[i], eachLeftItsOwn: true))
        }
        let steepest = dFinal.indices.max { abs(dFinal[$0]) != abs(dFinal[$1]) ? abs(dFinal[$0]) < abs(dFinal[$1]) : $0 > $1 } ?? 0
        // The residual sum of the last block: h1's gradient is h2's plus what comes back through the MLP.
        let top = g.layers[c.nLayers - 1]
        let direct = top.residOut[f, 0], throughMLP = top.residMid[f, 0] - top.residOut[f, 0]
        let residualWorked = "dL/dh1[d0] = \(WorkedSum.signed(direct, decimals: 4)) + \(WorkedSum.signed(throughMLP, decimals: 4)) = \(NumberFormat.short(top.residMid[f, 0], decimals: 4))"
        return Context(common: LearningPages.common(s),
            stageTable: stageTable.render(),
            tokenTable: tokenTable.render(),
            heatmaps: openHeatmaps,
            foldedHeatmaps: foldedHeatmaps, hasFold: folds, foldedCount: foldedHeatmaps.count,
            foldedNames: foldedHeatmaps.map { "dL/d" + $0.name }.joined(separator: ", "),
            openName: heatmaps.isEmpty ? "" : heatmaps[openIndex].name,
            wideHeatmaps: wideHeatmaps,
            blameRows: blameRows,
            lmLargest: NumberFormat.short(largest[matrices.count - 1], decimals: 4),
            lmIsMostBlamed: mostBlamed == matrices.count - 1,
            mostBlamed: matrices[mostBlamed].name,
            focusWord: t.tokens[f], focusCls: s.tokenClass(f),
            isRelu: c.activation == .relu,
            finalName: LMHeadPage.inputName(c),
            dModel: c.dModel, vocabSize: NumberFormat.grouped(s.model.vocab.count),
            chainEntries: chainEntries,
            chainShortened: c.dModel > chainEntries.count,
            termsByLargest: termsByLargest,
            chainRest: c.dModel - chainEntries.count,
            chainVector: WorkedSum.vector(dFinal, decimals: 4),
            steepestDimension: dims[steepest],
            steepestValue: NumberFormat.short(dFinal[steepest], decimals: 4),
            steepestRaises: dFinal[steepest] < 0,
            steepestTargetWeight: NumberFormat.short(wLM[steepest, targetID], decimals: 4),
            // Σ_w p_w·W[i, w] − W[i, target] = dL/dh[i], so the average is the entry plus the target's weight.
            steepestAverage: NumberFormat.short(dFinal[steepest] + wLM[steepest, targetID], decimals: 4),
            multiLayer: s.multiLayer,
            residualWorked: residualWorked,
            someLayersDrawn: drawn.count < c.nLayers,
            drawnLayers: drawnLayers(c.nLayers).map { "\($0 + 1)" }.joined(separator: " and "),
            matrixCount: matrices.count
        )
    }
}

extension Stage {
    static let backprop = Stage(BackpropPage.kind)
}
