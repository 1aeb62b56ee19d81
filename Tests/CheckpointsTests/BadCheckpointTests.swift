import Foundation
import Testing
@testable import Checkpoints

/// A broken checkpoint folder is one clear error naming the file and the key, tensor or merge.
@Suite struct BadCheckpointTests {
    /// The error reading a copy of fixture `name` after `edit` changed it (the copy's
    /// temporary parent folder is cut from the message, which then reads `gpt2-f32/config.json: …`).
    func readError(_ name: String = "gpt2-f32", after edit: (String) throws -> Void) throws -> String? {
        let folder = try Fixtures.copy(name)
        defer { Fixtures.remove(folder) }
        try edit(folder)
        let parent = (folder as NSString).deletingLastPathComponent
        return checkpointError { _ = try GPT2Checkpoint.read(folder) }?
            .replacingOccurrences(of: parent + "/", with: "")
    }

    /// Replaces `old` (which must occur) with `new` in `file` of the folder.
    func replace(_ old: String, _ new: String, in file: String) -> (String) throws -> Void {
        { folder in
            let path = folder + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(old), "edit does not apply to \(file): \(old)")
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    func remove(_ file: String) -> (String) throws -> Void {
        { folder in try FileManager.default.removeItem(atPath: folder + "/" + file) }
    }

    /// Edits the safetensors header in place (the replacement keeps the header's length).
    func editHeader(_ old: String, _ new: String, in file: String = "model.safetensors") -> (String) throws -> Void {
        { folder in
            try #require(old.utf8.count == new.utf8.count, "a header edit must keep its length")
            let path = folder + "/" + file
            var bytes = Array(FileManager.default.contents(atPath: path)!)
            let length = Int(bytes[0]) | Int(bytes[1]) << 8
            let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
            #expect(header.contains(old), "edit does not apply to the header: \(old)")
            bytes.replaceSubrange(8..<(8 + length), with: Array(header.replacingOccurrences(of: old, with: new).utf8))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test func missingFiles() throws {
        #expect(try readError(after: remove("config.json")) == "gpt2-f32/config.json: is missing: a checkpoint folder needs config.json, model.safetensors and a tokenizer (tokenizer.json, or vocab.json and merges.txt)")
        #expect(try readError(after: remove("model.safetensors")) == "gpt2-f32/model.safetensors: is missing (nor is there a model.safetensors.index.json for a sharded checkpoint)")
        #expect(try readError(after: remove("tokenizer.json")) == "gpt2-f32/tokenizer.json: is missing (nor are there vocab.json and merges.txt)")
        #expect(try readError("gpt2-f16", after: remove("merges.txt")) == "gpt2-f16/tokenizer.json: is missing (nor are there vocab.json and merges.txt)")
        let config = Fixtures.path("gpt2-f32/config.json")
        #expect(checkpointError { _ = try GPT2Checkpoint.read(config) } == "\(config): is not a .safetensors file, expected a checkpoint folder or its model.safetensors")
        #expect(checkpointError { _ = try GPT2Checkpoint.read("/nonexistent/gpt2") } == "/nonexistent/gpt2: does not exist, expected a checkpoint folder or its model.safetensors")
    }

    static let configCases: [(String, String, String)] = [
        ("\"model_type\": \"gpt2\"", "\"model_type\": \"llama\"",
         "gpt2-f32/config.json: key model_type is \"llama\", expected \"gpt2\" (sitegen reads GPT-2 checkpoints only)"),
        ("\"n_embd\": 8,", "",
         "gpt2-f32/config.json: key n_embd is missing, expected a whole number ≥ 1"),
        ("\"n_embd\": 8", "\"n_embd\": \"8\"",
         "gpt2-f32/config.json: key n_embd is a string, expected a whole number ≥ 1"),
        ("\"n_layer\": 2", "\"n_layer\": 2.5",
         "gpt2-f32/config.json: key n_layer is a number, expected a whole number ≥ 1"),
        ("\"n_head\": 2", "\"n_head\": 3",
         "gpt2-f32/config.json: key n_head is 3, which does not divide n_embd (8); expected a divisor of n_embd"),
        ("\"layer_norm_epsilon\": 1e-05", "\"layer_norm_epsilon\": null",
         "gpt2-f32/config.json: key layer_norm_epsilon is null, expected a number > 0"),
        ("\"activation_function\": \"gelu_new\"", "\"activation_function\": \"swish\"",
         "gpt2-f32/config.json: key activation_function is \"swish\", expected \"gelu_new\", \"gelu_pytorch_tanh\", \"gelu\" or \"relu\""),
        ("\"n_inner\": null", "\"n_inner\": \"wide\"",
         "gpt2-f32/config.json: key n_inner is a string, expected null or a whole number from 1 to 2147483647"),
        ("\"n_inner\": null", "\"n_inner\": null, \"tie_word_embeddings\": \"yes\"",
         "gpt2-f32/config.json: key tie_word_embeddings is a string, expected true or false"),
        ("\"scale_attn_weights\": true", "\"scale_attn_weights\": false",
         "gpt2-f32/config.json: key scale_attn_weights is false, expected true (scores divided by √head size)"),
        ("\"n_embd\": 8", "\"n_embd\": 4611686018427387904",
         "gpt2-f32/config.json: key n_embd is 4611686018427387904, expected a whole number from 1 to 2147483647"),
        ("{", "[",
         "gpt2-f32/config.json: is not valid JSON, expected a JSON object"),
    ]

    @Test(arguments: configCases.indices)
    func badConfig(_ index: Int) throws {
        let (old, new, expected) = Self.configCases[index]
        #expect(try readError(after: replace(old, new, in: "config.json")) == expected)
    }

    @Test func missingTensorAndWrongShape() throws {
        #expect(try readError(after: editHeader("transformer.h.1.mlp.c_fc.bias", "transformer.h.1.mlp.c_fc.bia_"))
                == "gpt2-f32/model.safetensors: tensor transformer.h.1.mlp.c_fc.bias is missing, expected shape [32] (n_inner)")
        #expect(try readError(after: replace("\"n_inner\": null", "\"n_inner\": 16", in: "config.json"))
                == "gpt2-f32/model.safetensors: tensor transformer.h.0.mlp.c_fc.weight has shape [8, 32], expected [8, 16] (n_embd × n_inner)")
        #expect(try readError(after: replace("\"n_positions\": 16", "\"n_positions\": 32", in: "config.json"))
                == "gpt2-f32/model.safetensors: tensor transformer.wpe.weight has shape [16, 8], expected [32, 8] (n_positions × n_embd)")
        #expect(try readError(after: replace("\"n_inner\": null", "\"n_inner\": null, \"tie_word_embeddings\": false", in: "config.json"))
                == "gpt2-f32/model.safetensors: tensor lm_head.weight is missing, expected shape [324, 8] (vocab_size × n_embd) because config.json sets tie_word_embeddings to false")
        // A config with far more layers than the file stops at the first missing block.
        #expect(try readError(after: replace("\"n_layer\": 2", "\"n_layer\": 2000000000", in: "config.json"))
                == "gpt2-f32/model.safetensors: tensor transformer.h.2.ln_1.weight is missing, expected shape [8] (n_embd)")
        // Without the prefix the names are looked for bare.
        #expect(try readError("gpt2-f16", after: editHeader("\"h.0.ln_2.weight\"", "\"h.0.ln_2.weighs\""))
                == "gpt2-f16/model.safetensors: tensor h.0.ln_2.weight is missing, expected shape [8] (n_embd)")
    }

    @Test func nonFiniteWeight() throws {
        // Overwrite the first value of the first tensor in the data (sorted names: transformer.h.0.attn.c_attn.bias) with NaN.
        let message = try readError { folder in
            let path = folder + "/model.safetensors"
            var bytes = Array(FileManager.default.contents(atPath: path)!)
            let start = 8 + (Int(bytes[0]) | Int(bytes[1]) << 8)
            bytes.replaceSubrange(start..<(start + 4), with: [0, 0, 0xC0, 0x7F])
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        #expect(message == "gpt2-f32/model.safetensors: tensor transformer.h.0.attn.c_attn.bias has NaN at flat index 0 (index [0]), expected finite weights")
    }

    @Test func tokenizerProblems() throws {
        #expect(try readError(after: replace("\"vocab_size\": 324", "\"vocab_size\": 300", in: "config.json"))
                == "gpt2-f32/tokenizer.json: has ids up to 319, beyond config.json's vocab_size 300 (ids 0..<300); expected a vocabulary no larger than the model's")
        #expect(try readError(after: replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\"", in: "tokenizer.json"))
                == "gpt2-f32/tokenizer.json: key model.type is \"WordPiece\", expected \"BPE\" or \"WordLevel\"")
        #expect(try readError(after: replace("\"merges\": [\n      [\n        \"a\",", "\"merges\": [\n      [\n        \"azz\",", in: "tokenizer.json"))
                == "gpt2-f32/tokenizer.json: key model.merges[0] (\"azz\" \"t\") names \"azz\", which is not in the vocabulary; expected merges of known symbols")
        #expect(try readError("gpt2-f16", after: replace("\na t\n", "\na t x\n", in: "merges.txt"))
                == "gpt2-f16/merges.txt: line 2 is \"a t x\", expected two symbols separated by a space")
        #expect(try readError("gpt2-f16", after: replace("\na t\n", "\na q\n", in: "merges.txt"))
                == "gpt2-f16/merges.txt: line 2 (\"a\" \"q\") makes \"aq\", which is not in the vocabulary; expected every merge's result in it")
        #expect(try readError(after: replace("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFKC\"}", in: "tokenizer.json"))
                == "gpt2-f32/tokenizer.json: key normalizer is \"NFKC\", expected null (sitegen reads tokenizers without a normaliser)")
    }

    @Test func shardProblems() throws {
        #expect(try readError("gpt2-sharded", after: remove("model-00002-of-00002.safetensors"))
                == "gpt2-sharded/model-00002-of-00002.safetensors: does not exist")
        #expect(try readError("gpt2-sharded", after: replace("\"wte.weight\": \"model-00002-of-00002.safetensors\"", "\"wte.weight\": \"../model-00002-of-00002.safetensors\"", in: "model.safetensors.index.json"))
                == "gpt2-sharded/model.safetensors.index.json: key weight_map.wte.weight names shard \"../model-00002-of-00002.safetensors\", expected a file name in the same folder")
        #expect(try readError("gpt2-sharded", after: replace("\"wte.weight\": \"model-00002-of-00002.safetensors\"", "\"wte.weight\": \"model-00001-of-00002.safetensors\"", in: "model.safetensors.index.json"))
                == "gpt2-sharded/model.safetensors.index.json: tensor wte.weight is listed in shard model-00001-of-00002.safetensors, which does not hold it")
    }

    /// Names from the files reach the terminal with escape sequences and newlines made visible.
    @Test func namesFromTheFileAreEscapedInMessages() throws {
        let bytes = BadSafeTensorsTests.file("{\"a\\n\\u001b[31m\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", data: Array(repeating: 0, count: 8))
        #expect(BadSafeTensorsTests.message(bytes)
                == "m.safetensors: tensor a\\u{A}\\u{1B}[31m has data_offsets [0, 8] (8 bytes) but shape [1] in F32 needs 4 bytes (1 × 4)")
    }
}
