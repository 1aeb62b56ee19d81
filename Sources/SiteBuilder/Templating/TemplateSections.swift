/// A long section's body lifted out of its template, to be parsed as a partial of its own.
///
/// The piece cutter (`TemplatePiece`) cuts only outside sections, so a long section, such as
/// backprop.html's `{{#hasTarget}}` of 6 KB, reached the library's parser whole, and its cost
/// grows with the square of a text's tags. Lifted, the body is cut into pieces like any
/// template, and the template keeps `{{> name}}` on a line of its own where the body was.
///
/// A body is lifted only when that renders the same: it runs from the start of the line after
/// the section's opening tag to the start of the line of its closing tag (so the lines around
/// keep their standalone tags, and the partial tag, alone at the start of its line, adds no
/// indentation and no line end); no tag crosses its edges and its sections close within it;
/// and nothing in it depends on what a partial resets (the content type, the loop's position
/// for `first()`-style transforms, inheritance blocks). Nor is a body lifted from a template
/// that sets its own content type.
struct LiftedSection: Equatable {
    /// The partial's name: `sitegen-section/`, the template's name, the body's number (and
    /// the numbers of the lifted bodies it lies in).
    var name: String
    var text: String
}

extension TemplateTags {
    /// The text with every long section's body (more than `size` bytes) replaced by a partial
    /// tag, outermost sections first, and the bodies lifted, in order.
    /// The bodies are named `prefix/0`, `prefix/1`, …; a prefix with other characters than
    /// letters, digits, `/ . - _` (which a partial tag cannot name) lifts nothing.
    func liftingLongSections(size: Int, prefix: String) -> (text: String, sections: [LiftedSection]) {
        let nameable = prefix.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "/.-_".unicodeScalars.contains($0)) }
        guard nameable, !tags.contains(where: { $0.kind == .pragma }) else { return (text, []) }
        let bytes = Array(text.utf8)
        let newline = UInt8(ascii: "\n")
        var bodies: [Range<Int>] = []
        var open: [Int] = []   // indices of the sections open here
        for (index, tag) in tags.enumerated() {
            if tag.opensSection { open.append(index) }
            guard tag.kind == .close, let opening = open.popLast() else { continue }
            let first = tags[opening]
            guard first.kind == .section || first.kind == .invertedSection,
                  let afterOpening = bytes[first.end..<tag.start].firstIndex(of: newline),
                  let beforeClosing = bytes[first.end..<tag.start].lastIndex(of: newline),
                  beforeClosing > afterOpening else { continue }
            let body = (afterOpening + 1)..<(beforeClosing + 1)
            guard body.count > size, canLift(body, inner: tags[(opening + 1)..<index]) else { continue }
            bodies.append(body)
        }
        // Outermost first: a lifted body's own long sections are lifted when it is parsed.
        bodies.sort { $0.lowerBound < $1.lowerBound }
        var text = "", sections: [LiftedSection] = [], end = 0
        for body in bodies where body.lowerBound >= end {
            let name = "\(prefix)/\(sections.count)"
            text += String(decoding: bytes[end..<body.lowerBound], as: UTF8.self) + "{{> \(name)}}\n"
            sections.append(LiftedSection(name: name, text: String(decoding: bytes[body], as: UTF8.self)))
            end = body.upperBound
        }
        guard !sections.isEmpty else { return (self.text, []) }
        return (text + String(decoding: bytes[end...], as: UTF8.self), sections)
    }

    /// Whether the body `range` of a section, holding the tags `inner`, renders the same as a
    /// partial: no tag crosses its edges, its sections close within it, and it has no
    /// transform, inheritance or content-type tag.
    private func canLift(_ range: Range<Int>, inner: ArraySlice<Tag>) -> Bool {
        var depth = 0
        for tag in inner {
            if tag.end <= range.lowerBound || tag.start >= range.upperBound { continue }
            guard tag.start >= range.lowerBound, tag.end <= range.upperBound else { return false }
            guard !tag.name.contains("("), ![.parent, .block, .pragma].contains(tag.kind) else { return false }
            if tag.opensSection { depth += 1 }
            if tag.kind == .close {
                depth -= 1
                if depth < 0 { return false }
            }
        }
        return depth == 0
    }
}
