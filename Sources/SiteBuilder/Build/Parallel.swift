import Diagnostics
import Dispatch
import Synchronization

/// Independent pieces of a build, run on every core. Results come back in index order, so
/// the output never depends on the scheduling.
enum Parallel {
    /// `body(0)…body(count − 1)`, spread over all cores; a worker takes the next index when it
    /// is free, so a long job at index 0 runs beside the short ones that follow it.
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let results = Mutex<[T?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let value = body(i)
            results.withLock { $0[i] = value }
        }
        // concurrentPerform returned after every index ran, so every slot holds its result.
        return results.withLock { $0.map { $0! } }
    }
}

extension Parallel {
    /// `first()` on this thread and `second()` on a thread of its own, side by side; the first
    /// can spread over every core itself (a `concurrentPerform` inside another runs on one
    /// thread). Returns when both are done.
    static func both<A, B>(_ first: () -> A, beside second: @escaping @Sendable () -> B) -> (A, B) {
        nonisolated(unsafe) var secondResult: B? = nil
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { secondResult = second() }
        let firstResult = first()
        group.wait()
        // The group waited for the block, which always sets the result.
        return (firstResult, secondResult!)
    }
}

/// How long a piece of work took, and what it gave (or the problems that stopped it).
struct Timed<T> {
    var result: Result<T, BuildFailure>
    var seconds: Double

    init(_ body: () throws(BuildFailure) -> T) {
        let t0 = DispatchTime.now()
        do throws(BuildFailure) {
            result = .success(try body())
        } catch {
            result = .failure(error)
        }
        seconds = Double(DispatchTime.now().uptimeNanoseconds - t0.uptimeNanoseconds) / 1e9
    }

    var problems: [Diagnostic] {
        if case .failure(let failure) = result { return failure.problems }
        return []
    }
}
extension Timed: Sendable where T: Sendable {}
