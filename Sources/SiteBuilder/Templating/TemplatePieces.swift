/// A long template cut into pieces of about `size` bytes, each parsed by the mustache library
/// on its own and rendered one after the other (the library's parser takes time quadratic in
/// a text's tags). Cuts fall only where they change nothing the template renders: outside
/// every section, and either after a newline (the next piece starts a line, as the text did)
/// or beside a variable tag on both sides (a line holding a variable is never "standalone",
/// so no piece sees a standalone line the whole template did not have). A test renders every
/// template cut at every such place and whole, and compares.
struct TemplatePiece: Equatable {
    var text: String
    /// Whether the piece starts at the beginning of a line of the template.
    var startsLine: Bool
    /// The template's line the piece starts on.
    var line: Int

    /// About how long a piece is: short enough that the library's quadratic cost within a
    /// piece stays small beside the linear cost of its tags.
    static let defaultSize = 1024
}

extension TemplateTags {
    func pieces(size: Int = TemplatePiece.defaultSize) -> [TemplatePiece] {
        let bytes = Array(text.utf8)
        guard bytes.count > size else { return [TemplatePiece(text: text, startsLine: true, line: 1)] }
        let newline = UInt8(ascii: "\n")
        /// Printable ASCII other than a space or a brace: content that makes a line not standalone.
        func isContent(_ offset: Int) -> Bool {
            let byte = bytes[offset]
            return byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "{") && byte != UInt8(ascii: "}")
        }

        // The places a cut may fall, in order, and whether each starts a line.
        var cuts: [(offset: Int, startsLine: Bool)] = []
        func cutsInText(from start: Int, to end: Int, after previous: Tag?, before next: Tag?) {
            if previous?.kind == .variable, start < end ? isContent(start) : next?.kind == .variable {
                cuts.append((start, false))   // after a variable, before content or a variable
            }
            for i in start..<end where bytes[i] == newline { cuts.append((i + 1, true)) }
            if let next, next.kind == .variable, start < end, isContent(end - 1) {
                cuts.append((end, false))     // after content, before a variable
            }
        }
        var depth = 0
        var previous: Tag? = nil
        for tag in tags {
            if depth == 0 { cutsInText(from: previous?.end ?? 0, to: tag.start, after: previous, before: tag) }
            if tag.opensSection { depth += 1 }
            if tag.kind == .close { depth -= 1 }
            previous = tag
        }
        if depth == 0 { cutsInText(from: previous?.end ?? 0, to: bytes.count, after: previous, before: nil) }

        var pieces: [TemplatePiece] = []
        var start = 0, startsLine = true, line = 1
        for cut in cuts where cut.offset > start && cut.offset < bytes.count && cut.offset - start >= size {
            pieces.append(TemplatePiece(text: String(decoding: bytes[start..<cut.offset], as: UTF8.self), startsLine: startsLine, line: line))
            line += bytes[start..<cut.offset].lazy.filter { $0 == newline }.count
            start = cut.offset
            startsLine = cut.startsLine
        }
        pieces.append(TemplatePiece(text: String(decoding: bytes[start...], as: UTF8.self), startsLine: startsLine, line: line))
        return pieces
    }
}
