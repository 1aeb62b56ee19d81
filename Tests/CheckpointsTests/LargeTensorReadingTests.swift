import Foundation
import Testing
@testable import Checkpoints

/// F32 tensors several conversion chunks long, read from a file on disk (pread into one reused
/// buffer) and from memory: every value is the Double that Swift's own Float → Double gives (the
/// kernel file's widening loop is checked against it bit for bit), and `columnBlocks` cuts the
/// tensor exactly as `CheckpointTensor.columns` does, across chunk edges that fall inside rows.
@Suite struct LargeTensorReadingTests {
    /// 150 rows of 3 × 1001 columns (1.8 MB of F32, so chunk edges fall mid-row), and a vector of
    /// 3 × 100,001. The bit patterns sweep the finite floats: both signs, subnormals, zeros, the
    /// largest and smallest exponents.
    static let rows = 150, width = 1001, vectorWidth = 100_001

    static func pattern(_ i: Int) -> Float {
        let special: [UInt32] = [0x0000_0000, 0x8000_0000, 0x0000_0001, 0x807F_FFFF, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x0080_0000, 0x3F80_0000]
        if i < special.count { return Float(bitPattern: special[i]) }
        var bits = UInt32(truncatingIfNeeded: i &* 0x9E37_79B1)
        if bits & 0x7F80_0000 == 0x7F80_0000 { bits &= 0xFF7F_FFFF }  // NaN and ±Inf are refused, not read
        return Float(bitPattern: bits)
    }

    static let matrix = (0..<(rows * 3 * width)).map(pattern)
    static let vector = (0..<(3 * vectorWidth)).map { pattern($0 + 7) }
    static let bytes = SafeTensorsWriter.data([
        NamedTensor(name: "m", shape: [rows, 3 * width], values: matrix),
        NamedTensor(name: "v", shape: [3 * vectorWidth], values: vector),
    ])

    static func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test func fromDiskAndFromMemoryEveryValueExactly() throws {
        #expect(Self.bytes.count > 2 * SafeTensorsFile.conversionChunk)
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/m.safetensors"
        try Self.bytes.write(to: URL(fileURLWithPath: path))
        for file in [try SafeTensorsFile.read(path: path), try SafeTensorsFile(bytes: Self.bytes, file: "m")] {
            let m = try file.tensor("m"), v = try file.tensor("v")
            #expect(m.shape == [Self.rows, 3 * Self.width] && m.dtype == .F32)
            #expect(Self.sameBits(m.values, Self.matrix.map(Double.init)))
            #expect(Self.sameBits(v.values, Self.vector.map(Double.init)))
            #expect(m.values[1].sign == .minus && m.values[1] == 0)
            #expect(m.values[2] == 0x1p-149)
        }
    }

    @Test func columnBlocksAreTheColumnsOfTheWholeTensor() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/m.safetensors"
        try Self.bytes.write(to: URL(fileURLWithPath: path))
        for file in [try SafeTensorsFile.read(path: path), try SafeTensorsFile(bytes: Self.bytes, file: "m")] {
            for (name, width) in [("m", Self.width), ("v", Self.vectorWidth)] {
                let whole = try file.tensor(name)
                let blocks = try file.columnBlocks(name, count: 3)
                #expect(blocks.count == 3)
                for (k, block) in blocks.enumerated() {
                    let expected = whole.columns((k * width)..<((k + 1) * width))
                    #expect(block.name == expected.name && block.shape == expected.shape && block.dtype == .F32)
                    #expect(Self.sameBits(block.values, expected.values), "\(name) block \(k)")
                }
            }
            // One block is the tensor itself, named as such by `tensor`.
            #expect(try file.columnBlocks("m", count: 1)[0].values == file.tensor("m").values)
        }
    }

    @Test func aNaNInALaterChunkOfAColumnBlockIsNamedByItsFlatIndex() throws {
        var bytes = [UInt8](Self.bytes)
        let dataStart = 8 + (Int(bytes[0]) | Int(bytes[1]) << 8)  // the header is shorter than 64 KiB
        let bad = SafeTensorsFile.conversionChunk / 4 + 5  // in the second chunk: row 87, column 888 (block 0)
        let nan = Float.nan.bitPattern
        for k in 0..<4 { bytes[dataStart + 4 * bad + k] = UInt8((nan >> (8 * UInt32(k))) & 0xFF) }
        let file = try SafeTensorsFile(bytes: Data(bytes), file: "m.safetensors")
        let message = checkpointError { _ = try file.columnBlocks("m", count: 3) }
        let row = bad / (3 * Self.width), column = bad % (3 * Self.width)
        #expect(message == "m.safetensors: tensor m has NaN at flat index \(bad) (index [\(row), \(column)]), expected finite weights")
    }
}
