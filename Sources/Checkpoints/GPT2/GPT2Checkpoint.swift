import Dispatch
import FoundationEssentials
import Diagnostics

/// A GPT-2 checkpoint folder as `save_pretrained` writes it: `config.json`, `model.safetensors`
/// (or `model.safetensors.index.json` and its shards) and a tokenizer (`tokenizer.json`, or
/// `vocab.json` + `merges.txt`).
public struct GPT2Checkpoint: Sendable {
    /// A file the checkpoint was read from.
    public struct File: Sendable, Equatable {
        /// The name inside the folder (`model.safetensors`).
        public let name: String
        public let path: String
        public let byteCount: Int
    }

    /// The folder's name (`gpt2-tiny`).
    public let name: String
    public let folder: String
    public let config: GPT2Config
    public let weights: GPT2Weights
    public let tokenizer: any TextTokenizer
    /// Every file read, in the order config, weights, tokenizer.
    public let files: [File]

    /// Reads the checkpoint at `path`: its folder, or the `model.safetensors` (or index) in it.
    /// `beside` runs on another thread while the weights are converted, given every file the
    /// checkpoint is read from (as `files` lists them), once they are known: for work on those
    /// files that need not wait for the weights (hashing them). `read` returns once it is done;
    /// it is not run when the checkpoint fails before its files are known.
    public static func read(_ path: String, beside: @escaping @Sendable ([File]) -> Void = { _ in }) throws -> GPT2Checkpoint {
        var isFolder = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CheckpointError(file: path, message: "does not exist, expected a checkpoint folder or its model.safetensors")
        }
        let url = URL(fileURLWithPath: path)
        if !isFolder {
            guard url.lastPathComponent.hasSuffix(".safetensors") || url.lastPathComponent.hasSuffix(".safetensors.index.json") else {
                throw CheckpointError(file: path, message: "is not a .safetensors file, expected a checkpoint folder or its model.safetensors")
            }
        }
        let folderURL = isFolder ? url : url.deletingLastPathComponent()
        // Files are named in messages the way the user named the checkpoint: `gpt2/config.json`.
        let shownFolder = isFolder ? path : folderPart(of: path)
        func shown(_ name: String) -> String {
            shownFolder.isEmpty || shownFolder == "." ? name : joinedPath(shownFolder, name)
        }
        func inFolder(_ name: String) -> String { folderURL.appendingPathComponent(name).path }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: inFolder(name)) }

        guard exists("config.json") else {
            throw CheckpointError(file: shown("config.json"), message: "is missing: a checkpoint folder needs config.json, model.safetensors and a tokenizer (tokenizer.json, or vocab.json and merges.txt)")
        }
        let config = try GPT2Config.read(path: inFolder("config.json"), shownAs: shown("config.json"))

        let tokenizerNames: [String]
        if exists("tokenizer.json") {
            tokenizerNames = ["tokenizer.json"]
        } else if exists("vocab.json") && exists("merges.txt") {
            tokenizerNames = ["vocab.json", "merges.txt"]
        } else {
            throw CheckpointError(file: shown("tokenizer.json"), message: "is missing (nor are there vocab.json and merges.txt)")
        }
        // The tokenizer (a 50,257-token tokenizer.json takes a CPU second) is read on a thread of
        // its own beside the weights; its problems are still reported before theirs, as when it
        // was read first.
        let tokenizerFiles = tokenizerNames.map { (path: inFolder($0), shown: shown($0)) }
        nonisolated(unsafe) var tokenizerRead: Result<any TextTokenizer, any Error>? = nil
        let tokenizerDone = DispatchGroup()
        DispatchQueue.global().async(group: tokenizerDone) {
            tokenizerRead = Result {
                tokenizerFiles.count == 1
                    ? try TokenizerFiles.read(tokenizerJSON: tokenizerFiles[0].path, shownAs: tokenizerFiles[0].shown)
                    : try TokenizerFiles.read(vocabJSON: tokenizerFiles[0].path, mergesText: tokenizerFiles[1].path,
                                              shownAs: (tokenizerFiles[0].shown, tokenizerFiles[1].shown))
            }
        }

        func readWeights() throws -> (GPT2Weights, [File]) {
            let weightsName: String
            if !isFolder {
                weightsName = url.lastPathComponent
            } else if exists("model.safetensors") {
                weightsName = "model.safetensors"
            } else if exists("model.safetensors.index.json") {
                weightsName = "model.safetensors.index.json"
            } else {
                throw CheckpointError(file: shown("model.safetensors"), message: "is missing (nor is there a model.safetensors.index.json for a sharded checkpoint)")
            }
            let store = weightsName.hasSuffix(".index.json")
                ? try TensorStore(index: inFolder(weightsName), shownAs: shown(weightsName))
                : TensorStore(single: try SafeTensorsFile.read(path: inFolder(weightsName), shownAs: shown(weightsName)))
            var names = ["config.json", weightsName]
            if weightsName.hasSuffix(".index.json") {
                names += store.files.map { URL(fileURLWithPath: $0.file).lastPathComponent }
            }
            names += tokenizerNames
            let files = names.map { name in
                File(name: name, path: inFolder(name), byteCount: fileSize(atPath: inFolder(name)) ?? 0)
            }
            let besideDone = DispatchGroup()
            DispatchQueue.global().async(group: besideDone) { beside(files) }
            defer { besideDone.wait() }
            return (try GPT2Weights(store: store, config: config), files)
        }
        let weightsRead = Result { try readWeights() }
        tokenizerDone.wait()
        let tokenizer = try tokenizerRead!.get()
        guard tokenizer.idCount <= config.vocabSize else {
            throw CheckpointError(file: shown(tokenizerNames[0]), message: "has ids up to \(tokenizer.idCount - 1), beyond config.json's vocab_size \(config.vocabSize) (ids 0..<\(config.vocabSize)); expected a vocabulary no larger than the model's")
        }
        let (weights, files) = try weightsRead.get()
        let folderName = folderURL.standardizedFileURL.lastPathComponent
        return GPT2Checkpoint(name: folderName, folder: folderURL.path, config: config, weights: weights,
                              tokenizer: tokenizer, files: files)
    }
}
