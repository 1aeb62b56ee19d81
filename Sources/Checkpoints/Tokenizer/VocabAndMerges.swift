import FoundationEssentials

extension TokenizerFiles {
    /// Reads the older pair of files: `vocab.json` (token → id) and `merges.txt` (one `a b` merge
    /// a line, `#version` lines skipped). `<|endoftext|>`, when in the vocabulary, is split
    /// out as a special token, as GPT-2's tokenizer does.
    public static func read(vocabJSON vocabPath: String, mergesText mergesPath: String,
                            shownAs files: (vocab: String, merges: String)? = nil) throws -> ByteLevelBPE {
        let vocabFile = files?.vocab ?? vocabPath
        let mergesFile = files?.merges ?? mergesPath
        let vocabulary = try readVocabulary(readJSONObject(vocabPath, shownAs: vocabFile), keys: KeyReader(file: vocabFile), path: nil)
        let bytes = try readFile(mergesPath, shownAs: mergesFile)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CheckpointError(file: mergesFile, message: "is not valid UTF-8, expected lines of merges")
        }
        var merges: [(String, String)] = []
        var lineNumbers: [Int] = []
        // "\r\n" is one Character in Swift: split on it as well as on "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("#version") { continue }  // as tokenizers: the version line, wherever it is
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CheckpointError(file: mergesFile, subject: "line \(index + 1)", message: "is \(quoted(String(line))), expected two symbols separated by a space")
            }
            merges.append((String(parts[0]), String(parts[1])))
            lineNumbers.append(index + 1)
        }
        let model = try BPEModel(vocabulary: vocabulary, merges: merges, unknownToken: nil, fuseUnknown: false,
                                 ignoreMerges: false, file: mergesFile, describe: { "line \(lineNumbers[$0])" })
        let endOfText = "<|endoftext|>"
        let added = vocabulary[endOfText].map {
            [AddedToken(id: $0, content: endOfText, singleWord: false, lstrip: false, rstrip: false, normalized: false, special: true)]
        } ?? []
        return ByteLevelBPE(model: model, addedTokens: added, addPrefixSpace: false, useRegex: true)
    }
}

extension ByteLevelBPE {
    /// Reads a `tokenizer.json` that must be byte-level BPE (GPT-2's kind).
    public static func read(tokenizerJSON path: String, shownAs file: String? = nil) throws -> ByteLevelBPE {
        let tokenizer = try TokenizerFiles.read(tokenizerJSON: path, shownAs: file)
        guard let bpe = tokenizer as? ByteLevelBPE else {
            throw CheckpointError(file: file ?? path, message: "is a \(type(of: tokenizer)) tokenizer, expected byte-level BPE (model BPE with a ByteLevel pre-tokenizer)")
        }
        return bpe
    }

    /// Reads the older pair of files; see `TokenizerFiles.read(vocabJSON:mergesText:shownAs:)`.
    public static func read(vocabJSON vocabPath: String, mergesText mergesPath: String,
                            shownAs files: (vocab: String, merges: String)? = nil) throws -> ByteLevelBPE {
        try TokenizerFiles.read(vocabJSON: vocabPath, mergesText: mergesPath, shownAs: files)
    }
}
