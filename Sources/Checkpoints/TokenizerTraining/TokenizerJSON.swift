/// `tokenizer.json` in the `tokenizers` library's format (version 1.0), for the three kinds
/// `sitegen train` learns. The vocabulary is listed by id.
enum TokenizerJSON {
    static func byteLevelBPE(tokens: [String], merges: [(String, String)]) -> String {
        let byteLevel = { (addPrefixSpace: Bool, trimOffsets: Bool) in
            JSONText.object([("type", JSONText.string("ByteLevel")), ("add_prefix_space", "\(addPrefixSpace)"),
                             ("trim_offsets", "\(trimOffsets)"), ("use_regex", "true")], indent: 2)
        }
        return document(
            preTokenizer: byteLevel(false, true), postProcessor: byteLevel(true, false), decoder: byteLevel(true, true),
            model: bpeModel(tokens: tokens, merges: merges, unknown: nil))
    }

    static func wordLevel(tokens: [String], unknown: String) -> String {
        let model = JSONText.object([
            ("type", JSONText.string("WordLevel")),
            ("vocab", vocabulary(tokens)),
            ("unk_token", JSONText.string(unknown)),
        ], indent: 2)
        return document(preTokenizer: JSONText.object([("type", JSONText.string("Whitespace"))], indent: 2),
                        postProcessor: "null", decoder: "null", model: model)
    }

    static func characters(tokens: [String], unknown: String) -> String {
        document(preTokenizer: "null", postProcessor: "null", decoder: "null",
                 model: bpeModel(tokens: tokens, merges: [], unknown: unknown))
    }

    static func bpeModel(tokens: [String], merges: [(String, String)], unknown: String?) -> String {
        JSONText.object([
            ("type", JSONText.string("BPE")),
            ("dropout", "null"),
            ("unk_token", unknown.map(JSONText.string) ?? "null"),
            ("continuing_subword_prefix", "null"),
            ("end_of_word_suffix", "null"),
            ("fuse_unk", "false"),
            ("byte_fallback", "false"),
            ("ignore_merges", "false"),
            ("vocab", vocabulary(tokens)),
            ("merges", JSONText.array(merges.map { JSONText.inlineArray([JSONText.string($0.0), JSONText.string($0.1)]) }, indent: 4)),
        ], indent: 2)
    }

    /// `{"token": id, …}` in id order.
    static func vocabulary(_ tokens: [String]) -> String {
        JSONText.object(tokens.enumerated().map { ($1, String($0)) }, indent: 4)
    }

    static func document(preTokenizer: String, postProcessor: String, decoder: String, model: String) -> String {
        JSONText.object([
            ("version", JSONText.string("1.0")),
            ("truncation", "null"),
            ("padding", "null"),
            ("added_tokens", "[]"),
            ("normalizer", "null"),
            ("pre_tokenizer", preTokenizer),
            ("post_processor", postProcessor),
            ("decoder", decoder),
            ("model", model),
        ]) + "\n"
    }
}
