import Foundation
import Testing
@testable import Checkpoints

/// Reading whole checkpoint folders: config, every tensor by GPT-2 name, the tokenizer.
@Suite struct GPT2CheckpointTests {
    struct Forward: Decodable {
        let text: String
        let ids: [Int]
        let tokens: [String]
        let logits_last: [Double]
        let attn_weights: [[[[Double]]]]
    }

    @Test(arguments: Fixtures.checkpointNames)
    func readsTheFolder(_ name: String) throws {
        let checkpoint = try GPT2Checkpoint.read(Fixtures.path(name))
        let c = checkpoint.config
        #expect(checkpoint.name == name)
        #expect(c.nEmbd == 8 && c.nHead == 2 && c.nLayer == 2 && c.nPositions == 16 && c.headSize == 4)
        #expect(c.layerNormEpsilon == 1e-5)
        #expect(c.vocabSize == checkpoint.tokenizer.idCount + 4)
        #expect(checkpoint.weights.blocks.count == 2)
        #expect(checkpoint.weights.tokenEmbedding.shape == [c.vocabSize, 8])
        #expect(checkpoint.weights.positionEmbedding.shape == [16, 8])
        #expect(checkpoint.files.first?.name == "config.json")
        #expect(checkpoint.files.allSatisfy { $0.byteCount > 0 })

        // The prompt tokenises as tokenizers did in the script.
        let forward = try Fixtures.decode(Forward.self, name + ".forward.json")
        #expect(checkpoint.tokenizer.encode(forward.text) == forward.ids)
        #expect(forward.ids.map { checkpoint.tokenizer.raw(id: $0) ?? "" } == forward.tokens)
        #expect(forward.logits_last.count == c.vocabSize)
        #expect(forward.attn_weights.count == c.nLayer && forward.attn_weights[0].count == c.nHead)
    }

    /// The Hugging Face cache's layout: each file of a snapshot folder is a relative symbolic link
    /// to a blob. The files read as their targets: the same weights, their own sizes, and the
    /// whole of each file handed to `beside` (a link's own size is a few bytes).
    @Test func linkedFilesReadAsTheirTargets() throws {
        let original = Fixtures.path("gpt2-f32")
        let root = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/blobs", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/snapshots/gpt2-f32", withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: original) {
            try fm.copyItem(atPath: original + "/" + name, toPath: root + "/blobs/" + name)
            try fm.createSymbolicLink(atPath: root + "/snapshots/gpt2-f32/" + name, withDestinationPath: "../../blobs/" + name)
        }
        nonisolated(unsafe) var readBeside: [String: Int] = [:]
        let linked = try GPT2Checkpoint.read(root + "/snapshots/gpt2-f32", beside: { files in
            for file in files {
                var count = 0
                try? readFile(file.path, shownAs: file.name, inPiecesOf: 1 << 20) { count += $0.count }
                readBeside[file.name] = count
            }
        })
        let direct = try GPT2Checkpoint.read(original)
        #expect(linked.weights == direct.weights)
        #expect(linked.files.map(\.byteCount) == direct.files.map(\.byteCount))
        let sizes = try direct.files.map { try fm.attributesOfItem(atPath: $0.path)[.size] as? Int }
        #expect(linked.files.map(\.byteCount) == sizes)
        #expect(direct.files.allSatisfy { readBeside[$0.name] == $0.byteCount })
    }

    @Test func configVariants() throws {
        let f32 = try GPT2Checkpoint.read(Fixtures.path("gpt2-f32"))
        #expect(f32.config.activation == .geluTanh && f32.config.nInner == 32 && f32.config.tieWordEmbeddings)
        #expect(f32.weights.lmHeadIsTied && f32.weights.lmHead == f32.weights.tokenEmbedding)
        #expect(f32.weights.dtypes == [.F32])

        let bf16 = try GPT2Checkpoint.read(Fixtures.path("gpt2-bf16/model.safetensors"))
        #expect(bf16.name == "gpt2-bf16")
        #expect(bf16.config.activation == .geluExact && bf16.config.nInner == 24 && !bf16.config.tieWordEmbeddings)
        #expect(!bf16.weights.lmHeadIsTied && bf16.weights.lmHead.name == "lm_head.weight")
        #expect(bf16.weights.blocks[1].fc.shape == [8, 24] && bf16.weights.blocks[1].mlpProj.shape == [24, 8])
        #expect(bf16.weights.dtypes == [.BF16])

        let f16 = try GPT2Checkpoint.read(Fixtures.path("gpt2-f16"))
        #expect(f16.files.map(\.name) == ["config.json", "model.safetensors", "vocab.json", "merges.txt"])
        #expect(f16.weights.dtypes == [.F16])

        let sharded = try GPT2Checkpoint.read(Fixtures.path("gpt2-sharded"))
        #expect(sharded.config.activation == .relu)
        #expect(sharded.files.map(\.name) == ["config.json", "model.safetensors.index.json",
                                              "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "tokenizer.json"])
        #expect(sharded.weights.dtypes == [.F64])
        let byIndex = try GPT2Checkpoint.read(Fixtures.path("gpt2-sharded/model.safetensors.index.json"))
        #expect(byIndex.weights == sharded.weights && byIndex.name == "gpt2-sharded")
    }

    /// q | k | v are the three column blocks of c_attn, in × out, with their biases.
    @Test func attentionIsSplitIntoQueryKeyValue() throws {
        let file = try SafeTensorsFile.read(path: Fixtures.path("gpt2-f32/model.safetensors"))
        let attn = try file.tensor("transformer.h.1.attn.c_attn.weight")
        let bias = try file.tensor("transformer.h.1.attn.c_attn.bias")
        let block = try GPT2Checkpoint.read(Fixtures.path("gpt2-f32")).weights.blocks[1]
        for (part, (w, b)) in [(block.query, block.queryBias), (block.key, block.keyBias), (block.value, block.valueBias)].enumerated() {
            #expect(w.shape == [8, 8] && b.shape == [8])
            for row in 0..<8 {
                for column in 0..<8 {
                    #expect(w[row, column] == attn[row, 8 * part + column])
                }
            }
            #expect(b.values == Array(bias.values[(8 * part)..<(8 * part + 8)]))
        }
        #expect(block.attnProj.name == "transformer.h.1.attn.c_proj.weight")
    }

    @Test func tokensReadably() throws {
        let tokenizer = try GPT2Checkpoint.read(Fixtures.path("gpt2-f32")).tokenizer
        // The README's worked example.
        let example = tokenizer.tokens("The cat sat on the mat.")
        #expect(example.map(\.display) == ["The", "␣cat", "␣sat", "␣on", "␣the", "␣mat", "."])
        #expect(example.map(\.raw) == ["The", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat", "."])
        #expect(example.map(\.id) == [283, 278, 270, 269, 261, 277, 14])

        let tokens = tokenizer.tokens(" the cat\n<|endoftext|>é")
        // é has no merge in this small vocabulary: its two bytes are two tokens, each a partial character.
        #expect(tokens.map(\.display).joined() == "␣the␣cat↵<|endoftext|><0xC3><0xA9>")
        #expect(tokens.contains { $0.raw.hasPrefix("Ġ") && $0.display.hasPrefix("␣") })
        #expect(tokens.contains { $0.raw == "Ċ" && $0.display == "↵" })
        #expect(tokenizer.display(id: tokenizer.idCount) == "<id \(tokenizer.idCount)>")
        #expect(tokenizer.raw(id: tokenizer.idCount) == nil)
        let bpe = try #require(tokenizer as? ByteLevelBPE)
        #expect(bpe.decode(bpe.encode("It's 3.14 — ok\n")) == "It's 3.14 — ok\n")
        // A lone byte of a multi-byte character shows as the byte.
        #expect(TokenDisplay.readable([0xE2]) == "<0xE2>")
        #expect(TokenDisplay.readable([0x20, 0xE2, 0x80]) == "␣<0xE2><0x80>")
        #expect(TokenDisplay.readable(Array("\té\u{7}".utf8)) == "⇥é<0x07>")
    }
}
