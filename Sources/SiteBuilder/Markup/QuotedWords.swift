/// A caption or note cut at its quoted words: “on” becomes the phrase `on` with `word` set, so
/// the template isolates it in `<bdi>` (a right-to-left token cannot reverse the sentence around
/// it). The site quotes every model word it names in curly quotes; the quotes stay outside.
struct Phrase: TemplateValues, Equatable {
    var text: String
    var word: Bool

    func child(named name: String) -> TemplateValue? {
        switch name {
        case "text": .text(text)
        case "word": .flag(word)
        default: nil
        }
    }

    /// `text` cut into plain runs and the words between “ and ”; an unclosed “ stays plain.
    static func split(_ text: String) -> [Phrase] {
        var phrases: [Phrase] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "“"),
              let close = rest[rest.index(after: open)...].firstIndex(of: "”") {
            let inside = rest.index(after: open)
            phrases.append(Phrase(text: String(rest[..<inside]), word: false))
            phrases.append(Phrase(text: String(rest[inside..<close]), word: true))
            rest = rest[close...]
        }
        phrases.append(Phrase(text: String(rest), word: false))
        return phrases.filter { !$0.text.isEmpty || $0.word }
    }
}
