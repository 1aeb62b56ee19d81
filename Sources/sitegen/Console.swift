import FoundationEssentials
import SiteBuilder
import Glibc

/// The one way sitegen prints: every message goes through `TerminalText.escaped`, so nothing a
/// model file, a template or a path holds can drive the terminal or forge a line (a newline in
/// a message is shown as `\u{A}`). Unbuffered, so each line shows at once even when piped.
enum Console {
    enum Stream { case output, error }

    /// Prints one line, every control character in it made visible.
    static func line(_ text: String, to stream: Stream = .output) {
        write(TerminalText.escaped(text) + "\n", to: stream)
    }

    /// `error: …` on standard error, as one line.
    static func error(_ message: String) { line("error: " + message, to: .error) }

    /// sitegen's own multi-line text (help, usage): each line escaped on its own.
    static func block(_ text: String, to stream: Stream = .output) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.escaped(String($0)) }
        write(lines.joined(separator: "\n") + (text.hasSuffix("\n") ? "" : "\n"), to: stream)
    }

    /// Writes `text` as it is (sitegen's own terminal codes, such as a progress line's `\r`).
    static func write(_ text: String, to stream: Stream) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = Glibc.write(stream == .output ? 1 : 2, Array(bytes), bytes.count)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
