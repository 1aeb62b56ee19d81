import Dispatch
import FoundationEssentials

/// The named, timed steps of a build, in the order they ran; each logs one line.
struct BuildSteps {
    let log: (String) -> Void
    private(set) var done: [(name: String, seconds: Double)] = []

    init(log: @escaping (String) -> Void) { self.log = log }

    var seconds: Double { done.reduce(0) { $0 + $1.seconds } }

    /// Runs one step.
    mutating func run<T>(_ name: String, _ body: () throws(BuildFailure) -> T) throws(BuildFailure) -> T {
        let timed = Timed(body)
        record(name, timed.seconds)
        return try timed.result.get()
    }

    /// Runs two pieces of work side by side as one step, `first ∥ second`; the line gives each
    /// one's time too. A failure of the first is the one reported.
    mutating func run<A, B>(_ first: String, _ a: @Sendable () throws(BuildFailure) -> A,
                            beside second: String, _ b: @escaping @Sendable () throws(BuildFailure) -> B) throws(BuildFailure) -> (A, B) {
        let start = DispatchTime.now()
        let (resultA, resultB) = Parallel.both({ Timed(a) }, beside: { Timed(b) })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        record("\(first) ∥ \(second)", seconds,
               detail: "   (\(NumberFormat.fixed(resultA.seconds * 1000, decimals: 1)) ∥ \(NumberFormat.fixed(resultB.seconds * 1000, decimals: 1)) ms)")
        return (try resultA.result.get(), try resultB.result.get())
    }

    private mutating func record(_ name: String, _ seconds: Double, detail: String = "") {
        done.append((name, seconds))
        log(stepLine(name, seconds) + detail)
    }
}

/// `forward pass                                            12.3 ms`
func stepLine(_ name: String, _ seconds: Double) -> String {
    name + String(repeating: " ", count: max(0, 52 - name.count)) + NumberFormat.fixed(seconds * 1000, decimals: 1, width: 8) + " ms"
}
