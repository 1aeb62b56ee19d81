/// How a token reads on the site: its bytes decoded, with visible marks where the text would
/// be blank or is not text.
///
/// `Ġthe` → `␣the`, `Ċ` → `↵`, `ĉ` → `⇥`, a lone `â` (byte 0xE2, the start of a three-byte
/// character) → `<0xE2>`; control characters also show as their bytes.
public enum TokenDisplay {
    public static func readable(_ bytes: [UInt8]) -> String {
        var out = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                switch scalar {
                case " ": out += "␣"
                case "\n": out += "↵"
                case "\t": out += "⇥"
                default:
                    if scalar.properties.generalCategory == .control {
                        out += bytes[offset..<(offset + encoded.count)].map(hexByte).joined()
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
                offset += encoded.count
            case .error(let length):
                out += bytes[offset..<(offset + length)].map(hexByte).joined()
                offset += length
            case .emptyInput:
                return out
            }
        }
    }

    /// `<0xE2>`
    static func hexByte(_ byte: UInt8) -> String {
        "<0x" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)]) + ">"
    }

    private static let hexDigits = Array("0123456789ABCDEF")
}
