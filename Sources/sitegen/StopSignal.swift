import Dispatch
import FoundationEssentials
import Synchronization
import Glibc

/// Turns SIGINT (Ctrl-C) and SIGTERM into a flag the watch loop checks, so it can finish the
/// build in progress and exit cleanly with status 0.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    nonisolated(unsafe) private var sources: [DispatchSourceSignal] = []

    var isSet: Bool { flag.load(ordering: .acquiring) }

    static func install() -> StopSignal {
        let stop = StopSignal()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.flag.store(true, ordering: .releasing) }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }
}
