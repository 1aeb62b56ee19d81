import TransformerEngine

/// The tensors of `GPT2Parameters` by role, as the batch passes read them: the GPT-2 layout
/// itself (c_attn's columns q | k | v, Conv1D weights in × out, W_lm = wteᵀ), no copies.
struct LayoutWeights: Sendable {
    struct Block: Sendable {
        var ln1, ln2: LayerNormParameters
        var attnWeight: Tensor              // [d][3d]  c_attn
        var attnBias: [Double]              // [3d]
        var projWeight: Tensor              // [d][d]   attn.c_proj
        var projBias: [Double]
        var fcWeight: Tensor                // [d][4d]  mlp.c_fc
        var fcBias: [Double]
        var mlpProjWeight: Tensor           // [4d][d]  mlp.c_proj
        var mlpProjBias: [Double]
    }

    let d, heads: Int
    let eps: Double
    let wte: Tensor                         // [V][d]
    let wpe: Tensor                         // [n_positions][d]
    let blocks: [Block]
    let lnf: LayerNormParameters

    init(_ p: GPT2Parameters) {
        func matrix(_ name: String) -> Tensor { let t = p.tensor(name); return Tensor(shape: t.shape, values: t.values) }
        func vector(_ name: String) -> [Double] { p.tensor(name).values }
        func norm(_ name: String) -> LayerNormParameters { LayerNormParameters(gamma: vector(name + ".weight"), beta: vector(name + ".bias")) }
        (d, heads, eps) = (p.config.nEmbd, p.config.nHead, p.config.layerNormEpsilon)
        wte = matrix("wte.weight")
        wpe = matrix("wpe.weight")
        blocks = (0..<p.config.nLayer).map { i in
            let h = "h.\(i)."
            return Block(ln1: norm(h + "ln_1"), ln2: norm(h + "ln_2"),
                         attnWeight: matrix(h + "attn.c_attn.weight"), attnBias: vector(h + "attn.c_attn.bias"),
                         projWeight: matrix(h + "attn.c_proj.weight"), projBias: vector(h + "attn.c_proj.bias"),
                         fcWeight: matrix(h + "mlp.c_fc.weight"), fcBias: vector(h + "mlp.c_fc.bias"),
                         mlpProjWeight: matrix(h + "mlp.c_proj.weight"), mlpProjBias: vector(h + "mlp.c_proj.bias"))
        }
        lnf = norm("ln_f")
    }
}
