/// GPT-2's table from bytes to printable characters: the 188 bytes that are printable Latin-1
/// (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves, the other 68 take the characters from
/// U+0100 on, in byte order (so a space is `Ġ` U+0120 and a newline `Ċ` U+010A).
enum ByteToUnicode {
    static let characterOfByte: [Character] = {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var table = [Character](repeating: " ", count: 256)
        var next = 256
        for byte in 0..<256 {
            if printable.contains(byte) {
                table[byte] = Character(Unicode.Scalar(UInt8(byte)))
            } else {
                table[byte] = Character(Unicode.Scalar(UInt32(next))!)
                next += 1
            }
        }
        return table
    }()

    static let byteOfCharacter: [Character: UInt8] = {
        Dictionary(uniqueKeysWithValues: characterOfByte.enumerated().map { ($0.element, UInt8($0.offset)) })
    }()

    /// The bytes a byte-level token stands for, or nil when a character is not in the table.
    static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for character in token {
            guard let byte = byteOfCharacter[character] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
