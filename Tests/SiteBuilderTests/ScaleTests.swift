import Foundation
import Testing
@testable import SiteBuilder
import ModelFormats
@testable import TransformerEngine

/// What keeps a big model's site bounded: `--follow`, and trace.json split into layer files
/// with the weight gradients summarised.
@Suite struct ScaleTests {
    @Test func followArgumentsParse() {
        #expect(FollowedTokens(argument: "last") == .last)
        #expect(FollowedTokens(argument: "all") == .all)
        #expect(FollowedTokens(argument: "0,3") == .positions([0, 3]))
        #expect(FollowedTokens(argument: "0, 2") == .positions([0, 2]))
        for bad in ["", "first", "1,", "-1", "1;2", "x,1"] { #expect(FollowedTokens(argument: bad) == nil, "\(bad)") }
        #expect(FollowedTokens.positions([2, 0, 2]).positions(count: 4) == [0, 2, 3])
        #expect(FollowedTokens.last.positions(count: 4) == [3])
        #expect(FollowedTokens.all.positions(count: 3) == [0, 1, 2])
        #expect(FollowedTokens.positions([4]).positions(count: 4) == nil)
    }

    /// `--follow 1`: the views of token 1 and of the last token, chips between the two, and
    /// links to any other token's view going to the last token's.
    @Test func followedTokensGetTheirOwnViews() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = try SiteBuild.render(options(output: tmp.sub("Site"), follow: .positions([1]))).files
        #expect(site.keys.filter { $0.hasSuffix(".html") }.count == 16 + 7)
        for stage in ["positions", "layernorm", "attention", "residual", "mlp", "lm-head", "prediction"] {
            #expect(site["\(stage)-t1.html"] != nil && site["\(stage)-t0.html"] == nil && site["\(stage)-t2.html"] == nil)
        }
        let attention = text(site["attention.html"])
        #expect(attention.contains("<a class=\"chip tok tok-1\" href=\"attention-t1.html\"><span class=\"n\">1</span> cat</a>"))
        #expect(!attention.contains("attention-t0.html") && !attention.contains("attention-t2.html"))
    }

    @Test func followPastThePromptIsRefused() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        #expect {
            try SiteBuild.render(options(output: tmp.sub("Site"), follow: .positions([0, 9])))
        } throws: { error in
            (error as? BuildFailure)?.problems.map(\.description).first?.contains(
                "--follow names a position past the prompt's end: the prompt has 4 tokens, positions 0 to 3") == true
        }
    }

    static func json(_ bytes: [UInt8]?) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes ?? [])) as? [String: Any])
    }

    /// The multi-layer fixture over a lowered limit: trace.json keeps the top-level keys and
    /// names one file a layer; each holds the layer's intermediates as the inline trace has
    /// them and its gradients, the weights' summarised (norm, largest entries, pooled means
    /// recomputed here from the inline trace's full gradients).
    @Test func aTraceOverTheLimitIsSplitIntoLayerFiles() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let model = RepoPaths.fixture("multi")
        let inline = try SiteBuild.render(options(model: model, output: tmp.sub("Inline"))).files
        var lowered = options(model: model, output: tmp.sub("Split"))
        lowered.traceInlineLimit = 1_000
        try SiteBuild.run(lowered)
        let split = readTree(tmp.sub("Split"))
        #expect(inline["trace/layer-00.json"] == nil)

        let full = try Self.json(inline["trace.json"]), top = try Self.json(split["trace.json"])
        #expect(full["layout"] == nil && top["layout"] as? String == "split")
        for key in ["tokens", "ids", "prediction", "prediction_id", "target", "loss", "embeddings", "final", "training", "generation"] {
            #expect(top[key] != nil && NSDictionary(dictionary: [key: top[key]!]).isEqual(to: [key: full[key]!]), "\(key)")
        }
        let logits = try #require(full["logits"] as? [[Double]]), probs = try #require(full["probs"] as? [[Double]])
        #expect(top["last_logits"] as? [Double] == logits.last && top["last_probs"] as? [Double] == probs.last)
        #expect(top["logits"] == nil && top["probs"] == nil)

        let fullLayers = try #require(full["layers"] as? [[String: Any]])
        let names = try #require(top["layers"] as? [String])
        #expect(names == (0..<fullLayers.count).map { "trace/layer-0\($0).json" })
        let fullGrads = try #require(full["grads"] as? [String: Any]), grads = try #require(top["grads"] as? [String: Any])
        #expect(grads["layers"] as? [String] == names)
        let fullGradLayers = try #require(fullGrads["layers"] as? [[String: Any]])
        var worst = 0.0
        for (l, name) in names.enumerated() {
            let file = try Self.json(split[name])
            #expect(file["layer"] as? Int == l)
            for (key, value) in fullLayers[l] where !Trace.splitDroppedKeys.contains(key) {
                #expect(NSDictionary(dictionary: [key: file[key] as Any]).isEqual(to: [key: value]), "\(name) \(key)")
            }
            for key in Trace.splitDroppedKeys { #expect(file[key] == nil, "\(name) \(key)") }
            let layerGrads = try #require(file["grads"] as? [String: Any])
            #expect(layerGrads["b_q"] as? [Double] == fullGradLayers[l]["b_q"] as? [Double])
            #expect(layerGrads["scores"] as? [[[Double]]] == fullGradLayers[l]["scores"] as? [[[Double]]])
            #expect(layerGrads["resid_mid"] == nil && layerGrads["resid_out"] == nil)
            for matrix in ["W_q", "W_k", "W_v", "W_o", "W_1", "W_2", "input", "q", "context", "mlp_pre", "mlp_out"] {
                let values = try #require(fullGradLayers[l][matrix] as? [[Double]])
                let summary = try #require(layerGrads[matrix] as? [String: Any])
                worst = max(worst, try Self.check(summary, against: values))
            }
            // Each number once: resid_mid's gradient is attn_out's, resid_out's mlp_out's and the next layer's input's.
            #expect(fullGradLayers[l]["resid_mid"] as? [[Double]] == fullGradLayers[l]["attn_out"] as? [[Double]])
            #expect(fullGradLayers[l]["resid_out"] as? [[Double]] == fullGradLayers[l]["mlp_out"] as? [[Double]])
            if l + 1 < names.count {
                #expect(fullGradLayers[l]["resid_out"] as? [[Double]] == fullGradLayers[l + 1]["input"] as? [[Double]])
            }
        }
        // The logits' gradient is left out: last_probs with 1 subtracted at the target, 0 in the other rows.
        #expect(grads["last_logits"] == nil && grads["logits"] == nil)
        // (Read with the exact parser: Foundation's may round a number's last digit.)
        let exactFull = try JSONParser.parse(inline["trace.json"] ?? []), exactTop = try JSONParser.parse(split["trace.json"] ?? [])
        let dLogits = try Recompute.matrix(exactFull["grads"]?["logits"]), lastProbs = try Recompute.vector(exactTop["last_probs"])
        #expect(dLogits.dropLast().allSatisfy { $0.allSatisfy { $0 == 0 } })
        let differing = lastProbs.indices.filter { dLogits.last?[$0] != lastProbs[$0] }
        #expect(differing.count == 1 && differing.map { dLogits.last![$0] } == differing.map { lastProbs[$0] - 1 })
        let wLM = try #require(fullGrads["W_lm"] as? [[Double]])
        worst = max(worst, try Self.check(try #require(grads["W_lm"] as? [String: Any]), against: wLM))
        print("split trace: largest difference of a summary from the full gradients: \(worst)")
        #expect(worst <= 1e-12)
    }

    /// Every tensor a split layer file leaves out, recomputed by the README's recipes from what
    /// the split trace keeps and the model's weights, equals the inline trace's bit for bit
    /// (both read with the exact JSON parser).
    @Test func theTensorsASplitTraceDropsAreRecomputedExactly() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let path = RepoPaths.fixture("multi")
        let model = try ModelLoader.load(path: path).model
        let inline = try SiteBuild.render(options(model: path, output: tmp.sub("Inline"))).files
        var lowered = options(model: path, output: tmp.sub("Split"))
        lowered.traceInlineLimit = 1_000
        let split = try SiteBuild.render(lowered).files
        let full = try JSONParser.parse(inline["trace.json"] ?? []), top = try JSONParser.parse(split["trace.json"] ?? [])
        let fullLayers = try #require(Recompute.items(full["layers"]))

        var h = try Recompute.matrix(top["embeddings"]?["x"])              // the layer's input
        for (l, w) in model.weights.layers.enumerated() {
            let file = try JSONParser.parse(split[TraceFiles.layerFile(l, of: fullLayers.count)] ?? [])
            func kept(_ key: String) throws -> [[Double]] { try Recompute.matrix(file[key]) }
            func expected(_ key: String) throws -> [[Double]] { try Recompute.matrix(fullLayers[l][key]) }
            let ln1 = try Recompute.layerNorm(h, stats: try #require(file["ln1_stats"]), w.ln1)
            let q = Recompute.product(ln1, w.wQ, bias: w.bQ), k = Recompute.product(ln1, w.wK, bias: w.bK)
            let v = Recompute.product(ln1, w.wV, bias: w.bV)
            let weights = try #require(Recompute.items(file["weights"])).map { try Recompute.matrix($0) }
            let context = Recompute.context(weights: weights, v: v)
            let residMid = Recompute.sum(h, try kept("attn_out"))
            let ln2 = try Recompute.layerNorm(residMid, stats: try #require(file["ln2_stats"]), w.ln2)
            let mlpPre = Recompute.product(ln2, w.w1, bias: w.b1)
            let mlpAct = mlpPre.map { $0.map(model.config.activation.apply) }
            let residOut = Recompute.sum(residMid, try kept("mlp_out"))
            let recomputed = ["ln1": ln1, "q": q, "k": k, "v": v, "context": context, "resid_mid": residMid, "ln2": ln2,
                              "mlp_pre": mlpPre, "mlp_act": mlpAct, "resid_out": residOut]
            #expect(Set(recomputed.keys) == Set(Trace.splitDroppedKeys))
            for (key, value) in recomputed { #expect(value == (try expected(key)), "layer \(l) \(key)") }
            h = residOut
        }
    }

    /// The recipes of the README's "The trace at scale", written out plainly.
    enum Recompute {
        static func items(_ node: JSONNode?) -> [JSONNode]? {
            if case .array(let items)? = node?.value { return items }
            return nil
        }

        static func vector(_ node: JSONNode?) throws -> [Double] {
            try #require(items(node)).map { entry in
                guard case .number(let x) = entry.value else { throw CancellationError() }
                return x
            }
        }

        static func matrix(_ node: JSONNode?) throws -> [[Double]] { try #require(items(node)).map(vector) }

        /// a + b, entry by entry.
        static func sum(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] { zip(a, b).map { zip($0, $1).map(+) } }

        /// c[i][j] = (((bias[j] + a[i][0]·w[0][j]) + a[i][1]·w[1][j]) + …), from +0 without a bias.
        static func product(_ a: [[Double]], _ w: Tensor, bias: [Double]?) -> [[Double]] {
            a.map { row in
                (0..<w.cols).map { j in
                    var c = bias?[j] ?? 0
                    for k in row.indices { c += row[k] * w[k, j] }
                    return c
                }
            }
        }

        /// (x − mean) / std · γ + β, with the row statistics the layer file keeps.
        static func layerNorm(_ x: [[Double]], stats: JSONNode, _ p: LayerNormParameters) throws -> [[Double]] {
            let (mean, std) = (try vector(stats["mean"]), try vector(stats["std"]))
            return x.enumerated().map { t, row in
                row.enumerated().map { i, value in (value - mean[t]) / std[t] * (p.gamma?[i] ?? 1) + (p.beta?[i] ?? 0) }
            }
        }

        /// Each head's weights·v (columns h·d_head ..< (h+1)·d_head of v), the heads side by side.
        static func context(weights: [[[Double]]], v: [[Double]]) -> [[Double]] {
            let width = (v.first?.count ?? 0) / max(weights.count, 1)
            return v.indices.map { i in
                weights.enumerated().flatMap { h, a in
                    (0..<width).map { c in
                        var sum = 0.0
                        for j in v.indices { sum += a[i][j] * v[j][h * width + c] }
                        return sum
                    }
                }
            }
        }
    }

    /// A split trace's sampled step keeps its 20 most likely tokens, how many were kept, the
    /// chosen token's rank and the interval of the cumulative probabilities that held u.
    @Test func aSplitTracesSampledStepKeepsItsMostLikelyTokens() throws {
        let logits = (0..<30).map { sin(Double($0)) * 0.1 }            // nearly uniform: u = 0.9 picks past the 20th
        let step = Sampling.step(logits: logits, u: 0.9, settings: .default)
        let generation = Generation(settings: .default, greedy: [], sampled: [step], positions: 8, windowStarts: [0])
        let vocab = (0..<30).map { "w\($0)" }
        let full = try JSONParser.parse(generation.json(vocab: vocab).renderedBytes())
        let cut = try JSONParser.parse(generation.json(vocab: vocab, keptLimit: 20).renderedBytes())
        let (fullStep, cutStep) = (try #require(Recompute.items(full["sampled"]?["steps"])?.first),
                                   try #require(Recompute.items(cut["sampled"]?["steps"])?.first))
        let kept = try Recompute.vector(fullStep["kept"]), probs = try Recompute.vector(fullStep["probs"])
        #expect(kept.count == 30 && fullStep["kept_count"] == nil)
        #expect(try Recompute.vector(cutStep["kept"]) == Array(kept.prefix(20)))
        #expect(try Recompute.vector(cutStep["probs"]) == Array(probs.prefix(20)))
        #expect(cutStep["kept_count"]?.value == .number(30))
        let rank = try #require(kept.firstIndex(of: Double(step.id)))
        #expect(cutStep["chosen_rank"]?.value == .number(Double(rank)) && rank >= 20)
        let interval = try Recompute.vector(cutStep["interval"])
        let (below, through): (Double, Double) = (probs[..<rank].reduce(0, +), probs[...rank].reduce(0, +))
        #expect(interval == [below, through])
        #expect(interval[0] <= step.u && step.u < interval[1])
        for key in ["u", "id", "window"] { #expect(cutStep[key] == fullStep[key], "\(key)") }
    }

    /// The least size of a JSON tree is never more than what it renders to (the split decision
    /// is taken on it before rendering a trace), for odd values and for a whole trace.
    @Test func theLeastRenderedSizeIsALowerBound() throws {
        let sample = JSONOut.object([("a", .numbers([0, -0.0, .nan, 1, 0.1, 1e-300])), ("b", .array([.int(7), .null, .bool(true), .string("<é>")])),
                                     ("c", .array([.numbers([]), .numbers([2]), .object([])]))])
        #expect(sample.leastRenderedBytes <= sample.renderedBytes().count)
        let model = try ModelLoader.load(path: RepoPaths.fixture("multi")).model
        let trace = Transformer.forward(model).json(model: model)
        let (least, rendered) = (trace.leastRenderedBytes, trace.renderedBytes().count)
        print("multi fixture's trace: at least \(least) bytes, rendered \(rendered)")
        #expect(least <= rendered && least > 0)
    }

    /// A matrix bigger than the pooled grid: blocks of 4 × 3 (the last ones shorter).
    @Test func aBigGradientIsSummarisedByBlocks() throws {
        func entry(_ i: Int, _ j: Int) -> Double { sin(Double(i * 70 + j)) * Double(j % 7 - 3) }
        let values: [[Double]] = (0..<100).map { i in (0..<70).map { j in entry(i, j) } }
        let summary = GradientSummary.matrix(.init(values))
        let object = try Self.json(summary.renderedBytes())
        let pooled = try #require(object["pooled"] as? [String: Any])
        #expect(pooled["block_rows"] as? Int == 4 && pooled["block_columns"] as? Int == 3)
        #expect(try Self.check(object, against: values) <= 1e-12)
    }

    /// The largest difference of `summary`'s norm, largest entries and pooled means from
    /// `values`' own; its shape and the largest entries' places must be exact.
    static func check(_ summary: [String: Any], against values: [[Double]]) throws -> Double {
        let (rows, cols) = (values.count, values.first?.count ?? 0)
        #expect(summary["shape"] as? [Int] == [rows, cols])
        let norm = try #require(summary["norm"] as? Double)
        var worst = abs(norm - values.joined().reduce(0) { $0 + $1 * $1 }.squareRoot())
        let flat = values.flatMap { $0 }
        let order = flat.indices.sorted { abs(flat[$0]) > abs(flat[$1]) || (abs(flat[$0]) == abs(flat[$1]) && $0 < $1) }
        let largest = try #require(summary["largest"] as? [[Double]])
        #expect(largest.count == min(GradientSummary.largestCount, flat.count))
        // (Foundation's JSON reader may round a number's last digit: values within 1e-12.)
        for (entry, k) in zip(largest, order) {
            #expect(Array(entry.prefix(2)) == [Double(k / cols), Double(k % cols)])
            worst = max(worst, abs(entry[2] - flat[k]))
        }
        let pooled = try #require(summary["pooled"] as? [String: Any])
        let (rb, cb) = (try #require(pooled["block_rows"] as? Int), try #require(pooled["block_columns"] as? Int))
        let means = try #require(pooled["mean"] as? [[Double]])
        #expect(means.count == (rows + rb - 1) / rb && means.first?.count == (cols + cb - 1) / cb)
        for (bi, row) in means.enumerated() {
            for (bj, mean) in row.enumerated() {
                let block = (bi * rb..<min(rows, (bi + 1) * rb)).flatMap { i in (bj * cb..<min(cols, (bj + 1) * cb)).map { values[i][$0] } }
                worst = max(worst, abs(mean - block.reduce(0, +) / Double(block.count)))
            }
        }
        return worst
    }
}

/// The page-size levers for deep models and long prompts (issue 14: largest page ≤ 500 KB).
@Suite struct LargePageTests {
    @Test func deepModelsDrawTheFirstAndLastLayersGradients() {
        #expect(BackpropPage.drawnLayers(2) == [0, 1])
        #expect(BackpropPage.drawnLayers(BackpropPage.drawnLayerLimit) == Array(0..<BackpropPage.drawnLayerLimit))
        #expect(BackpropPage.drawnLayers(12) == [0, 11])
    }

    /// A long prompt's small multiples: the same cells as the full drawing, without the labels,
    /// the legend and the row tooltips; the highlighted row stays.
    @Test func thumbnailsDrawOnlyTheCells() {
        let values: [[Double?]] = (0..<24).map { i in (0..<24).map { j in j <= i ? Double(i + j) / 48 : nil } }
        let labels = (0..<24).map { "t\($0)" }
        var figure = HeatmapSVG(id: "h", title: "Head 1", description: "", values: values, rowLabels: labels, columnLabels: labels,
                                scale: .sequential(max: 1), highlightRow: 5)
        let full = figure.render()
        figure.isThumbnail = true
        let small = figure.render()
        func strokes(_ svg: String) -> Substring? {
            guard let start = svg.range(of: "<g fill=\"none\""), let end = svg[start.upperBound...].range(of: "</g>") else { return nil }
            return svg[start.lowerBound..<end.upperBound]
        }
        #expect(strokes(full) != nil)
        #expect(strokes(small) == strokes(full))
        #expect(full.contains("figure-row-band") && full.contains("figure-row-labels") && full.contains("figure-legend"))
        for part in ["figure-row-band", "figure-row-labels", "figure-column-labels", "figure-legend", ">t5</text>"] {
            #expect(!small.contains(part), "\(part)")
        }
        #expect(small.contains("class=\"figure-highlight\"") && small.contains("url(#h-hatch)") && small.contains("<pattern id=\"h-hatch\""))
        #expect(small.count * 2 < full.count)
    }
}
