/// Text made safe to print on a terminal. Model files, templates and paths reach sitegen's
/// messages; a control character in them could retitle the terminal, move the cursor, clear
/// the screen (ESC sequences, C1 controls such as CSI U+009B) or hide text (NUL, bidi
/// overrides). Each such character is shown as a visible escape instead: `\e` becomes `\u{1B}`.
public enum TerminalText {
    /// `line` with every control character (C0 but tab, DEL, C1) and every bidirectional
    /// override or isolate written as `\u{…}`; a backslash stays a backslash.
    public static func escaped(_ line: String) -> String {
        var out = ""
        out.reserveCapacity(line.utf8.count)
        for scalar in line.unicodeScalars {
            if mustEscape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 controls but tab, DEL, C1 controls, the bidi embeddings, overrides and isolates,
    /// and the line and paragraph separators.
    static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
