import Checkpoints
import TransformerEngine

/// One trainable tensor, in the GPT-2 layout (`h.0.attn.c_attn.weight`, in × out).
public struct Parameter: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public var values: [Double]

    /// Weight decay applies to matrices only (`wte`, `wpe` and the linear layers' weights),
    /// not to biases or LayerNorm parameters.
    public var isMatrix: Bool { shape.count == 2 }
}

/// The weights of a tied GPT-2 being trained, in the order `GPT2CheckpointWriter.tensorLayout`
/// lists them, and the engine's `Model` they stand for.
public struct GPT2Parameters: Sendable, Equatable {
    public let config: GPT2Config
    public var tensors: [Parameter]

    /// GPT-2's initialisation: every matrix N(0, 0.02²), the two projections into the residual
    /// stream (`attn.c_proj`, `mlp.c_proj`) N(0, (0.02/√(2·n_layer))²), biases 0, LayerNorm
    /// gammas 1 and betas 0. The normals come from `SeededGenerator(seed:)`, tensor by tensor
    /// in layout order, entry by entry in C order.
    public static func initialised(_ config: GPT2Config, seed: UInt64) -> GPT2Parameters {
        var generator = SeededGenerator(seed: seed)
        let projectionStd = 0.02 / (2 * Double(config.nLayer)).squareRoot()
        let tensors = GPT2CheckpointWriter.tensorLayout(config).map { name, shape -> Parameter in
            let count = shape.reduce(1, *)
            let values: [Double]
            if shape.count == 2 {
                let std = name.hasSuffix("c_proj.weight") ? projectionStd : 0.02
                values = (0..<count).map { _ in std * generator.normal() }
            } else {
                values = [Double](repeating: name.contains("ln_") && name.hasSuffix(".weight") ? 1 : 0, count: count)
            }
            return Parameter(name: name, shape: shape, values: values)
        }
        return GPT2Parameters(config: config, tensors: tensors)
    }

    /// The parameters `tensors` (as read from a checkpoint, say), which must be the layout's.
    public init(config: GPT2Config, tensors: [Parameter]) {
        precondition(tensors.map(\.name) == GPT2CheckpointWriter.tensorLayout(config).map(\.name), "not a GPT-2 layout")
        self.config = config
        self.tensors = tensors
    }

    /// The weights of a checkpoint folder sitegen train wrote (its config and model.safetensors).
    public static func read(folder: String) throws -> GPT2Parameters {
        let checkpoint = try GPT2Checkpoint.read(folder)
        let file = try SafeTensorsFile.read(path: checkpoint.folder + "/" + GPT2CheckpointWriter.weightsName)
        let tensors = try GPT2CheckpointWriter.tensorLayout(checkpoint.config).map { name, shape in
            Parameter(name: name, shape: shape, values: try file.tensor("transformer." + name).values)
        }
        return GPT2Parameters(config: checkpoint.config, tensors: tensors)
    }

    func tensor(_ name: String) -> Parameter {
        tensors[tensors.firstIndex { $0.name == name }!]
    }

    /// The engine's model of these weights: c_attn's columns split into W_q | W_k | W_v, the
    /// output layer W_lm = wteᵀ (tied), every bias and LayerNorm parameter present.
    public func model() -> Model {
        let c = config, d = c.nEmbd
        func matrix(_ name: String) -> Tensor { let p = tensor(name); return Tensor(shape: p.shape, values: p.values) }
        func vector(_ name: String) -> [Double] { tensor(name).values }
        let layers = (0..<c.nLayer).map { i -> LayerWeights in
            let p = "h.\(i)."
            let cAttn = matrix(p + "attn.c_attn.weight"), bAttn = vector(p + "attn.c_attn.bias")
            return LayerWeights(
                wQ: cAttn[columns: 0..<d], wK: cAttn[columns: d..<(2 * d)], wV: cAttn[columns: (2 * d)..<(3 * d)],
                wO: matrix(p + "attn.c_proj.weight"), w1: matrix(p + "mlp.c_fc.weight"), w2: matrix(p + "mlp.c_proj.weight"),
                bQ: Array(bAttn[0..<d]), bK: Array(bAttn[d..<(2 * d)]), bV: Array(bAttn[(2 * d)..<(3 * d)]),
                bO: vector(p + "attn.c_proj.bias"), b1: vector(p + "mlp.c_fc.bias"), b2: vector(p + "mlp.c_proj.bias"),
                ln1: LayerNormParameters(gamma: vector(p + "ln_1.weight"), beta: vector(p + "ln_1.bias")),
                ln2: LayerNormParameters(gamma: vector(p + "ln_2.weight"), beta: vector(p + "ln_2.bias")))
        }
        let wte = matrix("wte.weight")
        let weights = Weights(tokEmb: wte, posEmb: matrix("wpe.weight"), layers: layers, wLM: TransposedMatrix(transpose: wte), bLM: nil,
                              lnf: LayerNormParameters(gamma: vector("ln_f.weight"), beta: vector("ln_f.bias")))
        let engineConfig = ModelConfig(dModel: d, nHeads: c.nHead, nLayers: c.nLayer, dFF: c.nInner,
                                       maxPositions: c.nPositions, activation: .gelu,
                                       layerNormEps: c.layerNormEpsilon, finalLayerNorm: true)
        return Model(name: nil, vocab: (0..<c.vocabSize).map { "<\($0)>" }, tokenizer: .chars, config: engineConfig,
                     weights: weights, prompt: Prompt(ids: []))
    }

    /// The engine's gradients in this layout, tensor by tensor: q | k | v joined into c_attn,
    /// and wte's gradient the sum of its two uses (the embedding rows and W_lmᵀ).
    public func layoutGradients(_ g: Gradients) -> [[Double]] {
        let c = config
        var byName: [String: [Double]] = [:]
        byName["wte.weight"] = (g.tokEmb.dense + g.wLM.dense.T).values
        byName["wpe.weight"] = g.posEmb.dense.values
        byName["ln_f.weight"] = g.lnfGamma
        byName["ln_f.bias"] = g.lnfBeta
        for (i, l) in g.layers.enumerated() {
            let p = "h.\(i)."
            byName[p + "ln_1.weight"] = l.ln1Gamma
            byName[p + "ln_1.bias"] = l.ln1Beta
            byName[p + "attn.c_attn.weight"] = (0..<c.nEmbd).flatMap { r -> [Double] in
                let (q, k, v) = (l.wQ.block(rows: r..<r + 1), l.wK.block(rows: r..<r + 1), l.wV.block(rows: r..<r + 1))
                return q.values + k.values + v.values
            }
            byName[p + "attn.c_attn.bias"] = l.bQ + l.bK + l.bV
            byName[p + "attn.c_proj.weight"] = l.wO.dense.values
            byName[p + "attn.c_proj.bias"] = l.bO
            byName[p + "ln_2.weight"] = l.ln2Gamma
            byName[p + "ln_2.bias"] = l.ln2Beta
            byName[p + "mlp.c_fc.weight"] = l.w1.dense.values
            byName[p + "mlp.c_fc.bias"] = l.b1
            byName[p + "mlp.c_proj.weight"] = l.w2.dense.values
            byName[p + "mlp.c_proj.bias"] = l.b2
        }
        return tensors.map { byName[$0.name]! }
    }

    /// The tensors as F32 for `GPT2CheckpointWriter` (each value rounded to the nearest float).
    public var namedTensors: [NamedTensor] {
        tensors.map { NamedTensor(name: $0.name, shape: $0.shape, values: $0.values.map { Float($0) }) }
    }
}
