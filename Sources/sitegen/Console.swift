import Foundation
import SiteBuilder

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

    private static func write(_ text: String, to stream: Stream) {
        let bytes = Data(text.utf8)
        switch stream {
        case .output: FileHandle.standardOutput.write(bytes)
        case .error: FileHandle.standardError.write(bytes)
        }
    }
}
