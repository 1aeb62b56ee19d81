/// The element types a safetensors header may name, with their size in bytes.
/// sitegen converts the four floating-point ones to `Double`; the others are known only so that
/// a file holding them (a mask buffer, a step counter) can still be read around them.
public enum DType: String, Sendable, CaseIterable, Comparable {
    case F64, F32, F16, BF16
    case I64, I32, I16, I8, U64, U32, U16, U8, BOOL
    case F8_E5M2, F8_E4M3

    public var byteSize: Int {
        switch self {
        case .F64, .I64, .U64: 8
        case .F32, .I32, .U32: 4
        case .F16, .BF16, .I16, .U16: 2
        case .I8, .U8, .BOOL, .F8_E5M2, .F8_E4M3: 1
        }
    }

    /// The dtypes whose values sitegen reads.
    public static let readable: [DType] = [.F32, .F16, .BF16, .F64]
    public var isReadable: Bool { DType.readable.contains(self) }

    public static func < (a: DType, b: DType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Exact conversions of the stored bit patterns to `Double`. Every F16, BF16 and F32 value is
/// exactly representable as a Double, so these lose nothing.
enum FloatBits {
    /// IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
    static func half(_ bits: UInt16) -> Double {
        let sign: FloatingPointSign = bits & 0x8000 == 0 ? .plus : .minus
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Int(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero and subnormals: fraction · 2^-24.
            return Double(sign: sign, exponent: -24, significand: Double(fraction))
        case 31:
            return fraction == 0 ? (sign == .plus ? .infinity : -.infinity) : .nan
        default:
            // (1024 + fraction) · 2^(exponent - 15 - 10).
            return Double(sign: sign, exponent: exponent - 25, significand: Double(1024 + fraction))
        }
    }

    /// bfloat16 is the top half of a binary32.
    static func bfloat(_ bits: UInt16) -> Double {
        Double(Float(bitPattern: UInt32(bits) << 16))
    }

    static func single(_ bits: UInt32) -> Double {
        Double(Float(bitPattern: bits))
    }

    static func double(_ bits: UInt64) -> Double {
        Double(bitPattern: bits)
    }
}
