import Foundation
import Testing
@testable import TransformerEngine

/// The sampling step by hand: p = softmax(z / T), top-k, top-p, the interval holding u.
@Suite struct SamplingTests {
    /// Logits ln 1 … ln 4: at T = 1 the probabilities are exactly 0.1, 0.2, 0.3, 0.4.
    static let fourLogits = [1.0, 2, 3, 4].map { log($0) }

    static func settings(t: Double = 1, k: Int = 0, p: Double = 1) -> GenerationSettings {
        GenerationSettings(count: 1, temperature: t, topK: k, topP: p, seed: 0)
    }

    @Test func splitMix64MatchesPublishedValues() {
        // Rosetta Code's "Pseudo-random numbers/Splitmix64" task: seed 1234567.
        var g = SplitMix64(seed: 1_234_567)
        #expect((0..<5).map { _ in g.next() } == [6457827717110365317, 3203168211198807973, 9817491932198370423,
                                                  4593380528125082431, 16408922859458223821])
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func unitIsTheTop53BitsTimesTwoToTheMinus53() {
        var g = SplitMix64(seed: 1_234_567), h = SplitMix64(seed: 1_234_567)
        for _ in 0..<1000 {
            let u = g.nextUnit()
            #expect(u == Double(h.next() >> 11) / 9_007_199_254_740_992)
            #expect(u >= 0 && u < 1)
        }
    }

    @Test func noCutOffKeepsEveryTokenInDescendingOrder() {
        let s = Sampling.step(logits: Self.fourLogits, u: 0.05, settings: Self.settings())
        #expect(s.kept == [3, 2, 1, 0])
        let expected = [0.4, 0.3, 0.2, 0.1]
        #expect(zip(s.probs, expected).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(s.id == 3)   // [0, 0.4) holds 0.05
    }

    @Test func theIntervalHoldingUChoosesTheToken() {
        // c = 0.4, 0.7, 0.9, 1.0 over ids 3, 2, 1, 0.
        for (u, id) in [(0.0, 3), (0.39, 3), (0.41, 2), (0.69, 2), (0.71, 1), (0.89, 1), (0.91, 0), (0.999, 0)] {
            #expect(Sampling.step(logits: Self.fourLogits, u: u, settings: Self.settings()).id == id, "u = \(u)")
        }
        #expect(Sampling.interval(holding: 0.999_999_999, probs: [0.5, 0.49999]) == 1)   // rounding short of 1: the last
    }

    @Test func topKKeepsTheKMostLikelyAndRenormalises() {
        let s = Sampling.step(logits: Self.fourLogits, u: 0.6, settings: Self.settings(k: 2))
        #expect(s.kept == [3, 2])
        #expect(abs(s.probs[0] - 4.0 / 7) < 1e-15 && abs(s.probs[1] - 3.0 / 7) < 1e-15)
        #expect(s.id == 2)   // c = 4/7 ≈ 0.571, 1
    }

    @Test func tiesGoToTheLowerID() {
        #expect(Sampling.descendingOrder([1, 2, 2, 0, 2]) == [1, 2, 4, 0, 3])
        let s = Sampling.step(logits: [1, 2, 2, 0], u: 0.9, settings: Self.settings(k: 1))
        #expect(s.kept == [1] && s.probs == [1] && s.id == 1)
    }

    @Test func topPKeepsTheSmallestPrefixReachingP() {
        #expect(Sampling.topPCount([0.4, 0.3, 0.2, 0.1], p: 0.5) == 2)
        #expect(Sampling.topPCount([0.4, 0.3, 0.2, 0.1], p: 0.3) == 1)
        #expect(Sampling.topPCount([0.4, 0.3, 0.2, 0.1], p: 0.95) == 4)
        #expect(Sampling.topPCount([0.4, 0.3, 0.2, 0.1], p: 1) == 4)
        let s = Sampling.step(logits: Self.fourLogits, u: 0.99, settings: Self.settings(p: 0.5))
        #expect(s.kept == [3, 2] && s.id == 2)
    }

    @Test func topPWorksOnTheTopKRenormalisedProbabilities() {
        // After top-k = 3: 4/9, 3/9, 2/9; the first two reach 0.75 (7/9). On the raw
        // probabilities 0.4 + 0.3 = 0.7 < 0.75 would keep three.
        let s = Sampling.step(logits: Self.fourLogits, u: 0, settings: Self.settings(k: 3, p: 0.75))
        #expect(s.topK == [3, 2, 1])
        #expect(s.kept == [3, 2])
        #expect(abs(s.probs[0] - 4.0 / 7) < 1e-15)
        #expect(Sampling.topPCount([0.4, 0.3, 0.2, 0.1], p: 0.75) == 3)
    }

    @Test func temperatureComesBeforeTheCutOffs() {
        // T = 0.5 squares the probabilities: 16/30, 9/30, 4/30, 1/30; top-p 0.5 keeps one token.
        let cold = Sampling.step(logits: Self.fourLogits, u: 0.9, settings: Self.settings(t: 0.5, p: 0.5))
        #expect(cold.kept == [3] && cold.id == 3)
        #expect(abs(cold.tempered[3] - 16.0 / 30) < 1e-15)
        let warm = Sampling.step(logits: Self.fourLogits, u: 0.9, settings: Self.settings(t: 1, p: 0.5))
        #expect(warm.kept == [3, 2] && warm.id == 2)
    }

    @Test func settingsOutOfRangeAreNamed() {
        #expect(GenerationSettings.default.problems.isEmpty)
        let bad = GenerationSettings(count: -1, temperature: 0, topK: -2, topP: 1.5, seed: 1 << 60)
        #expect(bad.problems.map(\.option) == ["--generate", "--temperature", "--top-k", "--top-p", "--seed"])
        #expect(!GenerationSettings(temperature: .nan).problems.isEmpty)
        #expect(!GenerationSettings(topP: 0).problems.isEmpty)
    }
}
