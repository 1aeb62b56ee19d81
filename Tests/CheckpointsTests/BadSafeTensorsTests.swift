import Foundation
import Testing
@testable import Checkpoints

/// Every kind of broken safetensors file is one clear error naming the file, the tensor or key,
/// and what was expected; nothing traps or reads past the end.
@Suite struct BadSafeTensorsTests {
    /// A safetensors file: the header's length, the header, the data.
    static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        let headerBytes = Array(header.utf8)
        let n = length ?? UInt64(headerBytes.count)
        return Data((0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xFF) } + headerBytes + data)
    }

    static func message(_ bytes: Data) -> String? {
        checkpointError { _ = try SafeTensorsFile(bytes: bytes, file: "m.safetensors") }
    }

    static func readMessage(_ bytes: Data, tensor: String) -> String? {
        checkpointError { _ = try SafeTensorsFile(bytes: bytes, file: "m.safetensors").tensor(tensor) }
    }

    static let f32 = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"

    @Test func aGoodFileReads() throws {
        let bytes = Self.file(Self.f32, data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
        #expect(try SafeTensorsFile(bytes: bytes, file: "m").tensor("a").values == [1, -2])
    }

    /// Tensors bigger than the conversion chunk (1 MiB) read whole: every value in order, across
    /// the chunk edges, for a 4-byte and an 8-byte dtype, and a NaN in the second chunk is found.
    @Test func tensorsLargerThanOneChunkReadWhole() throws {
        let count = SafeTensorsFile.conversionChunk / 4 * 2 + 3
        let floats = (0..<count).map { Float($0) - 1000.5 }
        let doubles = (0..<count).map { Double($0) * 0.25 - 7 }
        let floatBytes = floats.flatMap { v in (0..<4).map { UInt8((v.bitPattern >> (8 * UInt32($0))) & 0xFF) } }
        let doubleBytes = doubles.flatMap { v in (0..<8).map { UInt8((v.bitPattern >> (8 * UInt64($0))) & 0xFF) } }
        let header = "{\"f\":{\"dtype\":\"F32\",\"shape\":[\(count)],\"data_offsets\":[0,\(4 * count)]},"
            + "\"d\":{\"dtype\":\"F64\",\"shape\":[\(count)],\"data_offsets\":[\(4 * count),\(12 * count)]}}"
        let file = try SafeTensorsFile(bytes: Self.file(header, data: floatBytes + doubleBytes), file: "m")
        #expect(try file.tensor("f").values == floats.map(Double.init))
        #expect(try file.tensor("d").values == doubles)
        var withNaN = floatBytes
        let bad = count - 2
        for k in 0..<4 { withNaN[4 * bad + k] = UInt8((Float.nan.bitPattern >> (8 * UInt32(k))) & 0xFF) }
        let message = Self.readMessage(Self.file(header, data: withNaN + doubleBytes), tensor: "f")
        #expect(message?.contains("NaN at flat index \(bad)") == true, "\(message ?? "no error")")
    }

    static let cases: [(String, Data, String)] = [
        ("too short", Data([1, 2, 3]),
         "m.safetensors: is 3 bytes, too short for the 8-byte header length that starts a safetensors file"),
        ("header beyond the file", file(f32, data: [0, 0, 0, 0, 0, 0, 0, 0], length: 1000),
         "m.safetensors: header length 1000 reaches beyond the end of the file (70 bytes, so at most 62)"),
        ("header over 100 MB", file(f32, length: 200_000_000),
         "m.safetensors: header length 200000000 is over the 100 MB limit (100000000 bytes)"),
        ("header not UTF-8", Data([4, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0xFE, 0x7D]),
         "m.safetensors: header (bytes 8..<12) is not valid UTF-8, expected UTF-8 JSON"),
        ("header not JSON", file("{\"a\": [1, 2"),
         "m.safetensors: header (bytes 8..<19) is not valid JSON, expected a JSON object"),
        ("header an array", file("[1, 2]"),
         "m.safetensors: header is an array, expected a JSON object of tensors"),
        ("overlapping", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor b has data_offsets [4, 8], which overlap tensor a (ends at 8); expected tensors that do not overlap"),
        ("out of order", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor a has data_offsets [8, 0] out of order, expected begin ≤ end"),
        ("out of range", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor a has data_offsets [0, 16], beyond the end of the data (8 bytes after the header)"),
        ("a gap", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor a has data_offsets [4, 8], leaving bytes 0..<4 of the data unused; expected the tensors to cover the data without gaps"),
        ("bytes left over", file(f32, data: Array(repeating: 0, count: 12)),
         "m.safetensors: has 12 bytes of data after the header but its tensors cover 8; expected them to cover it exactly"),
        ("size is not shape × dtype", file("{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor w has data_offsets [0, 8] (8 bytes) but shape [2, 3] in F16 needs 12 bytes (6 × 2)"),
        ("unknown dtype", file("{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor w has unknown dtype \"Q4\", expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E5M2, F8_E4M3"),
        ("no dtype", file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor w has no dtype in the header"),
        ("negative shape", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor w has a shape entry that is negative, expected a whole number ≥ 0"),
        ("offsets not numbers", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":\"0-8\"}}", data: Array(repeating: 0, count: 8)),
         "m.safetensors: tensor w has data_offsets that are a string, expected [begin, end]"),
        ("metadata not strings", file("{\"__metadata__\":{\"step\":5}}"),
         "m.safetensors: header key __metadata__.step is a whole number, expected a string"),
    ]

    @Test(arguments: cases.indices)
    func badHeader(_ index: Int) {
        let (what, bytes, expected) = Self.cases[index]
        #expect(Self.message(bytes) == expected, "\(what)")
    }

    @Test func unsupportedDtypeIsNamedWhenRead() {
        let bytes = Self.file("{\"step\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", data: Array(repeating: 0, count: 8))
        #expect(Self.message(bytes) == nil)  // the header is fine; only reading it is refused
        #expect(Self.readMessage(bytes, tensor: "step") == "m.safetensors: tensor step has dtype I64, expected one of F32, F16, BF16, F64")
    }

    @Test func nonFiniteWeightsNameTensorAndIndex() {
        // F32 [2, 3] with NaN at flat index 4.
        var data: [UInt8] = []
        for value: Float in [0, 1, 2, 3, .nan, 5] {
            data += (0..<4).map { UInt8((value.bitPattern >> (8 * $0)) & 0xFF) }
        }
        let nan = Self.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", data: data)
        #expect(Self.readMessage(nan, tensor: "w") == "m.safetensors: tensor w has NaN at flat index 4 (index [1, 1]), expected finite weights")
        // F16 +Inf (0x7C00) and -Inf (0xFC00), BF16 -Inf (0xFF80).
        let inf = Self.file("{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]}}", data: [0, 0x3C, 0, 0x7C, 0, 0xFC])
        #expect(Self.readMessage(inf, tensor: "h") == "m.safetensors: tensor h has +Inf at flat index 1 (index [1]), expected finite weights")
        let bf = Self.file("{\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", data: [0x80, 0xFF])
        #expect(Self.readMessage(bf, tensor: "b") == "m.safetensors: tensor b has -Inf at flat index 0 (index [0]), expected finite weights")
    }

    /// Every truncation of a real file is refused; no cut or flipped byte traps or reads past the end.
    @Test func truncatedAndCorruptedFilesNeverTrap() throws {
        let whole = Fixtures.data("gpt2-f32/model.safetensors")
        #expect(whole.count > 1000)
        // Every cut in the length and the header, then a stride through the data.
        let headerEnd = 8 + Int(whole[0]) + Int(whole[1]) << 8
        for length in Array(0..<min(headerEnd + 16, whole.count)).filter({ $0 < 16 || $0 % 29 == 0 || $0 > headerEnd - 4 })
            + Array(stride(from: headerEnd + 16, to: whole.count, by: 997)) {
            #expect(Self.message(whole.prefix(length)) != nil, "cut at \(length)")
        }
        var rng = SplitMix(seed: 13)
        for _ in 0..<100 {
            var bytes = whole
            let at = Int(rng.next() % UInt64(min(bytes.count, 1200)))
            bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            if let file = try? SafeTensorsFile(bytes: bytes, file: "m") {
                for name in file.names { _ = try? file.tensor(name) }
            }
        }
    }
}

/// A small deterministic generator for the corruption test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
