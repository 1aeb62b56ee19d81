import ModelFormats
import Testing

/// The JSON writer renders a big tree in pieces side by side; the pieces join to the text of
/// the tree written whole.
@Suite struct JSONWriterTests {
    @Test func aTreeCutIntoPiecesRendersTheSameBytes() {
        let tree = Self.tree(depth: 5, seed: 7)
        let whole = tree.renderedBytes(pieceBytes: .max)                // one piece: written whole
        #expect(whole.count > JSONOut.pieceBytes)
        for size in [0, 5_000, JSONOut.pieceBytes] {                   // 0: every container cut
            let cut = tree.renderedBytes(pieceBytes: size)
            #expect(cut == whole, "cut at \(size) bytes: \(cut.count) bytes, whole \(whole.count)")
        }
    }

    @Test func cutContainersKeepTheLayout() {
        let tree = JSONOut.object([("a<", .numbers([1, -0.5])), ("b", .object([])), ("c", .array([.array([]), .null]))])
        let expected = "{\n  \"a\\u003c\": [1.0, -0.5],\n  \"b\": {},\n  \"c\": [\n    [],\n    null\n  ]\n}\n"
        #expect(String(decoding: tree.renderedBytes(pieceBytes: 0), as: UTF8.self) == expected)
        #expect(String(decoding: tree.renderedBytes(pieceBytes: .max), as: UTF8.self) == expected)
    }

    /// Objects of arrays of matrices and scalars of every kind, from a fixed seed.
    static func tree(depth: Int, seed: UInt64) -> JSONOut {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        func number() -> Double {
            switch next() % 8 {
            case 0: .infinity
            case 1: 0
            default: (Double(next() % 2_000_000) - 1_000_000) / Double(1 + next() % 977)
            }
        }
        func value(_ depth: Int) -> JSONOut {
            if depth == 0 {
                switch next() % 6 {
                case 0: return .null
                case 1: return .bool(next() % 2 == 0)
                case 2: return .int(Int(next() % 1000) - 500)
                case 3: return .string("w\"<\(next() % 100)>\u{2028}")
                case 4: return .number(number())
                default: return .array((0..<Int(next() % 6)).map { _ in .numbers((0..<Int(next() % 40)).map { _ in number() }) })
                }
            }
            let count = Int(next() % 7)
            if next() % 2 == 0 { return .array((0..<count).map { _ in value(depth - 1) }) }
            return .object((0..<count).map { k in ("k\(k)", value(depth - 1)) })
        }
        return .object((0..<16).map { k in ("member \(k)", value(depth)) })
    }
}
