import ModelFormats
import TransformerEngine

/// tokens.html: text → tokens → ids through the vocabulary (stoi).
enum TokensPage {
    static let kind = PageKind(template: "tokens", label: "Tokens", builtIn: PackageResources.tokens_html) { s, v in context(s) }

    struct Context: PageContext {
        var tokenizerWords: Bool
        var tokenizerChars: Bool
        /// A checkpoint's tokenizer: the raw token column and the tooltips show.
        var tokenizerCheckpoint: Bool
        var promptText: String
        var vocab: [Word]
        var vocabSize: String
        /// The vocabulary is too long for one page: the first `listed` words are shown, all of
        /// them are in vocabulary.json.
        var vocabShortened: Bool
        var listed: Int
        var vocabularyFile: String
        var vocabSizeText: String
        /// A padded vocabulary (a checkpoint whose tokenizer has fewer tokens than the model has
        /// rows): how many ids have a spelling, how many have none and are shown as `<id N>`.
        var hasUnspelled: Bool
        var spelledCount: String
        var unspelledCount: String
        var firstUnspelled: String
        var tokenRows: [TokenRow]
        var tokenCount: Int
        var idList: String
        var strip: String
        /// The strip draws the first `TokenStripSVG.shownLimit` tokens of a longer prompt.
        var stripShortened: Bool
        var stripShown: Int
        var exampleWord: String
        var exampleId: Int
    }
    struct Word: Encodable {
        var id: Int
        var word: String
        var used: Bool
        /// `id 261, token Ġthe` for a checkpoint's token; "" (no tooltip) for a model file's word.
        var note: String
        var hasNote: Bool
    }
    struct TokenRow: Encodable {
        var position: Int
        var word: String
        /// The vocabulary's own spelling (`Ġthe`); the word itself for a model file.
        var raw: String
        var id: Int
        var cls: String
    }

    /// A vocabulary up to this long is listed in full; a longer one (GPT-2's 50,257 tokens would
    /// make a 4.5 MB page) lists its first `shortList` words and goes whole to vocabulary.json.
    static let listLimit = 1000
    static let shortList = 200
    static let vocabularyName = "vocabulary.json"

    /// vocabulary.json for a vocabulary too long to list: every token by id, as the pages show
    /// it, and for a checkpoint its raw spelling (nil when the tokens page lists them all).
    static func vocabularyFile(_ model: Model, checkpoint: CheckpointSummary?) -> [UInt8]? {
        guard model.vocab.count > listLimit else { return nil }
        var fields: [(String, JSONOut)] = [("tokens", .array(model.vocab.map(JSONOut.string)))]
        if let raw = checkpoint?.rawTokens { fields.append(("raw", .array(raw.map(JSONOut.string)))) }
        return JSONOut.object(fields).renderedBytes()
    }

    static func context(_ s: SiteData) -> Context {
        let t = s.trace
        let inPrompt = Set(t.ids)
        let shortened = s.model.vocab.count > Self.listLimit
        let vocab = s.model.vocab.prefix(shortened ? Self.shortList : s.model.vocab.count).enumerated().map { id, word -> Word in
            let note = s.tokenNote(id: id)
            return Word(id: id, word: word, used: inPrompt.contains(id), note: note, hasNote: !note.isEmpty)
        }
        let rows = t.tokens.enumerated().map { i, word -> TokenRow in
            TokenRow(position: i, word: word, raw: s.checkpoint?.rawTokens[t.ids[i]] ?? word, id: t.ids[i], cls: s.tokenClass(i))
        }
        let strip = TokenStripSVG(id: "token-strip", tokens: t.tokens, ids: t.ids, classes: s.tokenClasses).render()
        let unspelled = s.checkpoint.map { c in c.rawTokens.indices.filter { c.rawTokens[$0].isEmpty } } ?? []
        return Context(
            tokenizerWords: s.model.tokenizer == .words,
            tokenizerChars: s.model.tokenizer == .chars,
            tokenizerCheckpoint: s.model.tokenizer == .checkpoint,
            promptText: s.model.prompt.text,
            vocab: vocab,
            vocabSize: NumberFormat.grouped(s.model.vocab.count),
            vocabShortened: shortened,
            listed: min(Self.shortList, s.model.vocab.count),
            vocabularyFile: Self.vocabularyName,
            vocabSizeText: NumberFormat.grouped(s.model.vocab.count),
            hasUnspelled: !unspelled.isEmpty,
            spelledCount: NumberFormat.grouped(s.model.vocab.count - unspelled.count),
            unspelledCount: NumberFormat.grouped(unspelled.count),
            firstUnspelled: unspelled.first.map { s.model.vocab[$0] } ?? "",
            tokenRows: rows,
            tokenCount: s.count,
            idList: "[" + t.ids.map(String.init).joined(separator: ", ") + "]",
            strip: strip,
            stripShortened: s.count > TokenStripSVG.shownLimit,
            stripShown: min(s.count, TokenStripSVG.shownLimit),
            exampleWord: t.tokens[s.lastToken],
            exampleId: t.ids[s.lastToken]
        )
    }
}

/// The prompt as a strip of boxes: each token above its id, an arrow between. On a phone its
/// figure scrolls rather than shrink the words below 11 px (`--natural-width`).
struct TokenStripSVG {
    var id: String
    var tokens: [String]
    var ids: [Int]
    var classes: [String]

    /// The most tokens the strip draws (the table under it lists them all).
    static let shownLimit = 16

    func render() -> String {
        let shown = min(tokens.count, Self.shownLimit)
        let boxWidth = 86.0, gap = 10.0
        let width = Double(shown) * (boxWidth + gap) - gap + 20
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(SVGNumber.format(width)) 112\" style=\"--natural-width: \(SVGNumber.format(width))px\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" class=\"figure token-strip\">"
        out += "<title id=\"\(id)-title\">Text to token ids</title>"
        let pairs = zip(tokens, ids).prefix(shown).map { "\($0) → \($1)" }.joined(separator: ", ")
        out += "<desc id=\"\(id)-desc\">\(Escape.html("Each token looks up its id in the vocabulary: \(pairs)\(tokens.count > shown ? ", …" : "")."))</desc>"
        for i in 0..<shown {
            let x = 10 + Double(i) * (boxWidth + gap)
            let word = tokens[i].count > 10 ? String(tokens[i].prefix(9)) + "…" : tokens[i]
            out += "<g class=\"\(classes[i])\"><title>\(Escape.html("token \(i): “\(tokens[i])” → id \(ids[i])"))</title>"
            out += "<rect class=\"tok-box\" x=\"\(SVGNumber.format(x))\" y=\"8\" width=\"\(SVGNumber.format(boxWidth))\" height=\"34\" rx=\"6\"/>"
            out += "<text class=\"label\" x=\"\(SVGNumber.format(x + boxWidth / 2))\" y=\"30\" text-anchor=\"middle\">\(Escape.html(word))</text>"
            out += "<path class=\"arrow\" d=\"M\(SVGNumber.format(x + boxWidth / 2)) 46 v20 m-5 -7 l5 7 l5 -7\" fill=\"none\"/>"
            out += "<rect class=\"id-box\" x=\"\(SVGNumber.format(x + 18))\" y=\"72\" width=\"\(SVGNumber.format(boxWidth - 36))\" height=\"30\" rx=\"6\"/>"
            out += "<text class=\"label num\" x=\"\(SVGNumber.format(x + boxWidth / 2))\" y=\"92\" text-anchor=\"middle\">\(ids[i])</text></g>"
        }
        return out + "</svg>"
    }
}

extension Stage {
    static let tokens = Stage(TokensPage.kind)
}
