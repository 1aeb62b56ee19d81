import CMemoryPolicy
import Checkpoints
import Foundation
import ModelFormats
import TransformerEngine

// engine-bench CHECKPOINT_FOLDER --text PROMPT --target TOKEN [--runs N] [--no-learning]
//
// Reads a GPT-2 checkpoint, maps it as `sitegen --model` does (CheckpointLoader), runs the
// engine's forward pass on the prompt N times and
// prints its time and GFLOP/s against the machine's double-precision peak without FMA, then
// (unless --no-learning) the learning chapter's exact work: the gradient of every weight and
// one gradient step, with the forward pass after it. Each figure is one line
// `name: value unit`, for Benchmarks/bench_scale.py.

func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds of the process so far, every thread (user + system): steadier than wall time
/// on a shared machine.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("engine-bench: \(message)\n".utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, default value: Int) -> Int {
    guard let at = arguments.firstIndex(of: name) else { return value }
    guard at + 1 < arguments.count, let number = Int(arguments[at + 1]), number >= 1 else {
        fail("\(name) needs a whole number ≥ 1")
    }
    arguments.removeSubrange(at...(at + 1))
    return number
}
@MainActor func text(_ name: String) -> String {
    guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { fail("\(name) is required") }
    defer { arguments.removeSubrange(at...(at + 1)) }
    return arguments[at + 1]
}
let promptText = text("--text"), targetText = text("--target")
let runs = option("--runs", default: 3)
let learning = !arguments.contains("--no-learning")
arguments.removeAll { $0 == "--no-learning" }
guard arguments.count == 1 else { fail("usage: engine-bench CHECKPOINT_FOLDER --text PROMPT --target TOKEN [--runs N] [--no-learning]") }

func report(_ name: String, _ value: Double, _ unit: String, decimals: Int = 3) {
    print("\(name): \(String(format: "%.\(decimals)f", value)) \(unit)")
}

/// The process's resident memory now and at its peak so far (VmRSS, VmHWM), in MB.
func memory() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func kB(_ key: String) -> Double {
        let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return String(format: "RSS %.0f MB, peak %.0f MB", kB("VmRSS") / 1024, kB("VmHWM") / 1024)
}

/// Times one phase: wall and CPU seconds.
@MainActor func phase<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    let (wall, cpu) = (seconds(), cpuSeconds())
    let result = try body()
    print("\(name): \(String(format: "%.3f", seconds() - wall)) s (CPU \(String(format: "%.3f", cpuSeconds() - cpu)) s; \(memory()))")
    return result
}

// Freed memory is reused as `sitegen` reuses it for a checkpoint, so the figures are the site build's.
sitegen_keep_freed_memory()
sitegen_share_one_heap()
var start = seconds(), cpuStart = cpuSeconds()
let checkpoint: GPT2Checkpoint
do { checkpoint = try phase("read the checkpoint") { try GPT2Checkpoint.read(arguments[0]) } } catch { fail("\(error)") }
let c = checkpoint.config
let model: Model
do {
    model = try phase("map to the engine's Model") {
        try CheckpointLoader.model(of: checkpoint, path: arguments[0], text: promptText, target: targetText)
    }
} catch { fail("\(error)") }
let tokenCount = model.prompt.ids.count
print("prompt: \(tokenCount) tokens")

// Multiply-adds of the forward pass's products, ×2 for FLOPs.
let (t, d, ff, v, h) = (tokenCount, c.nEmbd, c.nInner, c.vocabSize, c.nHead)
let perLayer = 4 * t * d * d + 2 * t * d * ff + 2 * h * t * t * (d / h)
let flops = 2.0 * Double(c.nLayer * perLayer + t * d * v)

var times: [Double] = []
var trace: Trace!
var cpuTimes: [Double] = []
for _ in 0..<runs {
    (start, cpuStart) = (seconds(), cpuSeconds())
    trace = Transformer.forward(model)
    times.append(seconds() - start)
    cpuTimes.append(cpuSeconds() - cpuStart)
}
let best = times.min()!, median = times.sorted()[times.count / 2]

// Peak: cores × clock × 4 doubles a 256-bit register × 2 (one vector add and one vector
// multiply a cycle), the kernel's own instruction mix (AVX2, no FMA).
let cores = ProcessInfo.processInfo.activeProcessorCount
let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
let mhz = cpuinfo.split(separator: "\n").first { $0.hasPrefix("cpu MHz") }
    .flatMap { Double($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
let peak = Double(cores) * mhz / 1000 * 4 * 2

report("forward pass (best of \(runs); median \(String(format: "%.3f", median)) s; CPU \(String(format: "%.3f", cpuTimes.min()!)) s)", best, "s")
report("forward FLOPs", flops / 1e9, "GFLOP")
report("forward GFLOP/s (best run)", flops / best / 1e9, "GFLOP/s", decimals: 2)
// On a machine others share, the CPU time is the steadier figure: GFLOP per CPU second is
// what the kernel does per core while it runs, against one core's peak.
report("forward GFLOP per CPU second (one core's work)", flops / cpuTimes.min()! / 1e9, "GFLOP/s", decimals: 2)
report("peak (\(cores) cores × \(String(format: "%.2f", mhz / 1000)) GHz × 4 doubles × (1 add + 1 mul))", peak, "GFLOP/s", decimals: 1)
report("fraction of peak (wall)", flops / best / 1e9 / max(peak, 1e-9), "", decimals: 3)
report("fraction of one core's peak (CPU time)", flops / cpuTimes.min()! / 1e9 / max(peak / Double(cores), 1e-9), "", decimals: 3)
print("prediction: id \(trace.predictionID), loss \(trace.loss ?? .nan)")

if learning {
    guard let gradients = phase("gradient of every weight (exact)", { Backward.gradients(model, trace: trace) }) else {
        fail("no target, no gradient")
    }
    // As the site takes it: each block's weights are stepped when the block runs and dropped
    // after it (bit for bit `Transformer.forward(model.applying(gradients, learningRate:))`,
    // without a second, Double, copy of every weight).
    let after = phase("one gradient step on every weight, and the forward pass after it") {
        Transformer.forward(model, afterStep: gradients, learningRate: 0.02)
    }
    print("loss after one step: \(after.loss ?? .nan)")
}
