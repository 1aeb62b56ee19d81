import Foundation
import Testing
@testable import Checkpoints

/// The writers: what `GPT2CheckpointWriter` writes, `GPT2Checkpoint.read` reads back exactly.
@Suite struct CheckpointWritingTests {
    static let config = GPT2Config(nEmbd: 8, nLayer: 2, nHead: 2, nPositions: 5, vocabSize: 11,
                                   layerNormEpsilon: 1e-5, activation: .geluTanh)

    /// Every tensor of a tied GPT-2 of `config`, filled by a seeded generator with the awkward
    /// floats too (−0, the smallest subnormal, the largest finite, values with all mantissa bits).
    static func tensors(_ c: GPT2Config) -> [NamedTensor] {
        var expected = GPT2Layout.embeddings(c) + GPT2Layout.finalNorm(c)
        for i in 0..<c.nLayer { expected += GPT2Layout.block(i, c) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let special: [Float] = [-0.0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, .greatestFiniteMagnitude,
                                Float(bitPattern: 0x3F7F_FFFF), .leastNormalMagnitude]
        return expected.map { item in
            let count = item.shape.reduce(1, *)
            let values = (0..<count).map { k -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return k < special.count && item.name == "wte.weight" ? special[k] : Float(bitPattern: UInt32(truncatingIfNeeded: state >> 33) & 0x3FFF_FFFF | (state & 1 == 0 ? 0 : 0x8000_0000))
            }
            return NamedTensor(name: item.name, shape: item.shape, values: values)
        }
    }

    @Test func writtenFolderReadsBackBitForBit() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let c = Self.config
        let written = Self.tensors(c)
        let tokenizer = try TrainedTokenizer.train(.chars, on: "the cat sat", vocabSize: 0)
        try GPT2CheckpointWriter.writeConfig(c, folder: folder)
        try GPT2CheckpointWriter.writeWeights(written, config: c, folder: folder)
        try GPT2CheckpointWriter.writeTokenizer(tokenizer, folder: folder)

        let checkpoint = try GPT2Checkpoint.read(folder)
        #expect(checkpoint.config == c)
        #expect(checkpoint.weights.lmHeadIsTied)
        #expect(checkpoint.weights.dtypes == [.F32])
        let file = try SafeTensorsFile.read(path: folder + "/model.safetensors")
        #expect(file.names == written.map { "transformer." + $0.name }.sorted())
        #expect(file.metadata == ["format": "pt"])
        var compared = 0
        for tensor in written {
            let read = try file.tensor("transformer." + tensor.name)
            #expect(read.shape == tensor.shape)
            #expect(read.values.map { Float($0).bitPattern } == tensor.values.map(\.bitPattern), "\(tensor.name)")
            compared += tensor.values.count
        }
        #expect(compared == 11 * 8 + 5 * 8 + 16 + 2 * (16 + 8 * 24 + 24 + 8 * 8 + 8 + 16 + 8 * 32 + 32 + 32 * 8 + 8))
        // The split of c_attn into q | k | v is the reader's: W_q is the first n_embd columns.
        let cAttn = written.first { $0.name == "h.1.attn.c_attn.weight" }!
        #expect(checkpoint.weights.blocks[1].key[2, 3] == Double(cAttn.values[2 * 24 + 8 + 3]))
        // Nothing but the three files is left in the folder (no temporary files).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["config.json", "model.safetensors", "tokenizer.json"])
    }

    @Test func headerIsPaddedAndOrdered() throws {
        let data = SafeTensorsWriter.data([NamedTensor(name: "b", shape: [1], values: [1]), NamedTensor(name: "a", shape: [2], values: [2, 3])])
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(length % 8 == 0)
        let header = String(decoding: data[8..<(8 + length)], as: UTF8.self)
        #expect(header.trimmingCharacters(in: .whitespaces) == #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#)
        #expect(data.count == 8 + length + 12)
        #expect(Array(data.suffix(4)) == [0, 0, 0x80, 0x3F])  // 1.0 little-endian
    }

    @Test func configReadsBack() throws {
        let c = GPT2Config(nEmbd: 6, nLayer: 1, nHead: 3, nPositions: 7, vocabSize: 300, layerNormEpsilon: 1e-5,
                           nInner: 10, activation: .geluExact)
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try GPT2CheckpointWriter.writeConfig(c, folder: folder)
        #expect(try GPT2Config.read(path: folder + "/config.json") == c)
        let text = GPT2CheckpointWriter.configJSON(Self.config)
        #expect(text.contains("\"architectures\": [\"GPT2LMHeadModel\"]"))
        #expect(text.contains("\"layer_norm_epsilon\": 1e-05"))
        #expect(text.contains("\"n_inner\": null"))
    }

    @Test func wrongTensorsAreRefusedByName() throws {
        let c = Self.config
        var tensors = Self.tensors(c)
        tensors.removeAll { $0.name == "h.1.mlp.c_fc.bias" }
        #expect(checkpointError { _ = try GPT2CheckpointWriter.weightsData(tensors, config: c) }
                == "model.safetensors: tensor h.1.mlp.c_fc.bias was not given, expected shape [32] (n_inner)")
        tensors = Self.tensors(c).map { $0.name == "wpe.weight" ? NamedTensor(name: $0.name, shape: [8, 5], values: $0.values) : $0 }
        #expect(checkpointError { _ = try GPT2CheckpointWriter.weightsData(tensors, config: c) }
                == "model.safetensors: tensor wpe.weight has shape [8, 5], expected [5, 8] (n_positions × n_embd)")
        tensors = Self.tensors(c) + [NamedTensor(name: "lm_head.weight", shape: [1], values: [0])]
        #expect(checkpointError { _ = try GPT2CheckpointWriter.weightsData(tensors, config: c) }
                == "model.safetensors: tensor lm_head.weight is not a weight of a tied GPT-2")
    }

    @Test func atomicWriteReplacesTheFileWhole() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write("old", to: folder + "/f.txt")
        try AtomicFile.write("new contents", to: folder + "/f.txt")
        #expect(try String(contentsOfFile: folder + "/f.txt", encoding: .utf8) == "new contents")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["f.txt"])
        #expect(checkpointError { try AtomicFile.write("x", to: folder + "/missing/f.txt") }?.hasPrefix(folder + "/missing/f.txt: cannot be written") == true)
    }

    @Test func jsonStringsAreEscaped() {
        #expect(JSONText.string("a\"b\\c\n\u{1}\u{7F}é🙂") == #""a\"b\\c\n\u0001\u007Fé🙂""#)
        #expect(JSONText.number(0.003) == "0.003")
        #expect(JSONText.number(64) == "64")
    }
}
