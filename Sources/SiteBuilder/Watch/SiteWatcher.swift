import FoundationEssentials
import ModelFormats
import Diagnostics
import Dispatch
import Glibc

/// Rebuilds the site whenever the model file (or a checkpoint's files) or a template changes, like `zola serve`
/// without the server. It polls the files' modification time, size and inode every 50 ms:
/// cheap for a handful of files, and it sees editors that save by writing a new file and
/// renaming it over the old one. A failed rebuild reports its errors and leaves the last
/// good site in place; unchanged files are never rewritten.
public final class SiteWatcher: @unchecked Sendable {
    public let options: BuildOptions
    public var pollInterval: Double = 0.05
    /// How the incremental rebuilds write files (tests pass one that fails).
    public var fileWriter: SiteWriter.FileWriter = SiteWriter.writeFile
    private let log: (String) -> Void
    private let errorLog: (String) -> Void

    public init(options: BuildOptions, log: @escaping (String) -> Void, errorLog: @escaping (String) -> Void) {
        self.options = options
        self.log = log
        self.errorLog = errorLog
    }

    /// What identifies one version of a file.
    struct Stamp: Equatable {
        var modified: timespec
        var size: Int
        var inode: UInt

        static func == (a: Stamp, b: Stamp) -> Bool {
            (a.modified.tv_sec, a.modified.tv_nsec, a.size, a.inode) == (b.modified.tv_sec, b.modified.tv_nsec, b.size, b.inode)
        }
    }

    /// Every watched file: the model file (for a checkpoint, also every file of its folder:
    /// config.json, model.safetensors or its shards, the tokenizer files) and every file of the
    /// templates folder.
    func snapshot() -> [String: Stamp] {
        let fm = FileManager.default
        var paths = options.modelPath.map { [$0] } ?? []
        if let model = options.modelPath, CheckpointLoader.isCheckpoint(model) {
            var isFolder = false
            let folder = fm.fileExists(atPath: model, isDirectory: &isFolder) && isFolder
                ? model : folderPart(of: model)
            let names = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
            paths += names.filter { !$0.hasPrefix(".") }.map { joinedPath(folder, $0) }
        }
        if let templates = options.templatesPath {
            // The folder itself too: replaced by a file, it is a change to report.
            paths.append(templates)
            if let names = try? fm.contentsOfDirectory(atPath: templates) {
                paths += names.filter { !$0.hasPrefix(".") }.map { joinedPath(templates, $0) }
            }
        }
        var stamps: [String: Stamp] = [:]
        for path in paths {
            // A symbolic link is watched as the file it names (a Hugging Face cache's snapshot).
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            stamps[path] = Stamp(modified: info.st_mtim, size: Int(info.st_size), inode: UInt(info.st_ino))
        }
        return stamps
    }

    /// What the watcher polls, for its first line; built-in defaults cannot change.
    var watched: String {
        switch (options.modelPath, options.templatesPath) {
        case let (model?, templates?): "\(model) and \(templates)/"
        case let (model?, nil): "\(model) (the templates are built in)"
        case let (nil, templates?): "\(templates)/ (the model is built in)"
        case (nil, nil): "nothing (the model and templates are built in: pass --model or --templates)"
        }
    }

    static func changes(from old: [String: Stamp], to new: [String: Stamp]) -> [String] {
        Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }

    /// Builds once (a full, atomic build), then rebuilds on every change until `shouldStop`.
    public func run(shouldStop: () -> Bool) {
        var last = snapshot()
        build(reason: nil)
        log("Watching \(watched) for changes (Ctrl-C to stop)")
        while !shouldStop() {
            usleep(useconds_t(pollInterval * 1_000_000))
            var current = snapshot()
            guard current != last else { continue }
            // Let a save that arrives in several writes settle.
            for _ in 0..<10 {
                usleep(10_000)
                let again = snapshot()
                if again == current { break }
                current = again
            }
            let changed = Self.changes(from: last, to: current)
            last = current
            build(reason: changed)
        }
    }

    /// One build; the first is a full build, later ones update files in place.
    @discardableResult
    public func build(reason changed: [String]?) -> Bool {
        let start = DispatchTime.now()
        if let changed { log("changed: " + changed.joined(separator: ", ")) }
        do {
            if changed == nil {
                let report = try SiteBuild.run(options)
                log("built \(report.pageCount) pages in \(Self.milliseconds(since: start)) ms → \(options.outputPath)/")
            } else {
                let (files, report) = try SiteBuild.render(options)
                var written = files
                written[SiteWriter.markerName] = nil
                let summary = try SiteWriter.update(written, in: options.outputPath, fileWriter: fileWriter)
                log("rebuilt \(report.pageCount) pages in \(Self.milliseconds(since: start)) ms: \(summary.written.count) written, \(summary.unchanged) unchanged, \(summary.removed.count) removed")
            }
            return true
        } catch {
            for problem in error.problems { errorLog("error: \(problem)") }
            errorLog("the previous site in \(options.outputPath)/ stays; fix the error and save again")
            return false
        }
    }

    static func milliseconds(since start: DispatchTime) -> Int {
        Int((Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6).rounded())
    }
}
