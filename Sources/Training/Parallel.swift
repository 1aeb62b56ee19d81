import Dispatch
import Synchronization

/// `body(0) … body(count − 1)` on every core, the results in index order: each task computes
/// its own value from what it is given, so the results are the same bits however the tasks
/// were scheduled.
func inParallel<Result: Sendable>(_ count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
    let slots = Mutex([Result?](repeating: nil, count: count))
    DispatchQueue.concurrentPerform(iterations: count) { i in
        let result = body(i)
        slots.withLock { $0[i] = result }
    }
    return slots.withLock { $0.map { $0! } }
}

/// `body` on `parts` consecutive ranges of 0..<count (as equal as can be; fewer when count is
/// smaller), side by side, the results in range order.
func inParallel<Result: Sendable>(_ count: Int, parts: Int, _ body: @Sendable (Range<Int>) -> Result) -> [Result] {
    let parts = max(1, min(parts, count))
    let ranges = (0..<parts).map { p in (count * p / parts)..<(count * (p + 1) / parts) }
    return inParallel(parts) { body(ranges[$0]) }
}
