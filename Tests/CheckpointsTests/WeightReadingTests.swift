import Foundation
import Testing
@testable import Checkpoints

/// Every weight of every fixture reads as exactly the Double NumPy converts it to.
@Suite struct WeightReadingTests {
    struct Weights: Decodable {
        struct Tensor: Decodable {
            let shape: [Int]
            let values: [Double]
        }
        let dtype: String
        let tensors: [String: Tensor]
    }

    /// A float or "nan" / "inf" / "-inf".
    struct Value: Decodable {
        let value: Double
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let number = try? c.decode(Double.self) {
                value = number
            } else {
                switch try c.decode(String.self) {
                case "inf": value = .infinity
                case "-inf": value = -.infinity
                default: value = .nan
                }
            }
        }
    }

    struct Floats: Decodable {
        let patterns: [UInt16]
        let f16: [Value]
        let bf16: [Value]
    }

    /// Same bits, or both NaN.
    static func same(_ a: Double, _ b: Double) -> Bool {
        a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
    }

    @Test func halfAndBFloatBitPatternsConvertAsNumPy() throws {
        let floats = try Fixtures.decode(Floats.self, "floats.json")
        #expect(floats.patterns.count > 600)
        for (i, bits) in floats.patterns.enumerated() {
            #expect(Self.same(FloatBits.half(bits), floats.f16[i].value), "F16 0x\(String(bits, radix: 16)): \(FloatBits.half(bits)) vs \(floats.f16[i].value)")
            #expect(Self.same(FloatBits.bfloat(bits), floats.bf16[i].value), "BF16 0x\(String(bits, radix: 16))")
        }
        // Subnormals, the smallest normal, infinities and NaN by hand.
        #expect(FloatBits.half(0x0001) == 0x1p-24)
        #expect(FloatBits.half(0x03FF) == 1023 * 0x1p-24)
        #expect(FloatBits.half(0x0400) == 0x1p-14)
        #expect(FloatBits.half(0x3C00) == 1)
        #expect(FloatBits.half(0x7BFF) == 65504)
        #expect(FloatBits.half(0x8000).sign == .minus && FloatBits.half(0x8000) == 0)
        #expect(FloatBits.half(0x7C00) == .infinity && FloatBits.half(0xFC00) == -.infinity)
        #expect(FloatBits.half(0x7E00).isNaN && FloatBits.bfloat(0x7FC0).isNaN)
        #expect(FloatBits.bfloat(0x3F80) == 1 && FloatBits.bfloat(0xC040) == -3)
    }

    @Test(arguments: Fixtures.checkpointNames)
    func everyWeightExactly(_ name: String) throws {
        let expected = try Fixtures.decode(Weights.self, name + ".weights.json")
        let store: TensorStore = name == "gpt2-sharded"
            ? try TensorStore(index: Fixtures.path(name + "/model.safetensors.index.json"), shownAs: name)
            : TensorStore(single: try SafeTensorsFile.read(path: Fixtures.path(name + "/model.safetensors")))
        var compared = 0, maxDifference = 0.0
        for (tensorName, tensor) in expected.tensors {
            let read = try store.tensor(tensorName)
            #expect(read.shape == tensor.shape, "\(tensorName)")
            #expect(read.dtype.rawValue == expected.dtype, "\(tensorName)")
            // F32, every GPT-2 checkpoint's, is held as it is stored; the others as Doubles.
            #expect(read.binary32.isEmpty == (read.dtype != .F32 || read.shape.contains(0)), "\(tensorName)")
            guard read.values.count == tensor.values.count else { continue }
            for (a, b) in zip(read.values, tensor.values) {
                maxDifference = max(maxDifference, abs(a - b))
                if !Self.same(a, b) { Issue.record("\(name) \(tensorName): \(a) vs \(b)") }
                compared += 1
            }
        }
        #expect(compared > 4000)
        #expect(maxDifference == 0, "max difference \(maxDifference) over \(compared) weights")
    }

    @Test func metadataAndMaskBuffersAreRead() throws {
        let file = try SafeTensorsFile.read(path: Fixtures.path("gpt2-f16/model.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.entries["h.0.attn.bias"]?.shape == [1, 1, 16, 16])
        #expect(file.entries["h.0.attn.masked_bias"]?.shape == [])
        #expect(try file.tensor("h.0.attn.masked_bias").values == [-10000])
        // The F16 corner cases the script put in h.0.ln_1.bias: a subnormal, the smallest normal, −0.
        let bias = try file.tensor("h.0.ln_1.bias").values
        #expect(bias[0] == 3 * 0x1p-24 && bias[1] == 0x1p-14 && bias[2] == 0 && bias[2].sign == .minus)
    }
}
