import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// The continuations against the NumPy reference (`Tests/Reference/generation.py`), and their
/// length and determinism.
@Suite struct GenerationTests {
    static let models = ["seed", "multi", "deep", "chars", "hostile"]

    struct Case {
        let text: String
        let settings: GenerationSettings
        let expected: [String: Any]
        let tempered: [[Double]]
    }

    static func cases(_ name: String) throws -> [Case] {
        let data = try #require(FileManager.default.contents(atPath: "\(RepoPaths.fixtures)/generation/\(name).generation.json"))
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return try list.map { item in
            let generation = try #require(item["generation"] as? [String: Any])
            let sampled = try #require(generation["sampled"] as? [String: Any])
            let settings = GenerationSettings(
                count: try #require(item["count"] as? Int),
                temperature: try #require(sampled["temperature"] as? Double),
                topK: try #require(sampled["top_k"] as? Int),
                topP: try #require(sampled["top_p"] as? Double),
                seed: try #require((sampled["seed"] as? NSNumber)?.uint64Value))
            return Case(text: try #require(item["text"] as? String), settings: settings, expected: generation,
                        tempered: try #require(item["tempered"] as? [[Double]]))
        }
    }

    static func model(_ name: String) throws -> Model {
        try ModelLoader.load(path: "\(RepoPaths.fixtures)/\(name).model.json").model
    }

    @Test(arguments: models)
    func continuationsMatchTheReference(_ name: String) throws {
        let model = try Self.model(name)
        var worst = 0.0
        for c in try Self.cases(name) {
            let prompt = try PromptBuilder(model: model, file: name).make(text: c.text, target: nil)
            let generation = Transformer.generate(model, prompt: prompt, settings: c.settings)
            let ours = try #require(try JSONSerialization.jsonObject(with: Data(generation.json(vocab: model.vocab).renderedBytes())) as? [String: Any])
            let greedy = try #require(ours["greedy"] as? [String: Any]), refGreedy = try #require(c.expected["greedy"] as? [String: Any])
            #expect(greedy["ids"] as? [Int] == refGreedy["ids"] as? [Int], "\(name) “\(c.text)” greedy")
            #expect(greedy["tokens"] as? [String] == refGreedy["tokens"] as? [String])
            let sampled = try #require(ours["sampled"] as? [String: Any]), refSampled = try #require(c.expected["sampled"] as? [String: Any])
            #expect(sampled["ids"] as? [Int] == refSampled["ids"] as? [Int], "\(name) “\(c.text)” sampled")
            let window = try #require(ours["window"] as? [String: Any]), refWindow = try #require(c.expected["window"] as? [String: Any])
            #expect(window["starts"] as? [Int] == refWindow["starts"] as? [Int], "\(name) “\(c.text)” windows")
            #expect(window["positions"] as? Int == refWindow["positions"] as? Int)
            #expect((window["first_cropped_step"] as? Int) == (refWindow["first_cropped_step"] as? Int))
            let steps = try #require(sampled["steps"] as? [[String: Any]]), refSteps = try #require(refSampled["steps"] as? [[String: Any]])
            #expect(steps.count == refSteps.count)
            for (j, (s, r)) in zip(steps, refSteps).enumerated() {
                #expect(s["kept"] as? [Int] == r["kept"] as? [Int], "\(name) “\(c.text)” step \(j)")
                #expect(s["u"] as? Double == r["u"] as? Double)        // the generator is exact
                #expect(s["window"] as? Int == r["window"] as? Int)
                let (p, q) = (try #require(s["probs"] as? [Double]), try #require(r["probs"] as? [Double]))
                #expect(p.count == q.count)
                for (x, y) in zip(p, q) { worst = max(worst, abs(x - y)) }
                for (x, y) in zip(generation.sampled[j].tempered, c.tempered[j]) { worst = max(worst, abs(x - y)) }
            }
        }
        print("\(name): generation vs NumPy reference, max |difference| of probabilities \(worst)")
        #expect(worst < 1e-12)
    }

    @Test func pastThePositionsEachStepSeesTheLastMaxPositionsTokens() throws {
        let seed = try Self.model("seed")   // max_positions 4
        let full = seed.prompt                                                             // "the cat sat on": 4 tokens
        let g = Transformer.generate(seed, prompt: full, settings: .default)
        #expect(g.greedy.count == 8 && g.sampled.count == 8, "the positions no longer cap the continuation")
        #expect(g.windowStarts == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(g.firstCroppedStep == 1)
        // Step 1 sees the whole prompt: the prediction page's distribution.
        #expect(g.greedy[0].probs == softmax(Transformer.lastLogits(seed, ids: full.ids)))
        // Each later step is the forward pass of the last 4 tokens, at positions 0…3.
        var ids = full.ids
        for (i, step) in g.greedy.enumerated() {
            let window = Array(ids.suffix(4))
            #expect(window == Array(ids[g.windowStarts[i]...]))
            #expect(step.probs == softmax(Transformer.lastLogits(seed, ids: window)))
            ids.append(step.id)
        }
        let short = try PromptBuilder(model: seed, file: "seed").make(text: "the", target: nil)
        let within = Transformer.generate(seed, prompt: short, settings: GenerationSettings(count: 3))
        #expect(within.windowStarts == [0, 0, 0] && within.firstCroppedStep == nil)
        #expect(Transformer.generate(seed, prompt: short, settings: GenerationSettings(count: 0)).sampled.isEmpty)
    }

    @Test func tooManyNewTokensIsAProblemWithTheOption() {
        #expect(GenerationSettings(count: GenerationSettings.largestCount).problems.isEmpty)
        let problems = GenerationSettings(count: GenerationSettings.largestCount + 1).problems
        #expect(problems.map(\.option) == ["--generate"])
        #expect(problems.first?.message == "is 257, expected a count from 0 to 256")
    }

    @Test func sameSeedSameContinuationOtherSeedOtherDraws() throws {
        let multi = try Self.model("multi")
        let prompt = try PromptBuilder(model: multi, file: "multi").make(text: "the", target: nil)
        let a = Transformer.generate(multi, prompt: prompt, settings: GenerationSettings(temperature: 1.5, seed: 5))
        let b = Transformer.generate(multi, prompt: prompt, settings: GenerationSettings(temperature: 1.5, seed: 5))
        let c = Transformer.generate(multi, prompt: prompt, settings: GenerationSettings(temperature: 1.5, seed: 6))
        #expect(a.sampled == b.sampled)
        #expect(a.sampled.map(\.u) != c.sampled.map(\.u))
        // Each step's u is the seed's generator's next draw, in order.
        var generator = SplitMix64(seed: 5)
        #expect(a.sampled.map(\.u) == a.sampled.map { _ in generator.nextUnit() })
    }

    @Test func greedyIsTheArgmaxOfEachStepAndContinuesTheText() throws {
        let deep = try Self.model("deep")
        let prompt = try PromptBuilder(model: deep, file: "deep").make(text: "one two", target: nil)
        let g = Transformer.generate(deep, prompt: prompt, settings: .default)
        var ids = prompt.ids
        for step in g.greedy {
            let logits = Transformer.lastLogits(deep, ids: Array(ids.suffix(deep.config.maxPositions)))
            #expect(step.id == argmax(logits))
            #expect(step.probs == softmax(logits))
            ids.append(step.id)
        }
        #expect(g.greedy.count == 8)
    }

    /// The key–value cache gives the bits a whole forward pass over the longer text gives, at
    /// every step of both continuations, for every fixture (several heads and layers, GELU,
    /// no final LayerNorm …; some continue past their positions, where the window crops).
    @Test(arguments: models)
    func continuingWithTheCacheIsAWholeForwardPassBitForBit(_ name: String) throws {
        let model = try Self.model(name)
        let text = model.prompt.text
        let prompt = try PromptBuilder(model: model, file: name).make(text: text, target: nil)
        let settings = GenerationSettings(count: 5, temperature: 1.3, seed: 11)
        let g = Transformer.generate(model, prompt: prompt, settings: settings)
        #expect(g.greedy.count == 5 && g.sampled.count == 5)
        // Past the positions a step is a whole pass over its window, as before.
        func whole(_ ids: [Int]) -> [Double] {
            Transformer.lastLogits(model, ids: Array(ids[Transformer.windowStart(model, length: ids.count)...]))
        }
        var ids = prompt.ids
        for step in g.greedy {
            #expect(step.probs == softmax(whole(ids)))
            ids.append(step.id)
        }
        ids = prompt.ids
        for step in g.sampled {
            #expect(step.logits == whole(ids))
            ids.append(step.id)
        }
    }
}
