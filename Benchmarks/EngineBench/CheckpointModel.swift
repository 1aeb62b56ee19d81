import Checkpoints
import TransformerEngine

/// A GPT-2 checkpoint as the engine's Model, for the benchmark only (sitegen's own mapping
/// lives with `--model DIR`). The engine's tensors share the checkpoint's value arrays (no copy);
/// W_lm is wteᵀ, a transposed copy for a tied head.
enum CheckpointModel {
    static func model(_ checkpoint: GPT2Checkpoint, promptIDs: [Int], targetID: Int) -> Model {
        let c = checkpoint.config, w = checkpoint.weights
        func tensor(_ t: CheckpointTensor) -> Tensor { Tensor(shape: t.shape, values: t.values) }
        let layers = w.blocks.map { b in
            LayerWeights(wQ: tensor(b.query), wK: tensor(b.key), wV: tensor(b.value), wO: tensor(b.attnProj),
                         w1: tensor(b.fc), w2: tensor(b.mlpProj),
                         bQ: b.queryBias.values, bK: b.keyBias.values, bV: b.valueBias.values, bO: b.attnProjBias.values,
                         b1: b.fcBias.values, b2: b.mlpProjBias.values,
                         ln1: LayerNormParameters(gamma: b.ln1Weight.values, beta: b.ln1Bias.values),
                         ln2: LayerNormParameters(gamma: b.ln2Weight.values, beta: b.ln2Bias.values))
        }
        let weights = Weights(tokEmb: tensor(w.tokenEmbedding), posEmb: tensor(w.positionEmbedding), layers: layers,
                              wLM: tensor(w.lmHead).T, bLM: nil,
                              lnf: LayerNormParameters(gamma: w.lnFWeight.values, beta: w.lnFBias.values))
        let config = ModelConfig(dModel: c.nEmbd, nHeads: c.nHead, nLayers: c.nLayer, dFF: c.nInner,
                                 maxPositions: c.nPositions, activation: .gelu, layerNormEps: c.layerNormEpsilon,
                                 finalLayerNorm: true)
        let vocab = (0..<c.vocabSize).map { checkpoint.tokenizer.display(id: $0) }
        let prompt = Prompt(text: "", tokens: promptIDs.map { vocab[$0] }, ids: promptIDs,
                            target: vocab[targetID], targetID: targetID)
        return Model(name: checkpoint.name, vocab: vocab, tokenizer: .words, config: config, weights: weights, prompt: prompt)
    }
}
