import Foundation
import Testing
@testable import SiteBuilder
import ModelFormats

/// Sites built from the GPT-2 checkpoint fixtures (Tests/Reference/checkpoints.py), end to end.
@Suite struct CheckpointSiteTests {
    static let fixtures = RepoPaths.path("Tests/Reference/fixtures/checkpoints")
    static let names = ["gpt2-f32", "gpt2-f16", "gpt2-bf16", "gpt2-sharded"]
    /// checkpoints.py's PROMPT and TARGET.
    static let prompt = "The cat sat on the mat.", target = " dog"

    @discardableResult
    static func build(_ checkpoint: String, text: String? = prompt, target: String? = target, output: String) throws -> BuildReport {
        try SiteBuild.run(options(model: checkpoint, output: output, text: text, target: target))
    }

    /// The largest difference between the numbers of two JSON trees, with the path of the first
    /// place they differ in shape, kind or a non-number value; the keys in `skipping` are not compared.
    static func difference(_ a: Any, _ b: Any, path: String = "$", skipping: Set<String> = []) -> (worst: Double, mismatch: String?) {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            var worst = 0.0
            for key in y.keys.sorted() where !skipping.contains(key) {
                guard let value = x[key] else { return (worst, "\(path).\(key) is missing") }
                let d = difference(value, y[key]!, path: "\(path).\(key)")
                worst = max(worst, d.worst)
                if d.mismatch != nil { return (worst, d.mismatch) }
            }
            return (worst, nil)
        case let (x as [Any], y as [Any]):
            guard x.count == y.count else { return (0, "\(path) has \(x.count) entries, expected \(y.count)") }
            var worst = 0.0
            for (i, (u, v)) in zip(x, y).enumerated() {
                let d = difference(u, v, path: "\(path)[\(i)]")
                worst = max(worst, d.worst)
                if d.mismatch != nil { return (worst, d.mismatch) }
            }
            return (worst, nil)
        case let (x as NSNumber, y as NSNumber):
            return (abs(x.doubleValue - y.doubleValue), nil)
        case (is NSNull, is NSNull):
            return (0, nil)
        default:
            return (0, "\(path) is \(a), expected \(b)")
        }
    }

    /// trace.json of each checkpoint equals the NumPy reference's (reference.py's forward pass and
    /// gradients on the mapped model): ids, prediction_id, embeddings, every layer's tensors,
    /// logits, probs, loss and gradients within 1e-9.
    @Test(arguments: names)
    func traceMatchesTheReference(_ name: String) throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try Self.build(Self.fixtures + "/" + name, output: tmp.sub("Site"))
        let site = try JSONSerialization.jsonObject(with: Data(readTree(tmp.sub("Site"))["trace.json"] ?? []))
        let expected = try JSONSerialization.jsonObject(with: FileManager.default.contents(atPath: "\(Self.fixtures)/\(name).trace.json")!)
        let (siteTrace, reference) = (try #require(site as? [String: Any]), try #require(expected as? [String: Any]))
        #expect(siteTrace["ids"] as? [Int] == reference["ids"] as? [Int])
        #expect(siteTrace["prediction_id"] as? Int == reference["prediction_id"] as? Int)
        for key in ["embeddings", "layers", "final", "logits", "probs", "loss", "grads"] {
            #expect(siteTrace[key] != nil, "trace.json has no \(key)")
        }
        // Tokens are the checkpoint's raw tokens in the reference, their readable forms on the site.
        let (worst, mismatch) = Self.difference(siteTrace, reference, skipping: ["tokens", "prediction", "target", "model"])
        #expect(mismatch == nil, "\(name): \(mismatch ?? "")")
        #expect(worst < 1e-9, "\(name): max difference \(worst)")
        print("\(name): trace.json within \(worst) of the NumPy reference (every tensor, gradients included)")
    }

    /// A folder `save_pretrained` wrote (Tests/Reference/hf_parity.py --write) gives the ids,
    /// logits, attention weights and loss transformers' GPT2LMHeadModel computes in float64.
    @Test func transformersSavePretrainedFolderGivesTransformersNumbers() throws {
        struct Expected: Decodable {
            let text: String, target: String
            let ids: [Int]
            let logits: [[Double]]
            let attn_weights: [[[[Double]]]]
            let loss: Double
        }
        let folder = RepoPaths.path("Tests/Reference/fixtures/hf-gpt2")
        let expected = try JSONDecoder().decode(Expected.self, from: FileManager.default.contents(atPath: folder + "/transformers.json")!)
        let tmp = TempFolder(); defer { tmp.cleanup() }
        try Self.build(folder + "/gpt2-tiny", text: expected.text, target: expected.target, output: tmp.sub("Site"))
        let trace = try #require(try JSONSerialization.jsonObject(with: Data(readTree(tmp.sub("Site"))["trace.json"] ?? [])) as? [String: Any])
        #expect(trace["ids"] as? [Int] == expected.ids)
        let layers = try #require(trace["layers"] as? [[String: Any]])
        #expect(layers.count == expected.attn_weights.count)
        var worst = Self.difference(trace["logits"]!, expected.logits)
        for (layer, heads) in zip(layers, expected.attn_weights) {
            let d = Self.difference(layer["weights"]!, heads)
            worst = (max(worst.worst, d.worst), worst.mismatch ?? d.mismatch)
        }
        let loss = abs((trace["loss"] as? Double ?? .nan) - expected.loss)
        #expect(worst.mismatch == nil, "\(worst.mismatch ?? "")")
        #expect(worst.worst < 1e-9 && loss < 1e-9, "max difference \(worst.worst), loss \(loss)")
        print("gpt2-tiny (save_pretrained): logits and attention weights within \(worst.worst) of transformers, loss within \(loss)")
    }

    @Test func pagesNameTheCheckpointAndShowTokensReadably() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let checkpoint = Self.fixtures + "/gpt2-f32"
        let report = try Self.build(checkpoint, output: tmp.sub("Site"))
        let site = readTree(tmp.sub("Site"))
        #expect(report.pageCount > 15 && report.target == "␣dog")
        #expect(site["model.json"] == nil, "a checkpoint's files are listed, not copied")
        let index = text(site["index.html"])
        #expect(index.contains("gpt2-f32"))
        #expect(index.contains("stored as F32"))
        for file in ["config.json", "model.safetensors", "tokenizer.json"] {
            let bytes = [UInt8](FileManager.default.contents(atPath: checkpoint + "/" + file)!)
            #expect(index.contains("<th scope=\"row\">\(file)</th><td class=\"num\">\(bytes.count)</td><td><code class=\"hash\">\(SHA256Digest.hex(bytes))</code>"), "\(file) listed with size and SHA-256")
        }
        let tokens = text(site["tokens.html"])
        #expect(tokens.contains("␣cat</th><td><code>Ġcat</code></td><td class=\"num\">278</td>"))
        #expect(tokens.contains("title=\"id 278, token Ġcat\""))
        #expect(tokens.contains("&lt;id 320&gt;"), "padded ids show as <id N>, escaped")
        let trace = text(site["trace.json"])
        #expect(trace.contains("\"tokens\": [\"The\", \"␣cat\""))
        #expect(trace.contains("\"target\": \"␣dog\""))
    }

    /// A token can hold anything: an added token `<b x="1">&amp;'‮]]>` (markup, an entity, quotes,
    /// a right-to-left override, a CDATA end) in the prompt and as the target is escaped on every
    /// page, in every attribute and SVG, and in trace.json.
    @Test func hostileTokensAreEscapedEverywhere() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let hostile = "<b x=\"1\">&amp;'\u{202E}]]>"
        let folder = try Self.brokenCopy(in: tmp) { folder in
            let path = folder + "/tokenizer.json"
            let json = try String(contentsOfFile: path, encoding: .utf8)
            let escaped = String(decoding: try JSONEncoder().encode(hostile), as: UTF8.self).dropFirst().dropLast()
            try json.replacingOccurrences(of: "<|endoftext|>", with: String(escaped)).write(toFile: path, atomically: true, encoding: .utf8)
        }
        try Self.build(folder, text: "The cat" + hostile + " sat", target: hostile, output: tmp.sub("Site"))
        let site = readTree(tmp.sub("Site"))
        let trace = try #require(try JSONSerialization.jsonObject(with: Data(site["trace.json"] ?? [])) as? [String: Any])
        #expect(trace["tokens"] as? [String] == ["The", "␣cat", hostile, "␣sat"])
        #expect(trace["target"] as? String == hostile)
        #expect(text(site["tokens.html"]).contains("<th scope=\"row\" class=\"tok tok-2\">&lt;b x=&quot;1&quot;&gt;&amp;amp;&#39;\u{202E}]]&gt;</th>"))
        for (name, bytes) in site where name.hasSuffix(".html") {
            #expect(!text(bytes).contains("<b x="), "\(name) holds the token unescaped")
        }
    }

    @Test func theSafetensorsFileNamesTheCheckpointToo() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let a = try Self.build(Self.fixtures + "/gpt2-f32", output: tmp.sub("a"))
        let b = try Self.build(Self.fixtures + "/gpt2-f32/model.safetensors", output: tmp.sub("b"))
        #expect(a.prediction == b.prediction && a.loss == b.loss)
        #expect(readTree(tmp.sub("a")) == readTree(tmp.sub("b")))
    }

    /// A copy of fixture `name` in `tmp`, changed by `edit`.
    static func brokenCopy(_ name: String = "gpt2-f32", in tmp: TempFolder, _ edit: (String) throws -> Void) throws -> String {
        let folder = tmp.sub(name)
        try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: folder)
        try edit(folder)
        return folder
    }

    static func replace(_ old: String, _ new: String, in path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Edits the safetensors header in place, keeping its length.
    static func editHeader(_ old: String, _ new: String, in path: String) throws {
        var bytes = Array(FileManager.default.contents(atPath: path)!)
        let length = Int(bytes[0]) | Int(bytes[1]) << 8
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        #expect(header.contains(old) && old.utf8.count == new.utf8.count)
        bytes.replaceSubrange(8..<(8 + length), with: Array(header.replacingOccurrences(of: old, with: new).utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Each bad input is one line naming the file and what was expected, and the previous site
    /// stays as it was.
    @Test func badInputIsOneLineAndLeavesThePreviousSite() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = tmp.sub("Site")
        try SiteBuild.run(options(output: site))
        let before = readTree(site)
        let f32 = Self.fixtures + "/gpt2-f32"
        let cases: [(String, String?, String?, String)] = [
            (f32, nil, nil, "\(f32): --text is required with a checkpoint, which holds no prompt: sitegen --model \(f32) --text \"some prompt\""),
            (f32, "", nil, "\(f32): --text is empty, expected at least one token"),
            (f32, String(repeating: " cat", count: 20), nil, "\(f32): --text has 20 tokens, expected at most 16 (config.json's n_positions)"),
            (f32, "The cat", " the cat", "\(f32): --target \" the cat\" is 2 tokens, ␣the (id 261) + ␣cat (id 278); expected exactly one token"),
            (f32, "The cat", "", "\(f32): --target is empty, expected exactly one token"),
            (try Self.brokenCopy(in: tmp) { try FileManager.default.removeItem(atPath: $0 + "/config.json") }, "The", nil,
             "\(tmp.path)/gpt2-f32/config.json: is missing: a checkpoint folder needs config.json, model.safetensors and a tokenizer (tokenizer.json, or vocab.json and merges.txt)"),
        ]
        for (model, text, target, message) in cases {
            do {
                try SiteBuild.run(options(model: model, output: site, text: text, target: target))
                Issue.record("\(message): built")
            } catch {
                #expect(error.problems.map(\.description) == [message])
            }
            #expect(readTree(site) == before)
        }
    }

    /// Through the binary: the error reaches the terminal as one `error:` line (control
    /// characters escaped), exit status 1, and no output folder appears.
    @Test func theCommandLineSaysWhatIsWrongInOneLineAndExits1() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let f32 = Self.fixtures + "/gpt2-f32"
        let runs: [([String], String)] = [
            (["--model", f32], "error: \(f32): --text is required with a checkpoint, which holds no prompt: sitegen --model \(f32) --text \"some prompt\"\n"),
            (["--model", f32, "--text", "The", "--target", "\u{1B}x y"],
             "error: \(f32): --target \"\\u{1B}x y\" is 4 tokens, <0x1B> (id 216) + x (id 88) + ␣ (id 221) + y (id 89); expected exactly one token\n"),
        ]
        for (arguments, expected) in runs {
            let run = try runSitegen(arguments + ["--quiet", "--output", tmp.sub("Site")], in: tmp.path)
            #expect(run.status == 1)
            #expect(run.errors == expected)
            #expect(!FileManager.default.fileExists(atPath: tmp.sub("Site")))
        }
        let good = try runSitegen(["--quiet", "--model", f32 + "/model.safetensors", "--text", Self.prompt, "--target", Self.target,
                                   "--output", tmp.sub("Site")], in: tmp.path)
        #expect(good.status == 0 && good.errors.isEmpty, "\(good.errors)")
        #expect(readTree(tmp.sub("Site"))["index.html"] != nil)
    }

    @Test func brokenCheckpointFilesAreOneLineEach() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = tmp.sub("Site")
        try SiteBuild.run(options(output: site))
        let before = readTree(site)
        let broken: [(String, (String) throws -> Void, String)] = [
            ("type", { try Self.replace("\"model_type\": \"gpt2\"", "\"model_type\": \"llama\"", in: $0 + "/config.json") },
             "config.json: key model_type is \"llama\", expected \"gpt2\" (sitegen reads GPT-2 checkpoints only)"),
            ("key", { try Self.replace("\"n_embd\": 8", "\"n_embd\": \"8\"", in: $0 + "/config.json") },
             "config.json: key n_embd is a string, expected a whole number ≥ 1"),
            ("shape", { try Self.editHeader("\"shape\":[8,24]", "\"shape\":[24,8]", in: $0 + "/model.safetensors") },
             "model.safetensors: tensor transformer.h.0.attn.c_attn.weight has shape [24, 8], expected [8, 24] (n_embd × 3·n_embd)"),
            ("missing", { try Self.editHeader("transformer.wpe.weight", "transformer.wpX.weight", in: $0 + "/model.safetensors") },
             "model.safetensors: tensor transformer.wpe.weight is missing, expected shape [16, 8] (n_positions × n_embd)"),
            ("dtype", { try Self.editHeader("\"dtype\":\"F32\"", "\"dtype\":\"I32\"", in: $0 + "/model.safetensors") },
             "model.safetensors: tensor transformer.wte.weight has dtype I32, expected one of F32, F16, BF16, F64"),
            ("tokenizer", { try Self.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\"", in: $0 + "/tokenizer.json") },
             "tokenizer.json: key model.type is \"WordPiece\", expected \"BPE\" or \"WordLevel\""),
        ]
        for (label, edit, message) in broken {
            let folder = tmp.sub(label)
            try FileManager.default.copyItem(atPath: Self.fixtures + "/gpt2-f32", toPath: folder)
            try edit(folder)
            do {
                try SiteBuild.run(options(model: folder, output: site, text: "The cat", target: nil))
                Issue.record("\(label): built")
            } catch {
                #expect(error.problems.count == 1, "\(label)")
                let line = error.problems.first?.description ?? ""
                #expect(line == folder + "/" + message, "\(label): \(line)")
                print("\(label): \(line.replacingOccurrences(of: tmp.path + "/", with: ""))")
            }
            #expect(readTree(site) == before)
        }
    }
}
