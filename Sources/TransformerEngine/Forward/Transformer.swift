/// The forward pass of a decoder-only pre-norm transformer.
public enum Transformer {
    /// Runs the model on its prompt.
    public static func forward(_ model: Model) -> Trace {
        forward(model, prompt: model.prompt)
    }

    /// Runs the model on a prompt already checked against its vocabulary and max_positions.
    public static func forward(_ model: Model, prompt: Prompt) -> Trace {
        let w = model.weights
        return forward(model, prompt: prompt, tok: w.tokEmb[rows: prompt.ids], pos: w.posEmb[rows: 0..<prompt.ids.count],
                       layer: { w.layers[$0] }, lnf: w.lnf, head: { matmul($0, transposed: w.wLM.transpose, bias: w.bLM) })
    }

    /// The pass itself, from the prompt's rows of tok_emb and pos_emb, each block's weights
    /// (`layer(l)`, asked for when block l runs), the final LayerNorm's and the LM head
    /// (`head(final)`: final·W_lm + b_lm, reading W_lm's stored transpose in place).
    static func forward(_ model: Model, prompt: Prompt, tok: Tensor, pos: Tensor, layer: (Int) -> LayerWeights,
                        lnf: LayerNormParameters, head: (Tensor) -> Tensor) -> Trace {
        let c = model.config, t = prompt.ids.count
        let embedded = tok + pos                                        // [T][d]
        var x = embedded
        var layers: [LayerTrace] = []
        for l in model.weights.layers.indices {
            var block = Block(w: layer(l), config: c)
            x = block(x)                                                // [T][d]
            layers.append(block.trace)
        }
        let finalNorm = c.finalLayerNorm ? layerNorm(x, lnf, eps: c.layerNormEps) : nil
        let final = finalNorm?.output ?? x                              // [T][d]
        let logits = head(final)                                        // [T][V]
        let probs = softmaxRows(logits)                                 // [T][V]
        let last = logits.row(t - 1)
        let predictionID = argmax(last)
        let loss = prompt.targetID.map { logSumExp(last) - last[$0] }   // −ln p(target)
        return Trace(tokens: prompt.tokens, ids: prompt.ids, tokEmb: tok, posEmb: pos, x: embedded, layers: layers,
                     finalNorm: finalNorm, final: final, logits: logits, probs: probs,
                     predictionID: predictionID, prediction: model.vocab[predictionID],
                     target: prompt.target, targetID: prompt.targetID, loss: loss)
    }
}
