import Foundation
import Testing
@testable import SiteBuilder

/// The explanations on the embeddings … step pages: the sentences and worked lines they add,
/// for the seed, for a 2-layer 2-head model, for a right-to-left word and for a vocabulary too
/// long to list.
@Suite struct ProsePagesTests {
    static let seed: [String: [UInt8]] = try! SiteBuild.render(options(output: NSTemporaryDirectory() + "prose-seed-unused")).files

    func page(_ name: String) -> String { text(Self.seed[name]) }

    @Test func layerNormWorksTheDeviationsBeforeTheirSquares() {
        let html = page("layernorm.html")
        #expect(html.contains("x − mean = [ −0.3750, 0.1250, 0.3250, −0.0750 ]"))
        #expect(html.contains("((−0.3750)² + 0.1250² + 0.3250² + (−0.0750)²) / 4 = (0.1406 + 0.0156 + 0.1056 + 0.0056) / 4 = 0.0669"))
    }

    @Test func softmaxListsEachExponentialAndTheirSum() {
        let html = page("prediction.html")
        #expect(html.contains("e^0.0505 = 1.0518, e^0.3509 = 1.4203, e^0.1009 = 1.1062, e^0.1754 = 1.1917, e^0.1005 = 1.1057, e^0.0255 = 1.0259"))
        #expect(html.contains("1.0518 + 1.4203 + 1.1062 + 1.1917 + 1.1057 + 1.0259 = 6.9016"))
        #expect(html.contains("e^0.1005 / 6.9016 = 1.1057 / 6.9016 = 0.1602"))
    }

    @Test func theLMHeadSaysWhyTheTopWordWins() {
        let html = page("lm-head.html")
        #expect(html.contains("<h2>Why “<bdi>cat</bdi>”?</h2>"))
        #expect(html.contains("“<bdi>cat</bdi>” (0.35) beats the runner-up “<bdi>on</bdi>” (0.18) by 0.1755."))
        #expect(html.contains("Its column of W_lm is the largest in every row (ties included)"))
        #expect(html.contains("<li>d2: <code class=\"math\">0.7445 × (0.5000 − 0.3000) = 0.1489</code>, for “<bdi>cat</bdi>”</li>"))
        #expect(html.contains("<li>d3: <code class=\"math\">(−0.2446) × (0.5000 − 0.2000) = −0.0734</code>, for “<bdi>on</bdi>”</li>"))
        #expect(html.contains("The target “<bdi>mat</bdi>” ranks 4th of 6, with logit 0.10 (16.0% after the softmax)."))
        // One naming of W_lm's rows everywhere: the dimensions d0…, never r0….
        for name in ["lm-head.html", "step.html", "gradient.html"] {
            #expect(!page(name).contains(">r0<") && !page(name).contains("row r0"), "\(name)")
        }
        #expect(page("step.html").contains("<p>Row d0, column"))
        #expect(LMHeadPage.ordinal(1) == "1st" && LMHeadPage.ordinal(12) == "12th" && LMHeadPage.ordinal(22) == "22nd" && LMHeadPage.ordinal(113) == "113th")
    }

    @Test func theResidualPagesSayWhatTheSumAdds() {
        #expect(page("residual.html").contains("What the residual adds: “<bdi>on</bdi>”'s x has length 0.62, attn_out 0.48, and their sum h1 0.94. h1 still points in much the same direction as x did (cosine 0.89, where 1 is the same direction)"))
        #expect(page("residual.html").contains("Attention moves d0 most: (−0.20) + (−0.33) = −0.53."))
        #expect(page("mlp.html").contains("What the residual adds: “<bdi>on</bdi>”'s h1 has length 0.94, mlp_out 0.18, and their sum h2 1.05; the cosine of h1 and h2 is 0.99"))
    }

    @Test func theSeedsFormulasHaveNoBiasesAndNoGammaOrBeta() {
        #expect(page("attention.html").contains("<pre class=\"formula\">Q = LN1(x)·W_q\nK = LN1(x)·W_k\nV = LN1(x)·W_v\n"))
        #expect(page("layernorm.html").contains("LN(x)ᵢ = (xᵢ − mean) / √(var + ε)      ε = 1e-05"))
        #expect(page("lm-head.html").contains("<pre class=\"formula\">logits = h2 · W_lm        ("))
        #expect(page("backprop.html").contains("<h1>Backpropagation through the block</h1>"))
    }

    /// ReLU's zeros show the value they replaced (“−0.66 → 0”), not a strike-through.
    @Test func reluZerosShowWhatTheyReplaced() {
        let html = page("mlp.html")
        #expect(html.contains("<td class=\"zeroed\" title=\"0 (ReLU: input was ≤ 0)\">−0.66 → 0</td>"))
        #expect(html.contains("ReLU(mlp_pre): each negative entry becomes 0 (shown as “mlp_pre → 0”)"))
        #expect(!page("style.css").contains("line-through"))
    }

    /// The playground lists all 6 words of the seed (not "Top 10"); the generation page lays the
    /// greedy steps out as a grid, each sampled step's table beside its chart.
    @Test func playgroundAndGenerationLayout() {
        #expect(page("playground.html").contains("<caption id=\"next-token-caption\">All 6 tokens after “on”</caption>"))
        #expect(page("playground.js").contains("All ${listed} tokens"))
        #expect(page("playground.html").contains("<option value=\"layers.0.W_q\">W_q</option>"))
        #expect(PlaygroundPage.readerName(ofMatrix: "layers.1.W_2", multiLayer: true) == "W_2 (layer 2)")
        #expect(PlaygroundPage.readerName(ofMatrix: "W_lm", multiLayer: true) == "W_lm")
        let generate = page("generate.html")
        #expect(generate.contains("<ol class=\"step-grid\">"))
        #expect(generate.components(separatedBy: "<div class=\"table-and-chart\">").count - 1 == generate.components(separatedBy: "<section class=\"sampled-step\">").count - 1)
    }

    @Test func backpropWalksOneChainByHand() {
        let html = page("backprop.html")
        #expect(html.contains("<h2>One step back, by hand: from the logits to h2</h2>"))
        #expect(html.contains("<p>d0</p><code class=\"math\">0.15 × 0.10 + 0.21 × 0.20 + 0.16 × 0.20 + 0.17 × 0.20 + (−0.84) × 0.10 + 0.15 × 0.00 = 0.0390</code>"))
        #expect(html.contains("<p>d3</p><code class=\"math\">0.15 × 0.10 + 0.21 × 0.50 + 0.16 × 0.20 + 0.17 × 0.20 + (−0.84) × 0.20 + 0.15 × 0.10 = 0.0316</code>"))
        #expect(html.contains("So dL/dh2 = [ 0.0390, 0.0950, 0.0340, 0.0316 ]."))
        #expect(html.contains("in row d1 the target “<bdi>mat</bdi>” has 0.1000, the average is 0.1950"))
        #expect(html.contains("dL/dh1[d0] = 0.0390 + (−0.0078) = 0.0312"))
        #expect(html.contains("dL/dW_q, on its own scale ±"))
        for jargon in ["Jacobian", "branch's share", "shared scale"] {
            #expect(!html.contains(jargon), "backprop.html still says \(jargon)")
        }
        // Each heatmap has its own scale: the legends differ.
        let legends = Set(html.matches(of: /on its own scale ±([0-9.]+)/).map { String($0.1) })
        #expect(legends.count > 2)
    }

    @Test func theGradientChartMarksNoPrediction() {
        let html = page("gradient.html")
        let chart = html.firstRange(of: "id=\"grad-logits-title\"").map { String(html[$0.lowerBound...].prefix(20_000)) } ?? ""
        #expect(!chart.isEmpty)
        #expect(!chart.contains("▲ prediction") && !chart.contains("figure-bar-argmax"))
        #expect(html.contains("The logits came from <code>h2 · W_lm</code>"))
    }

    @Test func theEmbeddingsPageShowsItsNumbersOnce() {
        let html = page("embeddings.html")
        #expect(html.components(separatedBy: "<table").count - 1 == 1)
        #expect(!html.contains("tok-emb-heatmap"))
        #expect(html.contains("id=\"tok-emb-strip-title\""))
        #expect(html.contains("tok_emb[3] = [ −0.20, 0.20, 0.40, 0.10 ]"))
        // The seed's vocabulary is listed in full, with no vocabulary file.
        #expect(page("tokens.html").contains("All 6 tokens the model knows"))
        #expect(Self.seed[TokensPage.vocabularyName] == nil)
    }

    /// A 2-layer, 2-head model with a final LayerNorm: one name for the LM head's input, and
    /// sentences that read right for the last of several blocks.
    @Test func multiLayerSentencesReadRight() throws {
        let files = try SiteBuild.render(options(model: RepoPaths.fixture("multi"), output: NSTemporaryDirectory() + "prose-multi-unused")).files
        #expect(text(files["gradient.html"]).contains("The logits came from <code>LNf(h2) · W_lm + b_lm</code>"))
        // The formula boxes say what was computed: this model has biases and LayerNorm γ, β.
        #expect(text(files["layer1-attention.html"]).contains("<pre class=\"formula\">Q = LN1(x)·W_q + b_q\nK = LN1(x)·W_k + b_k\nV = LN1(x)·W_v + b_v\n"))
        #expect(text(files["layer2-mlp.html"]).contains("<pre class=\"formula\">mlp_pre = LN2(h1) · W_1 + b_1\nmlp_out = GELU(mlp_pre) · W_2 + b_2\n"))
        #expect(text(files["layer1-residual.html"]).contains("<pre class=\"formula\">attn_out = c · W_o + b_o\n"))
        #expect(text(files["lm-head.html"]).contains("<pre class=\"formula\">logits = LNf(h2) · W_lm + b_lm "))
        #expect(text(files["layer1-layernorm.html"]).contains("LN(x)ᵢ = (xᵢ − mean) / √(var + ε) · γᵢ + βᵢ "))
        #expect(text(files["backprop.html"]).contains("<h1>Backpropagation through the 2 blocks</h1>"))
        #expect(text(files["gradient.html"]).contains("travels back through the 2 blocks to every weight"))
        #expect(text(files["backprop.html"]).contains("dL/dW_1 (layer 1), on its own scale"))
        #expect(text(files["embeddings.html"]).contains("a place in an 8-dimensional space"))
        #expect(EmbeddingsPage.article(for: 4) == "a" && EmbeddingsPage.article(for: 768) == "a" && EmbeddingsPage.article(for: 18) == "an"
                && EmbeddingsPage.article(for: 11_000) == "an" && EmbeddingsPage.article(for: 110) == "a" && EmbeddingsPage.article(for: 80) == "an")
        #expect(text(files["layer2-attention.html"]).contains("<pre class=\"formula\">Q = LN1(h2 (layer 1))·W_q + b_q\n"))
        // 8 × 8 weights are too wide for three columns at 1280 px: each sits beside its output.
        #expect(text(files["layer1-attention.html"]).contains("<h2>Queries, keys and values</h2>\n<div class=\"matrix-row weight-beside-output\">"))
        #expect(text(files["layer1-attention.html"]).contains("its own weight matrix plus its bias, shown beside what it makes (above it on a narrow screen);"))
        #expect(page("attention.html").contains("<h2>Queries, keys and values</h2>\n<div class=\"matrix-row\">"))
        #expect(page("attention.html").contains("its own weight matrix, shown above what it makes;"))
        #expect(FormulaTerms.biasWords([("b_q", [0]), ("b_k", [0]), ("b_v", [0])]) == " plus its bias")
        #expect(FormulaTerms.biasWords([("b_q", [0]), ("b_k", nil), ("b_v", [0])]) == " (plus b_q and b_v)")
        #expect(FormulaTerms.biasWords([("b_q", nil), ("b_k", [0]), ("b_v", nil)]) == " (plus b_k)")
        #expect(FormulaTerms.biasWords([("b_q", nil), ("b_k", nil), ("b_v", nil)]) == "")
        #expect(text(files["layer2-layernorm.html"]).contains("Input: h2 (layer 1), the residual stream entering block 2"))
        #expect(text(files["playground.html"]).contains("<option value=\"layers.1.W_q\">W_q (layer 2)</option>"))
        #expect(text(files["playground.html"]).contains("<caption id=\"next-token-caption\">All 10 tokens after"))
        #expect(!text(files["backprop.html"]).contains("dL/dlayer"))
        #expect(text(files["lm-head.html"]).contains("Its column of W_lm is the largest in none of the 8 rows, so its lead comes from the token's vector"))
        #expect(text(files["backprop.html"]).contains("<h2>One step back, by hand: from the logits to LNf(h2)</h2>"))
        #expect(text(files["backprop.html"]).contains("The residual sum of the last block's h1"))
        #expect(text(files["layer2-mlp.html"]).contains("That is the last block. h2"))
        #expect(text(files["layer1-mlp.html"]).contains("That is one whole block. h2 goes on"))
        #expect(text(files["layer2-residual.html"]).contains("What the residual adds: "))
    }

    /// A right-to-left word (the hostile fixture's target, “عالم”) is isolated in running text
    /// wherever it lands on these pages, so it cannot reverse the sentence around it.
    @Test func rightToLeftWordsAreIsolatedInRunningText() throws {
        let files = try SiteBuild.render(options(model: RepoPaths.fixture("hostile"), output: NSTemporaryDirectory() + "prose-hostile-unused")).files
        let word = "عالم"
        var seen = 0
        for name in ["index.html", "prediction.html", "gradient.html", "backprop.html", "step.html", "training.html", "lm-head.html"] {
            let html = text(files[name])
            // Running text: paragraphs, headings, figure captions and list items.
            for block in html.matches(of: /<(p|h1|h2|h3|figcaption|li)\b[^>]*>(.*?)<\/\1>/.dotMatchesNewlines()) {
                let inside = String(block.2)
                let bare = inside.components(separatedBy: word).count - 1
                let isolated = inside.components(separatedBy: "<bdi>\(word)</bdi>").count - 1
                seen += bare
                #expect(bare == isolated, "\(name): \(inside)")
            }
        }
        #expect(seen >= 5)
    }

    /// A vocabulary too long to list: the tokens page lists its first words and links the
    /// whole list, the embeddings page draws only the prompt's rows, the LM head no W_lm table.
    @Test func aLongVocabularyIsNotListedOnOnePage() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let seed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: RepoPaths.seedModel))) as! [String: Any]
        var model = seed
        let extra = 5000 - 6
        model["vocab"] = (seed["vocab"] as! [String]) + (0..<extra).map { "w\($0)" }
        var weights = seed["weights"] as! [String: Any]
        weights["tok_emb"] = (weights["tok_emb"] as! [[Double]]) + (0..<extra).map { k in (0..<4).map { Double(($0 + k) % 7) / 10 - 0.3 } }
        weights["W_lm"] = (weights["W_lm"] as! [[Double]]).map { $0 + Array(repeating: 0.0, count: extra) }
        model["weights"] = weights
        let path = tmp.sub("long-vocab.json")
        try JSONSerialization.data(withJSONObject: model).write(to: URL(fileURLWithPath: path))
        let files = try SiteBuild.render(options(model: path, output: tmp.sub("Site"))).files
        let tokens = text(files["tokens.html"])
        #expect(tokens.contains("The model knows 5,000 tokens, too many for one page: here are the first 200, with their ids (the prompt's own tokens are in the table below). All of them, by id, are in <a href=\"vocabulary.json\">vocabulary.json</a>."))
        let list = tokens.firstRange(of: /<ul class="vocab".*?<\/ul>/.dotMatchesNewlines()).map { String(tokens[$0]) } ?? ""
        #expect(list.components(separatedBy: "<li").count - 1 == 200)
        let vocabulary = try JSONSerialization.jsonObject(with: Data(files[TokensPage.vocabularyName] ?? [])) as? [String: Any]
        #expect((vocabulary?["tokens"] as? [String])?.count == 5000)
        #expect((vocabulary?["tokens"] as? [String])?[4999] == "w4993")
        let embeddings = text(files["embeddings.html"])
        #expect(embeddings.contains("tok_emb has 5,000 rows of 4 numbers, too many to list"))
        #expect(!embeddings.contains("<table"))
        let head = text(files["lm-head.html"])
        #expect(head.contains("W_lm has 4 × 5,000 weights, too many for a table"))
        #expect(!head.contains("<caption>W_lm"))
        #expect(head.contains("The target “<bdi>mat</bdi>” ranks"))
        let gradient = text(files["gradient.html"])
        #expect(gradient.contains("(the 20 words with the largest gradient, the target among them; all of them are in trace.json)"))
        #expect(gradient.contains("<tr class=\"focus\"><th scope=\"row\">mat</th>"))
        // A long sum lists its largest terms: the target's dL/dlogit (p − 1) comes first.
        let backprop = text(files["backprop.html"])
        #expect(backprop.contains("(the words with the largest dL/dlogit first: the target and the words that took most probability):"))
        #expect(backprop.contains("<p>d0</p><code class=\"math\">(−1.00) × 0.10 + "))
    }
}
