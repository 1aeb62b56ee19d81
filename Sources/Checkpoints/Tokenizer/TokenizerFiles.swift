import FoundationEssentials

/// Reads the tokenizers a checkpoint may carry.
public enum TokenizerFiles {
    /// Reads a `tokenizer.json` of one of the kinds sitegen knows:
    ///
    /// * model `BPE` with a `ByteLevel` pre-tokenizer: GPT-2's byte-level BPE (`ByteLevelBPE`);
    /// * model `BPE` with no pre-tokenizer, `Whitespace` or `WhitespaceSplit`: BPE over characters
    ///   (`CharacterLevelBPE`; with no merges, one token per character);
    /// * model `WordLevel` with `Whitespace` or `WhitespaceSplit` and an `unk_token` (`WordLevelTokenizer`).
    ///
    /// No normaliser; a post-processor only of type ByteLevel; `added_tokens` split out first.
    public static func read(tokenizerJSON path: String, shownAs file: String? = nil) throws -> any TextTokenizer {
        let file = file ?? path
        return try read(root: readJSONObject(path, shownAs: file), file: file)
    }

    /// Reads the text of a `tokenizer.json` (as `read(tokenizerJSON:)`); `file` names it in messages.
    public static func read(tokenizerJSONText text: String, shownAs file: String) throws -> any TextTokenizer {
        try read(root: parseJSONObject(Data(text.utf8), shownAs: file), file: file)
    }

    static func read(root: [String: JSONValue], file: String) throws -> any TextTokenizer {
        let keys = KeyReader(file: file)

        if let normalizer = root["normalizer"], normalizer != .null {
            throw keys.fail("normalizer", "is \(typeName(normalizer)), expected null (sitegen reads tokenizers without a normaliser)")
        }
        if let processor = root["post_processor"], processor != .null {
            let type = processor.objectValue?["type"]?.stringValue
            guard type == "ByteLevel" else {
                throw keys.fail("post_processor", "is \(typeName(processor)), expected null or ByteLevel (sitegen encodes without adding tokens)")
            }
        }
        let added = try readAddedTokens(root["added_tokens"], keys: keys)
        let preTokenizer = try readPreTokenizer(root["pre_tokenizer"], keys: keys)

        let model = try keys.object(root, "model")
        let type = model["type"] ?? (model["merges"] != nil ? .string("BPE") : .null)
        switch type.stringValue {
        case "BPE":
            let bpe = try readBPE(model, keys: keys)
            switch preTokenizer {
            case .byteLevel(let addPrefixSpace, let useRegex):
                return ByteLevelBPE(model: bpe, addedTokens: added, addPrefixSpace: addPrefixSpace, useRegex: useRegex)
            case .words(let splitter):
                return CharacterLevelBPE(model: bpe, splitter: splitter, addedTokens: added)
            }
        case "WordLevel":
            guard case .words(let splitter) = preTokenizer, splitter != .none else {
                throw keys.fail("pre_tokenizer", "is \(typeName(root["pre_tokenizer"] ?? .null)), expected Whitespace or WhitespaceSplit for a WordLevel model")
            }
            let vocabulary = try readVocabulary(keys.object(model, "vocab", path: "model.vocab"), keys: keys, path: "model.vocab")
            guard let unknown = try keys.optionalString(model, "unk_token", path: "model.unk_token") else {
                throw keys.fail("model.unk_token", "is missing, expected the token for words outside the vocabulary")
            }
            guard let unknownId = vocabulary[unknown] else {
                throw keys.fail("model.unk_token", "is \(quoted(unknown)), which is not in the vocabulary")
            }
            return WordLevelTokenizer(vocabulary: vocabulary, unknownId: unknownId, splitter: splitter, addedTokens: added)
        default:
            throw keys.fail("model.type", "is \(type.stringValue.map(quoted) ?? type.kind), expected \"BPE\" or \"WordLevel\"")
        }
    }

    /// The BPE model of a tokenizer.json: vocabulary, merges (`"a b"` or `["a", "b"]`), options.
    static func readBPE(_ model: [String: JSONValue], keys: KeyReader) throws -> BPEModel {
        if let dropout = model["dropout"], dropout != .null {
            throw keys.fail("model.dropout", "is \(dropout.kind), expected null (dropout makes encoding random)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[key], value != .null, value != .string("") {
                throw keys.fail("model.\(key)", "is \(value.kind), expected null (sitegen's BPE has none)")
            }
        }
        if let value = model["byte_fallback"], value != .bool(false) {
            throw keys.fail("model.byte_fallback", "is \(value == .bool(true) ? "true" : value.kind), expected false")
        }
        let vocabulary = try readVocabulary(keys.object(model, "vocab", path: "model.vocab"), keys: keys, path: "model.vocab")
        guard let mergesValue = model["merges"] else { throw keys.fail("model.merges", "is missing, expected an array of merges") }
        guard let mergeItems = mergesValue.arrayValue else { throw keys.fail("model.merges", "is \(mergesValue.kind), expected an array of merges") }
        var merges: [(String, String)] = []
        for (index, item) in mergeItems.enumerated() {
            switch item {
            case .string(let line):
                guard let space = line.firstIndex(of: " "), line.index(after: space) != line.endIndex, space != line.startIndex else {
                    throw keys.fail("model.merges[\(index)]", "is \(quoted(line)), expected two symbols separated by a space")
                }
                merges.append((String(line[..<space]), String(line[line.index(after: space)...])))
            case .array(let pair) where pair.count == 2 && pair[0].stringValue != nil && pair[1].stringValue != nil:
                merges.append((pair[0].stringValue!, pair[1].stringValue!))
            default:
                throw keys.fail("model.merges[\(index)]", "is \(item.kind), expected \"a b\" or [\"a\", \"b\"]")
            }
        }
        return try BPEModel(
            vocabulary: vocabulary, merges: merges,
            unknownToken: try keys.optionalString(model, "unk_token", path: "model.unk_token"),
            fuseUnknown: try keys.bool(model, "fuse_unk", default: false, path: "model.fuse_unk"),
            ignoreMerges: try keys.bool(model, "ignore_merges", default: false, path: "model.ignore_merges"),
            file: keys.file, describe: { "key model.merges[\($0)]" })
    }

    static func readAddedTokens(_ list: JSONValue?, keys: KeyReader) throws -> [AddedToken] {
        guard let list, list != .null else { return [] }
        guard let items = list.arrayValue else { throw keys.fail("added_tokens", "is \(list.kind), expected an array") }
        var added: [AddedToken] = []
        for (index, item) in items.enumerated() {
            let path = "added_tokens[\(index)]"
            guard let fields = item.objectValue else { throw keys.fail(path, "is \(item.kind), expected an object") }
            let id = try keys.integer(fields, "id", path: path + ".id")
            let content = try keys.string(fields, "content", path: path + ".content")
            guard !content.isEmpty else { throw keys.fail(path + ".content", "is empty, expected the token's text") }
            added.append(AddedToken(
                id: id, content: content,
                singleWord: try keys.bool(fields, "single_word", default: false, path: path + ".single_word"),
                lstrip: try keys.bool(fields, "lstrip", default: false, path: path + ".lstrip"),
                rstrip: try keys.bool(fields, "rstrip", default: false, path: path + ".rstrip"),
                normalized: try keys.bool(fields, "normalized", default: true, path: path + ".normalized"),
                special: try keys.bool(fields, "special", default: false, path: path + ".special")))
        }
        return added
    }

    static func readVocabulary(_ object: [String: JSONValue], keys: KeyReader, path: String?) throws -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        var tokenOfId: [Int: String] = [:]
        vocabulary.reserveCapacity(object.count)
        tokenOfId.reserveCapacity(object.count)
        // A good vocabulary is taken in the object's own order; only one with a problem is gone
        // through again sorted by token, so that the problem reported is the first by token.
        var isGood = true
        for (token, value) in object {
            guard let id = value.integerValue, id >= 0, tokenOfId[id] == nil else { isGood = false; break }
            tokenOfId[id] = token
            vocabulary[token] = id
        }
        if isGood { return vocabulary }
        vocabulary = [:]
        tokenOfId = [:]
        for (token, value) in object.sorted(by: { $0.key < $1.key }) {
            let key = path.map { "\($0)[\(quoted(token))]" } ?? "token \(quoted(token))"
            guard let id = value.integerValue, id >= 0 else {
                throw keys.fail(key, "is \(value.kind == "a whole number" ? "negative" : value.kind), expected an id ≥ 0", isKey: path != nil)
            }
            if let other = tokenOfId[id] {
                throw keys.fail(key, "has id \(id), which \(quoted(other)) has too; expected one token an id", isKey: path != nil)
            }
            tokenOfId[id] = token
            vocabulary[token] = id
        }
        return vocabulary
    }

    enum PreTokenizer {
        case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
        case words(WordSplitter)
    }

    /// ByteLevel, Whitespace, WhitespaceSplit or none (alone or as the only step of a Sequence).
    static func readPreTokenizer(_ value: JSONValue?, keys: KeyReader) throws -> PreTokenizer {
        var step = value ?? .null
        if let fields = step.objectValue, fields["type"] == .string("Sequence"),
           let steps = fields["pretokenizers"]?.arrayValue, steps.count == 1 {
            step = steps[0]
        }
        if step == .null { return .words(.none) }
        switch step.objectValue?["type"]?.stringValue {
        case "ByteLevel":
            let fields = step.objectValue!
            return .byteLevel(addPrefixSpace: try keys.bool(fields, "add_prefix_space", default: false, path: "pre_tokenizer.add_prefix_space"),
                              useRegex: try keys.bool(fields, "use_regex", default: true, path: "pre_tokenizer.use_regex"))
        case "Whitespace": return .words(.whitespace)
        case "WhitespaceSplit": return .words(.whitespaceSplit)
        default:
            throw keys.fail("pre_tokenizer", "is \(typeName(step)), expected ByteLevel, Whitespace, WhitespaceSplit or null")
        }
    }

    /// `null`, or an object's `type` (`Sequence`, `NFC`, …).
    static func typeName(_ value: JSONValue) -> String {
        if value == .null { return "null" }
        if let type = value.objectValue?["type"]?.stringValue { return quoted(type) }
        return value.kind
    }
}
