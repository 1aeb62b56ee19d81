import Foundation
import Testing
@testable import SiteBuilder
import ModelFormats
import TransformerEngine

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
            for (key, value) in fullLayers[l] {
                #expect(NSDictionary(dictionary: [key: file[key] as Any]).isEqual(to: [key: value]), "\(name) \(key)")
            }
            let layerGrads = try #require(file["grads"] as? [String: Any])
            #expect(layerGrads["b_q"] as? [Double] == fullGradLayers[l]["b_q"] as? [Double])
            #expect(layerGrads["resid_out"] as? [[Double]] == fullGradLayers[l]["resid_out"] as? [[Double]])
            for matrix in ["W_q", "W_k", "W_v", "W_o", "W_1", "W_2"] {
                let values = try #require(fullGradLayers[l][matrix] as? [[Double]])
                let summary = try #require(layerGrads[matrix] as? [String: Any])
                worst = max(worst, try Self.check(summary, against: values))
            }
        }
        let wLM = try #require(fullGrads["W_lm"] as? [[Double]])
        worst = max(worst, try Self.check(try #require(grads["W_lm"] as? [String: Any]), against: wLM))
        print("split trace: largest difference of a summary from the full gradients: \(worst)")
        #expect(worst <= 1e-12)
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
