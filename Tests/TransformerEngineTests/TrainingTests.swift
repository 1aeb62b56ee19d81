import Foundation
import Testing
import ModelFormats
@testable import TransformerEngine

/// Gradient steps and the short training run of the learning chapter.
@Suite struct TrainingTests {
    static func seed() throws -> Model { try ModelLoader.load(path: RepoPaths.seedModel).model }

    @Test func seedFlipsFromCatToMatAtStepTen() throws {
        let seed = try Self.seed()
        #expect(seed.training == nil)
        #expect(TrainingConfig.default == TrainingConfig(learningRate: 0.02, steps: 40))
        let run = try #require(TrainingRun.train(seed))
        #expect(run.learningRate == 0.02 && run.steps == 40)
        #expect(run.losses.count == 41 && run.pTarget.count == 41 && run.predictions.count == 41)
        #expect(run.flipStep == 10)
        #expect(run.predictions[0] == "cat" && run.predictions[9] == "cat" && run.predictions[10] == "mat")
        #expect(run.predictions[10...].allSatisfy { $0 == "mat" })
        #expect(run.trace.prediction == "mat")
        #expect(abs(run.losses[0] - 1.831293) < 1e-6)
        #expect(abs(run.losses[1] - 1.811465) < 1e-6)     // W ← W − η·∇W on the shown matrices only
        for k in 1..<run.losses.count { #expect(run.losses[k] < run.losses[k - 1], "step \(k)") }
        for k in run.losses.indices { #expect(abs(run.losses[k] + log(run.pTarget[k])) < 1e-12) }
        #expect(abs(run.losses[40] - 0.492122) < 1e-6 && abs(run.pTarget[40] - 0.611328) < 1e-6)
        print("seed training: η \(run.learningRate), \(run.steps) steps, loss \(run.losses[0]) → \(run.losses[40]), p(mat) \(run.pTarget[0]) → \(run.pTarget[40]), flips at step \(run.flipStep.map(String.init) ?? "never")")
    }

    @Test func noTargetNoRun() throws {
        let chars = try ModelLoader.load(path: "\(RepoPaths.fixtures)/chars.model.json").model
        #expect(TrainingRun.train(chars, learningRate: 0.1, steps: 3) == nil)
        #expect(TrainingRun.train(chars) == nil)
    }

    @Test func oneStepIsApplying() throws {
        let seed = try Self.seed()
        let eta = 0.02
        let g = try #require(Backward.gradients(seed, trace: Transformer.forward(seed)))
        let stepped = seed.applying(g, learningRate: eta)
        let (w, s) = (seed.weights, stepped.weights)

        #expect(s.layers[0].wQ[0, 1] == w.layers[0].wQ[0, 1] - eta * g.layers[0].wQ[0, 1])
        #expect(s.layers[0].w2[3, 2] == w.layers[0].w2[3, 2] - eta * g.layers[0].w2[3, 2])
        #expect(s.wLM[2, 4] == w.wLM[2, 4] - eta * g.wLM[2, 4])
        #expect(s.tokEmb[1, 0] == w.tokEmb[1, 0] - eta * g.tokEmb[1, 0])
        #expect(s.tokEmb.row(5) == w.tokEmb.row(5))                                // "dog" is not in the prompt
        // A parameter the file does not hold is not a parameter: it stays absent (0 / 1), although
        // its gradient is not 0.
        #expect(g.layers[0].bQ.contains { $0 != 0 } && g.layers[0].ln1Gamma.contains { $0 != 0 } && g.bLM.contains { $0 != 0 })
        #expect(s.layers[0].bQ == nil && s.layers[0].b1 == nil && s.layers[0].b2 == nil)
        #expect(s.layers[0].ln1.gamma == nil && s.layers[0].ln1.beta == nil && s.layers[0].ln2.gamma == nil)
        #expect(s.bLM == nil && s.lnf.gamma == nil && s.lnf.beta == nil)

        // The run's step 1 is exactly this model.
        let run = try #require(TrainingRun.train(seed, learningRate: eta, steps: 1))
        #expect(run.losses[1] == Transformer.forward(stepped).loss)
        // Its one (last) step runs block by block without the stepped model: the same bits.
        #expect(run.trace.logits == Transformer.forward(stepped).logits)
        #expect(run.firstStepTrace?.probs == Transformer.forward(stepped).probs)
        #expect(run.losses[1] < run.losses[0])
    }

    @Test func heldOptionalsTrain() throws {
        // A model that holds its biases and LayerNorm parameters (as checkpoints do) trains them.
        var model = try Self.seed()
        let d = model.config.dModel
        model.weights.layers[0].bQ = [Double](repeating: 0, count: d)
        model.weights.layers[0].ln1 = LayerNormParameters(gamma: [Double](repeating: 1, count: d), beta: nil)
        model.weights.bLM = [Double](repeating: 0, count: model.vocab.count)
        let eta = 0.02
        let g = try #require(Backward.gradients(model, trace: Transformer.forward(model)))
        let s = model.applying(g, learningRate: eta).weights
        #expect(s.layers[0].bQ == g.layers[0].bQ.map { 0 - eta * $0 })
        #expect(s.layers[0].ln1.gamma == g.layers[0].ln1Gamma.map { 1 - eta * $0 })
        #expect(s.layers[0].ln1.beta == nil && s.layers[0].bK == nil)
        #expect(s.bLM == g.bLM.map { 0 - eta * $0 })
        // The pass that steps block by block holds the held optionals' steps too.
        #expect(Transformer.forward(model, afterStep: g, learningRate: eta).logits == Transformer.forward(model.applying(g, learningRate: eta)).logits)
    }

    /// The forward pass after a step, taken block by block without the stepped model, is the
    /// stepped model's forward pass bit for bit: several layers and heads, repeated tokens
    /// (their tok_emb rows' gradients accumulate), GELU and ReLU, no final LayerNorm.
    @Test(arguments: ["multi", "deep", "hostile", "seed"])
    func steppingBlockByBlockIsTheSteppedModelsPass(_ name: String) throws {
        let model = try ModelLoader.load(path: "\(RepoPaths.fixtures)/\(name).model.json").model
        guard model.prompt.targetID != nil else { return }
        let g = try #require(Backward.gradients(model, trace: Transformer.forward(model)))
        let eta = 0.05
        let whole = Transformer.forward(model.applying(g, learningRate: eta))
        let blockByBlock = Transformer.forward(model, afterStep: g, learningRate: eta)
        #expect(blockByBlock.logits == whole.logits && blockByBlock.probs == whole.probs)
        #expect(blockByBlock.layers.map(\.residOut) == whole.layers.map(\.residOut))
        #expect(blockByBlock.loss == whole.loss && blockByBlock.tokEmb == whole.tokEmb)
        // The stepped LM head a few columns at a time (the last block narrower) is the whole product.
        let final = blockByBlock.final, w = model.weights
        let stepped = model.applying(g, learningRate: eta).weights
        for size in [1, 3, 8, w.wLM.cols] {
            let head = GradientStep.head(final, w.wLM, g.wLM, bias: stepped.bLM, eta, columns: size)
            #expect(head == matmul(final, stepped.wLM.matrix, bias: stepped.bLM), "\(name), \(size) columns at a time")
        }
    }

    @Test func aZeroStepChangesNothing() throws {
        let seed = try Self.seed()
        let g = try #require(Backward.gradients(seed, trace: Transformer.forward(seed)))
        let same = seed.applying(g, learningRate: 0)
        #expect(same.weights.layers[0].b1 == nil)
        #expect(Transformer.forward(same).logits == Transformer.forward(seed).logits)
    }

    @Test func theFilesTrainingObjectIsUsed() throws {
        let text = String(decoding: try #require(FileManager.default.contents(atPath: RepoPaths.seedModel)), as: UTF8.self)
            .replacingOccurrences(of: "\"target\": \"mat\" }", with: "\"target\": \"mat\" },\n  \"training\": {\"learning_rate\": 0.5, \"steps\": 3}")
        let model = try ModelLoader.parse(Array(text.utf8), file: "Models/x.json")
        #expect(model.training == TrainingConfig(learningRate: 0.5, steps: 3))
        let run = try #require(TrainingRun.train(model))
        #expect(run.learningRate == 0.5 && run.steps == 3 && run.losses.count == 4)
        #expect(run.flipStep == 1)
    }

    @Test func neverFlippingGivesNilAndJSONNull() throws {
        let run = try #require(TrainingRun.train(try Self.seed(), learningRate: 1e-4, steps: 2))
        #expect(run.flipStep == nil)
        let json = try JSONParser.parse(Array(run.json().rendered().utf8))
        guard case let .object(members) = json.value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["learning_rate", "steps", "losses", "p_target", "predictions", "flip_step"])
        #expect(json["flip_step"]?.value == .null)
        #expect(json["steps"]?.value == .number(2))
        #expect(json["predictions"]?.value == .array([JSONNode(.string("cat")), JSONNode(.string("cat")), JSONNode(.string("cat"))]))
    }
}

/// The training run's default length shrinks with the model: 40 steps for the seed and the
/// 64-wide benchmark model, 1 (the page's exact step) for GPT-2 small on 24 tokens.
@Suite struct DefaultStepsTests {
    static func config(d: Int, layers: Int, ff: Int) -> ModelConfig {
        ModelConfig(dModel: d, nHeads: 1, nLayers: layers, dFF: ff, maxPositions: 1024, activation: .gelu,
                    layerNormEps: 1e-5, finalLayerNorm: true)
    }

    @Test func smallModelsKeepFortySteps() {
        #expect(TrainingConfig.defaultSteps(Self.config(d: 4, layers: 1, ff: 8), tokens: 5, vocabSize: 8) == 40)
        #expect(TrainingConfig.defaultSteps(Self.config(d: 64, layers: 2, ff: 256), tokens: 32, vocabSize: 256) == 40)
    }

    @Test func gpt2SmallTakesOneStep() {
        let gpt2 = Self.config(d: 768, layers: 12, ff: 3072)
        // 12·(4·24·768² + 2·24·768·3072 + 2·24²·768) + 24·768·50257 multiply-adds.
        #expect(TrainingConfig.forwardWork(gpt2, tokens: 24, vocabSize: 50257) == 12 * (56_623_104 + 113_246_208 + 884_736) + 926_337_024)
        #expect(TrainingConfig.defaultSteps(gpt2, tokens: 24, vocabSize: 50257) == 1)
    }

    @Test func stepsShrinkSmoothlyInBetween() {
        let mid = Self.config(d: 256, layers: 4, ff: 1024)
        let steps = TrainingConfig.defaultSteps(mid, tokens: 64, vocabSize: 4096)
        let work = 3 * TrainingConfig.forwardWork(mid, tokens: 64, vocabSize: 4096)
        #expect(steps > 1 && steps < 40, "\(steps) steps")
        #expect(steps * work <= TrainingConfig.defaultRunWork && (steps + 1) * work > TrainingConfig.defaultRunWork)
    }
}
