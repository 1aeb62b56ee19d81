import Checkpoints
import Foundation
import Testing
@testable import Training

@Suite struct OptimiserTests {
    /// Two AdamW steps on a 1-layer GPT-2, checked on a matrix entry (decayed) and a bias entry
    /// (not), computed by hand from the formulas.
    @Test func adamWMatchesAHandComputedStep() {
        var p = tinyParameters(layers: 1)
        let matrix = p.tensors.firstIndex { $0.name == "wte.weight" }!
        let bias = p.tensors.firstIndex { $0.name == "h.0.attn.c_attn.bias" }!
        let (w0, b0) = (p.tensors[matrix].values[5], p.tensors[bias].values[2])
        var optimiser = AdamW(for: p)
        func gradients(_ value: Double) -> [[Double]] {
            p.tensors.map { [Double](repeating: value, count: $0.values.count) }
        }
        let eta = 0.01
        optimiser.update(&p, gradients: gradients(0.5), learningRate: eta)
        // Step 1: m = 0.05, v = 0.0125 (β₂ 0.95 of 0, plus 0.05·0.25); m̂ = 0.5, v̂ = 0.25, so m̂/(√v̂+ε) = 0.5/(0.5+1e-8).
        let step1 = 0.5 / (0.5 + 1e-8)
        let w1 = w0 - eta * 0.1 * w0 - eta * step1
        let b1 = b0 - eta * step1
        #expect(abs(p.tensors[matrix].values[5] - w1) < 1e-15)
        #expect(abs(p.tensors[bias].values[2] - b1) < 1e-15)
        optimiser.update(&p, gradients: gradients(-1), learningRate: eta)
        // Step 2: m = 0.9·0.05 − 0.1 = −0.055, v = 0.95·0.0125 + 0.05 = 0.061875;
        // m̂ = −0.055/0.19, v̂ = 0.061875/0.0975.
        let mHat = -0.055 / (1 - 0.81), vHat = 0.061875 / (1 - 0.9025)
        let step2 = mHat / (vHat.squareRoot() + 1e-8)
        #expect(abs(p.tensors[matrix].values[5] - (w1 - eta * 0.1 * w1 - eta * step2)) < 1e-15)
        #expect(abs(p.tensors[bias].values[2] - (b1 - eta * step2)) < 1e-15)
        #expect(optimiser.step == 2)
    }

    @Test func scheduleWarmsUpThenDecaysToATenth() {
        let s = LearningRateSchedule(peak: 3e-3, steps: 2000)
        #expect(s.warmup == 100)
        #expect(s.rate(at: 1) == 3e-5)
        #expect(s.rate(at: 100) == 3e-3)
        #expect(abs(s.rate(at: 1050) - 3e-3 * 0.55) < 1e-15)
        #expect(abs(s.rate(at: 2000) - 3e-4) < 1e-15)
        #expect(LearningRateSchedule(peak: 1, steps: 30).warmup == 3)
    }

    @Test func seededGeneratorIsSplitMix64() {
        var g = SeededGenerator(seed: 0)
        // SplitMix64's published first outputs for seed 0.
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        var h = SeededGenerator(seed: 1)
        #expect((0..<1000).allSatisfy { _ in (0..<7).contains(h.below(7)) })
    }
}
