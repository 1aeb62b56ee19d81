/// One problem with a checkpoint: the file, what in it (a tensor, a key), and what was expected.
///
/// `gpt2/model.safetensors: tensor h.0.attn.c_attn.weight has shape [8, 8], expected [8, 24] (n_embd × 3·n_embd)`
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it (or as it sits in the checkpoint folder).
    public var file: String
    /// The tensor or key the problem is in, already phrased (`tensor wte.weight`, `key n_embd`), when there is one.
    public var subject: String?
    public var message: String

    public init(file: String, subject: String? = nil, message: String) {
        self.file = file
        self.subject = subject
        self.message = message
    }

    public var description: String {
        var out = file + ": "
        if let subject { out += subject + " " }
        return out + message
    }
}
