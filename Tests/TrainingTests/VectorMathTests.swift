import Foundation
import Testing
@testable import Training

/// Training's exp and tanh (glibc's vector functions where the processor has AVX2) against the
/// C library's scalar ones, the explainer's: within a few units in the last place over a sweep,
/// exact at the special values, and each entry a function of itself alone.
@Suite struct VectorMathTests {
    /// How many doubles lie between a and b (0 when equal), for finite numbers of one sign.
    static func ulps(_ a: Double, _ b: Double) -> Int {
        if a == b { return 0 }
        return Int((Int64(bitPattern: a.bitPattern) - Int64(bitPattern: b.bitPattern)).magnitude)
    }

    /// `count` evenly spaced points from `low` to `high`, and a few awkward ones.
    static func sweep(_ low: Double, _ high: Double, count: Int) -> [Double] {
        (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
            + [0, -0.0, 1e-300, -1e-300, 5e-324, 1e-8, -1e-8, 0.5, -0.5, 1, -1]
    }

    static func worst(_ values: [Double], _ vector: (inout [Double], Range<Int>) -> Void, _ scalar: (Double) -> Double)
        -> (ulps: Int, relative: Double, at: Double) {
        var y = values
        vector(&y, y.indices)
        var worst = (ulps: 0, relative: 0.0, at: 0.0)
        for (x, v) in zip(values, y) {
            let s = scalar(x)
            let u = ulps(v, s), relative = s == 0 ? abs(v) : abs(v - s) / abs(s)
            if u > worst.ulps { worst = (u, relative, x) }
        }
        return worst
    }

    @Test func expIsWithinAFewUlpsOfTheScalarExp() {
        // The softmaxes take exp of z − max z ≤ 0; the sweep covers every finite result.
        let (ulps, relative, at) = Self.worst(Self.sweep(-745, 709, count: 200_001), VectorMath.exp, exp)
        print("vector exp vs scalar exp over [-745, 709] (AVX2: \(VectorMath.hasAVX2)): max \(ulps) ulp (relative \(relative), at \(at))")
        #expect(ulps <= 4)
        var special: [Double] = [-.infinity, 0, -0.0, -800, 800]
        VectorMath.exp(&special, special.indices)
        #expect(special == [0, 1, 1, 0, .infinity])
    }

    @Test func tanhIsWithinAFewUlpsOfTheScalarTanh() {
        let (ulps, relative, at) = Self.worst(Self.sweep(-25, 25, count: 200_001), VectorMath.tanh, tanh)
        print("vector tanh vs scalar tanh over [-25, 25] (AVX2: \(VectorMath.hasAVX2)): max \(ulps) ulp (relative \(relative), at \(at))")
        #expect(ulps <= 4)
        var special: [Double] = [0, 40, -40, .infinity, -.infinity]
        VectorMath.tanh(&special, special.indices)
        #expect(special == [0, 1, -1, 1, -1])
    }

    /// The same input gives the same bits wherever it sits: in a full register, in the padded
    /// last one, alone, or at any offset (so no result depends on how a batch is cut).
    @Test func eachEntryIsAFunctionOfItselfAlone() {
        let values = Self.sweep(-30, 3, count: 103)
        for f in [VectorMath.exp, VectorMath.tanh] as [(inout [Double], Range<Int>) -> Void] {
            var whole = values
            f(&whole, whole.indices)
            for offset in 0..<4 {
                var shifted = values
                for start in stride(from: offset, to: values.count, by: 7) {
                    f(&shifted, start..<min(values.count, start + 7))
                }
                if offset > 0 { f(&shifted, 0..<offset) }
                #expect(shifted.map(\.bitPattern) == whole.map(\.bitPattern), "offset \(offset)")
            }
            var untouched = values
            f(&untouched, 10..<10)
            #expect(untouched == values)
        }
    }
}
