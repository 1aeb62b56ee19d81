import FoundationEssentials
import Diagnostics

/// The tensors of a checkpoint: one `model.safetensors`, or the shards that a
/// `model.safetensors.index.json` names (`{"metadata": {…}, "weight_map": {"wte.weight": "model-00001-of-00002.safetensors", …}}`).
public struct TensorStore: Sendable {
    /// The files read, the first being the one named (the index for a sharded checkpoint).
    public let files: [SafeTensorsFile]
    /// The file named in messages about the checkpoint as a whole.
    public let file: String
    private let fileOfTensor: [String: Int]

    /// Every tensor name, sorted.
    public var names: [String] { fileOfTensor.keys.sorted() }

    public func contains(_ name: String) -> Bool { fileOfTensor[name] != nil }

    public func entry(_ name: String) -> SafeTensorsFile.Entry? {
        fileOfTensor[name].flatMap { files[$0].entries[name] }
    }

    public func tensor(_ name: String) throws -> CheckpointTensor {
        guard let index = fileOfTensor[name] else {
            throw CheckpointError(file: file, subject: "tensor \(name)", message: "is not in the checkpoint")
        }
        return try files[index].tensor(name)
    }

    /// The tensor `name` cut into `count` equal blocks of columns (`SafeTensorsFile.columnBlocks`).
    public func columnBlocks(_ name: String, count: Int) throws -> [CheckpointTensor] {
        guard let index = fileOfTensor[name] else {
            throw CheckpointError(file: file, subject: "tensor \(name)", message: "is not in the checkpoint")
        }
        return try files[index].columnBlocks(name, count: count)
    }

    /// One safetensors file.
    public init(single: SafeTensorsFile) {
        files = [single]
        file = single.file
        fileOfTensor = Dictionary(uniqueKeysWithValues: single.entries.keys.map { ($0, 0) })
    }

    /// A sharded checkpoint from its index: every shard it names must be a file in the same
    /// folder, hold every tensor the index puts in it, and no tensor may be in two shards.
    public init(index path: String, shownAs file: String) throws {
        let object = try readJSONObject(path, shownAs: file)
        guard let mapValue = object["weight_map"] else {
            throw CheckpointError(file: file, subject: "key weight_map", message: "is missing, expected an object mapping tensor names to shard files")
        }
        guard let map = mapValue.objectValue else {
            throw CheckpointError(file: file, subject: "key weight_map", message: "is \(mapValue.kind), expected an object mapping tensor names to shard files")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let shownFolder = folderPart(of: file)
        var shardNames: [String] = []
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            guard let shard = value.stringValue else {
                throw CheckpointError(file: file, subject: "key weight_map.\(name)", message: "is \(value.kind), expected a shard file name")
            }
            guard !shard.isEmpty, !shard.contains("/"), !shard.contains("\\"), shard != ".", shard != ".." else {
                throw CheckpointError(file: file, subject: "key weight_map.\(name)", message: "names shard \"\(shard)\", expected a file name in the same folder")
            }
            if !shardNames.contains(shard) { shardNames.append(shard) }
        }
        shardNames.sort()
        var files: [SafeTensorsFile] = []
        for shard in shardNames {
            let shown = shownFolder.isEmpty ? shard : joinedPath(shownFolder, shard)
            files.append(try SafeTensorsFile.read(path: folder.appendingPathComponent(shard).path, shownAs: shown))
        }
        var fileOfTensor: [String: Int] = [:]
        for (index, shard) in files.enumerated() {
            for name in shard.entries.keys.sorted() {
                if let other = fileOfTensor[name] {
                    throw CheckpointError(file: shard.file, subject: "tensor \(name)", message: "is also in \(files[other].file), expected each tensor in one shard")
                }
                fileOfTensor[name] = index
            }
        }
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            let shard = value.stringValue!
            let index = shardNames.firstIndex(of: shard)!
            guard fileOfTensor[name] == index else {
                throw CheckpointError(file: file, subject: "tensor \(name)", message: "is listed in shard \(shard), which does not hold it")
            }
        }
        self.files = files
        self.file = file
        self.fileOfTensor = fileOfTensor
    }
}
