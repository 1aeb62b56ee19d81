import FoundationEssentials

/// A tensor to write: a name, a shape and its values in C (row-major) order.
public struct NamedTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values for \(name) of shape \(shape)")
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Writes a `.safetensors` file of F32 tensors, in the layout `SafeTensorsFile` reads:
///
///     [8 bytes: N, little-endian u64][N bytes: JSON header, padded with spaces to a multiple of 8][data]
///
/// The header lists `__metadata__` (`{"format": "pt"}`, which transformers asks for) and the
/// tensors sorted by name; the data holds them in that order, each float little-endian.
public enum SafeTensorsWriter {
    public static func data(_ tensors: [NamedTensor], metadata: [String: String] = ["format": "pt"]) -> Data {
        let sorted = tensors.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { JSONText.string($0.key) + ":" + JSONText.string($0.value) }
            fields.append(JSONText.string("__metadata__") + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for tensor in sorted {
            let end = offset + 4 * tensor.values.count
            fields.append(JSONText.string(tensor.name) + ":{\"dtype\":\"F32\",\"shape\":["
                + tensor.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        let length = UInt64(header.count)
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(k)))) }
        bytes += header
        for tensor in sorted {
            for value in tensor.values {
                let bits = value.bitPattern
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                          UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
            }
        }
        return Data(bytes)
    }
}
