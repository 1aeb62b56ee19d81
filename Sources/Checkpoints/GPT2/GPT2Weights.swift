import Dispatch
import FoundationEssentials
import Synchronization

/// Parts read side by side, each written once by the thread that read it.
private final class Slots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Result<Value, any Error>?]>
    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    func set(_ i: Int, _ result: Result<Value, any Error>) { slots.withLock { $0[i] = result } }
    var results: [Result<Value, any Error>?] { slots.withLock { $0 } }
}

/// One transformer block of a GPT-2, in the Conv1D layout the checkpoint stores (in × out,
/// y = x·W + b), with `c_attn` split into its query, key and value column blocks. Each of those
/// is n_embd × n_embd; head h uses its contiguous columns h·head_size ..< (h+1)·head_size.
public struct GPT2Block: Sendable, Equatable {
    /// `ln_1`: the LayerNorm before attention (gamma, beta).
    public let ln1Weight, ln1Bias: CheckpointTensor
    /// `attn.c_attn` columns 0 ..< n_embd (W_q, b_q).
    public let query, queryBias: CheckpointTensor
    /// `attn.c_attn` columns n_embd ..< 2·n_embd (W_k, b_k).
    public let key, keyBias: CheckpointTensor
    /// `attn.c_attn` columns 2·n_embd ..< 3·n_embd (W_v, b_v).
    public let value, valueBias: CheckpointTensor
    /// `attn.c_proj`: n_embd × n_embd (W_o, b_o).
    public let attnProj, attnProjBias: CheckpointTensor
    /// `ln_2`: the LayerNorm before the MLP.
    public let ln2Weight, ln2Bias: CheckpointTensor
    /// `mlp.c_fc`: n_embd × n_inner (W_1, b_1).
    public let fc, fcBias: CheckpointTensor
    /// `mlp.c_proj`: n_inner × n_embd (W_2, b_2).
    public let mlpProj, mlpProjBias: CheckpointTensor
}

/// Every weight of a GPT-2.
public struct GPT2Weights: Sendable, Equatable {
    /// `wte`: vocab_size × n_embd.
    public let tokenEmbedding: CheckpointTensor
    /// `wpe`: n_positions × n_embd.
    public let positionEmbedding: CheckpointTensor
    public let blocks: [GPT2Block]
    /// `ln_f`.
    public let lnFWeight, lnFBias: CheckpointTensor
    /// vocab_size × n_embd: logits = final · lmHeadᵀ (no bias). `wte` itself when tied.
    public let lmHead: CheckpointTensor
    /// True when `lmHead` is `wte` (tie_word_embeddings, or no `lm_head.weight` in the file).
    public let lmHeadIsTied: Bool
}

/// The tensors a GPT-2 checkpoint must hold, with the shapes its config implies.
enum GPT2Layout {
    struct Expected {
        let name: String
        let shape: [Int]
        /// `n_embd × 3·n_embd`
        let meaning: String
    }

    static func block(_ i: Int, _ c: GPT2Config) -> [Expected] {
        let p = "h.\(i)."
        return [
            Expected(name: p + "ln_1.weight", shape: [c.nEmbd], meaning: "n_embd"),
            Expected(name: p + "ln_1.bias", shape: [c.nEmbd], meaning: "n_embd"),
            Expected(name: p + "attn.c_attn.weight", shape: [c.nEmbd, 3 * c.nEmbd], meaning: "n_embd × 3·n_embd"),
            Expected(name: p + "attn.c_attn.bias", shape: [3 * c.nEmbd], meaning: "3·n_embd"),
            Expected(name: p + "attn.c_proj.weight", shape: [c.nEmbd, c.nEmbd], meaning: "n_embd × n_embd"),
            Expected(name: p + "attn.c_proj.bias", shape: [c.nEmbd], meaning: "n_embd"),
            Expected(name: p + "ln_2.weight", shape: [c.nEmbd], meaning: "n_embd"),
            Expected(name: p + "ln_2.bias", shape: [c.nEmbd], meaning: "n_embd"),
            Expected(name: p + "mlp.c_fc.weight", shape: [c.nEmbd, c.nInner], meaning: "n_embd × n_inner"),
            Expected(name: p + "mlp.c_fc.bias", shape: [c.nInner], meaning: "n_inner"),
            Expected(name: p + "mlp.c_proj.weight", shape: [c.nInner, c.nEmbd], meaning: "n_inner × n_embd"),
            Expected(name: p + "mlp.c_proj.bias", shape: [c.nEmbd], meaning: "n_embd"),
        ]
    }

    static func embeddings(_ c: GPT2Config) -> [Expected] {
        [Expected(name: "wte.weight", shape: [c.vocabSize, c.nEmbd], meaning: "vocab_size × n_embd"),
         Expected(name: "wpe.weight", shape: [c.nPositions, c.nEmbd], meaning: "n_positions × n_embd")]
    }

    static func finalNorm(_ c: GPT2Config) -> [Expected] {
        [Expected(name: "ln_f.weight", shape: [c.nEmbd], meaning: "n_embd"),
         Expected(name: "ln_f.bias", shape: [c.nEmbd], meaning: "n_embd")]
    }

    static let lmHead = "lm_head.weight"
    static let prefix = "transformer."

    /// The mask buffers older checkpoints carry: not weights.
    static func isMaskBuffer(_ name: String) -> Bool {
        name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias")
    }
}

extension GPT2Weights {
    /// Reads and checks every tensor a GPT-2 with `config` needs, named with or without the
    /// `transformer.` prefix. A missing tensor is named with its expected shape, a wrong shape
    /// with both.
    public init(store: TensorStore, config c: GPT2Config) throws {
        let prefix = store.contains(GPT2Layout.prefix + "wte.weight") ? GPT2Layout.prefix : ""
        @Sendable func fail(_ name: String, _ message: String) -> CheckpointError {
            CheckpointError(file: store.file, subject: "tensor \(name)", message: message)
        }
        /// The tensor `expected` names, its shape checked; cut into `columnBlocks` blocks of columns.
        @Sendable func read(_ expected: GPT2Layout.Expected, prefix: String, columnBlocks: Int = 1) throws -> [CheckpointTensor] {
            let name = prefix + expected.name
            guard let entry = store.entry(name) else {
                throw fail(name, "is missing, expected shape \(shapeText(expected.shape)) (\(expected.meaning))")
            }
            guard entry.shape == expected.shape else {
                throw fail(name, "has shape \(shapeText(entry.shape)), expected \(shapeText(expected.shape)) (\(expected.meaning))")
            }
            return columnBlocks == 1 ? [try store.tensor(name)] : try store.columnBlocks(name, count: columnBlocks)
        }
        @Sendable func read(_ expected: GPT2Layout.Expected, prefix: String) throws -> CheckpointTensor {
            try read(expected, prefix: prefix, columnBlocks: 1)[0]
        }
        // Block by block, so that a config with more layers than the file stops at the first missing
        // one; each block's c_attn is read straight into its query, key and value parts, so the
        // whole c_attn is never held beside them.
        @Sendable func embeddingsAndFinalNorm() throws -> [String: CheckpointTensor] {
            var tensors: [String: CheckpointTensor] = [:]
            for expected in GPT2Layout.embeddings(c) + GPT2Layout.finalNorm(c) {
                tensors[expected.name] = try read(expected, prefix: prefix)
            }
            return tensors
        }

        @Sendable func block(_ i: Int) throws -> GPT2Block {
            var block: [String: [CheckpointTensor]] = [:]
            for expected in GPT2Layout.block(i, c) {
                let isAttention = expected.name.hasSuffix("attn.c_attn.weight") || expected.name.hasSuffix("attn.c_attn.bias")
                block[expected.name] = try read(expected, prefix: prefix, columnBlocks: isAttention ? 3 : 1)
            }
            func b(_ name: String) -> CheckpointTensor { block["h.\(i)." + name]![0] }
            let attn = block["h.\(i).attn.c_attn.weight"]!, attnBias = block["h.\(i).attn.c_attn.bias"]!
            return GPT2Block(
                ln1Weight: b("ln_1.weight"), ln1Bias: b("ln_1.bias"),
                query: attn[0], queryBias: attnBias[0],
                key: attn[1], keyBias: attnBias[1],
                value: attn[2], valueBias: attnBias[2],
                attnProj: b("attn.c_proj.weight"), attnProjBias: b("attn.c_proj.bias"),
                ln2Weight: b("ln_2.weight"), ln2Bias: b("ln_2.bias"),
                fc: b("mlp.c_fc.weight"), fcBias: b("mlp.c_fc.bias"),
                mlpProj: b("mlp.c_proj.weight"), mlpProjBias: b("mlp.c_proj.bias"))
        }
        // The embeddings (wte is a third of GPT-2 small) and the blocks that are in the file are
        // converted side by side on every core (each read opens the file on its own), then the
        // first problem in the order embeddings, block 0, block 1, … is the one reported.
        let present = (0..<c.nLayer).prefix { store.contains(prefix + "h.\($0).ln_1.weight") }.count
        let embeddings = Slots<[String: CheckpointTensor]>(count: 1), converted = Slots<GPT2Block>(count: present)
        DispatchQueue.concurrentPerform(iterations: 1 + present) { job in
            if job == 0 {
                embeddings.set(0, Result { try embeddingsAndFinalNorm() })
            } else {
                converted.set(job - 1, Result { try block(job - 1) })
            }
        }
        let tensors = try embeddings.results[0]!.get()
        func t(_ name: String) -> CheckpointTensor { tensors[name]! }
        var blocks: [GPT2Block] = []  // (not reserved: n_layer may be far more than the file holds)
        for result in converted.results { blocks.append(try result!.get()) }
        if present < c.nLayer { blocks.append(try block(present)) }  // throws: the first missing block's tensor
        self.blocks = blocks
        tokenEmbedding = t("wte.weight")
        positionEmbedding = t("wpe.weight")
        lnFWeight = t("ln_f.weight")
        lnFBias = t("ln_f.bias")

        let headExpected = GPT2Layout.Expected(name: GPT2Layout.lmHead, shape: [c.vocabSize, c.nEmbd], meaning: "vocab_size × n_embd")
        if c.tieWordEmbeddings {
            // As transformers: tied means the output layer is wte, whatever lm_head.weight holds.
            if store.contains(GPT2Layout.lmHead) { _ = try read(headExpected, prefix: "") }
            lmHead = tokenEmbedding
            lmHeadIsTied = true
        } else if store.contains(GPT2Layout.lmHead) {
            lmHead = try read(headExpected, prefix: "")
            lmHeadIsTied = false
        } else {
            throw fail(GPT2Layout.lmHead, "is missing, expected shape \(shapeText(headExpected.shape)) (vocab_size × n_embd) because config.json sets tie_word_embeddings to false")
        }
    }

    /// Every dtype the weights were stored in, in the order F64, F32, F16, BF16.
    public var dtypes: [DType] {
        var all = Set([tokenEmbedding.dtype, positionEmbedding.dtype, lnFWeight.dtype, lnFBias.dtype, lmHead.dtype])
        for b in blocks {
            for t in [b.ln1Weight, b.ln1Bias, b.query, b.queryBias, b.attnProj, b.attnProjBias,
                      b.ln2Weight, b.ln2Bias, b.fc, b.fcBias, b.mlpProj, b.mlpProjBias] {
                all.insert(t.dtype)
            }
        }
        return all.sorted()
    }
}
