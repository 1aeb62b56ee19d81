import Foundation
import Synchronization
import Testing
@testable import SiteBuilder

/// The output folder's promises: sitegen replaces only a folder it created (or an empty one it
/// can see is empty), and every write leaves either the whole old site or the whole new one.
@Suite struct SiteWriterTests {
    func refusal(_ output: String) -> String? {
        do {
            _ = try SiteWriter.checkOutput(output)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aForeignMarkerIsNotSitegens() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let fm = FileManager.default
        // Another tool's folder named .sitegen, a file with other content, a link to a real marker.
        let site = tmp.sub("real")
        try SiteWriter.write(["index.html": [1]], to: site)
        let foreignMarkers: [(String, (String) throws -> Void)] = [
            ("a folder", { try fm.createDirectory(atPath: $0, withIntermediateDirectories: false) }),
            ("a file of another tool", { try "cache v2\n".write(toFile: $0, atomically: false, encoding: .utf8) }),
            ("an empty file", { _ = fm.createFile(atPath: $0, contents: Data()) }),
            ("a link to a real marker", { try fm.createSymbolicLink(atPath: $0, withDestinationPath: site + "/.sitegen") }),
        ]
        for (what, make) in foreignMarkers {
            let folder = tmp.sub(UUID().uuidString)
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: false)
            try "my thesis".write(toFile: folder + "/thesis.txt", atomically: false, encoding: .utf8)
            try make(folder + "/.sitegen")
            let message = refusal(folder)
            #expect(message?.contains("refusing to write the site here") == true, "\(what): \(message ?? "accepted")")
            #expect(message?.contains(".sitegen") == true, "\(what): \(message ?? "accepted")")
            #expect(throws: BuildFailure.self, "\(what)") { try SiteWriter.write(["index.html": [1]], to: folder) }
            #expect(throws: BuildFailure.self, "\(what)") { try SiteWriter.update(["index.html": [1]], in: folder) }
            #expect(fm.contents(atPath: folder + "/thesis.txt") == Data("my thesis".utf8), "\(what): the user's file is gone")
        }
        // sitegen's own marker is accepted.
        #expect(refusal(site) == nil)
    }

    @Test func anUnlistableFolderIsRefused() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let folder = tmp.sub("private")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try "my thesis".write(toFile: folder + "/thesis.txt", atomically: false, encoding: .utf8)
        chmod(folder, 0o311)
        defer { chmod(folder, 0o755) }
        if getuid() != 0 {
            #expect(refusal(folder)?.contains("cannot be listed") == true, "\(refusal(folder) ?? "accepted")")
        } else {
            // Root lists any folder: run the built binary as `nobody`, who owns the folder but may not list it.
            let binary = RepoPaths.path(".build/debug/sitegen")
            guard FileManager.default.isExecutableFile(atPath: binary), FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                Issue.record("running as root without \(binary) and setpriv: cannot simulate an unlistable folder")
                return
            }
            // A copy nobody can run wherever the repository lives (a CI checkout may be under /root).
            let copy = tmp.sub("sitegen")
            try FileManager.default.copyItem(atPath: binary, toPath: copy)
            chown(tmp.path, 65534, 65534)
            chown(folder, 65534, 65534)
            let run = Process()
            run.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            run.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", copy, "--model", RepoPaths.seedModel,
                             "--templates", RepoPaths.templates, "--output", folder]
            run.currentDirectoryURL = URL(fileURLWithPath: tmp.path)
            let errors = Pipe()
            run.standardError = errors
            run.standardOutput = FileHandle.nullDevice
            try run.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.waitUntilExit()
            #expect(run.terminationStatus == 1)
            #expect(message.contains("cannot be listed"), "\(message)")
        }
        chmod(folder, 0o755)
        #expect(FileManager.default.contents(atPath: folder + "/thesis.txt") == Data("my thesis".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }

    /// A file writer that fails with "No space left on device" once `budget` files are written.
    final class FullDisk: Sendable {
        let written = Atomic<Int>(0)
        let budget: Int
        init(budget: Int) { self.budget = budget }
        var writer: SiteWriter.FileWriter {
            { path, bytes, info in
                if self.written.add(1, ordering: .relaxed).newValue > self.budget { return ENOSPC }
                return SiteWriter.writeFile(path, bytes, stat: &info)
            }
        }
    }

    @Test func aFailingWriteLeavesTheWholeOldSite() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = tmp.sub("Site")
        var old: [String: [UInt8]] = [:], new: [String: [UInt8]] = [:]
        for k in 0..<30 {
            old["page\(k).html"] = Array("old \(k)".utf8)
            new["page\(k).html"] = Array("new \(k)".utf8)
        }
        new["extra/more.html"] = [7]
        // A first build that fails leaves nothing.
        do {
            try SiteWriter.write(old, to: site, fileWriter: FullDisk(budget: 3).writer)
            Issue.record("expected the first build to fail")
        } catch {
            #expect(error.description.hasSuffix("cannot be written: No space left on device; nothing was written"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: site))
        try SiteWriter.write(old, to: site)
        let before = readTree(site)
        for budget in [0, 1, 9, 29] {
            do {
                try SiteWriter.write(new, to: site, fileWriter: FullDisk(budget: budget).writer)
                Issue.record("expected the full build to fail")
            } catch {
                #expect(error.description.hasSuffix("No space left on device; the previous site is unchanged"), "\(error)")
            }
            #expect(readTree(site) == before, "full build, \(budget) files written")
            do {
                _ = try SiteWriter.update(new, in: site, fileWriter: FullDisk(budget: budget).writer)
                Issue.record("expected the incremental update to fail")
            } catch {
                #expect(error.description.contains("No space left on device"), "\(error)")
            }
            #expect(readTree(site) == before, "incremental update, \(budget) files written")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
        // With room, the update is the whole new site.
        _ = try SiteWriter.update(new, in: site)
        var expected = new
        expected[".sitegen"] = Array(SiteWriter.markerText.utf8)
        #expect(readTree(site) == expected)
    }

    @Test func aWatchRebuildOnAFullDiskKeepsTheWholePreviousSite() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let model = tmp.sub("model.json"), site = tmp.sub("Site")
        let seed = String(decoding: FileManager.default.contents(atPath: RepoPaths.seedModel)!, as: UTF8.self)
        try seed.write(toFile: model, atomically: false, encoding: .utf8)
        let errors = WatchTests.Lines()
        let watcher = SiteWatcher(options: options(model: model, output: site), log: { _ in }, errorLog: errors.append)
        #expect(watcher.build(reason: nil))
        let before = readTree(site)
        try seed.replacingOccurrences(of: "the cat sat on", with: "the dog sat on").write(toFile: model, atomically: false, encoding: .utf8)
        watcher.fileWriter = FullDisk(budget: 9).writer
        #expect(!watcher.build(reason: [model]))
        #expect(errors.all.contains { $0.contains("No space left on device") }, "\(errors.all)")
        #expect(readTree(site) == before)
        watcher.fileWriter = SiteWriter.writeFile
        #expect(watcher.build(reason: [model]))
        #expect(readTree(site) != before)
    }

    @Test func aReaderNeverFindsTheSiteMissingWhileItIsReplaced() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let site = tmp.sub("Site")
        try SiteWriter.write(["index.html": [0]], to: site)
        let done = Atomic<Bool>(false), misses = Atomic<Int>(0), reads = Atomic<Int>(0)
        let reader = Thread {
            while !done.load(ordering: .acquiring) {
                if access(site + "/index.html", F_OK) != 0 { misses.add(1, ordering: .relaxed) }
                reads.add(1, ordering: .relaxed)
            }
        }
        reader.start()
        for k in 1...200 { try SiteWriter.write(["index.html": [UInt8(k)], "k\(k % 7).html": [1]], to: site) }
        done.store(true, ordering: .releasing)
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.001) }
        #expect(reads.load(ordering: .relaxed) > 200)
        #expect(misses.load(ordering: .relaxed) == 0, "the site was missing \(misses.load(ordering: .relaxed)) times")
        #expect(readTree(site)["index.html"] == [200])
    }

    @Test func outputPathsThatCannotHoldASiteAreRefusedWithTheReason() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let file = tmp.sub("notes.txt")
        try "notes".write(toFile: file, atomically: false, encoding: .utf8)
        // Under an existing file.
        let under = refusal(file + "/Site")
        #expect(under?.contains("\(file) is a file") == true, "\(under ?? "accepted")")
        #expect(under?.contains("NSCocoaErrorDomain") == false)
        #expect(refusal(file + "/a/b/Site")?.contains("\(file) is a file") == true)
        // A symbolic link: refused, the folder it points to untouched.
        let real = tmp.sub("real")
        try SiteWriter.write(["index.html": [1]], to: real)
        let link = tmp.sub("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let linked = refusal(link)
        #expect(linked?.contains("symbolic link") == true, "\(linked ?? "accepted")")
        #expect(throws: BuildFailure.self) { try SiteWriter.write(["index.html": [2]], to: link) }
        #expect(readTree(real)["index.html"] == [1])
        // A name that was not valid UTF-8 (the shell's bytes arrive with U+FFFD in their place).
        #expect(refusal(tmp.sub("\u{FFFD}out"))?.contains("UTF-8") == true)
        // A symbolic-link loop above the output.
        let loop = tmp.sub("loop")
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        #expect(refusal(loop + "/Site")?.contains("symbolic link") == true, "\(refusal(loop + "/Site") ?? "accepted")")
    }
}
