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

    /// The message for a terminal: names taken from the files (tensor names, keys, tokens) may
    /// hold any character, so control and format characters (escape sequences, newlines,
    /// bidirectional overrides) are written as `\u{1B}`.
    public var description: String {
        var out = file + ": "
        if let subject { out += subject + " " }
        return escapingInvisibles(out + message)
    }
}

/// `text` with its control and format characters written as Swift escapes (`\u{1B}`).
func escapingInvisibles(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator:
            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default:
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
