/// A long template cut into pieces of about `size` bytes, each parsed by the mustache library
/// on its own and rendered one after the other (the library's parser takes time quadratic in
/// a text's tags). Cuts fall only where they change nothing the template renders, outside
/// every section: after a newline (the next piece starts a line, as the text did), or at a
/// tag's edge on a line that already holds text or a variable before the cut. There the
/// library has written out the line's leading whitespace and knows no tag before the cut
/// stands alone on its line; and a piece that starts mid-line starts with sitegen's pragma
/// tag, after which no tag of that line stands alone either, as in the whole template. A
/// test renders every template cut at every such place and whole, and compares.
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
        /// Printable ASCII other than a space: content that makes a line not standalone (other
        /// bytes might be, or begin, a character the library counts as a line end).
        func isContent(_ offset: Int) -> Bool { bytes[offset] > 0x20 && bytes[offset] < 0x7F }
        /// Whether content follows `offset` on its line, after spaces and tabs: then the pragma
        /// in front of a piece starting there does not stand alone (and swallow the line end).
        func contentFollows(_ offset: Int) -> Bool {
            var i = offset
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 }
            return i < bytes.count && isContent(i)
        }

        // The places a cut may fall, in order, and whether each starts a line.
        var cuts: [(offset: Int, startsLine: Bool)] = []
        var depth = 0
        var lineHasContent = false   // text or a variable on this line, before here
        var textStart = 0
        func scanText(upTo end: Int) {
            for i in textStart..<end {
                if bytes[i] == newline {
                    if depth == 0 { cuts.append((i + 1, true)) }
                    lineHasContent = false
                } else if isContent(i) {
                    lineHasContent = true
                }
            }
        }
        for tag in tags {
            scanText(upTo: tag.start)
            if depth == 0, lineHasContent { cuts.append((tag.start, false)) }   // the piece starts with a tag
            if tag.opensSection { depth += 1 }
            if tag.kind == .close { depth -= 1 }
            if tag.kind == .variable { lineHasContent = true }
            if depth == 0, lineHasContent, contentFollows(tag.end) { cuts.append((tag.end, false)) }
            textStart = tag.end
        }
        scanText(upTo: bytes.count)

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
