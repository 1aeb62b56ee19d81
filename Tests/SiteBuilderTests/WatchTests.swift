import Foundation
import Synchronization
import Testing
@testable import SiteBuilder

/// Drives the watcher on a temporary copy of the model and templates.
@Suite struct WatchTests {
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Waits up to 60 s for a condition (a checkpoint rebuild on a loaded machine can take more than 10 s; a passing test waits only as long as the rebuild).
    func waitFor(_ what: String, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while !condition() && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(condition(), "timed out waiting for \(what)")
    }

    func modified(_ path: String) -> Date? {
        try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
    }

    @Test func rebuildsOnChangeKeepsUnchangedFilesAndSurvivesABrokenSave() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let model = tmp.sub("model.json"), site = tmp.sub("Site")
        let seed = String(decoding: FileManager.default.contents(atPath: RepoPaths.seedModel)!, as: UTF8.self)
        try seed.write(toFile: model, atomically: false, encoding: .utf8)
        let out = Lines(), errors = Lines()
        let watcher = SiteWatcher(options: options(model: model, output: site), log: out.append, errorLog: errors.append)
        let stop = Atomic<Bool>(false)
        let done = Atomic<Bool>(false)
        let thread = Thread {
            watcher.run(shouldStop: { stop.load(ordering: .acquiring) })
            done.store(true, ordering: .releasing)
        }
        thread.start()
        defer { stop.store(true, ordering: .releasing) }
        waitFor("the first build") { out.all.contains { $0.hasPrefix("Watching") } }
        let trace0 = FileManager.default.contents(atPath: site + "/trace.json")
        let tokensDate = modified(site + "/tokens.html")
        let lmHead0 = FileManager.default.contents(atPath: site + "/lm-head.html")
        Thread.sleep(forTimeInterval: 0.05)

        // Change one weight of W_lm, saving the way many editors do: a new file renamed over the old.
        let changed = seed.replacingOccurrences(of: "[0.1, 0.2, 0.2, 0.2, 0.1, 0.0]", with: "[0.1, 0.2, 0.2, 0.2, 0.9, 0.0]")
        #expect(changed != seed)
        try changed.write(toFile: model, atomically: true, encoding: .utf8)
        waitFor("trace.json to change") { FileManager.default.contents(atPath: site + "/trace.json") != trace0 }
        waitFor("the rebuild to finish") { out.all.contains { $0.hasPrefix("rebuilt") } }
        #expect(FileManager.default.contents(atPath: site + "/lm-head.html") != lmHead0)
        #expect(modified(site + "/tokens.html") == tokensDate, "tokens.html does not depend on W_lm")
        #expect(out.all.contains { $0.hasPrefix("changed: ") && $0.hasSuffix("model.json") })
        let goodSite = readTree(site)

        // A broken save: the error is reported and the last good site stays.
        try "{ \"vocab\": ".write(toFile: model, atomically: true, encoding: .utf8)
        waitFor("the error") { errors.all.contains { $0.contains("is not valid JSON") } }
        #expect(readTree(site) == goodSite)

        // The next good save recovers.
        try seed.write(toFile: model, atomically: true, encoding: .utf8)
        waitFor("the site to return to the seed") { FileManager.default.contents(atPath: site + "/trace.json") == trace0 }
        stop.store(true, ordering: .releasing)
        waitFor("the watcher to stop") { done.load(ordering: .acquiring) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    /// `--watch --model DIR`: a trainer writing a new config.json or tokenizer.json (or weights)
    /// into the checkpoint folder triggers a rebuild.
    @Test func rebuildsWhenACheckpointFileChanges() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let checkpoint = tmp.sub("gpt2-f32"), site = tmp.sub("Site")
        try FileManager.default.copyItem(atPath: RepoPaths.path("Tests/Reference/fixtures/checkpoints/gpt2-f32"), toPath: checkpoint)
        let out = Lines(), errors = Lines()
        let watcher = SiteWatcher(options: options(model: checkpoint, output: site, text: "The cat sat"), log: out.append, errorLog: errors.append)
        let stop = Atomic<Bool>(false), done = Atomic<Bool>(false)
        let thread = Thread {
            watcher.run(shouldStop: { stop.load(ordering: .acquiring) })
            done.store(true, ordering: .releasing)
        }
        thread.start()
        defer { stop.store(true, ordering: .releasing) }
        waitFor("the first build") { out.all.contains { $0.hasPrefix("Watching") } }
        let trace0 = FileManager.default.contents(atPath: site + "/trace.json")
        #expect(trace0 != nil && errors.all.isEmpty)
        Thread.sleep(forTimeInterval: 0.05)

        // A new layer_norm_epsilon changes every number after the first LayerNorm.
        let configPath = checkpoint + "/config.json"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        #expect(config.contains("\"layer_norm_epsilon\": 1e-05"))
        try config.replacingOccurrences(of: "\"layer_norm_epsilon\": 1e-05", with: "\"layer_norm_epsilon\": 0.5")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        waitFor("trace.json to change") { FileManager.default.contents(atPath: site + "/trace.json") != trace0 }
        #expect(out.all.contains { $0.hasPrefix("changed: ") && $0.contains("/config.json") })

        // A broken tokenizer.json: one error, the site stays.
        waitFor("the rebuild to finish") { out.all.contains { $0.hasPrefix("rebuilt") } }
        let goodSite = readTree(site)
        try "{".write(toFile: checkpoint + "/tokenizer.json", atomically: true, encoding: .utf8)
        waitFor("the error") { errors.all.contains { $0.contains("tokenizer.json") } }
        #expect(readTree(site) == goodSite)
        stop.store(true, ordering: .releasing)
        waitFor("the watcher to stop") { done.load(ordering: .acquiring) }
    }

    @Test func incrementalUpdateWritesOnlyChangedFilesAndRemovesStaleOnes() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = tmp.sub("Site")
        try SiteWriter.write(["a.html": [1], "b.html": [2], "old/c.txt": [3]], to: site)
        let bDate = modified(site + "/b.html")
        Thread.sleep(forTimeInterval: 0.02)
        let summary = try SiteWriter.update(["a.html": [9], "b.html": [2]], in: site)
        #expect(summary.written == ["a.html"])
        #expect(summary.removed == ["old/c.txt"])
        #expect(summary.unchanged == 2)  // b.html and the marker
        #expect(modified(site + "/b.html") == bDate)
        #expect(!FileManager.default.fileExists(atPath: site + "/old"))
        #expect(readTree(site) == ["a.html": [9], "b.html": [2], ".sitegen": Array(SiteWriter.markerText.utf8)])
    }

    @Test func aFullBuildKeepsTheDateOfUnchangedFiles() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = tmp.sub("Site")
        try SiteWriter.write(["a.html": [1], "b.html": [2]], to: site)
        let bDate = modified(site + "/b.html")
        Thread.sleep(forTimeInterval: 0.02)
        try SiteWriter.write(["a.html": [5], "b.html": [2]], to: site)
        #expect(modified(site + "/b.html") == bDate)
        #expect(readTree(site)["a.html"] == [5])
    }
}
