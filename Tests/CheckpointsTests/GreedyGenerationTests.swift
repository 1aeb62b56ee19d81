import Foundation
import Testing
import Checkpoints
@testable import TransformerEngine

/// The engine's greedy continuation of the gpt2-f32 checkpoint fixture is what Hugging Face
/// transformers' `generate(do_sample=False)` produces (`Tests/Reference/hf_generate.py`,
/// which needs torch and transformers; its committed fixture is checked here always).
@Suite struct GreedyGenerationTests {
    struct Expected: Decodable {
        struct Case: Decodable {
            let prompt_ids: [Int]
            let max_new_tokens: Int
            let greedy: [Int]
        }
        let cases: [Case]
    }

    /// The checkpoint as the engine's model: Conv1D weights are already in × out; the LM head
    /// (tokens as rows) is transposed to [d][V]; GPT-2 has every bias and a final LayerNorm.
    static func engineModel(_ checkpoint: GPT2Checkpoint) throws -> Model {
        let c = checkpoint.config, w = checkpoint.weights
        func matrix(_ t: CheckpointTensor) -> Tensor { Tensor(shape: [t.rows, t.columns], values: t.values) }
        let activation: Activation = try {
            switch c.activation {
            case .geluTanh: return .gelu
            case .relu: return .relu
            case .geluExact: throw CancellationError()   // not in the engine yet
            }
        }()
        let layers = w.blocks.map { b in
            LayerWeights(wQ: matrix(b.query), wK: matrix(b.key), wV: matrix(b.value), wO: matrix(b.attnProj),
                         w1: matrix(b.fc), w2: matrix(b.mlpProj),
                         bQ: b.queryBias.values, bK: b.keyBias.values, bV: b.valueBias.values, bO: b.attnProjBias.values,
                         b1: b.fcBias.values, b2: b.mlpProjBias.values,
                         ln1: LayerNormParameters(gamma: b.ln1Weight.values, beta: b.ln1Bias.values),
                         ln2: LayerNormParameters(gamma: b.ln2Weight.values, beta: b.ln2Bias.values))
        }
        let weights = Weights(tokEmb: matrix(w.tokenEmbedding), posEmb: matrix(w.positionEmbedding), layers: layers,
                              wLM: TransposedMatrix(transpose: matrix(w.lmHead)), bLM: nil,
                              lnf: LayerNormParameters(gamma: w.lnFWeight.values, beta: w.lnFBias.values))
        let config = ModelConfig(dModel: c.nEmbd, nHeads: c.nHead, nLayers: c.nLayer, dFF: c.nInner,
                                 maxPositions: c.nPositions, activation: activation,
                                 layerNormEps: c.layerNormEpsilon, finalLayerNorm: true)
        let vocab = (0..<c.vocabSize).map { "t\($0)" }
        let prompt = Prompt(text: "", tokens: [vocab[0]], ids: [0], target: nil, targetID: nil)
        return Model(name: checkpoint.name, vocab: vocab, tokenizer: .words, config: config, weights: weights, prompt: prompt)
    }

    @Test func greedyMatchesTransformersGenerate() throws {
        let checkpoint = try GPT2Checkpoint.read(Fixtures.path("gpt2-f32"))
        let model = try Self.engineModel(checkpoint)
        let expected = try JSONDecoder().decode(Expected.self, from: FileManager.default.contents(
            atPath: Fixtures.root + "/Tests/Reference/fixtures/generation/gpt2-f32.hf-generate.json") ?? Data())
        #expect(expected.cases.count == 3)
        for c in expected.cases {
            let prompt = Prompt(text: "", tokens: c.prompt_ids.map { model.vocab[$0] }, ids: c.prompt_ids, target: nil, targetID: nil)
            let generation = Transformer.generate(model, prompt: prompt, settings: GenerationSettings(count: c.max_new_tokens))
            #expect(generation.greedyIDs == c.greedy, "prompt \(c.prompt_ids)")
            #expect(generation.greedyIDs.count == c.max_new_tokens)   // the cap is the model's 16 positions
        }
    }
}
